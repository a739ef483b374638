/// What a token stands for. The kind decides the namespace of its term in the index
/// (see `TermKey`), so overlays never collide with ordinary terms.
public enum TokenKind: UInt8, Sendable, CaseIterable {
    /// A folded word or number of a space-separated script (Latin, Greek, Cyrillic, Hangul, Thai).
    case word = 0
    /// One Han or kana character: what a single-character query matches.
    case cjkChar = 1
    /// Two adjacent Han or kana characters: a run of two or more matches as a phrase of bigrams.
    case cjkBigram = 2
    /// A word of ICU's dictionary segmentation over a Han run, overlaid on its first character.
    /// It only ranks: documents where the query is a whole word come first.
    case cjkWord = 3
    /// The lower-case form that kept its accents, overlaid on a word whose folding removed some,
    /// so that an exact-accent match ranks above a folded one.
    case accented = 4
    /// The pinyin of two adjacent Han characters ("suzhou" over 苏州), overlaid on the first:
    /// a Latin spelling such as Suzhou or "Li Qiang" finds the Chinese name.
    case pinyin = 5

    /// The byte that starts the term of this kind inside a field, if any.
    var namespace: UInt8? {
        switch self {
        case .word, .cjkChar, .cjkBigram: nil
        case .cjkWord: 0x01
        case .accented: 0x02
        case .pinyin: 0x03
        }
    }

    /// Whether the token occupies a position of its own (overlays and bigrams share one).
    public var advancesPosition: Bool { self == .word || self == .cjkChar }
}

/// One token, as a value: what tests and the query parser look at. The indexer gets the same
/// information through `TokenSink` without allocating.
public struct Token: Equatable, Sendable, CustomStringConvertible {
    public var term: String
    public var kind: TokenKind
    /// Position in the field: one per word and per CJK character.
    public var position: UInt32
    /// Byte range in the analysed UTF-8 text.
    public var start: Int
    public var end: Int
    /// Tokens of one group were written together: a compound such as apt-cache or U.S.,
    /// or one run of CJK characters. A query term that spans groups is several clauses.
    public var group: UInt32

    public init(term: String, kind: TokenKind, position: UInt32, start: Int, end: Int, group: UInt32) {
        self.term = term
        self.kind = kind
        self.position = position
        self.start = start
        self.end = end
        self.group = group
    }

    public var description: String { "\(term)/\(kind)@\(position)" }
}

/// Receives the tokens of an analysis. The term bytes are only valid during the call.
protocol TokenSink {
    mutating func token(_ term: UnsafeBufferPointer<UInt8>, kind: TokenKind, position: UInt32,
                        start: Int, end: Int, group: UInt32)
}

/// What a token stands for. The kind decides the namespace of its term in the index
/// (see `TermKey`), so overlays never collide with ordinary terms.
public enum TokenKind: UInt8, Sendable, CaseIterable {
    /// A folded word or number of a space-separated script (Latin, Greek, Cyrillic, Hangul, Thai).
    case word = 0
    /// One Han or kana character: what a single-character query matches.
    case cjkChar = 1
    /// Two adjacent Han or kana characters: a run of two or more matches as a phrase of bigrams.
    case cjkBigram = 2
    /// A word of two or more characters of ICU's dictionary segmentation over a Han run,
    /// overlaid on its first character. It only ranks: a query that is one such word finds
    /// the documents where it is a whole word through it, without reading positions.
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

    /// Whether its positions carry the word boundaries around it (`WordBoundaries`).
    var marksBoundaries: Bool { self == .cjkChar || self == .cjkBigram }
}

/// ICU's word boundaries around a Han character or bigram: bit i is set when a word of ICU's
/// dictionary segmentation starts or ends i characters after the token's own start (a
/// character has bits 0 and 1, a bigram 0, 1 and 2). Index format 4 keeps them in the
/// positions of characters and bigrams (`position << 3 | bits`), where the whole-word bonus
/// reads them: 目录 as one word (列出|目录|内容) ranks above 目录 across two (项目|录|入).
/// Until format 3 every ICU word was a term of its own; since format 4 only words of two or
/// more characters are (`.cjkWord`: a query that is one of them needs no positions).
enum WordBoundaries {
    static let bits: UInt32 = 3

    /// What the index stores as the position of a token that marks its boundaries.
    @inline(__always)
    static func stored(_ position: UInt32, _ boundaries: UInt8) -> UInt32 { position << bits | UInt32(boundaries) }
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
    /// ICU's word boundaries around a Han character or bigram (`WordBoundaries`), else 0.
    public var boundaries: UInt8

    public init(term: String, kind: TokenKind, position: UInt32, start: Int, end: Int, group: UInt32, boundaries: UInt8 = 0) {
        self.term = term
        self.kind = kind
        self.position = position
        self.start = start
        self.end = end
        self.group = group
        self.boundaries = boundaries
    }

    public var description: String { "\(term)/\(kind)@\(position)" }
}

/// Receives the tokens of an analysis. The term bytes are only valid during the call.
protocol TokenSink {
    mutating func token(_ term: UnsafeBufferPointer<UInt8>, kind: TokenKind, position: UInt32,
                        start: Int, end: Int, group: UInt32, boundaries: UInt8)
}

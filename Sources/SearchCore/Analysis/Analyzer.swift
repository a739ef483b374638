import CICU
import Dispatch

/// Turns UTF-8 text into tokens; documents and queries go through the same analysis.
///
/// - Words of space-separated scripts are runs of letters, digits and combining marks, folded
///   per code point (NFKC, case, accents; see `CharacterTables`). Parts joined by one connector
///   (`apt-cache`, `U.S.`, `2024-06-28`, `l'homme`) are separate tokens of one group, so a query
///   for the whole is a phrase of its parts and each part is findable alone. A word whose
///   folding removed accents also gets an `.accented` overlay.
/// - A run of Han or kana characters gives one `.cjkChar` per character (one position each), a
///   `.cjkBigram` per adjacent pair (also across the white space between two runs), each with
///   the boundaries of ICU's dictionary words around it (`WordBoundaries`), and a `.cjkWord`
///   overlay per word of two or more characters. Matching uses characters and bigrams only,
///   so it never depends on whether ICU's dictionary knows a name (钱凯港 splits into 钱 / 凯 /
///   港) or on context; ICU's words only rank. A Han pair inside one ICU word, or of two
///   characters ICU left alone, also gets `.pinyin` overlays (苏州 → "suzhou") so Latin
///   spellings find it.
/// - Thai, Lao, Khmer and Myanmar runs are split into words by ICU's dictionary.
///
/// Not thread-safe (it owns an ICU break iterator and scratch buffers): one per thread.
public final class Analyzer {
    /// Longer terms (base64, hashes) are dropped: they bloat the term dictionary for nothing.
    public static let maxTermBytes = 64

    /// Analysed in place, through a pointer: a stored property of a class is checked for
    /// exclusive access at each use, and analysing a local copy (written back after) retained
    /// and released the state's references at every text, four times a document — references
    /// to the process's shared tables, whose counts every indexing thread wrote (a cache line
    /// passed from core to core): about 1% of a build's CPU samples.
    private let state: UnsafeMutablePointer<AnalysisState>

    /// `wordCacheSlots`: runs whose ICU words are kept (`WordBreakCache`); an indexing
    /// thread's analyser keeps more, since a corpus repeats its runs.
    public init(wordCacheSlots: Int = 2048) {
        state = .allocate(capacity: 1)
        state.initialize(to: AnalysisState(wordCacheSlots: wordCacheSlots))
    }

    deinit {
        state.pointee.free()
        state.deinitialize(count: 1)
        state.deallocate()
    }

    /// Builds the shared tables the analysis reads (pinyin, the CJK dictionary) on another
    /// thread while the caller starts up and builds the character tables (`searchd` and
    /// `searchd index` at their start: one after the other, they took 6 ms of it).
    public static func prepareTablesInBackground() {
        DispatchQueue.global().async {
            _ = Pinyin.shared
            _ = CJKDictionary.shared
        }
    }

    /// Analyses `text`, numbering positions from `position` and groups from `group`.
    /// Returns the next free position and group.
    @discardableResult
    func analyze<S: TokenSink>(_ text: UnsafeBufferPointer<UInt8>, position: UInt32 = 0, group: UInt32 = 0,
                               into sink: inout S) -> (position: UInt32, group: UInt32) {
        state.pointee.analyze(text, position: position, group: group, into: &sink)
    }

    /// How many tokens `text` gives (what the tokenizer benchmark measures).
    public func countTokens(_ text: String) -> Int {
        var counter = TokenCounter()
        var text = text
        text.withUTF8 { _ = analyze($0, into: &counter) }
        return counter.count
    }

    /// The tokens of `text` as values (for queries, snippets and tests).
    public func tokens(_ text: String) -> [Token] {
        var collector = TokenCollector()
        var text = text
        text.withUTF8 { _ = analyze($0, into: &collector) }
        return collector.tokens
    }

    // MARK: UTF-8 and character classes

    @inline(__always)
    static func isASCIIAlphanumeric(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b | 0x20 >= 0x61 && b | 0x20 <= 0x7A)
    }

    @inline(__always)
    static func isASCIIDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }

    /// White space between CJK characters: ASCII space, tab, line breaks, no-break and
    /// ideographic spaces.
    static func isSpace(_ cp: UInt32) -> Bool {
        cp == 0x20 || cp == 0x09 || cp == 0x0A || cp == 0x0D || cp == 0x0C || cp == 0xA0 || cp == 0x3000
    }

    /// Unicode's White_Space property (what `Character.isWhitespace` and
    /// `Unicode.Scalar.Properties.isWhitespace` read), listed: looking it up costs hundreds of
    /// instructions a character, half of collapsing a line of Chinese text.
    @inline(__always)
    static func isWhiteSpace(_ cp: UInt32) -> Bool {
        switch cp {
        case 0x09...0x0D, 0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000: true
        default: false
        }
    }

    /// Decodes the code point at `i`. An invalid or truncated sequence decodes as U+FFFD of
    /// length 1, so analysis always moves forward.
    @inline(__always)
    static func decode(_ text: UnsafeBufferPointer<UInt8>, at i: Int) -> (scalar: UInt32, length: Int) {
        let b0 = UInt32(text[i])
        if b0 < 0x80 { return (b0, 1) }
        let n = text.count
        @inline(__always) func cont(_ k: Int) -> UInt32? {
            guard k < n else { return nil }
            let b = UInt32(text[k])
            return b & 0xC0 == 0x80 ? b & 0x3F : nil
        }
        if b0 & 0xE0 == 0xC0, b0 >= 0xC2, let b1 = cont(i + 1) {
            return ((b0 & 0x1F) << 6 | b1, 2)
        }
        if b0 & 0xF0 == 0xE0, let b1 = cont(i + 1), let b2 = cont(i + 2) {
            let cp = (b0 & 0x0F) << 12 | b1 << 6 | b2
            if cp >= 0x800 && (cp < 0xD800 || cp >= 0xE000) { return (cp, 3) }
        }
        if b0 & 0xF8 == 0xF0, let b1 = cont(i + 1), let b2 = cont(i + 2), let b3 = cont(i + 3) {
            let cp = (b0 & 0x07) << 18 | b1 << 12 | b2 << 6 | b3
            if cp >= 0x10000 && cp < 0x110000 { return (cp, 4) }
        }
        return (0xFFFD, 1)
    }
}

/// The analysis itself, over scratch buffers owned by an `Analyzer`.
struct AnalysisState {
    private let tables = CharacterTables.shared
    private var breaker: OpaquePointer?
    private var term = RawBuffer<UInt8>()
    private var accented = RawBuffer<UInt8>()
    // the current CJK or complex-context run, one entry per character
    private var runStarts = RawBuffer<Int32>()
    private var runEnds = RawBuffer<Int32>()
    private var runFolded = RawBuffer<UInt32>()
    /// The folded code point of each character (for its pinyin).
    private var runScalars = RawBuffer<UInt32>()
    /// The ICU word each character is in (-1: none), and each word's length in characters.
    private var runWord = RawBuffer<Int32>()
    private var wordLengths = RawBuffer<Int32>()
    /// 1 where an ICU word starts or ends: before each character of the run, and at its end.
    private var runBoundary = RawBuffer<UInt8>()
    /// ICU's word boundaries over the run, as byte offsets: start, end, start, end, ...
    private var words = RawBuffer<Int32>(capacity: 256)
    private let wordCache: WordBreakCache
    private let dictionary = CJKDictionary.shared
    private var ideographs = CJKDictionary.Scratch()

    init(wordCacheSlots: Int) {
        wordCache = WordBreakCache(slots: wordCacheSlots)
    }

    func free() {
        sd_wordbreaker_close(breaker)
        for b in [term, accented] { b.free() }
        for b in [runStarts, runEnds, runWord, wordLengths, words] { b.free() }
        runBoundary.free()
        for b in [runFolded, runScalars] { b.free() }
        wordCache.free()
        ideographs.free()
    }

    /// A CJK character kept across white space, for the bigram that bridges it.
    private struct RunCharacter {
        var start: Int32
        var end: Int32
        var folded: UInt32
        var position: UInt32
        var boundaries: UInt8
    }

    mutating func analyze<S: TokenSink>(_ text: UnsafeBufferPointer<UInt8>, position: UInt32, group: UInt32,
                                        into sink: inout S) -> (position: UInt32, group: UInt32) {
        var position = position
        var group = group
        var joinNext = false  // the previous word part ended in a connector followed by a word character
        var lastCJK: RunCharacter? = nil  // the last CJK character, while only white space follows it
        var i = 0
        let n = text.count
        while i < n {
            let (cp, length) = Analyzer.decode(text, at: i)
            switch tables.charClass(cp) {
            case SD_CLASS_LETTER, SD_CLASS_DIGIT:
                if !joinNext { group &+= 1 }
                let end = Self.scanWord(text, from: i, tables)
                emitWord(text, start: i, end: end, position: position, group: group, into: &sink)
                position &+= 1
                let connector = Self.connectorLength(text, at: end, tables)
                joinNext = connector > 0
                lastCJK = nil
                i = end + connector
            case SD_CLASS_CJK:
                group &+= 1
                let end = scanRun(text, from: i, of: SD_CLASS_CJK)
                position = emitCJKRun(text, start: i, end: end, position: position, group: group, bridge: lastCJK, into: &sink)
                let k = runStarts.count - 1
                lastCJK = RunCharacter(start: runStarts[k], end: runEnds[k], folded: runFolded[k], position: position &- 1,
                                       boundaries: characterBoundaries(k))
                joinNext = false
                i = end
            case SD_CLASS_COMPLEX:
                group &+= 1
                let end = scanRun(text, from: i, of: SD_CLASS_COMPLEX)
                position = emitComplexRun(text, start: i, end: end, position: position, group: group, into: &sink)
                joinNext = false
                lastCJK = nil
                i = end
            default:
                i += length
                if !Analyzer.isSpace(cp) { lastCJK = nil }
                joinNext = false
            }
        }
        return (position, group)
    }

    // MARK: Words

    /// The end of the ASCII bytes of text[start..<end] from `start` on, 8 at a time.
    @inline(__always)
    static func asciiEnd(_ text: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) -> Int {
        let raw = UnsafeRawPointer(text.baseAddress!)
        var i = start
        while i + 8 <= end && raw.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 == 0 { i += 8 }
        while i < end && text[i] < 0x80 { i += 1 }
        return i
    }

    /// Lowercases `count` ASCII bytes in place, 8 at a time: a byte gets 0x20 when it is at
    /// least "A" and below "["; with every byte below 0x80, adding 0x3F or 0x25 to each sets
    /// its high bit exactly when it is at least 0x41 or 0x5B, and no sum carries into the next.
    @inline(__always)
    static func lowercaseASCII(_ p: UnsafeMutablePointer<UInt8>, count: Int) {
        let ones: UInt64 = 0x0101_0101_0101_0101, high: UInt64 = 0x8080_8080_8080_8080
        let raw = UnsafeMutableRawPointer(p)
        var i = 0
        while i + 8 <= count {
            let w = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            let upper = (w &+ 0x3F &* ones) & ~(w &+ 0x25 &* ones) & high
            raw.storeBytes(of: w | upper >> 2, toByteOffset: i, as: UInt64.self)
            i += 8
        }
        while i < count {
            p[i] = lowercased(p[i])
            i += 1
        }
    }

    /// An ASCII byte lowercased.
    @inline(__always)
    static func lowercased(_ b: UInt8) -> UInt8 { b &+ (b >= 0x41 && b <= 0x5A ? 0x20 : 0) }

    // scanWord and connectorLength run once per word and are static: a method of the state,
    // called with the state as its self, copied the whole state (392 bytes) into a temporary
    // at each call (3% of a build's instructions)

    /// End of the word part that starts at `start`: letters, digits and combining marks.
    private static func scanWord(_ text: UnsafeBufferPointer<UInt8>, from start: Int, _ tables: CharacterTables) -> Int {
        var i = start
        while i < text.count {
            let b = text[i]
            if b < 0x80 {
                guard Analyzer.isASCIIAlphanumeric(b) else { break }
                i += 1
                continue
            }
            let (cp, length) = Analyzer.decode(text, at: i)
            let cls = tables.charClass(cp)
            guard cls == SD_CLASS_LETTER || cls == SD_CLASS_DIGIT || cls == SD_CLASS_MARK else { break }
            i += length
        }
        return i
    }

    /// The length of the connector at `i` between two word parts (apt-cache, U.S., 3.14,
    /// 1,000, l'homme, O’Brien, snake_case, usr/bin, user@host, 10:50), or 0 if there is none.
    private static func connectorLength(_ text: UnsafeBufferPointer<UInt8>, at i: Int, _ tables: CharacterTables) -> Int {
        guard i < text.count else { return 0 }
        var next = i + 1
        switch text[i] {
        case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "'"), UInt8(ascii: "_"),
             UInt8(ascii: "/"), UInt8(ascii: "@"), UInt8(ascii: ":"):
            break
        case UInt8(ascii: ","):
            guard i > 0, Analyzer.isASCIIDigit(text[i - 1]), next < text.count, Analyzer.isASCIIDigit(text[next]) else { return 0 }
        case 0xE2 where i + 2 < text.count && text[i + 1] == 0x80 && (text[i + 2] == 0x99 || text[i + 2] == 0x90 || text[i + 2] == 0x91):
            next = i + 3  // ’ (U+2019), ‐ (U+2010), ‑ (U+2011)
        default:
            return 0
        }
        guard next < text.count else { return 0 }
        let cls = tables.charClass(Analyzer.decode(text, at: next).scalar)
        return cls == SD_CLASS_LETTER || cls == SD_CLASS_DIGIT ? next - i : 0
    }

    private mutating func emitWord<S: TokenSink>(_ text: UnsafeBufferPointer<UInt8>, start: Int, end: Int,
                                                 position: UInt32, group: UInt32, into sink: inout S) {
        // The ASCII part before the first other character (all of most words): copied at
        // once and lowercased 8 bytes at a time. The form keeping accents is only built from
        // the first other character on (until then it is the same bytes).
        term.removeAll()
        var i = Self.asciiEnd(text, from: start, to: end)
        term.append(text.baseAddress! + start, count: i - start)
        Self.lowercaseASCII(term.base, count: term.count)
        var lostAccents = false
        if i < end {
            accented.removeAll()
            accented.append(term.base, count: term.count)
        }
        while i < end {
            let b = text[i]
            if b < 0x80 {
                let lower = Self.lowercased(b)
                term.append(lower)
                accented.append(lower)
                i += 1
                continue
            }
            let (cp, length) = Analyzer.decode(text, at: i)
            i += length
            let (folded, kept) = cp < CharacterTables.tableLimit
                ? (tables.folded[Int(cp)], tables.foldedKeepingAccents[Int(cp)]) : (0, 0)
            if folded == 0 {  // beyond the tables: keep the character as it is
                term.append(scalar: cp)
                accented.append(scalar: cp)
                continue
            }
            term.append(folded: folded, of: tables)
            accented.append(folded: kept, of: tables)
            if folded != kept { lostAccents = true }
        }
        guard !term.isEmpty, term.count <= Analyzer.maxTermBytes else { return }
        sink.token(term.buffer, kind: .word, position: position, start: start, end: end, group: group, boundaries: 0)
        if lostAccents && !accented.elementsEqual(term) {
            sink.token(accented.buffer, kind: .accented, position: position, start: start, end: end, group: group, boundaries: 0)
        }
    }

    // MARK: CJK and complex-context runs

    /// End of a run of `cls` characters (combining marks included), recording each character's
    /// byte range, folded form and folded code point.
    private mutating func scanRun(_ text: UnsafeBufferPointer<UInt8>, from start: Int, of cls: Int32) -> Int {
        runStarts.removeAll()
        runEnds.removeAll()
        runFolded.removeAll()
        runScalars.removeAll()
        var i = start
        while i < text.count {
            let (cp, length) = Analyzer.decode(text, at: i)
            let c = tables.charClass(cp)
            if c == SD_CLASS_MARK && !runEnds.isEmpty {
                runEnds[runEnds.count - 1] = Int32(i + length)  // a mark extends the previous character
            } else if c == cls {
                runStarts.append(Int32(i))
                runEnds.append(Int32(i + length))
                let folded = cp < CharacterTables.tableLimit ? tables.folded[Int(cp)] : 0
                runFolded.append(folded)
                runScalars.append(folded == 0 ? cp : firstScalar(folded))
            } else {
                break
            }
            i += length
        }
        return i
    }

    /// The first code point of a folded form (what 錢 folds to: 钱).
    @inline(__always)
    private func firstScalar(_ entry: UInt32) -> UInt32 {
        let count = Int(entry & 0xFF)
        guard count > 0 else { return 0 }
        return Analyzer.decode(UnsafeBufferPointer(start: tables.bytes + Int(entry >> 8), count: count), at: 0).scalar
    }

    /// Appends the folded form of run character k to `term`.
    @inline(__always)
    private mutating func appendRunCharacter(_ k: Int, _ text: UnsafeBufferPointer<UInt8>) {
        if runFolded[k] != 0 {
            term.append(folded: runFolded[k], of: tables)
        } else {
            term.append(text.baseAddress! + Int(runStarts[k]), count: Int(runEnds[k] - runStarts[k]))
        }
    }

    private mutating func emitCJKRun<S: TokenSink>(_ text: UnsafeBufferPointer<UInt8>, start: Int, end: Int, position: UInt32,
                                                   group: UInt32, bridge: RunCharacter?, into sink: inout S) -> UInt32 {
        let count = runStarts.count
        // ICU's words over the run: which word each character is in, and each word's length
        splitWords(text, start: start, end: end)
        runWord.removeAll()
        runWord.append(repeating: -1, count: count)
        wordLengths.removeAll()
        var k = 0
        for w in 0..<words.count / 2 {
            let (wordStart, wordEnd) = (words[2 * w], words[2 * w + 1])
            while k < count && runStarts[k] < wordStart { k += 1 }
            var j = k
            while j < count && runEnds[j] <= wordEnd {
                runWord[j] = Int32(wordLengths.count)
                j += 1
            }
            wordLengths.append(Int32(j - k))
        }
        // characters no word covers count as words of their own
        runBoundary.removeAll()
        runBoundary.append(1)
        for k in 1..<max(count, 1) { runBoundary.append(runWord[k] < 0 || runWord[k] != runWord[k - 1] ? 1 : 0) }
        runBoundary.append(1)
        if let bridge { emitBridge(text, from: bridge, group: group, into: &sink) }

        for k in 0..<count {
            term.removeAll()
            appendRunCharacter(k, text)
            let p = position &+ UInt32(k)
            sink.token(term.buffer, kind: .cjkChar, position: p, start: Int(runStarts[k]), end: Int(runEnds[k]), group: group,
                       boundaries: characterBoundaries(k))
            guard k + 1 < count else { continue }
            appendRunCharacter(k + 1, text)
            let boundaries = characterBoundaries(k) | runBoundary[k + 2] << 2
            sink.token(term.buffer, kind: .cjkBigram, position: p, start: Int(runStarts[k]), end: Int(runEnds[k + 1]), group: group,
                       boundaries: boundaries)
            // Pinyin only inside one word (no boundary between the two), or over two words of
            // one character each (names ICU does not know): 李白 gets "libai", but 里|白 across
            // 绿杨阴里 and 白沙堤 does not.
            if boundaries & 0b010 == 0 || boundaries == 0b111 {
                emitPinyin(runScalars[k], runScalars[k + 1], position: p, start: Int(runStarts[k]), end: Int(runEnds[k + 1]),
                           group: group, into: &sink)
            }
        }
        // the words of two characters or more (one character's is its boundaries)
        k = 0
        for w in 0..<words.count / 2 {
            let (wordStart, wordEnd) = (words[2 * w], words[2 * w + 1])
            while k < count && runStarts[k] < wordStart { k += 1 }
            let length = Int(wordLengths[w])
            guard length > 1 else { continue }
            term.removeAll()
            for j in k..<k + length { appendRunCharacter(j, text) }
            guard term.count <= Analyzer.maxTermBytes else { continue }
            sink.token(term.buffer, kind: .cjkWord, position: position &+ UInt32(k), start: Int(wordStart), end: Int(wordEnd),
                       group: group, boundaries: 0)
        }
        return position &+ UInt32(count)
    }

    /// The `WordBoundaries` of run character k: before it and after it.
    @inline(__always)
    private func characterBoundaries(_ k: Int) -> UInt8 { runBoundary[k] | runBoundary[k + 1] << 1 }

    /// The pinyin overlays of two Han characters: one per pair of readings (a polyphone has
    /// several: 长 is zhang and chang).
    private mutating func emitPinyin<S: TokenSink>(_ a: UInt32, _ b: UInt32, position: UInt32, start: Int, end: Int,
                                                   group: UInt32, into sink: inout S) {
        let pinyin = Pinyin.shared
        let (x, xMore) = pinyin.syllableID(a)
        let (y, yMore) = pinyin.syllableID(b)
        guard x != 0 && y != 0 else { return }
        if !xMore && !yMore {  // the common case: one reading each, no allocation
            emitPinyinPair(pinyin.bytes(x), pinyin.bytes(y), position: position, start: start, end: end, group: group, into: &sink)
            return
        }
        pinyin.forEachReading(a) { first in
            pinyin.forEachReading(b) { second in
                emitPinyinPair(pinyin.bytes(first), pinyin.bytes(second), position: position, start: start, end: end, group: group, into: &sink)
            }
        }
    }

    @inline(__always)
    private mutating func emitPinyinPair<S: TokenSink>(_ first: UnsafeBufferPointer<UInt8>, _ second: UnsafeBufferPointer<UInt8>,
                                                       position: UInt32, start: Int, end: Int, group: UInt32, into sink: inout S) {
        term.removeAll()
        term.append(first.baseAddress!, count: first.count)
        term.append(second.baseAddress!, count: second.count)
        sink.token(term.buffer, kind: .pinyin, position: position, start: start, end: end, group: group, boundaries: 0)
    }

    /// The bigram of `last` and the first character of the run just scanned: Chinese text is
    /// often wrapped or spaced between words (the zh man pages write "内核  对  所有的进程"),
    /// and a phrase must not fail at such white space.
    private mutating func emitBridge<S: TokenSink>(_ text: UnsafeBufferPointer<UInt8>, from last: RunCharacter, group: UInt32, into sink: inout S) {
        term.removeAll()
        if last.folded != 0 {
            term.append(folded: last.folded, of: tables)
        } else {
            term.append(text.baseAddress! + Int(last.start), count: Int(last.end - last.start))
        }
        appendRunCharacter(0, text)
        // the runs are words apart; the first character of this one ends a word or not
        let boundaries = last.boundaries & 1 | 1 << 1 | runBoundary[1] << 2
        sink.token(term.buffer, kind: .cjkBigram, position: last.position, start: Int(last.start), end: Int(runEnds[0]), group: group,
                   boundaries: boundaries)
    }

    private mutating func emitComplexRun<S: TokenSink>(_ text: UnsafeBufferPointer<UInt8>, start: Int, end: Int,
                                                       position: UInt32, group: UInt32, into sink: inout S) -> UInt32 {
        var position = position
        var k = 0
        let count = runStarts.count
        splitWords(text, start: start, end: end)
        for w in 0..<words.count / 2 {
            let (wordStart, wordEnd) = (words[2 * w], words[2 * w + 1])
            while k < count && runStarts[k] < wordStart { k += 1 }
            term.removeAll()
            while k < count && runEnds[k] <= wordEnd {
                appendRunCharacter(k, text)
                k += 1
            }
            guard !term.isEmpty, term.count <= Analyzer.maxTermBytes else { continue }
            sink.token(term.buffer, kind: .word, position: position, start: Int(wordStart), end: Int(wordEnd), group: group, boundaries: 0)
            position &+= 1
        }
        return position
    }

    /// Fills `ideographs.units` with the run's characters if they are all unified ideographs
    /// (what `CJKDictionary` splits), none followed by a mark.
    private mutating func collectIdeographs(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
        ideographs.units.removeAll()
        for k in 0..<runStarts.count {
            let (cp, length) = Analyzer.decode(text, at: Int(runStarts[k]))
            guard Int(runEnds[k] - runStarts[k]) == length, CJKDictionary.isUnifiedIdeograph(cp) else { return false }
            ideographs.units.append(UInt16(cp))
        }
        return true
    }

    /// Fills `words` with the byte ranges (absolute) of the words ICU finds in text[start..<end].
    private mutating func splitWords(_ text: UnsafeBufferPointer<UInt8>, start: Int, end: Int) {
        words.removeAll()
        guard let base = text.baseAddress else { return }
        // one ideograph alone (a tenth of the runs): ICU's one word
        if runStarts.count == 1, CJKDictionary.isUnifiedIdeograph(Analyzer.decode(text, at: start).scalar) {
            words.append(Int32(start))
            words.append(Int32(end))
            return
        }
        let run = UnsafeBufferPointer(start: base + start, count: end - start)
        if wordCache.lookup(run, start: Int32(start), into: &words) { return }
        // (the dictionary not bound to a local: that retained and released it for every run)
        if dictionary != nil, collectIdeographs(text) {  // ICU's answer without ICU
            dictionary!.split(&ideographs)
            var first = 0
            for w in 0..<ideographs.ends.count {
                let last = Int(ideographs.ends[w]) - 1
                words.append(runStarts[first])
                words.append(runEnds[last])
                first = last + 1
            }
        } else {
            guard splitWithICU(run) else { return }
            for w in 0..<words.count { words[w] += Int32(start) }
        }
        wordCache.store(run, start: Int32(start), words: words)
    }

    /// Fills `words` with ICU's words of `run` (byte ranges from its start); false on an error.
    private mutating func splitWithICU(_ run: UnsafeBufferPointer<UInt8>) -> Bool {
        if breaker == nil { breaker = sd_wordbreaker_open() }
        guard let breaker else { return false }
        while true {
            let found = Int(sd_wordbreaker_split(breaker, run.baseAddress!, Int32(run.count), words.base, Int32(words.capacity)))
            if found < 0 { return false }
            if found * 2 <= words.capacity {
                words.setCount(found * 2)
                return true
            }
            words.reserveCapacity(found * 2)  // then split again
        }
    }
}

// Appending to the state's buffers through methods of the buffer, not of the state: a method
// of the state called with one of its buffers inout made Swift copy the whole state (and
// retain its references) at every call.
extension RawBuffer<UInt8> {
    /// Appends a folded form: an entry of `CharacterTables` (offset << 8 | length into its bytes).
    @inline(__always)
    mutating func append(folded entry: UInt32, of tables: CharacterTables) {
        append(tables.bytes + Int(entry >> 8), count: Int(entry & 0xFF))
    }

    mutating func append(scalar cp: UInt32) {
        var utf8: [UInt8] = []
        appendUTF8(cp, to: &utf8)
        for b in utf8 { append(b) }
    }
}

/// Collects tokens as values.
struct TokenCollector: TokenSink {
    var tokens: [Token] = []

    mutating func token(_ term: UnsafeBufferPointer<UInt8>, kind: TokenKind, position: UInt32,
                        start: Int, end: Int, group: UInt32, boundaries: UInt8) {
        tokens.append(Token(term: String(decoding: term, as: UTF8.self), kind: kind, position: position,
                            start: start, end: end, group: group, boundaries: boundaries))
    }
}

/// Counts tokens without keeping them.
struct TokenCounter: TokenSink {
    var count = 0

    mutating func token(_ term: UnsafeBufferPointer<UInt8>, kind: TokenKind, position: UInt32,
                        start: Int, end: Int, group: UInt32, boundaries: UInt8) {
        count += 1
    }
}

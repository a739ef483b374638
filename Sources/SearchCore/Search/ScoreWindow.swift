/// A window of consecutive documents scored a word at a time, then a leaf at a time (Lucene's
/// `BooleanScorer`, Tantivy's buffered union): while the searcher counts every match, a query
/// of words (with their synonym and pinyin spans) is a union whose documents all get scored,
/// and walking each leaf's postings into per-document sums costs less than walking the scorer
/// tree document by document (the union's and each word's bookkeeping per document:
/// `BoolScorer.add`, `WordScorer.settle`).
///
/// The sums are those `BoolScorer.add` makes at the root, in the same order, so a document
/// scores the same bits either way: per word, its best penalty's alternatives in driver order,
/// then its bonuses; per document, the words in order, then the spans in order.
struct ScoreWindow {
    static let size = 2048
    private static let words = size / 64

    /// The window's first document.
    private(set) var start: UInt32 = 0
    /// The words of the bit sets its documents fall in: a pruned search scores runs of a few
    /// dozen documents, whose bit sets' other words would only be looped over.
    private var used = ScoreWindow.words
    /// The word being added: which documents it matched, with their penalty and score, and
    /// whether a bonus matched. (Only bits and flags start zeroed: the other arrays are written
    /// where a bit is first set, before they are read; a search makes a window.)
    private let wordSeen = RawBuffer<UInt64>.zeroed(ScoreWindow.words)
    private let wordPenalty = RawBuffer<Int>.unset(ScoreWindow.size)
    private let wordScore = RawBuffer<Double>.unset(ScoreWindow.size)
    private let wordExact = RawBuffer<Bool>.zeroed(ScoreWindow.size)
    /// The query's sums so far: the root's tiers per document, and which of its clauses (at
    /// most 64) each document matched, for the spans.
    private let seen = RawBuffer<UInt64>.zeroed(ScoreWindow.words)
    private let matches = RawBuffer<Match>.unset(ScoreWindow.size)
    private let clauses = RawBuffer<UInt64>.unset(ScoreWindow.size)

    func free() {
        wordSeen.free()
        wordPenalty.free()
        wordScore.free()
        wordExact.free()
        seen.free()
        matches.free()
        clauses.free()
    }

    /// Starts a window of the documents from `start` up to `end` (at most `size` of them; the
    /// previous window's documents all taken).
    mutating func begin(at start: UInt32, upTo end: UInt32) {
        self.start = start
        used = (Int(end - start) + 63) / 64
    }

    /// An alternative of the current word with `penalty` scored `score` at offset o: the
    /// word keeps its lowest penalty's scores, summed.
    @inline(__always)
    func addAlternative(_ o: Int, penalty: Int, score: Double) {
        let bit = UInt64(1) << UInt64(o & 63)
        if wordSeen[o >> 6] & bit == 0 {
            wordSeen[o >> 6] |= bit
            wordPenalty[o] = penalty
            wordScore[o] = score
        } else if penalty < wordPenalty[o] {
            wordPenalty[o] = penalty
            wordScore[o] = score
        } else if penalty == wordPenalty[o] {
            wordScore[o] += score
        }
    }

    /// Calls `body` with each offset the current word matched, ascending.
    @inline(__always)
    func forEachWordMatch(_ body: (Int) -> Void) { forEachBit(wordSeen, body) }

    /// A bonus of the current word matched at offset o (one it matched).
    @inline(__always)
    func addBonus(_ o: Int, score: Double) {
        wordScore[o] += score
        wordExact[o] = true
    }

    /// Adds the current word, clause `clause` of the root, to the sums and clears it.
    func endWord(clause: Int) {
        forEachBit(wordSeen) { o in
            var m = start(o)
            m.score += wordScore[o]
            m.penalty += wordPenalty[o]
            if wordExact[o] { m.exact += 1 }
            m.matched += 1
            matches[o] = m
            clauses[o] |= UInt64(1) << UInt64(clause)
            wordExact[o] = false
        }
        for w in 0..<used { wordSeen[w] = 0 }
    }

    /// Adds the current word as a span over the root's clauses `covered` (a synonym or pinyin
    /// phrase), then clears it: where it matches, the clauses it covers that did not match
    /// count as matched, and it adds its score and penalty once if there was any.
    func endSpan(covering covered: ClosedRange<Int>) {
        let mask = (covered.count == 64 ? UInt64.max : (UInt64(1) << UInt64(covered.count)) - 1) << UInt64(covered.lowerBound)
        forEachBit(wordSeen) { o in
            wordExact[o] = false
            let bit = UInt64(1) << UInt64(o & 63)
            let uncovered = seen[o >> 6] & bit == 0 ? mask : mask & ~clauses[o]
            guard uncovered != 0 else { return }
            var m = start(o)
            m.matched += uncovered.nonzeroBitCount
            m.score += wordScore[o]
            m.penalty += wordPenalty[o]
            matches[o] = m
            clauses[o] |= uncovered
        }
        for w in 0..<used { wordSeen[w] = 0 }
    }

    /// Offset o's sums so far (zero the first time it matches in this window).
    @inline(__always)
    private func start(_ o: Int) -> Match {
        let bit = UInt64(1) << UInt64(o & 63)
        guard seen[o >> 6] & bit == 0 else { return matches[o] }
        seen[o >> 6] |= bit
        clauses[o] = 0
        return Match()
    }

    /// Calls `body` with each matching document and what it earned, ascending, and clears
    /// the window.
    func forEachMatch(_ body: (UInt32, Match) -> Void) {
        forEachBit(seen) { o in body(start + UInt32(o), matches[o]) }
        for w in 0..<used { seen[w] = 0 }
    }

    @inline(__always)
    private func forEachBit(_ bits: RawBuffer<UInt64>, _ body: (Int) -> Void) {
        for w in 0..<used {
            var word = bits[w]
            while word != 0 {
                body(w << 6 | word.trailingZeroBitCount)
                word &= word - 1
            }
        }
    }
}

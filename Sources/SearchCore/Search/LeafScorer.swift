/// One term's postings, scored by BM25 in its field (`PhraseScorer`: a phrase's).
class LeafScorer: Scorer {
    let postings: PostingsCursor
    /// weight × idf (0 for a filter).
    let factor: Double
    let penalty: Int
    private let field: Field
    private let norms: FieldNorms
    private let lengthNorm: BM25.LengthNorm
    /// Whether it asks for field lengths ahead of scoring (see `prefetchAhead`).
    private let prefetches: Bool

    /// The best score of postings that fit in one block (no skip table, no impacts needed).
    private var wholeMaximum: Double?

    init(postings: PostingsCursor, factor: Double, penalty: Int, field: Field, norms: FieldNorms, averageLength: Double) {
        self.postings = postings
        // keyword fields (path, lang) filter and are never scored
        self.factor = Field.text.contains(field) ? factor : 0
        self.penalty = penalty
        self.field = field
        self.norms = norms
        lengthNorm = BM25.LengthNorm(averageLength: averageLength)
        prefetches = self.factor > 0 && norms.exceedsCache
        super.init()
        postings.next()
    }

    override var doc: UInt32 { postings.doc }
    override var cost: Int { postings.docFreq }
    @discardableResult override func next() -> UInt32 {
        let d = postings.next()
        prefetchAhead(d)
        return d
    }

    @discardableResult override func advance(to target: UInt32) -> UInt32 {
        let d = postings.advance(to: target)
        prefetchAhead(d)
        return d
    }

    /// How many postings ahead a document's field length is asked for (8 and 16 measured the
    /// same at 1 GB).
    static let prefetchDistance = 8

    /// Asks for the field length of the document a few postings on: in a large index most
    /// documents scored miss the cache there, and a union's or a window's walk knows them
    /// ahead (the length of the next document alone came too late, Docs/BENCHMARKS.md).
    @inline(__always)
    private func prefetchAhead(_ d: UInt32) {
        guard prefetches, d != PostingsCursor.end else { return }
        norms.prefetch(postings.docAhead(Self.prefetchDistance), field)
    }

    override func add(to match: inout Match) {
        guard factor > 0 else { return }
        match.score += score(freq: freq, length: norms.length(postings.doc, field))
    }

    /// The score of `freq` occurrences in document d.
    func score(freq: UInt32, in d: UInt32) -> Double {
        factor > 0 ? score(freq: freq, length: norms.length(d, field)) : 0
    }

    /// Scores the postings from `start` up to `end` into the window, as the alternative of a
    /// word with `penalty` (see `ScoreWindow`): the cursor's loop without a dynamic call per
    /// document (`PhraseScorer`, which checks positions per candidate, walks itself instead).
    /// Each score is the bits `add` would give.
    func addWindow(from start: UInt32, upTo end: UInt32, penalty: Int, into window: ScoreWindow) {
        var d = postings.doc < start ? postings.advance(to: start) : postings.doc
        while d < end {
            prefetchAhead(d)
            let score = factor > 0 ? score(freq: postings.freq, length: norms.length(d, field)) : 0
            window.addAlternative(Int(d - start), penalty: penalty, score: score)
            d = postings.next()
        }
    }

    /// Whether d matches (at or past the current document; a bonus's question).
    func matches(_ d: UInt32) -> Bool { postings.advance(to: d) == d }

    /// The term's frequency in the current document.
    var freq: UInt32 { postings.freq }

    override var hasGroups: Bool { postings.groupCount > 0 }

    override func bound(from target: UInt32, coarse: Bool) -> Bound {
        var best = Match()
        best.penalty = penalty
        // coarse: by the group of blocks holding the target, when the postings have groups
        let groups = coarse && postings.groupCount > 0
        // a later target in the same block (group), the cursor not moved and its decoded block
        // not holding it: the skip table would give the same one, so the run is the last
        // one's from the target on (a word's other parts end most runs: this one's goes on)
        if let r = groups ? groupRuns.last : blockRuns.last, target > r.target, target <= r.upTo,
           postings.doc == r.cursorDoc, !postings.decodedBlockHolds(target) {
            best.score = r.score
            return Bound(from: max(r.from, target), upTo: r.upTo, best: best)
        }
        // the postings' next document is not after the phrase's (for a phrase, the lead's)
        let (from, block) = postings.peek(target)
        guard from != PostingsCursor.end, factor > 0 else { return Bound(from: from, upTo: PostingsCursor.end, best: best) }
        if let block {
            let upTo: UInt32
            if groups {
                let g = postings.group(ofBlock: block)
                best.score = maximum(g, group: true)
                upTo = postings.lastDoc(ofGroup: g)
                groupRuns.last = (target, from, upTo, best.score, postings.doc)
            } else {
                best.score = maximum(block, group: false)
                upTo = postings.lastDoc(ofBlock: block)
                blockRuns.last = (target, from, upTo, best.score, postings.doc)
            }
            return Bound(from: from, upTo: upTo, best: best)
        }
        // postings of one block (no skip table): the exact maximum, computed once
        if wholeMaximum == nil {
            var m = 0.0
            postings.forEachInBlock { doc, freq in m = max(m, score(freq: freq, length: norms.length(doc, field))) }
            wholeMaximum = m
        }
        best.score = wholeMaximum ?? 0
        return Bound(from: from, upTo: PostingsCursor.end, best: best)
    }

    /// What `bound` keeps of the runs it bounded, per level of the skip data.
    private struct Runs {
        /// The last run bounded, and where the cursor stood then.
        var last: (target: UInt32, from: UInt32, upTo: UInt32, score: Double, cursorDoc: UInt32)?
        /// The last block (group) bounded and its bound: a word's sparse field (its titles)
        /// spans many runs of its dense one, and each run asks again.
        var bounded: (index: Int, score: Double) = (-1, 0)
    }
    private var blockRuns = Runs()
    private var groupRuns = Runs()

    /// Block (or group) i's exact maximum: the best score of its impacts (stored with the postings).
    private func maximum(_ i: Int, group: Bool) -> Double {
        let cached = group ? groupRuns.bounded : blockRuns.bounded
        if cached.index == i { return cached.score }
        var best = 0.0
        if group {
            postings.forEachImpact(ofGroup: i) { freq, length in best = max(best, score(freq: freq, length: length)) }
            groupRuns.bounded = (i, best)
        } else {
            postings.forEachImpact(ofBlock: i) { freq, length in best = max(best, score(freq: freq, length: length)) }
            blockRuns.bounded = (i, best)
        }
        return best
    }

    @inline(__always)
    private func score(freq: UInt32, length: UInt32) -> Double {
        factor * lengthNorm.tfNorm(freq: Double(freq), length: Double(length))
    }
}

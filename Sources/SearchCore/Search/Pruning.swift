/// What the searcher may skip in one segment once it has stopped counting (past
/// `SearchOptions.countLimit`) and the top hits are full: documents that cannot beat the worst
/// kept hit, found three ways —
/// - when every kept hit matches all the clauses, documents matching fewer (the root's union
///   becomes an intersection);
/// - when they also have at most some penalty, documents found only through alternatives with
///   more (a word's typo and pinyin alternatives stop driving);
/// - runs of documents up to the end of a postings block whose bound (`Scorer.bound`) is not
///   better than the worst kept hit (block-max WAND);
/// - in a run that may enter, a one-word query's documents found only through alternatives
///   whose bounds together cannot (MaxScore, `BoolScorer.narrow`).
struct Pruning {
    /// The run from `run.doc` to `runEnd`, with the best any document of it can be.
    private var run: ScoredDoc?
    private var runEnd: UInt32 = 0
    private var runNarrowed = false
    /// Some run was narrowed: documents in it may have been passed uncounted.
    private(set) var narrowed = false
    private var everyClauseRequired = false
    private var penaltyLimit = Int.max

    /// Moves the root past what cannot enter above `threshold`; true when it did (the root
    /// stands on another document, or the same with fewer ways to match).
    mutating func skip(_ root: BoolScorer, threshold: ScoredDoc, segment: Int) -> Bool {
        if threshold.matched >= root.clauseCount {
            if !everyClauseRequired && root.requireEveryClause() {
                everyClauseRequired = true
                run = nil
                return true
            }
            if threshold.penalty < penaltyLimit {
                penaltyLimit = threshold.penalty
                if root.limitPenalties(to: penaltyLimit) {
                    run = nil
                    return true
                }
            }
        }
        if run == nil || root.doc > runEnd {
            let b = root.bound(from: root.doc)
            run = Self.best(b.best, doc: root.doc, segment: segment)
            runEnd = b.upTo
            runNarrowed = false
        }
        guard let best = run, !(best < threshold) else {
            guard !runNarrowed else { return false }
            runNarrowed = true
            let before = root.doc
            let cannotEnter = { (m: Match) in !(Self.best(m, doc: before, segment: segment) < threshold) }
            if root.narrow(upTo: runEnd, cannotEnter: cannotEnter) { narrowed = true }
            return root.doc != before
        }
        root.advance(to: runEnd == PostingsCursor.end ? runEnd : runEnd + 1)
        return true
    }

    /// A bound as the best hit it allows from doc on (the margin covers rounding: the bound
    /// adds up in the order scores do, but need not).
    private static func best(_ m: Match, doc: UInt32, segment: Int) -> ScoredDoc {
        ScoredDoc(matched: m.matched, penalty: m.penalty, exact: m.exact, score: m.score * (1 + 1e-9), segment: segment, doc: doc)
    }
}

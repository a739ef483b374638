/// What the searcher may skip in one segment once it has stopped counting (past
/// `SearchOptions.countLimit`) and the top hits are full: documents that cannot beat the worst
/// kept hit, found four ways —
/// - when every kept hit matches all the clauses, documents matching fewer (the root's union
///   becomes an intersection, beside the documents of spans that stand for some clauses);
/// - when they also have at most some penalty, documents found only through alternatives with
///   more (a word's typo and pinyin alternatives stop driving);
/// - runs of documents whose bound (`Scorer.bound`: up to the end of a postings block, or to
///   the next document of a part that cannot match at the run's start) is not better than the
///   worst kept hit (block-max WAND); the runs are bounded from the skip tables alone, and the
///   postings decoded only where a run may enter; where the postings have groups of blocks,
///   a group that cannot enter is passed in one step, and only the blocks of one that may
///   are bounded one by one (Lucene's levels of impacts);
/// - in a run that may enter, a one-word query's documents found only through alternatives
///   whose bounds together cannot (MaxScore, `BoolScorer.narrow`), and those found through
///   the others whose score, with those bounds added, cannot (before the weaker alternatives
///   decode their blocks).
struct Pruning {
    /// The run from `run.doc` to `runEnd`, with the best any document of it can be.
    private var run: ScoredDoc?
    private var runEnd: UInt32 = 0
    private var runNarrowed = false
    /// Whether the run is scored a window at a time (`BoolScorer.scoresRunsInWindows`), once
    /// asked: narrowing, which rules it out, is settled before.
    private var runInWindows: Bool?
    /// The last document of the run that may enter where `skip` left the root (nil: none).
    var runLast: UInt32? { run == nil ? nil : runEnd }
    /// Some run was narrowed: documents in it may have been passed uncounted.
    private(set) var narrowed = false
    /// `BoolScorer.requireEveryClause` was asked (once: its answer does not change).
    private var everyClauseAsked = false
    private var penaltyLimit = Int.max
    /// Whether the root has groups of blocks to bound (asked once), and the end of the last
    /// group run that may enter, with the bar it was measured against: its blocks are bounded
    /// one by one until it ends or the bar rises.
    private var hasGroups: Bool?
    private var group: (upTo: UInt32, threshold: ScoredDoc)?
    /// Whether the last run bounded block by block was passed: groups are bounded only then
    /// (where runs keep entering, as in most searches of several words, a group's bound
    /// passes nothing either, and asking it cost more than it saved: Docs/BENCHMARKS.md).
    private var passing = true

    /// Moves the root past what cannot enter above `threshold` (not past `limit`, the end of
    /// the documents searched); true when it did (the root stands on another document, or
    /// the same with fewer ways to match).
    mutating func skip(_ root: BoolScorer, threshold: ScoredDoc, segment: Int, limit: UInt32) -> Bool {
        if threshold.matched >= root.clauseCount {
            if !everyClauseAsked {
                everyClauseAsked = true
                if root.requireEveryClause() {
                    (run, runInWindows) = (nil, nil)
                    return true
                }
            }
            if threshold.penalty < penaltyLimit {
                penaltyLimit = threshold.penalty
                if root.limitPenalties(to: penaltyLimit) {
                    (run, runInWindows) = (nil, nil)
                    return true
                }
            }
        }
        var target = root.doc
        if let best = run, root.doc <= runEnd {
            // (a hit ranks before another when it is `<`: the run may enter when its best does)
            if best < threshold { return narrow(root, threshold: threshold, segment: segment) }
            target = runEnd == PostingsCursor.end ? runEnd : runEnd + 1
        }
        // runs that cannot enter are passed by their bounds alone: the root moves (and its
        // postings are decoded) only to the start of one that may
        (run, runInWindows) = (nil, nil)
        if hasGroups == nil { hasGroups = root.hasGroups }
        while target < limit {
            if hasGroups == true && passing && (group.map { target > $0.upTo || $0.threshold != threshold } ?? true) {
                let g = root.bound(from: target, coarse: true)
                guard g.from != PostingsCursor.end else {
                    target = g.from
                    break
                }
                if !(Self.best(g.best, doc: g.from, segment: segment) < threshold) {
                    target = g.upTo == PostingsCursor.end ? g.upTo : g.upTo + 1
                    continue
                }
                group = (g.upTo, threshold)
            }
            let b = root.bound(from: target, coarse: false)
            guard b.from != PostingsCursor.end else {
                target = b.from
                break
            }
            let best = Self.best(b.best, doc: b.from, segment: segment)
            passing = !(best < threshold)
            if passing {
                target = b.upTo == PostingsCursor.end ? b.upTo : b.upTo + 1
                continue
            }
            (run, runEnd, runNarrowed, runInWindows) = (best, b.upTo, false, nil)
            target = b.from
            break
        }
        if target > root.doc {
            // narrowed before it moves: the passive alternatives then do not decode the run
            if run != nil { _ = narrow(root, threshold: threshold, segment: segment, from: target) }
            root.advance(to: target)
            return true
        }
        return narrow(root, threshold: threshold, segment: segment)
    }

    /// Whether the run that may enter, where `skip` left the root, is scored a window at a time.
    mutating func scoresRunInWindows(_ root: BoolScorer) -> Bool {
        if let w = runInWindows { return w }
        let w = root.scoresRunsInWindows
        runInWindows = w
        return w
    }

    /// MaxScore in a run that may enter, once per run (`BoolScorer.narrow`).
    /// The run starts at `from` (the root's document, or past it); true when the root moved.
    private mutating func narrow(_ root: BoolScorer, threshold: ScoredDoc, segment: Int, from: UInt32? = nil) -> Bool {
        guard !runNarrowed else { return false }
        runNarrowed = true
        let before = root.doc
        if root.narrow(upTo: runEnd, bar: EntryBar(threshold: threshold, segment: segment, doc: from ?? before)) { narrowed = true }
        return root.doc != before
    }

    /// A bound as the best hit it allows from doc on (the margin covers rounding: the bound
    /// adds up in the order scores do, but need not).
    static func best(_ m: Match, doc: UInt32, segment: Int) -> ScoredDoc {
        ScoredDoc(matched: m.matched, penalty: m.penalty, exact: m.exact, score: m.score * (1 + 1e-9), segment: segment, doc: doc)
    }
}

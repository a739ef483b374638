/// The worst kept hit as a run that may enter began: what a bound must beat, for the
/// documents of that run (the bar only rises, so a run's own is never too high).
struct EntryBar {
    let threshold: ScoredDoc
    let segment: Int
    /// The run's first document (a later one ranks after an equal hit: this one is not lower).
    let doc: UInt32
    /// The clauses a document counts for the root (a one-word query: 1), added to each bound.
    var matched = 0

    func cannotEnter(_ m: Match) -> Bool {
        var m = m
        m.matched = max(m.matched, matched)
        return !(Pruning.best(m, doc: doc, segment: segment) < threshold)
    }
}

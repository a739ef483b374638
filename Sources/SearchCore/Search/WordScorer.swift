/// A user word: the union of its alternatives (the best one sets the penalty), plus bonuses.
final class WordScorer: Scorer {
    private let alternatives: [LeafScorer]
    private let bonuses: [LeafScorer]
    /// The alternatives that find documents: all of them until `limitPenalty(to:)`; the
    /// others follow only to score the documents found.
    private var drivers: [LeafScorer]
    private var current: UInt32 = 0

    init(alternatives: [LeafScorer], bonuses: [LeafScorer]) {
        self.alternatives = alternatives
        self.bonuses = bonuses
        drivers = alternatives
        super.init()
        settle()
    }

    /// From the current document on, finds only documents matching an alternative with at
    /// most this penalty (typos, other script): once the searcher knows no document with a
    /// higher one can enter the top hits, fuzzy terms stop driving the walk. False when that
    /// changes nothing.
    func limitPenalty(to penalty: Int) -> Bool {
        let kept = drivers.filter { $0.penalty <= penalty }
        guard kept.count < drivers.count else { return false }
        drivers = kept
        settle()
        return true
    }

    override var doc: UInt32 { current }
    override var cost: Int { drivers.reduce(0) { $0 + $1.cost } }

    @discardableResult
    override func next() -> UInt32 {
        let d = current
        for a in drivers where a.postings.doc == d { a.postings.next() }
        return settle()
    }

    @discardableResult
    override func advance(to target: UInt32) -> UInt32 {
        guard current < target else { return current }
        for a in drivers where a.postings.doc < target { a.postings.advance(to: target) }
        return settle()
    }

    @discardableResult
    private func settle() -> UInt32 {
        var m = PostingsCursor.end
        for a in drivers where a.postings.doc < m { m = a.postings.doc }
        current = m
        return m
    }

    /// The alternatives' bounds, then the bonuses' (kept to save an allocation per call).
    private lazy var bounds = [Bound](repeating: Bound(upTo: 0, best: Match()), count: alternatives.count + bonuses.count)

    /// Mirrors `visit`: the alternatives' scores add up, the best one sets the penalty, a
    /// bonus adds its score and one point of exactness.
    override func bound(from target: UInt32) -> Bound {
        advance(to: target)
        var upTo = PostingsCursor.end
        for (i, a) in alternatives.enumerated() {
            bounds[i] = a.bound(from: target)
            upTo = min(upTo, bounds[i].upTo)
        }
        for (j, b) in bonuses.enumerated() {
            bounds[alternatives.count + j] = b.bound(from: target)
            upTo = min(upTo, bounds[alternatives.count + j].upTo)
        }
        var best = Match()
        var penalty = Int.max
        for (i, a) in alternatives.enumerated() where a.doc <= upTo {
            best.score += bounds[i].best.score
            penalty = min(penalty, bounds[i].best.penalty)
        }
        best.penalty = penalty == Int.max ? 0 : penalty
        for (j, b) in bonuses.enumerated() where b.doc <= upTo {
            best.score += bounds[alternatives.count + j].best.score
            best.exact = 1
        }
        return Bound(upTo: upTo, best: best)
    }

    override func add(to match: inout Match) { visit(&match, scoring: true) }

    override func shape(_ match: inout Match) { visit(&match, scoring: false) }

    private func visit(_ match: inout Match, scoring: Bool) {
        let d = current
        var best = Int.max
        for a in alternatives where a.postings.advance(to: d) == d {  // non-drivers catch up here
            if scoring { a.add(to: &match) }
            if a.penalty < best { best = a.penalty }
        }
        match.penalty += best == Int.max ? 0 : best
        var exact = false
        for b in bonuses where b.postings.advance(to: d) == d {
            if scoring { b.add(to: &match) }
            exact = true
        }
        if exact { match.exact += 1 }
    }
}

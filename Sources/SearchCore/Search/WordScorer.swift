/// A user word: the union of its alternatives (the best one sets the penalty), plus bonuses.
final class WordScorer: Scorer {
    private let alternatives: [LeafScorer]
    private let bonuses: [LeafScorer]
    /// Each alternative's current document, kept here so that the per-document loops read
    /// plain memory instead of calling into every cursor (a fuzzy word has dozens).
    private let at: RawBuffer<UInt32>
    /// Indexes of the alternatives that find documents: all of them until
    /// `limitPenalty(to:)`; the others follow only to score the documents found.
    private var drivers: [Int]
    private var current: UInt32 = 0

    init(alternatives: [LeafScorer], bonuses: [LeafScorer]) {
        self.alternatives = alternatives
        self.bonuses = bonuses
        var at = RawBuffer<UInt32>(capacity: alternatives.count)
        for a in alternatives { at.append(a.doc) }
        self.at = at
        drivers = Array(alternatives.indices)
        super.init()
        settle()
    }

    deinit { at.free() }

    /// From the current document on, finds only documents matching an alternative with at
    /// most this penalty (typos, other script): once the searcher knows no document with a
    /// higher one can enter the top hits, fuzzy terms stop driving the walk. False when that
    /// changes nothing.
    func limitPenalty(to penalty: Int) -> Bool {
        let kept = drivers.filter { alternatives[$0].penalty <= penalty }
        guard kept.count < drivers.count else { return false }
        drivers = kept
        settle()
        return true
    }

    override var doc: UInt32 { current }
    override var cost: Int { drivers.reduce(0) { $0 + alternatives[$1].cost } }

    @discardableResult
    override func next() -> UInt32 {
        let d = current
        for i in drivers where at[i] == d { at[i] = alternatives[i].postings.next() }
        return settle()
    }

    @discardableResult
    override func advance(to target: UInt32) -> UInt32 {
        guard current < target else { return current }
        for i in drivers where at[i] < target { at[i] = alternatives[i].postings.advance(to: target) }
        return settle()
    }

    @discardableResult
    private func settle() -> UInt32 {
        var m = PostingsCursor.end
        for i in drivers where at[i] < m { m = at[i] }
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
            at[i] = a.doc
            upTo = min(upTo, bounds[i].upTo)
        }
        for (j, b) in bonuses.enumerated() {
            bounds[alternatives.count + j] = b.bound(from: target)
            upTo = min(upTo, bounds[alternatives.count + j].upTo)
        }
        var best = Match()
        var penalty = Int.max
        for i in alternatives.indices where at[i] <= upTo {
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
        for i in alternatives.indices {
            if at[i] < d { at[i] = alternatives[i].postings.advance(to: d) }  // non-drivers catch up here
            guard at[i] == d else { continue }
            let a = alternatives[i]
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

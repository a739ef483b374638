/// A user word: the union of its alternatives (the best one sets the penalty and, with the
/// others of that penalty, the score), plus bonuses.
final class WordScorer: Scorer {
    private let alternatives: [LeafScorer]
    private let bonuses: [LeafScorer]
    /// The same, for the per-document loops (see `Unretained`), and the alternatives' penalties.
    private let alternative: Unretained<LeafScorer>
    private let bonus: Unretained<LeafScorer>
    private let penalties: [Int]
    /// Each alternative's current document, kept here so that the per-document loops read
    /// plain memory instead of calling into every cursor (a fuzzy word has dozens).
    private let at: RawBuffer<UInt32>
    /// Indexes of the alternatives that find documents: all of them until
    /// `limitPenalty(to:)`, which drops the others for good.
    private let drivers: RawBuffer<Int>
    private var driverCount: Int
    private var current: UInt32 = 0
    /// The drivers standing on the current document (the first `hereCount`): what `next`
    /// moves and `add` scores, instead of a pass over every driver (a fuzzy word has dozens).
    private let here: RawBuffer<Int>
    private var hereCount = 0
    /// One more than the highest penalty of an alternative.
    private let penaltyLevels: Int
    /// Alternatives that do not find documents up to `narrowedUpTo` (see `narrow`); a `let`:
    /// its flags change in place.
    private let passive: RawBuffer<Bool>
    private var narrowedUpTo: UInt32?
    /// Some alternatives are passive (see `narrow`).
    var isNarrowed: Bool { narrowedUpTo != nil }
    /// While narrowed: the run's entry bar, and the most the passive alternatives and the
    /// bonuses can add to a document (their bounds' sum, their lowest penalty).
    private var bar: EntryBar?
    private var passiveBest = Match()
    /// The drivers' bounds, then the bonuses', from the last `bound(from:coarse:)` (`narrow` reads
    /// them: the searcher narrows only runs it bounded block by block).
    private let bounds: RawBuffer<Bound>
    /// Scratch for `narrow`: drivers in the order it weighs them.
    private let order: RawBuffer<Int>

    init(alternatives: [LeafScorer], bonuses: [LeafScorer]) {
        self.alternatives = alternatives
        self.bonuses = bonuses
        alternative = Unretained(alternatives)
        bonus = Unretained(bonuses)
        penalties = alternatives.map(\.penalty)
        var at = RawBuffer<UInt32>(capacity: alternatives.count)
        for a in alternatives { at.append(a.doc) }
        self.at = at
        var drivers = RawBuffer<Int>(capacity: alternatives.count)
        for i in alternatives.indices { drivers.append(i) }
        self.drivers = drivers
        var here = RawBuffer<Int>(capacity: alternatives.count)
        here.append(repeating: 0, count: alternatives.count)
        self.here = here
        driverCount = alternatives.count
        penaltyLevels = (alternatives.lazy.map { $0.penalty }.max() ?? 0) + 1
        var passive = RawBuffer<Bool>(capacity: alternatives.count)
        passive.append(repeating: false, count: alternatives.count)
        self.passive = passive
        var bounds = RawBuffer<Bound>(capacity: alternatives.count + bonuses.count)
        bounds.append(repeating: Bound(from: 0, upTo: 0, best: Match()), count: alternatives.count + bonuses.count)
        self.bounds = bounds
        order = .unset(alternatives.count)
        super.init()
        settle()
    }

    deinit {
        at.free()
        passive.free()
        drivers.free()
        here.free()
        bounds.free()
        order.free()
        alternative.free()
        bonus.free()
    }

    /// From the current document on, finds only documents matching an alternative with at
    /// most this penalty (typos, other script): once the searcher knows no document with a
    /// higher one can enter the top hits, fuzzy terms stop driving the walk. False when that
    /// changes nothing.
    func limitPenalty(to penalty: Int) -> Bool {
        let kept = activeDrivers.filter { alternatives[$0].penalty <= penalty }
        guard kept.count < driverCount else { return false }
        for (k, i) in kept.enumerated() { drivers[k] = i }
        driverCount = kept.count
        settle()
        return true
    }

    /// The lowest penalty of its alternatives.
    var lowestPenalty: Int { penalties.min() ?? 0 }

    override var doc: UInt32 { current }
    override var cost: Int { activeDrivers.reduce(0) { $0 + alternatives[$1].cost } }

    /// The drivers, as an array (not for the per-document loops: see `forEachDriver`).
    private var activeDrivers: [Int] { (0..<driverCount).map { drivers[$0] } }

    /// Calls body with each driver's index, without retaining an array: these loops run
    /// several times per document.
    @inline(__always)
    private func forEachDriver(_ body: (Int) -> Void) {
        for k in 0..<driverCount { body(drivers[k]) }
    }

    @discardableResult
    override func next() -> UInt32 {
        for k in 0..<hereCount {
            let i = here[k]
            at[i] = alternative.with(i) { $0.next() }
        }
        return settle()
    }

    @discardableResult
    override func advance(to target: UInt32) -> UInt32 {
        guard current < target else { return current }
        if target == current + 1 { return next() }  // a union's step
        // passive alternatives (see `narrow`) stay behind within the run
        let passiveUpTo = narrowedUpTo ?? 0
        forEachDriver { i in
            guard at[i] < target, !passive[i] || target > passiveUpTo else { return }
            at[i] = alternative.with(i) { $0.advance(to: target) }
        }
        return settle()
    }

    /// The first document an alternative stands on; while narrowed, passive ones count only
    /// past the run (their documents in it are skipped when no active one has any left), and
    /// the run's documents that cannot enter (`mayEnter`) are passed here, in the word's own
    /// loop, without being scored.
    @discardableResult
    private func settle() -> UInt32 {
        if let limit = narrowedUpTo {
            var m = lowest { i in !passive[i] || at[i] > limit }
            if let bar {
                while m >= bar.doc && m <= limit && m != PostingsCursor.end && !mayEnter(bar) {
                    for k in 0..<hereCount { at[here[k]] = alternative.with(here[k]) { $0.next() } }
                    m = lowest { i in !passive[i] || at[i] > limit }
                }
            }
            guard m > limit else { return m }
            narrowedUpTo = nil
            bar = nil
            forEachDriver { i in
                guard passive[i] else { return }
                passive[i] = false
                if at[i] <= limit { at[i] = alternative.with(i) { $0.advance(to: limit + 1) } }
            }
        }
        return lowest { _ in true }
    }

    /// Makes the lowest document of the drivers that `count` current, with `here` those on it.
    @inline(__always)
    private func lowest(_ count: (Int) -> Bool) -> UInt32 {
        var m = PostingsCursor.end, n = 0
        forEachDriver { i in
            guard count(i) else { return }
            let a = at[i]
            if a < m {
                m = a
                n = 0
            }
            if a == m {
                here[n] = i
                n += 1
            }
        }
        current = m
        hereCount = n
        return m
    }

    /// Scores the word's documents from the window's start up to `end` into the window, a
    /// leaf at a time (see `ScoreWindow`); the leaves are left past `end`, the word itself
    /// behind them until `resync`.
    func addWindow(upTo end: UInt32, into window: ScoreWindow) {
        let start = window.start
        forEachDriver { i in alternative.with(i) { $0.addWindow(from: start, upTo: end, penalty: penalties[i], into: window) } }
        guard bonus.count > 0 else { return }
        window.forEachWordMatch { o in
            let d = start + UInt32(o)
            for j in 0..<bonus.count where bonus.with(j, { $0.matches(d) }) {
                var m = Match()
                bonus.with(j) { $0.add(to: &m) }
                window.addBonus(o, score: m.score)
            }
        }
    }

    /// After `addWindow`, the first document an alternative stands on: where the next window
    /// can start (a rare word's windows would otherwise mostly be empty).
    var windowNext: UInt32 {
        var m = PostingsCursor.end
        forEachDriver { i in m = min(m, alternative.with(i) { $0.doc }) }
        return m
    }

    /// Stands on the first document of its alternatives again after `addWindow` moved them.
    func resync() {
        forEachDriver { i in at[i] = alternative.with(i) { $0.doc } }
        settle()
    }

    /// MaxScore over the run that the last fine `bound(from:coarse:)` measured (up to `upTo`): the
    /// alternatives with the lowest bounds stop finding documents while a document found only
    /// through them (with any bonus) `cannotEnter` the top hits; they are still scored where an
    /// active one finds a document. A frequent word's body alternative, whose block maxima
    /// alone stay under the worst kept hit, then no longer walks every one of its documents.
    /// A document an active one finds is then passed, before the passive ones move to it
    /// (decoding their blocks), when even their bounds added to its score cannot enter.
    /// True when some stopped.
    func narrow(upTo: UInt32, bar: EntryBar) -> Bool {
        guard narrowedUpTo == nil, driverCount > 1 else { return false }
        // the drivers in the run, weakest bound first (an insertion sort into a buffer kept
        // for it: this runs once per run that may enter, and a word has few drivers)
        var n = 0
        forEachDriver { i in
            guard bounds[i].from <= upTo else { return }
            var k = n
            while k > 0 && bounds[order[k - 1]].best.score > bounds[i].best.score {
                order[k] = order[k - 1]
                k -= 1
            }
            order[k] = i
            n += 1
        }
        var bonusScore = 0.0, exact = 0
        for j in 0..<bonus.count where bounds[alternatives.count + j].from <= upTo {
            bonusScore += bounds[alternatives.count + j].best.score
            exact = 1
        }
        // the passive set's best: the lowest penalty, the most one penalty's alternatives add up to
        let count = withUnsafeTemporaryAllocation(of: Double.self, capacity: penaltyLevels) { sums in
            sums.initialize(repeating: 0)
            var lowest = Int.max, count = 0
            for k in 0..<n {
                let i = order[k], p = penalties[i]
                sums[p] += bounds[i].best.score
                var best = Match()
                best.penalty = min(lowest, p)
                best.exact = exact
                best.score = (sums.max() ?? 0) + bonusScore
                guard bar.cannotEnter(best) else { break }
                lowest = best.penalty
                count += 1
            }
            return count
        }
        guard count > 0 && count < n else { return false }
        passiveBest = Match(score: bonusScore, penalty: Int.max, exact: exact)
        for k in 0..<count {
            passive[order[k]] = true
            passiveBest.score += bounds[order[k]].best.score
            passiveBest.penalty = min(passiveBest.penalty, penalties[order[k]])
        }
        self.bar = bar
        narrowedUpTo = upTo
        settle()
        return true
    }

    /// Mirrors `add`: the lowest penalty among the alternatives that can match, with the
    /// most the alternatives of any one penalty can add up to; a bonus adds its score and one
    /// point of exactness. The run starts at the first document an alternative may match and
    /// ends before the first of one that cannot match there (a word's title alternative
    /// counts only in runs that hold one of its documents), or where a bound changes.
    override var hasGroups: Bool { alternatives.contains { $0.hasGroups } || bonuses.contains { $0.hasGroups } }

    override func bound(from target: UInt32, coarse: Bool) -> Bound {
        var from = PostingsCursor.end
        forEachDriver { i in
            bounds[i] = alternative.with(i) { $0.bound(from: target, coarse: coarse) }
            from = min(from, bounds[i].from)
        }
        guard from != PostingsCursor.end else { return Bound(from: from, upTo: from, best: Match()) }
        var upTo = PostingsCursor.end
        forEachDriver { i in upTo = min(upTo, bounds[i].end(from: from)) }
        // a bonus with a document in the run counts over all of it, up to its block's end (a
        // bonus's documents are among its alternatives': splitting runs at each would make
        // them a few documents long)
        for j in 0..<bonus.count {
            let b = bonus.with(j) { $0.bound(from: from, coarse: coarse) }
            bounds[alternatives.count + j] = b
            if b.from <= upTo { upTo = min(upTo, b.upTo) }
        }
        // the sum per penalty (a word has few: 0, 1, 2), on the stack: bounds are asked per run
        var best = Match()
        withUnsafeTemporaryAllocation(of: Double.self, capacity: penaltyLevels) { sums in
            sums.initialize(repeating: -1)
            forEachDriver { i in
                guard bounds[i].from <= upTo else { return }
                let p = penalties[i]
                sums[p] = max(sums[p], 0) + bounds[i].best.score
            }
            if let lowest = sums.firstIndex(where: { $0 >= 0 }) { best.penalty = lowest }
            best.score = max(0, sums.max() ?? 0)
        }
        for j in 0..<bonus.count where bounds[alternatives.count + j].from <= upTo {
            best.score += bounds[alternatives.count + j].best.score
            best.exact = 1
        }
        return Bound(from: from, upTo: upTo, best: best)
    }

    /// The document's penalty is its best alternative's; only the alternatives with that
    /// penalty score (a document with the word as typed ranks by that, not by its typo
    /// variants besides). So once the penalty is limited, the other alternatives are never
    /// looked at again.
    override func add(to match: inout Match) {
        let d = current
        // passive alternatives (see `narrow`) may stand behind, on d too
        if narrowedUpTo != nil {
            forEachDriver { i in
                guard passive[i] else { return }
                if at[i] < d { at[i] = alternative.with(i) { $0.advance(to: d) } }
                if at[i] == d {
                    here[hereCount] = i
                    hereCount += 1
                }
            }
        }
        var best = Int.max
        for k in 0..<hereCount { best = min(best, penalties[here[k]]) }
        guard best != Int.max else { return }
        for k in 0..<hereCount where penalties[here[k]] == best { alternative.with(here[k]) { $0.add(to: &match) } }
        match.penalty += best
        var exact = false
        for j in 0..<bonus.count where bonus.with(j, { $0.matches(d) }) {
            bonus.with(j) { $0.add(to: &match) }
            exact = true
        }
        if exact { match.exact += 1 }
    }

    /// While narrowed: whether the current document, with what the active alternatives on
    /// it score and the most the passive ones and the bonuses can add, may enter the top hits.
    private func mayEnter(_ bar: EntryBar) -> Bool {
        var m = passiveBest
        for k in 0..<hereCount {
            alternative.with(here[k]) { $0.add(to: &m) }
            m.penalty = min(m.penalty, penalties[here[k]])
        }
        return !bar.cannotEnter(m)
    }
}

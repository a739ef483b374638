/// A boolean combination: required children (must, filter) intersected with skips; else the
/// union of the optional ones; excluded children checked per candidate. Spans stand for runs
/// of children (a multi-word synonym): when one matches, the children it covers count as
/// matched. At the root, the number of matched children is the first ranking tier.
final class BoolScorer: Scorer {
    private let scorers: [Scorer]
    private let occurs: [Occur]
    private let spanRanges: [ClosedRange<Int>]
    private let spanScorers: [WordScorer]
    private let isRoot: Bool
    /// The root and conjunctions pay every clause's penalty; a nested OR pays its best one.
    private let conjunctive: Bool
    /// Children that must match, rarest first (they lead the intersection).
    private var required: Unretained<Scorer>
    /// Which children are required (`required` in child order, for the bounds).
    private var isRequired: [Bool]
    private let excluded: Unretained<Scorer>
    /// The children whose union gives the candidates when none is required.
    private var drivers: Unretained<Scorer>
    /// `scorers` and `spanScorers` again, for the per-document loop of `add` and the per-run
    /// one of `bound`.
    private let children: Unretained<Scorer>
    private let spanChildren: Unretained<WordScorer>
    /// Children that count as matched clauses (neither filters nor excluded).
    let clauseCount: Int
    /// Which children matched the current document (a `let`: no exclusivity checks).
    private let matched: RawBuffer<Bool>
    /// Every clause required (`requireEveryClause`) while spans stand for some: a span's
    /// documents are candidates beside the intersection's.
    private var spansDrive = false
    private var current: UInt32 = 0

    init(children: [(scorer: Scorer, occur: Occur)], spans: [(children: ClosedRange<Int>, scorer: WordScorer)], isRoot: Bool) {
        scorers = children.map(\.scorer)
        occurs = children.map(\.occur)
        spanRanges = spans.map(\.children)
        spanScorers = spans.map(\.scorer)
        self.isRoot = isRoot
        conjunctive = isRoot || children.contains { $0.occur == .must }
        let required = children.filter { $0.occur == .must || $0.occur == .filter }.map(\.scorer).sorted { $0.cost < $1.cost }
        self.required = Unretained(required)
        isRequired = children.map { $0.occur == .must || $0.occur == .filter }
        clauseCount = children.count { $0.occur == .must || $0.occur == .should }
        excluded = Unretained(children.filter { $0.occur == .mustNot }.map(\.scorer))
        drivers = Unretained(required.isEmpty ? children.filter { $0.occur == .should }.map(\.scorer) + spans.map(\.scorer) : [])
        self.children = Unretained(scorers)
        spanChildren = Unretained(spanScorers)
        var matched = RawBuffer<Bool>(capacity: children.count)
        matched.append(repeating: false, count: children.count)
        self.matched = matched
        var bounds = RawBuffer<Bound>(capacity: children.count + spans.count)
        bounds.append(repeating: Bound(from: 0, upTo: 0, best: Match()), count: children.count + spans.count)
        self.bounds = bounds
        super.init()
        find(from: 0)
    }

    deinit {
        matched.free()
        bounds.free()
        required.free()
        excluded.free()
        drivers.free()
        children.free()
        spanChildren.free()
    }

    override var doc: UInt32 { current }

    override var cost: Int {
        required.isEmpty ? (0..<drivers.count).reduce(0) { sum, i in sum + drivers.with(i) { $0.cost } } : required.with(0) { $0.cost }
    }

    /// Once every clause is required (or there is one), a document enters the top hits only
    /// if each of its words has at most the worst kept hit's penalty (the root is conjunctive:
    /// a document's penalty is the sum of its words' and spans'): the words stop looking for
    /// documents through alternatives with more, and spans whose every alternative has more
    /// stop driving. False when that changes nothing.
    func limitPenalties(to penalty: Int) -> Bool {
        guard isRoot, drivers.isEmpty || (clauseCount == 1 && drivers.count == 1),
              spanScorers.isEmpty || spansDrive else { return false }
        var changed = false
        for (scorer, occur) in zip(scorers, occurs) where occur == .should || occur == .must {
            if let word = scorer as? WordScorer, word.limitPenalty(to: penalty) { changed = true }
        }
        if spansDrive && spanScorers.allSatisfy({ $0.lowestPenalty > penalty }) {
            spansDrive = false
            changed = true
        }
        if changed && current != PostingsCursor.end { find(from: current) }
        return changed
    }

    /// The words of a root that is a plain union of words (and spans over them; no required
    /// or excluded clause, at most 64): what `ScoreWindow` can score a word at a time. Nil
    /// otherwise.
    private(set) lazy var windowWords: [WordScorer]? = {
        guard isRoot, scorers.count <= 64, occurs.allSatisfy({ $0 == .should }) else { return nil }
        let words = scorers.compactMap { $0 as? WordScorer }
        return words.count == scorers.count ? words : nil
    }()

    /// Scores every matching document from the window's start up to `end` into the window
    /// (a plain union of words, see `windowWords`); then `resume(at:)`.
    func addWindow(upTo end: UInt32, into window: ScoreWindow) {
        for (i, word) in (windowWords ?? []).enumerated() {
            word.addWindow(upTo: end, into: window)
            window.endWord(clause: i)
        }
        for (k, span) in spanScorers.enumerated() {
            span.addWindow(upTo: end, into: window)
            window.endSpan(covering: spanRanges[k])
        }
    }

    /// Whether the run that may enter is scored for less a window at a time: a union of words
    /// visits every document of its words in it anyway (an intersection, `requireEveryClause`,
    /// leaps to the documents matching all, often far fewer than its words' postings; a
    /// narrowed word, `narrow`, to the few documents of its strong alternatives).
    var scoresRunsInWindows: Bool {
        guard let words = windowWords, required.isEmpty else { return false }
        return clauseCount > 1 || !words[0].isNarrowed
    }

    /// After `addWindow`, the first document a word or span stands on.
    var windowNext: UInt32 {
        var m = PostingsCursor.end
        for word in windowWords ?? [] { m = min(m, word.windowNext) }
        for span in spanScorers { m = min(m, span.windowNext) }
        return m
    }

    /// Walks on from `target` after windows moved the leaves there (once per run past the
    /// count limit: no array made).
    func resume(at target: UInt32) {
        for word in windowWords ?? [] { word.resync() }
        for span in spanScorers { span.resync() }
        find(from: target)
    }

    /// Turns the root's union into an intersection of every clause, from the current document
    /// on: once every kept hit matches all clauses, a document matching fewer cannot enter
    /// the top hits. A span may stand for some of the clauses (`en la` for 嗯啦): its
    /// documents stay candidates too. False when there is no union to turn.
    func requireEveryClause() -> Bool {
        guard isRoot, clauseCount > 1, !drivers.isEmpty else { return false }
        required.free()
        required = Unretained(zip(scorers, occurs).filter { $0.1 != .mustNot }.map(\.0).sorted { $0.cost < $1.cost })
        isRequired = occurs.map { $0 != .mustNot }
        drivers.free()
        drivers = Unretained([])
        spansDrive = !spanScorers.isEmpty
        if current != PostingsCursor.end { find(from: current) }
        return true
    }

    /// `WordScorer.narrow` for a one-word query: in the run up to `upTo`, documents found
    /// only through the word's weaker alternatives are skipped when they cannot enter. False
    /// when nothing changed.
    func narrow(upTo: UInt32, bar: EntryBar) -> Bool {
        guard isRoot, scorers.count == 1, spanScorers.isEmpty, occurs[0] == .should || occurs[0] == .must,
              let word = scorers[0] as? WordScorer else { return false }
        // the root adds nothing to its one word's match but the clause
        var bar = bar
        bar.matched = 1
        let narrowed = word.narrow(upTo: upTo, bar: bar)
        if narrowed && current != PostingsCursor.end { find(from: current) }
        return narrowed
    }

    @discardableResult override func next() -> UInt32 { current == PostingsCursor.end ? current : find(from: current + 1) }

    @discardableResult override func advance(to target: UInt32) -> UInt32 { current >= target ? current : find(from: target) }

    /// The first document ≥ target that satisfies the required and excluded children.
    @discardableResult
    private func find(from target: UInt32) -> UInt32 {
        var candidate = target
        while true {
            if required.isEmpty {
                candidate = union(from: candidate)
            } else {
                candidate = intersection(from: candidate, upTo: spansDrive ? spanUnion(from: candidate) : PostingsCursor.end)
            }
            if candidate == PostingsCursor.end || !isExcluded(candidate) { break }
            candidate += 1
        }
        current = candidate
        return candidate
    }

    private func union(from target: UInt32) -> UInt32 {
        var best = PostingsCursor.end
        let drivers = self.drivers  // a local: reading the property per child retains it
        for i in 0..<drivers.count {
            let at = drivers.with(i) { d in d.doc < target ? d.advance(to: target) : d.doc }
            if at < best { best = at }
        }
        return best
    }

    /// The first document of every required child from target on, or `cap` if it comes
    /// first: no child is moved past `cap` (a span's document, which add asks each about).
    private func intersection(from target: UInt32, upTo cap: UInt32 = PostingsCursor.end) -> UInt32 {
        var candidate = target
        var agreed = 0
        var i = 0
        let required = self.required
        while agreed < required.count {
            guard candidate <= cap else { return cap }
            let d = required.with(i) { $0.advance(to: candidate) }
            if d == PostingsCursor.end { return cap }
            if d == candidate {
                agreed += 1
            } else {
                candidate = d
                agreed = 1
            }
            i = (i + 1) % required.count
        }
        return candidate
    }

    /// The first document of a span from target on.
    private func spanUnion(from target: UInt32) -> UInt32 {
        var best = PostingsCursor.end
        for k in 0..<spanChildren.count {
            best = min(best, spanChildren.with(k) { s in s.doc < target ? s.advance(to: target) : s.doc })
        }
        return best
    }

    private func isExcluded(_ d: UInt32) -> Bool {
        for i in 0..<excluded.count where excluded.with(i, { $0.advance(to: d) }) == d { return true }
        return false
    }

    /// The children's bounds, then the spans' (kept to save an allocation per call).
    private let bounds: RawBuffer<Bound>

    /// Mirrors `add` with every child that can match in the run counted as matching. A
    /// conjunction's run starts where every required child may match (found block by block in
    /// the skip tables); a union's where the first child may. The run ends before the first
    /// document of an optional child that cannot match at its start, or where a bound changes.
    override var hasGroups: Bool { scorers.contains { $0.hasGroups } || spanScorers.contains { $0.hasGroups } }

    override func bound(from target: UInt32, coarse: Bool) -> Bound {
        var from = target
        let conjunction = !required.isEmpty
        if conjunction {
            for i in scorers.indices where isRequired[i] { bounds[i] = children.with(i) { $0.bound(from: from, coarse: coarse) } }
            var moved = true
            while moved && from != PostingsCursor.end {
                moved = false
                for i in scorers.indices where isRequired[i] { from = max(from, bounds[i].from) }
                for i in scorers.indices where isRequired[i] && bounds[i].upTo < from {
                    bounds[i] = children.with(i) { $0.bound(from: from, coarse: coarse) }
                    moved = true
                }
            }
        }
        if conjunction && spansDrive {
            // a span's document may come first: the run then starts there, every child bounded from it
            var first = PostingsCursor.end
            for k in spanScorers.indices { first = min(first, spanChildren.with(k) { $0.bound(from: target, coarse: coarse) }.from) }
            if first < from {
                from = first
                for i in scorers.indices where isRequired[i] { bounds[i] = children.with(i) { $0.bound(from: from, coarse: coarse) } }
            }
        }
        guard from != PostingsCursor.end else { return Bound(from: from, upTo: from, best: Match()) }
        var first = PostingsCursor.end
        for i in scorers.indices where occurs[i] == .should && !isRequired[i] {
            bounds[i] = children.with(i) { $0.bound(from: from, coarse: coarse) }
            first = min(first, bounds[i].from)
        }
        for k in spanScorers.indices {
            bounds[scorers.count + k] = spanChildren.with(k) { $0.bound(from: from, coarse: coarse) }
            first = min(first, bounds[scorers.count + k].from)
        }
        if !conjunction { from = first }
        guard from != PostingsCursor.end else { return Bound(from: from, upTo: from, best: Match()) }
        var upTo = PostingsCursor.end
        for i in scorers.indices where occurs[i] != .mustNot { upTo = min(upTo, bounds[i].end(from: from)) }
        for k in spanScorers.indices { upTo = min(upTo, bounds[scorers.count + k].end(from: from)) }
        var best = Match()
        var count = 0, countable = 0, required = 0, bestShould = Int.max
        for i in scorers.indices where occurs[i] != .mustNot {
            if occurs[i] != .filter { countable += 1 }
            guard bounds[i].from <= upTo else { continue }
            let b = bounds[i].best
            best.score += b.score
            best.exact += b.exact
            if occurs[i] != .filter { count += 1 }
            if occurs[i] == .should { bestShould = min(bestShould, b.penalty) } else { required += b.penalty }
        }
        for k in spanScorers.indices where bounds[scorers.count + k].from <= upTo {
            let b = bounds[scorers.count + k].best
            best.score += b.score
            best.exact += b.exact
            count += spanRanges[k].count
            bestShould = min(bestShould, b.penalty)
        }
        // should children may not match: only required ones surely pay their penalty
        best.penalty = conjunctive ? required : (bestShould == Int.max ? 0 : bestShould)
        if isRoot { best.matched = min(count, countable) }
        return Bound(from: from, upTo: upTo, best: best)
    }

    override func add(to match: inout Match) {
        let d = current
        var score = 0.0, exact = 0, penalties = 0, bestShould = Int.max, count = 0
        for i in 0..<scorers.count {
            matched[i] = false
            let occur = occurs[i]
            guard occur != .mustNot else { continue }
            var m = Match()
            let found = children.with(i) { c in
                if c.doc < d { c.advance(to: d) }
                guard c.doc == d else { return false }
                c.add(to: &m)
                return true
            }
            guard found else { continue }
            matched[i] = true
            score += m.score
            exact += m.exact
            if occur == .should && m.penalty < bestShould { bestShould = m.penalty }
            penalties += m.penalty
            if occur != .filter { count += 1 }
        }
        for k in 0..<spanChildren.count {
            let here = spanChildren.with(k) { span in
                if span.doc < d { span.advance(to: d) }
                return span.doc == d
            }
            guard here else { continue }
            var uncovered = 0
            for i in spanRanges[k] where !matched[i] && occurs[i] != .mustNot {
                matched[i] = true
                uncovered += 1
            }
            guard uncovered > 0 else { continue }
            var m = Match()
            spanChildren.with(k) { $0.add(to: &m) }
            count += uncovered
            score += m.score
            penalties += m.penalty
            if m.penalty < bestShould { bestShould = m.penalty }
        }
        match.score += score
        match.exact += exact
        match.penalty += conjunctive ? penalties : (bestShould == Int.max ? 0 : bestShould)
        if isRoot { match.matched = count }
    }
}

/// What a document earns from a query: the ranking key, tier by tier.
struct Match {
    /// BM25, summed over the matching leaves (the last tier).
    var score = 0.0
    /// Typos and cross-script matches (lower first).
    var penalty = 0
    /// Exact-accent and whole-word matches (higher first).
    var exact = 0
    /// Top-level clauses matched (the first tier: documents matching all words first).
    var matched = 0
}

/// A cursor over one segment's matching documents that knows what each match is worth
/// (Lucene's Scorer). A scorer is created on its first document. A class hierarchy rather than
/// a protocol: the scoring loop calls through a vtable, without existential boxes.
class Scorer {
    /// The current document, or `PostingsCursor.end`.
    var doc: UInt32 { PostingsCursor.end }
    /// Moves to the next document and returns it.
    @discardableResult func next() -> UInt32 { PostingsCursor.end }
    /// Moves to the first document ≥ target (never backwards).
    @discardableResult func advance(to target: UInt32) -> UInt32 { PostingsCursor.end }
    /// Adds what the current document earns.
    func add(to match: inout Match) {}
    /// Adds the current document's tiers (matched, penalty, exactness) without its score:
    /// enough to know that a document cannot enter the top hits, and skip scoring it.
    func shape(_ match: inout Match) {}
}

/// One leaf's postings (a term's, or a phrase's matches), scored by BM25 in its field.
final class LeafScorer: Scorer {
    let postings: PostingsCursor
    /// weight × idf (0 for a filter).
    let factor: Double
    let penalty: Int
    private let field: Field
    private let norms: FieldNorms
    private let averageLength: Double

    init(postings: PostingsCursor, factor: Double, penalty: Int, field: Field, norms: FieldNorms, averageLength: Double) {
        self.postings = postings
        // keyword fields (path, lang) filter and are never scored
        self.factor = Field.text.contains(field) ? factor : 0
        self.penalty = penalty
        self.field = field
        self.norms = norms
        self.averageLength = averageLength
        super.init()
        postings.next()
    }

    override var doc: UInt32 { postings.doc }
    @discardableResult override func next() -> UInt32 { postings.next() }
    @discardableResult override func advance(to target: UInt32) -> UInt32 { postings.advance(to: target) }

    override func add(to match: inout Match) {
        guard factor > 0 else { return }
        match.score += factor * BM25.tfNorm(freq: Double(postings.freq), length: Double(norms.length(postings.doc, field)),
                                            averageLength: averageLength)
    }
}

/// A user word: the union of its alternatives (the best one sets the penalty), plus bonuses.
final class WordScorer: Scorer {
    private let alternatives: [LeafScorer]
    private let bonuses: [LeafScorer]
    private var current: UInt32 = 0

    init(alternatives: [LeafScorer], bonuses: [LeafScorer]) {
        self.alternatives = alternatives
        self.bonuses = bonuses
        super.init()
        settle()
    }

    override var doc: UInt32 { current }

    @discardableResult
    override func next() -> UInt32 {
        let d = current
        for a in alternatives where a.postings.doc == d { a.postings.next() }
        return settle()
    }

    @discardableResult
    override func advance(to target: UInt32) -> UInt32 {
        guard current < target else { return current }
        for a in alternatives where a.postings.doc < target { a.postings.advance(to: target) }
        return settle()
    }

    @discardableResult
    private func settle() -> UInt32 {
        var m = PostingsCursor.end
        for a in alternatives where a.postings.doc < m { m = a.postings.doc }
        current = m
        return m
    }

    override func add(to match: inout Match) { visit(&match, scoring: true) }

    override func shape(_ match: inout Match) { visit(&match, scoring: false) }

    private func visit(_ match: inout Match, scoring: Bool) {
        let d = current
        var best = Int.max
        for a in alternatives where a.postings.doc == d {
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

/// Documents whose date range overlaps a range (the dates of a segment as yyyymmdd bounds).
final class DateScorer: Scorer {
    private let dates: DocumentDates
    private let range: ClosedRange<UInt32>
    private var current: UInt32 = 0

    init(dates: DocumentDates, range: ClosedRange<UInt32>) {
        self.dates = dates
        self.range = range
        super.init()
        seek(0)
    }

    override var doc: UInt32 { current }

    @discardableResult override func next() -> UInt32 { current == PostingsCursor.end ? current : seek(current + 1) }

    @discardableResult override func advance(to target: UInt32) -> UInt32 { current >= target ? current : seek(target) }

    @discardableResult
    private func seek(_ target: UInt32) -> UInt32 {
        var d = target
        while Int(d) < dates.count {
            if let r = dates.range(d), r.overlaps(range) {
                current = d
                return current
            }
            d += 1
        }
        current = PostingsCursor.end
        return current
    }
}

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
    private let required: [Scorer]
    private let excluded: [Scorer]
    private let drivers: [Scorer]
    private var matched: RawBuffer<Bool>
    private var current: UInt32 = 0

    init(children: [(scorer: Scorer, occur: Occur)], spans: [(children: ClosedRange<Int>, scorer: WordScorer)], isRoot: Bool) {
        scorers = children.map(\.scorer)
        occurs = children.map(\.occur)
        spanRanges = spans.map(\.children)
        spanScorers = spans.map(\.scorer)
        self.isRoot = isRoot
        conjunctive = isRoot || children.contains { $0.occur == .must }
        required = children.filter { $0.occur == .must || $0.occur == .filter }.map(\.scorer)
        excluded = children.filter { $0.occur == .mustNot }.map(\.scorer)
        drivers = required.isEmpty ? children.filter { $0.occur == .should }.map(\.scorer) + spans.map(\.scorer) : []
        matched = RawBuffer(capacity: children.count)
        matched.append(repeating: false, count: children.count)
        super.init()
        find(from: 0)
    }

    deinit { matched.free() }

    override var doc: UInt32 { current }

    @discardableResult override func next() -> UInt32 { current == PostingsCursor.end ? current : find(from: current + 1) }

    @discardableResult override func advance(to target: UInt32) -> UInt32 { current >= target ? current : find(from: target) }

    /// The first document ≥ target that satisfies the required and excluded children.
    @discardableResult
    private func find(from target: UInt32) -> UInt32 {
        var candidate = target
        while true {
            candidate = required.isEmpty ? union(from: candidate) : intersection(from: candidate)
            if candidate == PostingsCursor.end || !isExcluded(candidate) { break }
            candidate += 1
        }
        current = candidate
        return candidate
    }

    private func union(from target: UInt32) -> UInt32 {
        var best = PostingsCursor.end
        for d in drivers {
            let at = d.doc < target ? d.advance(to: target) : d.doc
            if at < best { best = at }
        }
        return best
    }

    private func intersection(from target: UInt32) -> UInt32 {
        var candidate = target
        var agreed = 0
        var i = 0
        while agreed < required.count {
            let d = required[i].advance(to: candidate)
            if d == PostingsCursor.end { return d }
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

    private func isExcluded(_ d: UInt32) -> Bool {
        for c in excluded where c.advance(to: d) == d { return true }
        return false
    }

    override func add(to match: inout Match) { visit(&match, scoring: true) }

    override func shape(_ match: inout Match) { visit(&match, scoring: false) }

    private func visit(_ match: inout Match, scoring: Bool) {
        let d = current
        var score = 0.0, exact = 0, penalties = 0, bestShould = Int.max, count = 0
        for i in 0..<scorers.count {
            matched[i] = false
            let occur = occurs[i]
            guard occur != .mustNot else { continue }
            let c = scorers[i]
            if c.doc < d { c.advance(to: d) }
            guard c.doc == d else { continue }
            var m = Match()
            if scoring { c.add(to: &m) } else { c.shape(&m) }
            matched[i] = true
            score += m.score
            exact += m.exact
            if occur == .should && m.penalty < bestShould { bestShould = m.penalty }
            penalties += m.penalty
            if occur != .filter { count += 1 }
        }
        for (k, span) in spanScorers.enumerated() {
            if span.doc < d { span.advance(to: d) }
            guard span.doc == d else { continue }
            var uncovered = 0
            for i in spanRanges[k] where !matched[i] && occurs[i] != .mustNot {
                matched[i] = true
                uncovered += 1
            }
            guard uncovered > 0 else { continue }
            var m = Match()
            if scoring { span.add(to: &m) } else { span.shape(&m) }
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

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
/// (Lucene's Scorer). A scorer is created on its first document.
protocol Scorer: AnyObject {
    /// The current document, or `PostingsCursor.end`.
    var doc: UInt32 { get }
    @discardableResult func next() -> UInt32
    /// Moves to the first document ≥ target (never backwards).
    @discardableResult func advance(to target: UInt32) -> UInt32
    /// Adds what the current document earns.
    func add(to match: inout Match)
}

/// One leaf's postings, scored by BM25 in its field.
final class LeafScorer: Scorer {
    let postings: LeafPostings
    /// weight × idf.
    let factor: Double
    let penalty: Int
    private let field: Field
    private let norms: FieldNorms
    private let averageLength: Double

    init(postings: LeafPostings, factor: Double, penalty: Int, field: Field, norms: FieldNorms, averageLength: Double) {
        self.postings = postings
        self.factor = factor
        self.penalty = penalty
        self.field = field
        self.norms = norms
        self.averageLength = averageLength
        postings.next()
    }

    var doc: UInt32 { postings.doc }
    @discardableResult func next() -> UInt32 { postings.next() }
    @discardableResult func advance(to target: UInt32) -> UInt32 { postings.advance(to: target) }

    func add(to match: inout Match) {
        guard factor > 0, Field.text.contains(field) else { return }
        match.score += factor * BM25.tfNorm(freq: Double(postings.freq), length: Double(norms.length(doc, field)),
                                            averageLength: averageLength)
    }
}

/// A user word: the union of its alternatives (the best one sets the penalty), plus bonuses.
final class WordScorer: Scorer {
    private let alternatives: [LeafScorer]
    private let bonuses: [LeafScorer]
    private(set) var doc: UInt32 = 0

    init(alternatives: [LeafScorer], bonuses: [LeafScorer]) {
        self.alternatives = alternatives
        self.bonuses = bonuses
        settle()
    }

    @discardableResult
    func next() -> UInt32 {
        for a in alternatives where a.doc == doc { a.next() }
        return settle()
    }

    @discardableResult
    func advance(to target: UInt32) -> UInt32 {
        for a in alternatives where a.doc < target { a.advance(to: target) }
        return settle()
    }

    @discardableResult
    private func settle() -> UInt32 {
        doc = alternatives.reduce(PostingsCursor.end) { min($0, $1.doc) }
        return doc
    }

    func add(to match: inout Match) {
        var best = Int.max
        for a in alternatives where a.doc == doc {
            a.add(to: &match)
            best = min(best, a.penalty)
        }
        match.penalty += best == Int.max ? 0 : best
        var exact = false
        for b in bonuses where b.advance(to: doc) == doc {
            b.add(to: &match)
            exact = true
        }
        if exact { match.exact += 1 }
    }
}

/// Documents whose date range overlaps a range (the dates of a segment as yyyymmdd bounds).
final class DateScorer: Scorer {
    private let dates: DocumentDates
    private let range: ClosedRange<UInt32>
    private(set) var doc: UInt32 = 0

    init(dates: DocumentDates, range: ClosedRange<UInt32>) {
        self.dates = dates
        self.range = range
        seek(0)
    }

    @discardableResult func next() -> UInt32 { doc == PostingsCursor.end ? doc : seek(doc + 1) }

    @discardableResult func advance(to target: UInt32) -> UInt32 { doc >= target ? doc : seek(target) }

    @discardableResult
    private func seek(_ target: UInt32) -> UInt32 {
        var d = target
        while Int(d) < dates.count {
            if let r = dates.range(d), r.overlaps(range) {
                doc = d
                return doc
            }
            d += 1
        }
        doc = PostingsCursor.end
        return doc
    }

    func add(to match: inout Match) {}
}

/// Matches nothing.
final class EmptyScorer: Scorer {
    var doc: UInt32 { PostingsCursor.end }
    @discardableResult func next() -> UInt32 { doc }
    @discardableResult func advance(to target: UInt32) -> UInt32 { doc }
    func add(to match: inout Match) {}
}

/// A boolean combination: required children (must, filter) intersected with skips; else the
/// union of the optional ones; excluded children checked per candidate. Spans stand for runs
/// of children (a multi-word synonym): when one matches, the children it covers count as
/// matched. At the root, the number of matched children is the first ranking tier.
final class BoolScorer: Scorer {
    private let children: [(scorer: Scorer, occur: Occur)]
    private let spans: [(children: ClosedRange<Int>, scorer: WordScorer)]
    private let isRoot: Bool
    private let required: [Scorer]
    private let drivers: [Scorer]
    private var matched: [Bool]
    private(set) var doc: UInt32 = 0

    init(children: [(scorer: Scorer, occur: Occur)], spans: [(children: ClosedRange<Int>, scorer: WordScorer)], isRoot: Bool) {
        self.children = children
        self.spans = spans
        self.isRoot = isRoot
        required = children.filter { $0.occur == .must || $0.occur == .filter }.map(\.scorer)
        drivers = required.isEmpty
            ? children.filter { $0.occur == .should }.map(\.scorer) + spans.map(\.scorer)
            : []
        matched = Array(repeating: false, count: children.count)
        find(from: 0)
    }

    @discardableResult func next() -> UInt32 { doc == PostingsCursor.end ? doc : find(from: doc + 1) }

    @discardableResult func advance(to target: UInt32) -> UInt32 { doc >= target ? doc : find(from: target) }

    /// The first document ≥ target that satisfies the required and excluded children.
    @discardableResult
    private func find(from target: UInt32) -> UInt32 {
        var candidate = target
        while true {
            candidate = required.isEmpty ? union(from: candidate) : intersection(from: candidate)
            if candidate == PostingsCursor.end || !excluded(candidate) { break }
            candidate += 1
        }
        doc = candidate
        return doc
    }

    private func union(from target: UInt32) -> UInt32 {
        var best = PostingsCursor.end
        for d in drivers { best = min(best, d.doc < target ? d.advance(to: target) : d.doc) }
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

    private func excluded(_ d: UInt32) -> Bool {
        for c in children where c.occur == .mustNot {
            if c.scorer.advance(to: d) == d { return true }
        }
        return false
    }

    func add(to match: inout Match) {
        var score = 0.0, exact = 0, penalties = 0, bestShould = Int.max, count = 0
        for (i, c) in children.enumerated() {
            matched[i] = false
            guard c.occur != .mustNot else { continue }
            if c.scorer.doc < doc { c.scorer.advance(to: doc) }
            guard c.scorer.doc == doc else { continue }
            var m = Match()
            c.scorer.add(to: &m)
            matched[i] = true
            score += m.score
            exact += m.exact
            if c.occur == .should { bestShould = min(bestShould, m.penalty) }
            penalties += m.penalty
            if c.occur != .filter { count += 1 }
        }
        for span in spans {
            if span.scorer.doc < doc { span.scorer.advance(to: doc) }
            guard span.scorer.doc == doc else { continue }
            let uncovered = span.children.filter { !matched[$0] && children[$0].occur != .mustNot }
            guard !uncovered.isEmpty else { continue }
            var m = Match()
            span.scorer.add(to: &m)
            for i in uncovered { matched[i] = true }
            count += uncovered.count
            score += m.score
            penalties += m.penalty
            bestShould = min(bestShould, m.penalty)
        }
        match.score += score
        match.exact += exact
        // the root and conjunctions pay every clause's penalty; a nested OR pays its best one
        let conjunctive = isRoot || children.contains { $0.occur == .must }
        match.penalty += conjunctive ? penalties : (bestShould == Int.max ? 0 : bestShould)
        if isRoot { match.matched = count }
    }

    /// Children (should and must) at the root, the most `matched` can be.
    var clauseCount: Int { children.count { $0.occur == .should || $0.occur == .must } }
}

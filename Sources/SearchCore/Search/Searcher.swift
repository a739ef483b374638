/// Runs queries over a fixed set of segments (a snapshot of the index).
///
/// Query flow: `Query` → `QueryPlan` (clauses of leaves, analysed like the documents) →
/// per-leaf statistics over every segment (BM25's df; phrases are matched once to count
/// them) → per segment, a document-at-a-time walk over the union of the leaves' postings,
/// ranked by (clauses matched, BM25 score) into a bounded heap → stored fields, snippets.
///
/// Not thread-safe (it owns an analyzer); make one per thread or per request.
public final class Searcher {
    let segments: [Segment]
    /// Documents in the index: BM25's N.
    let docCount: Int
    /// Average length of each field: BM25's avgdl.
    let averageLengths: [Double]
    private let analyzer = Analyzer()

    init(segments: [Segment]) {
        self.segments = segments
        let count = segments.reduce(0) { $0 + $1.docCount }
        docCount = count
        averageLengths = Field.allCases.map { field in
            let sum = segments.reduce(UInt64(0)) { $0 + $1.fieldLengthSums[Int(field.rawValue)] }
            return count > 0 ? Double(sum) / Double(count) : 0
        }
    }

    public func search(_ query: Query, options: SearchOptions = SearchOptions()) throws(QueryError) -> SearchResults {
        var plan = QueryPlanner(analyzer: analyzer).plan(query)
        if options.requireAll {
            for i in plan.clauses.indices where plan.clauses[i].occur == .should { plan.clauses[i].occur = .must }
        }
        guard plan.clauses.contains(where: { $0.occur != .mustNot }) else {
            throw QueryError(message: "the query has no word to search for, only exclusions", offset: 0)
        }
        let weights = weigh(plan)
        var top = TopDocs(capacity: max(0, options.offset) + max(0, options.limit))
        var total = 0
        for s in segments.indices {
            total += collect(plan, weights, segment: s, into: &top)
        }
        let ranked = top.sorted().dropFirst(max(0, options.offset))
        let hits = ranked.compactMap { scored -> SearchHit? in
            guard let doc = try? segments[scored.segment].document(scored.doc) else { return nil }
            var hit = SearchHit(id: doc.id, title: doc.title, score: scored.score, matched: scored.matched,
                                path: doc.path, date: doc.date, lang: doc.lang)
            if options.snippets {
                let snippet = SnippetBuilder(analyzer: analyzer, plan: plan).snippet(for: doc)
                hit.snippet = snippet.snippet
                if let offset = snippet.firstMatch {
                    (hit.line, hit.column) = doc.sourceLocation(ofBodyOffset: offset)
                }
            }
            return hit
        }
        return SearchResults(total: total, hits: Array(hits))
    }

    // MARK: Statistics

    /// A leaf bound to the index: its idf, and its postings in each segment.
    private struct LeafWeight {
        var field: Field
        var weight: Double
        var idf: Double
        /// Per segment: the phrase's matches, computed once (nil for a single term).
        var phrases: [MaterializedPostings?]
    }

    /// The weights of every leaf and bonus of every clause, in plan order.
    private func weigh(_ plan: QueryPlan) -> [[LeafWeight]] {
        plan.clauses.map { clause in
            (clause.leaves + clause.bonuses).map { leaf in
                var df = 0
                var phrases: [MaterializedPostings?] = []
                for segment in segments {
                    if leaf.terms.count == 1 {
                        df += Int(segment.termInfo(leaf.terms[0].key)?.docFreq ?? 0)
                        phrases.append(nil)
                    } else {
                        let infos = leaf.terms.map { segment.termInfo($0.key) }
                        let matches: MaterializedPostings
                        if infos.contains(where: { $0 == nil }) {
                            matches = MaterializedPostings(docs: [], freqs: [])
                        } else {
                            matches = MaterializedPostings.phrase(infos.map { segment.postings($0!) },
                                                                  offsets: leaf.terms.map(\.offset))
                        }
                        df += matches.docs.count
                        phrases.append(matches)
                    }
                }
                return LeafWeight(field: leaf.field, weight: leaf.weight, idf: BM25.idf(docFreq: df, docCount: docCount),
                                  phrases: phrases)
            }
        }
    }

    // MARK: Collection

    /// A leaf's postings in the segment being walked.
    private struct Active {
        var postings: LeafPostings
        var clause: Int
        var field: Field
        var factor: Double
        var bonus: Bool
    }

    /// Walks one segment, adds its hits to `top` and returns how many documents matched.
    private func collect(_ plan: QueryPlan, _ weights: [[LeafWeight]], segment s: Int, into top: inout TopDocs) -> Int {
        let segment = segments[s]
        var drivers: [Active] = []   // leaves whose documents are candidates
        var checks: [Active] = []    // bonuses and exclusions: looked up per candidate
        for (c, clause) in plan.clauses.enumerated() {
            for (l, leaf) in (clause.leaves + clause.bonuses).enumerated() {
                let w = weights[c][l]
                let postings: LeafPostings
                if let phrase = w.phrases[s] {
                    guard !phrase.docs.isEmpty else { continue }
                    postings = MaterializedPostings(docs: phrase.docs, freqs: phrase.freqs)
                } else {
                    guard let info = segment.termInfo(leaf.terms[0].key) else { continue }
                    postings = segment.postings(info)
                }
                let bonus = l >= clause.leaves.count
                let active = Active(postings: postings, clause: c, field: w.field, factor: w.weight * w.idf, bonus: bonus)
                if bonus || clause.occur == .mustNot { checks.append(active) } else { drivers.append(active) }
            }
        }
        for d in drivers { d.postings.next() }
        let occurs = plan.clauses.map(\.occur)
        let mustCount = occurs.count(where: { $0 == .must })
        var clauseMatched = [Bool](repeating: false, count: plan.clauses.count)
        var total = 0
        while true {
            var doc = PostingsCursor.end
            for d in drivers where d.postings.doc < doc { doc = d.postings.doc }
            if doc == PostingsCursor.end { break }

            var score = 0.0
            for i in clauseMatched.indices { clauseMatched[i] = false }
            for d in drivers where d.postings.doc == doc {
                score += d.factor * tfNorm(d.postings.freq, doc, d.field, segment)
                clauseMatched[d.clause] = true
                d.postings.next()
            }
            var excluded = false
            for c in checks where clauseMatched[c.clause] || occurs[c.clause] == .mustNot {
                guard c.postings.advance(to: doc) == doc else { continue }
                if occurs[c.clause] == .mustNot {
                    excluded = true
                } else {
                    score += c.factor * tfNorm(c.postings.freq, doc, c.field, segment)
                }
            }
            let matched = clauseMatched.indices.count(where: { clauseMatched[$0] })
            let mustMatched = clauseMatched.indices.count(where: { clauseMatched[$0] && occurs[$0] == .must })
            if excluded || mustMatched < mustCount { continue }
            total += 1
            top.insert(ScoredDoc(matched: matched, score: score, segment: s, doc: doc))
        }
        return total
    }

    @inline(__always)
    private func tfNorm(_ freq: UInt32, _ doc: UInt32, _ field: Field, _ segment: Segment) -> Double {
        BM25.tfNorm(freq: Double(freq), length: Double(segment.norms.length(doc, field)),
                    averageLength: averageLengths[Int(field.rawValue)])
    }
}

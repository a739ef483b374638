/// Runs queries over a fixed set of segments (a snapshot of the index).
///
/// Query flow: `QueryParser` → `Query` → `QueryPlanner` (analysis, synonyms, pinyin) →
/// `BoolPlan` → `BoundPlan` (fuzzy and prefix expansion, index-wide BM25 statistics) →
/// per segment, a tree of `Scorer`s walked document at a time into a bounded heap ranked by
/// (clauses matched, penalty, exactness, BM25) → stored fields and snippets of the top hits.
///
/// Not thread-safe (it uses an analyzer); make one per thread or per request.
public final class Searcher {
    let segments: [Segment]
    let deletes: [Deletes]
    /// Documents in the index: BM25's N.
    let docCount: Int
    private let averageLengths: [Double]
    private let synonyms: Synonyms
    private let analyzer: Analyzer

    init(snapshot: Snapshot, synonyms: Synonyms, analyzer: Analyzer) {
        self.analyzer = analyzer
        segments = snapshot.segments
        deletes = snapshot.deletes
        self.synonyms = synonyms
        let count = snapshot.documentCount
        docCount = count
        let segments = snapshot.segments
        averageLengths = Field.text.map { field in
            let sum = segments.reduce(UInt64(0)) { $0 + $1.fieldLengthSums[Int(field.rawValue)] }
            let all = segments.reduce(0) { $0 + $1.docCount }
            return all > 0 ? Double(sum) / Double(all) : 0
        }
    }

    /// BM25's avgdl of a text field.
    func averageLength(_ field: Field) -> Double {
        Int(field.rawValue) < averageLengths.count ? averageLengths[Int(field.rawValue)] : 0
    }

    public func search(_ query: Query, options: SearchOptions = SearchOptions()) throws(QueryError) -> SearchResults {
        var plan = try QueryPlanner(analyzer: analyzer, synonyms: synonyms).plan(query)
        // "all" mode: every top-level word required. With spans (a synonym may stand for
        // several words) that is a filter on the number matched; without, a conjunction.
        var requiredClauses = 0
        if options.requireAll {
            if plan.spans.isEmpty {
                for i in plan.children.indices where plan.children[i].occur == .should { plan.children[i].occur = .must }
            } else {
                requiredClauses = plan.children.count { $0.occur == .should || $0.occur == .must }
            }
        }
        let bound = BoundPlan(plan, searcher: self)
        var top = TopDocs(capacity: max(0, options.offset) + max(0, options.limit))
        var total = 0
        var timedOut = false
        var skipped = false
        var visited = 0
        segments: for s in segments.indices {
            let root = bound.scorer(segment: s)
            let deleted = deletes[s]
            var pruning = Pruning()
            while root.doc != PostingsCursor.end {
                visited &+= 1
                if visited & 4095 == 0, let deadline = options.deadline, ContinuousClock.now > deadline {
                    timedOut = true
                    break segments
                }
                if total >= options.countLimit, let threshold = top.threshold, pruning.skip(root, threshold: threshold, segment: s) {
                    skipped = true
                    continue
                }
                if deleted.count > 0 && deleted.contains(root.doc) {
                    root.next()
                    continue
                }
                // one walk over the tree gives the tiers and the score: a walk for the tiers
                // alone, to skip scoring, costs about as much as scoring
                var m = Match()
                root.add(to: &m)
                if m.matched >= requiredClauses {
                    total += 1
                    top.insert(ScoredDoc(matched: m.matched, penalty: m.penalty, exact: m.exact, score: m.score, segment: s, doc: root.doc))
                }
                root.next()
            }
        }
        let ranked = top.sorted().dropFirst(max(0, options.offset))
        let snippets = SnippetBuilder(analyzer: analyzer, leaves: options.snippets ? bound.bodyLeaves : [])
        let hits = ranked.compactMap { scored -> SearchHit? in
            guard let doc = try? segments[scored.segment].document(scored.doc, body: options.snippets) else { return nil }
            var hit = SearchHit(id: doc.id, title: doc.title, score: scored.score, matched: scored.matched,
                                path: doc.path, date: doc.date, lang: doc.lang)
            if options.snippets {
                let snippet = snippets.snippet(for: doc)
                hit.snippet = snippet.snippet
                if let offset = snippet.firstMatch {
                    (hit.line, hit.column) = doc.sourceLocation(ofBodyOffset: offset)
                }
            }
            return hit
        }
        return SearchResults(total: total, hits: Array(hits), totalIsLowerBound: skipped, timedOut: timedOut)
    }
}

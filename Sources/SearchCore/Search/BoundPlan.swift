/// A plan bound to a snapshot: fuzzy and prefix alternatives expanded into the terms the
/// snapshot holds, and every leaf given its index-wide idf. It then makes the scorers of each
/// segment.
struct BoundPlan {
    /// Most terms one fuzzy word expands to (closest first, then most frequent).
    static let maxFuzzyTerms = 32
    /// Most terms one prefix expands to (most frequent first).
    static let maxPrefixTerms = 128

    let root: BoundBool
    private let searcher: Searcher

    final class BoundLeaf {
        let leaf: Leaf
        /// Its documents in the whole index (a phrase's: its rarest term's).
        let docFreq: Int
        let idf: Double
        let penalty: Int
        /// The top-level clause it belongs to (for snippets: passages covering more clauses win).
        let clause: Int
        /// Per segment, each term's postings information (nil: a term is not in that segment).
        let infos: [[TermInfo]?]

        init(leaf: Leaf, docFreq: Int, docCount: Int, penalty: Int, clause: Int, infos: [[TermInfo]?]) {
            self.leaf = leaf
            self.docFreq = docFreq
            idf = BM25.idf(docFreq: docFreq, docCount: docCount)
            self.penalty = penalty
            self.clause = clause
            self.infos = infos
        }
    }

    struct BoundWord {
        var alternatives: [BoundLeaf]
        var bonuses: [BoundLeaf]
    }

    indirect enum BoundNode {
        case word(BoundWord)
        case bool(BoundBool)
        case date(ClosedRange<UInt32>)
        case nothing
    }

    struct BoundBool {
        var children: [BoundChild]
        var spans: [BoundSpan]
    }

    struct BoundChild {
        var node: BoundNode
        var occur: Occur
    }

    struct BoundSpan {
        var children: ClosedRange<Int>
        var word: BoundWord
    }

    init(_ plan: BoolPlan, searcher: Searcher) {
        self.searcher = searcher
        var binder = Binder(searcher: searcher)
        root = binder.bind(plan, clause: nil)
    }

    // MARK: Binding

    private struct Binder {
        let searcher: Searcher

        mutating func bind(_ plan: BoolPlan, clause: Int?) -> BoundBool {
            let children = plan.children.enumerated().map { i, child in
                BoundChild(node: bind(child.node, clause: clause ?? i), occur: child.occur)
            }
            let spans = plan.spans.map { BoundSpan(children: $0.children, word: bind($0.word, clause: clause ?? $0.children.lowerBound)) }
            return BoundBool(children: children, spans: spans)
        }

        mutating func bind(_ node: PlanNode, clause: Int) -> BoundNode {
            switch node {
            case .word(let w): .word(bind(w, clause: clause))
            case .bool(let b): .bool(bind(b, clause: clause))
            case .date(let r): .date(r)
            case .nothing: .nothing
            }
        }

        mutating func bind(_ word: WordPlan, clause: Int) -> BoundWord {
            var alternatives: [BoundLeaf] = []
            for a in word.alternatives {
                switch a.source {
                case .leaf(let leaf):
                    alternatives.append(bind(leaf, penalty: a.penalty, clause: clause))
                case let .fuzzy(text, fields, maxEdits):
                    for found in fuzzyTerms(text, maxEdits: maxEdits) {
                        for f in fields {
                            guard let k = Field.text.firstIndex(of: f) else { continue }
                            let infos = found.infos.map { $0[k].map { [$0] } }
                            guard infos.contains(where: { $0 != nil }) else { continue }
                            let leaf = Leaf(field: f, terms: [Leaf.Term(key: TermKey(field: f, kind: .word, utf8: found.term).bytes, offset: 0)], weight: f.boost)
                            let df = infos.reduce(0) { $0 + Int($1?[0].docFreq ?? 0) }
                            alternatives.append(BoundLeaf(leaf: leaf, docFreq: df, docCount: searcher.docCount, penalty: found.distance,
                                                          clause: clause, infos: infos))
                        }
                    }
                case let .prefix(text, fields):
                    for f in fields {
                        for term in prefixTerms([f.rawValue] + text) {
                            alternatives.append(bind(Leaf(field: f, terms: [Leaf.Term(key: term, offset: 0)], weight: f.boost), penalty: a.penalty, clause: clause))
                        }
                    }
                }
            }
            return BoundWord(alternatives: alternatives, bonuses: word.bonuses.map { bind($0, penalty: 0, clause: clause) })
        }

        /// A phrase's document frequency is its rarest term's, an upper bound: counting its
        /// documents exactly meant matching its whole postings before the walk (most of the
        /// time of a Chinese word of three characters or more at 1 GB), and a word's rarest
        /// bigram seldom occurs outside it.
        func bind(_ leaf: Leaf, penalty: Int, clause: Int) -> BoundLeaf {
            var df = 0
            var infos: [[TermInfo]?] = []
            for segment in searcher.segments {
                let found = leaf.terms.compactMap { segment.termInfo($0.key) }
                guard found.count == leaf.terms.count else {
                    infos.append(nil)
                    continue
                }
                df += Int(found.lazy.map(\.docFreq).min() ?? 0)
                infos.append(found)
            }
            return BoundLeaf(leaf: leaf, docFreq: df, docCount: searcher.docCount, penalty: penalty, clause: clause, infos: infos)
        }

        /// A term close to a fuzzy word, over every segment.
        struct FuzzyTerm {
            var term: [UInt8]
            var distance: Int
            /// Its body documents in the whole index (what ranks it).
            var df = 0
            /// Per segment, its postings information in each text field (nil: not in that segment).
            var infos: [[TermInfo?]]
        }

        /// The closest terms to `text` over every segment, best first.
        func fuzzyTerms(_ text: [UInt8], maxEdits: Int) -> [FuzzyTerm] {
            let none = [TermInfo?](repeating: nil, count: Field.text.count)
            let body = Field.text.firstIndex(of: .body)!
            var found: [[UInt8]: FuzzyTerm] = [:]
            for (s, segment) in searcher.segments.enumerated() {
                // a term a segment's lookup did not find is not in it (the lookup walks the same
                // distances), unless that lookup was cut short (`FuzzyIndex.maxVisits`)
                for m in segment.fuzzyTerms(text, maxEdits: maxEdits) {
                    var t = found[m.term] ?? FuzzyTerm(term: m.term, distance: m.distance,
                                                       infos: [[TermInfo?]](repeating: none, count: searcher.segments.count))
                    t.distance = min(t.distance, m.distance)
                    t.df += Int(m.infos[body]?.docFreq ?? 0)
                    t.infos[s] = m.infos
                    found[m.term] = t
                }
            }
            // ranked by distance, then body frequency
            let candidates = found.values.sorted { a, b in
                if a.distance != b.distance { return a.distance < b.distance }
                if a.df != b.df { return a.df > b.df }
                return a.term.lexicographicallyPrecedes(b.term)
            }
            return Array(candidates.prefix(BoundPlan.maxFuzzyTerms))
        }

        /// The most frequent word terms starting with `prefix` (field byte included).
        func prefixTerms(_ prefix: [UInt8]) -> [[UInt8]] {
            var df: [[UInt8]: Int] = [:]
            for segment in searcher.segments {
                var scanned = 0
                segment.dictionary.forEachTerm(withPrefix: prefix) { term, info in
                    scanned += 1
                    if term.count > 1 && term[1] >= 0x20 { df[Array(term), default: 0] += Int(info.docFreq) }
                    return scanned < 100_000
                }
            }
            return df.sorted { $0.value > $1.value || ($0.value == $1.value && $0.key.lexicographicallyPrecedes($1.key)) }
                .prefix(BoundPlan.maxPrefixTerms).map(\.key)
        }
    }

    // MARK: Scorers

    /// The root scorer for segment s.
    func scorer(segment s: Int) -> BoolScorer {
        scorer(root, segment: s, isRoot: true)
    }

    private func scorer(_ b: BoundBool, segment s: Int, isRoot: Bool) -> BoolScorer {
        BoolScorer(children: b.children.map { (scorer($0.node, segment: s), $0.occur) },
                   spans: b.spans.map { ($0.children, scorer($0.word, segment: s)) }, isRoot: isRoot)
    }

    private func scorer(_ node: BoundNode, segment s: Int) -> Scorer {
        switch node {
        case .word(let w): scorer(w, segment: s)
        case .bool(let b): scorer(b, segment: s, isRoot: false)
        case .date(let r): DateScorer(dates: searcher.segments[s].dates, range: r)
        case .nothing: Scorer()  // the base scorer matches nothing
        }
    }

    private func scorer(_ w: BoundWord, segment s: Int) -> WordScorer {
        var alternatives: [LeafScorer] = []
        var bonuses = [LeafScorer?](repeating: nil, count: w.bonuses.count)
        var counted = Set<Int>()  // bonuses counted by their match
        for a in w.alternatives {
            // a Han run's whole-word bonus over the same terms: counted in the match's pass
            let j = w.bonuses.indices.first { !counted.contains($0) && w.bonuses[$0].leaf.counts(within: a.leaf) }
            guard let j, let match = leafScorer(a, segment: s, exact: w.bonuses[j].leaf.terms) as? PhraseScorer else {
                if let scorer = leafScorer(a, segment: s) { alternatives.append(scorer) }
                continue
            }
            counted.insert(j)
            alternatives.append(match)
            let b = w.bonuses[j], segment = searcher.segments[s], field = b.leaf.field
            bonuses[j] = ExactOccurrenceScorer(match: match, lead: segment.postings(b.infos[s]![match.leadIndex]), factor: b.leaf.weight * b.idf,
                                               field: field, norms: segment.norms, averageLength: searcher.averageLength(field))
        }
        for j in w.bonuses.indices where !counted.contains(j) { bonuses[j] = leafScorer(w.bonuses[j], segment: s) }
        return WordScorer(alternatives: alternatives, bonuses: bonuses.compactMap { $0 })
    }

    /// `exact`: the terms of a bonus the phrase counts too (a `PhraseScorer` even of one term).
    private func leafScorer(_ b: BoundLeaf, segment s: Int, exact: [Leaf.Term]? = nil) -> LeafScorer? {
        guard let infos = b.infos[s] else { return nil }
        let segment = searcher.segments[s]
        let field = b.leaf.field
        let factor = b.leaf.weight * b.idf, averageLength = searcher.averageLength(field)
        if !b.leaf.isPositional && exact == nil {
            return LeafScorer(postings: segment.postings(infos[0]), factor: factor, penalty: b.penalty, field: field,
                              norms: segment.norms, averageLength: averageLength)
        }
        let cursors = infos.map { segment.postings($0) }
        // a phrase's bounds are its rarest term's (see `PhraseScorer`)
        let lead = infos.indices.min { infos[$0].docFreq < infos[$1].docFreq } ?? 0
        return PhraseScorer(cursors: cursors, lead: lead, terms: b.leaf.terms, exactTerms: exact, factor: factor, penalty: b.penalty,
                            field: field, norms: segment.norms, averageLength: averageLength)
    }

    /// The postings of every leaf, summed: about how many documents a search walks before
    /// it prunes (a search that walks few is not worth splitting across threads).
    var postings: Int {
        var sum = 0
        forEachWord { w in sum += w.alternatives.reduce(0) { $0 + $1.docFreq } + w.bonuses.reduce(0) { $0 + $1.docFreq } }
        return sum
    }

    // MARK: Highlighting

    /// Every leaf that can match the body, with its clause (excluded subtrees left out).
    var bodyLeaves: [(clause: Int, leaf: Leaf)] {
        var out: [(Int, Leaf)] = []
        forEachWord { w in
            for a in w.alternatives where a.leaf.field == .body { out.append((a.clause, a.leaf)) }
        }
        return out
    }

    /// Calls `body` with every word of the plan and of its spans, excluded subtrees left out.
    private func forEachWord(_ body: (BoundWord) -> Void) {
        func visit(_ b: BoundBool) {
            for child in b.children where child.occur != .mustNot { visit(child.node) }
            for span in b.spans { body(span.word) }
        }
        func visit(_ node: BoundNode) {
            switch node {
            case .word(let w): body(w)
            case .bool(let b): visit(b)
            default: break
            }
        }
        visit(root)
    }
}

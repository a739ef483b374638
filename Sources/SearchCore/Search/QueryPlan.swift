/// A query turned into what the index can answer: clauses of leaves, each leaf a term or a
/// phrase of terms in one field.
struct QueryPlan {
    var clauses: [Clause]

    /// One unit of matching: a user's word, phrase or Han run. A document matches the clause
    /// when one of its `leaves` occurs; `bonuses` only add to the score of matching documents.
    struct Clause {
        enum Occur { case should, must, mustNot }
        var occur: Occur
        var leaves: [Leaf]
        var bonuses: [Leaf] = []
        /// The query text this clause came from (for debugging and errors).
        var text: String
    }

    /// Terms at fixed offsets from each other in one field; one term is a plain term query.
    struct Leaf {
        var field: Field
        var terms: [(key: [UInt8], offset: UInt32)]
        /// Multiplies the BM25 score.
        var weight: Double
    }
}

/// Builds a `QueryPlan` from a `Query` by analysing its words the way documents were analysed.
struct QueryPlanner {
    let analyzer: Analyzer

    /// Weight of the ranking-only overlays (whole ICU words, exact accents) relative to a match.
    static let bonusWeight = 0.3

    func plan(_ query: Query) -> QueryPlan {
        var clauses: [QueryPlan.Clause] = []
        switch query {
        case .any(let parts): for p in parts { add(p, occur: .should, to: &clauses) }
        case .all(let parts): for p in parts { add(p, occur: .must, to: &clauses) }
        default: add(query, occur: .should, to: &clauses)
        }
        return QueryPlan(clauses: clauses)
    }

    private func add(_ query: Query, occur: QueryPlan.Clause.Occur, to clauses: inout [QueryPlan.Clause]) {
        switch query {
        case .word(let text):
            let tokens = analyzer.tokens(text)
            for group in Dictionary(grouping: tokens, by: \.group).sorted(by: { $0.key < $1.key }).map(\.value) {
                clauses.append(clause(for: group, occur: occur, text: text))
            }
        case .phrase(let text):
            let tokens = analyzer.tokens(text)
            guard !tokens.isEmpty else { return }
            clauses.append(clause(for: tokens, occur: occur, text: text))
        case .not(let inner):
            add(inner, occur: .mustNot, to: &clauses)
        case .any(let parts), .all(let parts):
            for p in parts { add(p, occur: occur, to: &clauses) }
        }
    }

    /// The clause of analysed tokens: primary terms at their relative positions (CJK runs as
    /// bigrams), with whole-word and exact-accent overlays as bonuses.
    private func clause(for tokens: [Token], occur: QueryPlan.Clause.Occur, text: String) -> QueryPlan.Clause {
        let base = tokens.map(\.position).min() ?? 0
        var terms: [(TokenKind, String, UInt32)] = []
        let runs = Dictionary(grouping: tokens.filter { $0.kind == .cjkChar }, by: \.group)
        for t in tokens {
            switch t.kind {
            case .word:
                terms.append((.word, t.term, t.position - base))
            case .cjkBigram:
                terms.append((.cjkBigram, t.term, t.position - base))
            case .cjkChar where runs[t.group]?.count == 1:
                terms.append((.cjkChar, t.term, t.position - base))  // a lone character matches itself
            default:
                break
            }
        }
        var bonusTerms: [[(TokenKind, String, UInt32)]] = []
        let words = tokens.filter { $0.kind == .cjkWord }
        if !words.isEmpty { bonusTerms.append(words.map { (.cjkWord, $0.term, $0.position - base) }) }
        for t in tokens where t.kind == .accented && tokens.count(where: { $0.kind == .word }) == 1 {
            bonusTerms.append([(.accented, t.term, 0)])
        }
        return QueryPlan.Clause(occur: occur, leaves: leaves(terms, weight: 1), bonuses: bonusTerms.flatMap { leaves($0, weight: Self.bonusWeight) }, text: text)
    }

    private func leaves(_ terms: [(TokenKind, String, UInt32)], weight: Double) -> [QueryPlan.Leaf] {
        guard !terms.isEmpty else { return [] }
        return Field.allCases.map { field in
            QueryPlan.Leaf(field: field, terms: terms.map { (TermKey(field: field, kind: $0.0, text: $0.1).bytes, $0.2) },
                           weight: weight * field.boost)
        }
    }
}

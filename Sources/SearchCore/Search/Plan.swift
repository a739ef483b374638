/// A query turned into what the index can answer, before it meets a particular snapshot:
/// the words analysed, synonyms and cross-script spellings added. `BoundPlan` then expands
/// fuzzy and prefix terms against the snapshot's dictionaries and attaches statistics.
indirect enum PlanNode {
    /// One user word (or phrase, or Han run): documents match through any alternative.
    case word(WordPlan)
    /// A combination of nodes.
    case bool(BoolPlan)
    /// Documents whose date range overlaps these yyyymmdd bounds.
    case date(ClosedRange<UInt32>)
    /// Matches nothing (a word that analyses to no term).
    case nothing
}

/// Terms at fixed offsets from each other in one field: one term, or a phrase.
struct Leaf {
    var field: Field
    var terms: [Term]
    /// Multiplies the BM25 score.
    var weight: Double

    struct Term {
        var key: [UInt8]
        var offset: UInt32
        /// Whether its positions carry `WordBoundaries` (a Han character or bigram).
        var marked = false
        /// The boundaries an occurrence must have: the bits of `mask` equal to those of
        /// `boundaries` (a whole-word bonus); mask 0 takes every occurrence.
        var mask: UInt8 = 0
        var boundaries: UInt8 = 0
    }

    /// Whether its documents need the positions: a phrase, or a term with boundaries to check.
    var isPositional: Bool { terms.count > 1 || terms.contains { $0.mask != 0 } }

    /// Whether it is `other` with boundaries asked (a Han run's whole-word bonus over its
    /// match): its documents are among the other's, found in the same positions.
    func counts(within other: Leaf) -> Bool {
        field == other.field && terms.count == other.terms.count && terms.contains { $0.mask != 0 }
            && zip(terms, other.terms).allSatisfy { $0.key == $1.key && $0.offset == $1.offset && $0.marked == $1.marked && $1.mask == 0 }
    }
}

/// How one alternative of a word finds documents.
enum AlternativeSource {
    /// A term or phrase, as it is.
    case leaf(Leaf)
    /// Every word term within `maxEdits` edits (Damerau) of `text` in the fields.
    case fuzzy(text: [UInt8], fields: [Field], maxEdits: Int)
    /// Every word term starting with `text` in the fields.
    case prefix(text: [UInt8], fields: [Field])
}

struct Alternative {
    var source: AlternativeSource
    /// Ranking tier: 0 for the word as written (or a synonym), the edit distance for a fuzzy
    /// match, 1 for a match in the other script (pinyin). Lower ranks first.
    var penalty: Int
}

struct WordPlan {
    var alternatives: [Alternative]
    /// Ranking-only leaves: the Han run as the same ICU words as in the query (the word's term,
    /// or its characters or bigrams with the query's `WordBoundaries`), or the word with its
    /// exact accents. A matching document gets one point of exactness (a tier above BM25) and
    /// their score.
    var bonuses: [Leaf] = []
    /// The text it came from, for error messages.
    var text: String
}

/// How a child of a boolean node takes part: may match (ranked by how many do), must
/// match, must not match, or must match without scoring.
enum Occur { case should, must, mustNot, filter }

struct BoolPlan {
    var children: [Child]

    struct Child {
        var node: PlanNode
        var occur: Occur
    }
    /// Alternatives that stand for several consecutive children at once (a multi-word synonym,
    /// "Li Qiang" as 李强): a document they match counts as matching all those children.
    var spans: [Span] = []

    struct Span {
        var children: ClosedRange<Int>
        var word: WordPlan
    }
}

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
    /// About how many documents it matches: intersections start from the cheapest child.
    var cost: Int { 0 }
    /// Moves to the next document and returns it.
    @discardableResult func next() -> UInt32 { PostingsCursor.end }
    /// Moves to the first document ≥ target (never backwards).
    @discardableResult func advance(to target: UInt32) -> UInt32 { PostingsCursor.end }
    /// Adds what the current document earns.
    func add(to match: inout Match) {}
    /// Whether some postings under it have groups of blocks (coarse bounds differ).
    var hasGroups: Bool { false }
    /// Bounds what the documents of a run from target on can earn, without moving (block-max
    /// WAND's bound, from the blocks' impacts or maximum frequencies and minimum lengths, read
    /// from the skip tables): the searcher passes runs whose bound cannot enter the top hits
    /// without decoding their postings. The run starts at `from`, the first document ≥
    /// target that may match (or a lower bound of it), and ends at `upTo`. A scorer standing
    /// on a document ≥ target has no match from target to it. A coarse bound holds for longer
    /// runs, from the impacts of groups of blocks where the postings have them: the searcher
    /// passes a group in one step, and bounds block by block only in groups that may enter.
    func bound(from target: UInt32, coarse: Bool) -> Bound {
        Bound(from: max(doc, target), upTo: PostingsCursor.end, best: Match())
    }
}

/// The most documents from `from` to `upTo` can earn: the highest score, matched clauses and
/// exactness, and the lowest penalty. None before `from` matches (from the target asked).
struct Bound {
    var from: UInt32
    var upTo: UInt32
    var best: Match

    /// Where a run from `start` ends for a part with this bound: before the part's first
    /// document if it cannot match at `start`, else where its bound ends.
    @inline(__always)
    func end(from start: UInt32) -> UInt32 {
        from == PostingsCursor.end ? PostingsCursor.end : from > start ? from - 1 : upTo
    }
}

/// A consistent, immutable view of the index: the segments searches run on. Cheap to share;
/// the writer publishes a new one after each change and readers keep the one they started with.
public final class Snapshot: Sendable {
    let segments: [Segment]

    init(segments: [Segment]) { self.segments = segments }

    /// An empty index.
    public static let empty = Snapshot(segments: [])

    /// Builds an in-memory index of `documents` (one segment).
    public static func build(_ documents: [Document]) throws(FormatError) -> Snapshot {
        let writer = SegmentWriter()
        for d in documents { writer.add(d) }
        return Snapshot(segments: [try Segment(writer.finish())])
    }

    public var documentCount: Int { segments.reduce(0) { $0 + $1.docCount } }

    /// Distinct terms, summed over segments (a term in two segments counts twice).
    public var termCount: Int { segments.reduce(0) { $0 + $1.dictionary.termCount } }

    /// Bytes of index data.
    public var byteCount: Int { segments.reduce(0) { $0 + $1.byteCount } }

    /// A searcher over this snapshot, for one thread.
    public func searcher(synonyms: Synonyms = .empty) -> Searcher { Searcher(segments: segments, synonyms: synonyms) }
}

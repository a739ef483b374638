import Dispatch

/// A consistent, immutable view of the index: the segments of one commit and their deletes.
/// Cheap to share; the writer publishes a new one after each commit and searches keep the one
/// they started with, so they never wait for indexing and never see half a change.
public final class Snapshot: Sendable {
    let segments: [Segment]
    let deletes: [Deletes]
    /// The commit it shows (nil for an empty index never committed).
    public let manifest: Manifest?

    init(segments: [Segment], deletes: [Deletes], manifest: Manifest?) {
        self.segments = segments
        self.deletes = deletes
        self.manifest = manifest
    }

    /// An empty index.
    public static let empty = Snapshot(segments: [], deletes: [], manifest: nil)

    /// The last commit of the index in `directory`, read-only (no write lock). With
    /// `verifyChecksums`, every file is read whole and checked.
    public static func open(_ directory: Directory, verifyChecksums: Bool = false) throws -> Snapshot {
        guard let manifest = try Manifest.latest(in: directory) else { return .empty }
        var segments: [Segment] = []
        var deletes: [Deletes] = []
        for info in manifest.segments {
            segments.append(try Segment(directory, info, verifyChecksums: verifyChecksums))
            var d = Deletes(docCount: info.docCount)
            if let file = info.deletesFile {
                let bytes = try directory.open(file)
                d = try Deletes(try Footer.payload(of: bytes.buffer, file: file, verifyChecksum: verifyChecksums), docCount: info.docCount)
            }
            deletes.append(d)
        }
        return Snapshot(segments: segments, deletes: deletes, manifest: manifest)
    }

    /// An in-memory index of `documents` (for tests and one-off searches).
    public static func build(_ documents: [Document]) throws -> Snapshot {
        let writer = try IndexWriter(directory: MemoryDirectory(), options: IndexWriter.Options(threads: 1))
        try writer.add(documents)
        return try writer.commit()
    }

    /// Builds, on another thread, what the first searches would otherwise build: each
    /// segment's typo-tolerance vocabulary.
    public func prepareInBackground() {
        let segments = self.segments
        DispatchQueue.global(qos: .utility).async {
            for s in segments { _ = s.fuzzy }
        }
    }

    /// Live documents.
    public var documentCount: Int { zip(segments, deletes).reduce(0) { $0 + $1.0.docCount - $1.1.count } }

    public var segmentCount: Int { segments.count }

    /// Distinct terms, summed over segments (a term in two segments counts twice).
    public var termCount: Int { segments.reduce(0) { $0 + $1.dictionary.termCount } }

    /// Bytes of index data.
    public var byteCount: Int { segments.reduce(0) { $0 + $1.byteCount } }

    /// A searcher over this snapshot, for one thread. An analyzer can be reused across
    /// searches (not across threads): opening ICU's break iterator is not free.
    public func searcher(synonyms: Synonyms = .empty, analyzer: Analyzer = Analyzer()) -> Searcher {
        Searcher(snapshot: self, synonyms: synonyms, analyzer: analyzer)
    }
}

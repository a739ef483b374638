/// What the manifest records of a segment.
public struct SegmentInfo: Sendable, Equatable {
    /// Base name of its files ("s0000001a"); each part adds an extension.
    public var name: String
    public var docCount: Int
    /// Sum of each text field's lengths over all its documents (for BM25's avgdl).
    public var fieldLengthSums: [UInt64]
    /// Generation of its deletes file; 0 when no document is deleted.
    public var deletesGeneration: Int
    public var deletedCount: Int
    /// The documents of each of its stored-fields files, in document order (see `storedFile`):
    /// one file when written whole; a merge links the large files of its sources as they are
    /// (`SegmentMerger`), so a merged segment can have several.
    public var storedParts: [Int]

    public init(name: String, docCount: Int, fieldLengthSums: [UInt64], deletesGeneration: Int = 0, deletedCount: Int = 0,
                storedParts: [Int]? = nil) {
        self.name = name
        self.docCount = docCount
        self.fieldLengthSums = fieldLengthSums
        self.deletesGeneration = deletesGeneration
        self.deletedCount = deletedCount
        self.storedParts = storedParts ?? [docCount]
    }

    /// The files of the segment proper, but for its stored fields (see `storedFile`) and deletes.
    static let extensions = ["tdx", "doc", "pos", "nrm", "dts", "ids"]

    /// The file of stored-fields part `k`: "s0000001a.sto", then "s0000001a.1.sto", ...
    static func storedFile(_ name: String, _ k: Int) -> String { k == 0 ? "\(name).sto" : "\(name).\(k).sto" }

    func storedFile(_ k: Int) -> String { Self.storedFile(name, k) }

    /// The files of the segment proper (not its deletes).
    var files: [String] { Self.extensions.map { "\(name).\($0)" } + storedParts.indices.map(storedFile) }

    var deletesFile: String? { deletesGeneration > 0 ? Self.deletesFile(name, deletesGeneration) : nil }

    static func deletesFile(_ name: String, _ generation: Int) -> String { "\(name)_\(generation).del" }

    /// Documents not deleted.
    public var liveCount: Int { docCount - deletedCount }
}

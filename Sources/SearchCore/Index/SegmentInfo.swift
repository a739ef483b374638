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

    /// The files of the segment proper (not its deletes).
    static let extensions = ["tdx", "doc", "pos", "nrm", "dts", "sto", "ids"]

    var files: [String] { Self.extensions.map { "\(name).\($0)" } }

    var deletesFile: String? { deletesGeneration > 0 ? Self.deletesFile(name, deletesGeneration) : nil }

    static func deletesFile(_ name: String, _ generation: Int) -> String { "\(name)_\(generation).del" }

    /// Documents not deleted.
    public var liveCount: Int { docCount - deletedCount }
}

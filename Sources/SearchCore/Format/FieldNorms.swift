import CPrefetch

/// The length of every document's fields, in positions: the `dl` of BM25.
///
/// Layout: for each text field in order (title, body), one u32 per document.
struct FieldNorms {
    private let data: UnsafeRawBufferPointer
    let docCount: Int

    init(_ data: UnsafeRawBufferPointer, docCount: Int) throws(FormatError) {
        guard data.count == docCount * 4 * Field.text.count else { throw .corrupt("field norms size") }
        self.data = data
        self.docCount = docCount
    }

    @inline(__always)
    func length(_ doc: UInt32, _ field: Field) -> UInt32 {
        let at = (Int(field.rawValue) * docCount + Int(doc)) * 4
        return UInt32(littleEndian: data.loadUnaligned(fromByteOffset: at, as: UInt32.self))
    }

    /// Whether the lengths are too many to stay in a core's cache (2 MB of L2 on the machines
    /// measured): only then does asking for them ahead pay (`prefetch`; below that it cost
    /// 5% of a 21 MB index's query time, Docs/BENCHMARKS.md).
    var exceedsCache: Bool { docCount * 4 * Field.text.count > 1 << 21 }

    /// Asks for the cache line of a document's length ahead of its use: a large index's
    /// lengths do not stay in the caches, and the documents scored are scattered over them.
    @inline(__always)
    func prefetch(_ doc: UInt32, _ field: Field) {
        guard let base = data.baseAddress else { return }
        sd_prefetch_read(base + (Int(field.rawValue) * docCount + Int(doc)) * 4)
    }

    static func encode(_ lengths: [[UInt32]]) -> [UInt8] {
        var out = ByteWriter()
        for field in lengths { for l in field { out.u32(l) } }
        return out.bytes
    }
}

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

    static func encode(_ lengths: [[UInt32]]) -> [UInt8] {
        var out = ByteWriter()
        for field in lengths { for l in field { out.u32(l) } }
        return out.bytes
    }
}

/// Each document's date as the range of days it covers, yyyymmdd (a date "2024-06" covers
/// 20240601...20240631), for `date:` filters. Layout: two u32 per document, 0 0 for none.
struct DocumentDates {
    private let data: UnsafeRawBufferPointer
    let count: Int

    init(_ data: UnsafeRawBufferPointer, docCount: Int) throws(FormatError) {
        guard data.count == docCount * 8 else { throw .corrupt("dates size") }
        self.data = data
        self.count = docCount
    }

    func range(_ doc: UInt32) -> ClosedRange<UInt32>? {
        let low = UInt32(littleEndian: data.loadUnaligned(fromByteOffset: Int(doc) * 8, as: UInt32.self))
        let high = UInt32(littleEndian: data.loadUnaligned(fromByteOffset: Int(doc) * 8 + 4, as: UInt32.self))
        return low == 0 || high < low ? nil : low...high
    }

    /// The raw bounds of a document (0 0 for none), for copying into a merged segment.
    func raw(_ doc: UInt32) -> (UInt32, UInt32) {
        (UInt32(littleEndian: data.loadUnaligned(fromByteOffset: Int(doc) * 8, as: UInt32.self)),
         UInt32(littleEndian: data.loadUnaligned(fromByteOffset: Int(doc) * 8 + 4, as: UInt32.self)))
    }

    static func encode(_ dates: [String?]) -> [UInt8] {
        var out = ByteWriter()
        for d in dates {
            let r = d.flatMap(DateRange.bounds)
            out.u32(r?.lowerBound ?? 0)
            out.u32(r?.upperBound ?? 0)
        }
        return out.bytes
    }
}

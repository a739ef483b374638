/// The deleted documents of a segment: a bit set, one bit per document. A value: a snapshot
/// keeps its own, so deletes made later never show in searches already running.
///
/// File layout: u32 document count, u32 deleted count, then u64 words (bit d of word d / 64).
struct Deletes: Equatable, Sendable {
    private(set) var words: [UInt64]
    private(set) var count = 0

    init(docCount: Int) {
        words = Array(repeating: 0, count: (docCount + 63) / 64)
    }

    @inline(__always)
    func contains(_ doc: UInt32) -> Bool {
        let w = Int(doc >> 6)
        return w < words.count && words[w] & (1 << UInt64(doc & 63)) != 0
    }

    /// Marks a document deleted; false if it already was.
    @discardableResult
    mutating func insert(_ doc: UInt32) -> Bool {
        let w = Int(doc >> 6), bit: UInt64 = 1 << UInt64(doc & 63)
        guard w < words.count, words[w] & bit == 0 else { return false }
        words[w] |= bit
        count += 1
        return true
    }

    func write(to file: FileWriter, docCount: Int) throws(StoreError) {
        let words = self.words, count = self.count
        try file.write { out in
            out.u32(UInt32(docCount))
            out.u32(UInt32(count))
            for w in words { out.u64(w) }
        }
        try file.finish()
    }

    init(_ data: UnsafeRawBufferPointer, docCount: Int) throws(FormatError) {
        var r = ByteReader(data)
        guard try r.u32() == UInt32(docCount) else { throw .corrupt("deletes file for another document count") }
        let expected = Int(try r.u32())
        self.init(docCount: docCount)
        guard data.count == 8 + words.count * 8 else { throw .corrupt("deletes file size") }
        for i in words.indices { words[i] = try r.u64() }
        count = words.reduce(0) { $0 + $1.nonzeroBitCount }
        guard count == expected else { throw .corrupt("deletes file count") }
    }
}

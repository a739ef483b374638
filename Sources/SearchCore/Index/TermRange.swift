/// The terms of one key range encoded into memory: how a segment's terms are written in
/// parts side by side (a merge, or a flush of several buffers into one segment), then
/// appended to the segment's files in key order.
struct TermRange {
    /// Postings and positions bytes, offsets from 0, and their CRC-32s (computed as the range
    /// is encoded, side by side: appending them does not checksum them again on one thread).
    private var docs: [UInt8] = []
    private var positions: [UInt8] = []
    private var docsCRC: UInt32 = 0
    private var positionsCRC: UInt32 = 0
    /// The terms end to end, with where their postings are.
    private var termBytes: [UInt8] = []
    private var termEnds: [Int] = []
    private var infos: [TermInfo] = []

    /// `count` ranges encoded by `range(k)` side by side, beside `documents` (the segment's
    /// per-document files, independent of its terms); the ranges in order.
    static func sideBySide(_ count: Int, with documents: () throws -> Void, range: (Int) throws -> TermRange) throws -> [TermRange] {
        // task 0 writes the per-document files, task k > 0 encodes range k - 1
        let results = Cores.map(count + 1) { k in
            Result { () throws -> TermRange? in
                if k == 0 {
                    try documents()
                    return nil
                }
                return try range(k - 1)
            }
        }
        return try results.compactMap { try $0.get() }
    }

    /// Encodes what `body` writes: it gets the postings writer, and a function to call with
    /// each term (in order) and its postings' information.
    static func encode(_ body: (inout PostingsWriter, (UnsafeBufferPointer<UInt8>, TermInfo) -> Void) throws -> Void) throws -> TermRange {
        let memory = MemoryDirectory()
        let docs = try FileWriter(memory, "doc"), positions = try FileWriter(memory, "pos")
        var postings = PostingsWriter(docs: docs, positions: positions)
        var range = TermRange()
        try body(&postings) { term, info in
            range.termBytes.append(contentsOf: term)
            range.termEnds.append(range.termBytes.count)
            range.infos.append(info)
        }
        try docs.finish()
        try positions.finish()
        // the files' bytes without their footers: the segment's files get their own
        range.docs = memory.take("doc") ?? []
        range.positions = memory.take("pos") ?? []
        range.docs.removeLast(Footer.size)
        range.positions.removeLast(Footer.size)
        range.docsCRC = docs.payloadChecksum
        range.positionsCRC = positions.payloadChecksum
        return range
    }

    /// Appends the range to a segment's files, after the ranges before it.
    func append(docs docFile: FileWriter, positions positionFile: FileWriter, dictionary: inout TermDictionaryWriter) throws(StoreError) {
        let base = (docs: UInt64(docFile.count), positions: UInt64(positionFile.count))
        try docFile.write(docs, crc: docsCRC)
        try positionFile.write(positions, crc: positionsCRC)
        for (k, var info) in infos.enumerated() {
            info.postingsOffset += base.docs
            info.positionsOffset += base.positions
            let term = termBytes[(k == 0 ? 0 : termEnds[k - 1])..<termEnds[k]]
            try term.withUnsafeBufferPointer { t throws(StoreError) in try dictionary.add(t, info) }
        }
    }
}

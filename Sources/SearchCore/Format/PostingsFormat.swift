/// Postings of one term: document ids, term frequencies and, in a second file, positions.
///
/// .doc, at TermInfo.postingsOffset:
///   - when docFreq > blockSize, a skip table: one 20-byte entry per block
///     (u32 last doc, u32 offset of the block after the table, u32 offset of the block's
///     positions from TermInfo.positionsOffset, u32 max frequency, u32 min field length);
///   - blocks of up to `blockSize` documents: the doc-id deltas (the first relative to the
///     previous block's last doc), then the frequencies, all LEB128 varints.
/// .pos, at TermInfo.positionsOffset: for each document in order, its frequency-many position
/// deltas (from 0 in each document), varints.
enum PostingsFormat {
    static let blockSize = 128
    static let skipEntrySize = 20
}

/// Encodes the postings of terms one after another, given each term's documents in order.
struct PostingsWriter {
    let docs: FileWriter
    let positions: FileWriter

    private var blockDocs: [UInt32] = []
    private var blockFreqs: [UInt32] = []
    /// The term's finished blocks: their skip entries, and their bytes end to end.
    private var blocks: [(lastDoc: UInt32, end: UInt32, posOffset: UInt32, maxFreq: UInt32, minNorm: UInt32)] = []
    private var blockData = ByteWriter()
    private var termPositions = ByteWriter()
    private var lastDoc: UInt32 = 0
    private var docFreq: UInt32 = 0
    private var totalFreq: UInt64 = 0
    private var minNorm: UInt32 = .max
    /// Offset in termPositions where the current block's positions start.
    private var blockPositionsStart = 0

    init(docs: FileWriter, positions: FileWriter) {
        self.docs = docs
        self.positions = positions
    }

    /// Starts a term.
    mutating func startTerm() {
        blocks.removeAll(keepingCapacity: true)
        blockData.bytes.removeAll(keepingCapacity: true)
        termPositions.bytes.removeAll(keepingCapacity: true)
        blockDocs.removeAll(keepingCapacity: true)
        blockFreqs.removeAll(keepingCapacity: true)
        lastDoc = 0
        docFreq = 0
        totalFreq = 0
        minNorm = .max
        blockPositionsStart = 0
    }

    /// Adds one document of the current term (doc ids ascending) with its positions' deltas
    /// already varint-encoded, and the field length of the document.
    mutating func add(doc: UInt32, freq: UInt32, positionDeltas: UnsafeBufferPointer<UInt8>, norm: UInt32) {
        blockDocs.append(doc)
        blockFreqs.append(freq)
        minNorm = min(minNorm, norm)
        termPositions.raw(positionDeltas)
        docFreq += 1
        totalFreq += UInt64(freq)
        if blockDocs.count == PostingsFormat.blockSize { flushBlock() }
    }

    /// Ends the current term and returns where its postings are.
    mutating func finishTerm() throws(StoreError) -> TermInfo {
        if !blockDocs.isEmpty { flushBlock() }
        let info = TermInfo(docFreq: docFreq, totalFreq: totalFreq,
                            postingsOffset: UInt64(docs.count), positionsOffset: UInt64(positions.count))
        if blocks.count > 1 {
            try docs.write { docs in
                var offset: UInt32 = 0
                for b in blocks {
                    docs.u32(b.lastDoc)
                    docs.u32(offset)
                    docs.u32(b.posOffset)
                    docs.u32(b.maxFreq)
                    docs.u32(b.minNorm)
                    offset = b.end
                }
            }
        }
        try docs.write(blockData.bytes)
        try positions.write(termPositions.bytes)
        return info
    }

    private mutating func flushBlock() {
        var previous = lastDoc
        for d in blockDocs {
            blockData.varint(d - previous)
            previous = d
        }
        for f in blockFreqs { blockData.varint(f) }
        blocks.append((blockDocs.last!, UInt32(blockData.count), UInt32(blockPositionsStart), blockFreqs.max()!, minNorm))
        lastDoc = blockDocs.last!
        blockDocs.removeAll(keepingCapacity: true)
        blockFreqs.removeAll(keepingCapacity: true)
        blockPositionsStart = termPositions.count
        minNorm = .max
    }
}

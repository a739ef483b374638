/// Postings of one term: document ids, term frequencies and, in a second file, positions.
///
/// .doc, at TermInfo.postingsOffset:
///   - when docFreq > blockSize, a varint block count, then a skip table: one 16-byte entry
///     per block (u32 last doc, u32 offset of the block's data and u32 offset of its impacts,
///     both from the end of the table, u32 offset of the block's positions from
///     TermInfo.positionsOffset); then
///     every block's impacts: a varint count and that many (frequency, field length) varint
///     pairs — those of its documents that no other beats on both (higher or equal frequency
///     and shorter or equal length), by frequency descending (Lucene's "impacts"). BM25 grows
///     with the frequency and shrinks with the length whatever avgdl is, so the best of them
///     is the block's exact maximum. When there are more than `groupBlocks` blocks, a group
///     table follows the skip table: one u32 per group of `groupBlocks` blocks (the last may
///     have fewer), the offset of the group's impacts — those of all its documents — from the
///     end of the tables; the groups' impacts follow the blocks' (a search passes a group
///     that cannot enter the top hits in one step: Lucene's second skip level). Every offset
///     counts from the end of both tables;
///   - blocks of up to `blockSize` documents: the doc-id deltas (the first relative to the
///     previous block's last doc), then the frequencies. A full block packs each of the two:
///     a byte with the bit width w of its largest value, then the 128 values in w bits each,
///     least significant bit first (`BitPacking`). A block of fewer documents holds LEB128
///     varints: a term's only block (most terms have one), or, in a term of several, after
///     the byte `shortBlock` and its count, anywhere in the list (a merge copies its sources'
///     blocks, after a short block of the documents before them).
/// .pos, at TermInfo.positionsOffset: for each document in order, its frequency-many position
/// deltas (from 0 in each document), varints.
enum PostingsFormat {
    static let blockSize = 128
    /// The first byte of a block of fewer than `blockSize` documents in a term of several
    /// blocks (a full block's first byte is a bit width, at most 32); its count follows.
    static let shortBlock: UInt8 = 0xFF
    static let skipEntrySize = 16
    /// Blocks per group of the second level (8: at 1 GB, a frequent word's search bounds a
    /// few groups and the blocks of the groups that may enter; Docs/BENCHMARKS.md).
    static let groupBlocks = 8
    static let groupEntrySize = 4

    /// The groups of a term of `blocks` blocks (none for up to `groupBlocks`).
    static func groupCount(blocks: Int) -> Int {
        blocks > groupBlocks ? (blocks + groupBlocks - 1) / groupBlocks : 0
    }

    /// A block's documents as the shortest field length of each frequency met (a block has
    /// few distinct frequencies: this stays small).
    typealias Shortest = [(freq: UInt32, length: UInt32)]

    static func note(freq: UInt32, length: UInt32, in shortest: inout Shortest) {
        if let i = shortest.firstIndex(where: { $0.freq == freq }) {
            shortest[i].length = min(shortest[i].length, length)
        } else {
            shortest.append((freq, length))
        }
    }

    /// The block's impacts: by frequency, highest first, a pair is kept when it is shorter
    /// than every pair kept before it.
    static func impacts(_ shortest: Shortest) -> Shortest {
        var kept: Shortest = []
        var bound = UInt32.max
        for p in shortest.sorted(by: { $0.freq > $1.freq }) where p.length < bound {
            kept.append(p)
            bound = p.length
        }
        return kept
    }
}

/// Encodes the postings of terms one after another, given each term's documents in order.
///
/// Not copyable: it owns the block's buffers (raw memory, appended to once per document of
/// every term, without an array's uniqueness checks) and frees them when it ends.
struct PostingsWriter: ~Copyable {
    let docs: FileWriter
    let positions: FileWriter

    private var blockDocs = RawBuffer<UInt32>(capacity: PostingsFormat.blockSize)
    private var blockFreqs = RawBuffer<UInt32>(capacity: PostingsFormat.blockSize)
    /// The field lengths of the term's documents, indexed by the numbers `add` is given.
    private var lengths: [UInt32]?
    /// Scratch space for impacts: a block's documents' lengths, the shortest length per
    /// frequency of the block and of its group (the union of its blocks' impacts), and the
    /// impacts kept.
    private var blockLengths = RawBuffer<UInt32>(capacity: PostingsFormat.blockSize)
    private var blockShortest = ShortestLengths()
    private var groupShortest = ShortestLengths()
    private var kept = RawBuffer<(freq: UInt32, length: UInt32)>(capacity: PostingsFormat.blockSize)
    /// The term's finished blocks: their skip entries, and their impacts and bytes end to end;
    /// its finished groups' impacts, and where each starts.
    private var blocks: [(lastDoc: UInt32, start: UInt32, impacts: UInt32, posOffset: UInt32)] = []
    private var groupData = ByteWriter()
    private var groupStarts: [UInt32] = []
    private var impactData = ByteWriter()
    private var blockData = ByteWriter()
    private var lastDoc: UInt32 = 0
    private var docFreq: UInt32 = 0
    private var totalFreq: UInt64 = 0
    /// Where the term's positions start in their file (they go straight to it), the bytes of
    /// positions its documents take, and where the current block's start.
    private var positionsStart = 0
    private var positionsAdded = 0
    private var blockPositionsStart = 0

    init(docs: FileWriter, positions: FileWriter) {
        self.docs = docs
        self.positions = positions
    }

    deinit {
        blockDocs.free()
        blockFreqs.free()
        blockLengths.free()
        kept.free()
    }

    /// The field lengths of the documents of the terms that follow (indexed by the numbers
    /// given to `add`; nil: 0). They are read only for the impacts of a term of several blocks,
    /// a block at a time: most terms have one block and need none (a random access per document
    /// otherwise, a cache miss each in a large merge). Set when the field changes, not per
    /// term: the encoding threads share the arrays, and a retain and release per term made
    /// them contend for the arrays' counts.
    mutating func useLengths(_ lengths: [UInt32]?) {
        self.lengths = lengths
    }

    /// Starts a term.
    mutating func startTerm() {
        // (only a term of several blocks fills these: an empty array's removeAll is not free)
        if !blocks.isEmpty { blocks.removeAll(keepingCapacity: true) }
        if !impactData.bytes.isEmpty { impactData.bytes.removeAll(keepingCapacity: true) }
        if !groupData.bytes.isEmpty { groupData.bytes.removeAll(keepingCapacity: true) }
        if !groupStarts.isEmpty { groupStarts.removeAll(keepingCapacity: true) }
        groupShortest.clear()
        if !blockData.bytes.isEmpty { blockData.bytes.removeAll(keepingCapacity: true) }
        blockDocs.removeAll()
        blockFreqs.removeAll()
        lastDoc = 0
        docFreq = 0
        totalFreq = 0
        positionsStart = positions.count
        positionsAdded = 0
        blockPositionsStart = 0
    }

    /// Adds one document of the current term (doc ids ascending) with its positions' deltas
    /// already varint-encoded.
    mutating func add(doc: UInt32, freq: UInt32, positionDeltas: UnsafeBufferPointer<UInt8>) {
        add(doc: doc, freq: freq, positionBytes: positionDeltas.count)
        appendPositions(positionDeltas)
    }

    /// `add` when the positions come apart from their documents: the document's positions
    /// take `positionBytes` bytes of what `appendPositions` adds, in the same order.
    mutating func add(doc: UInt32, freq: UInt32, positionBytes: Int) {
        blockDocs.append(doc)
        blockFreqs.append(freq)
        positionsAdded += positionBytes
        docFreq += 1
        totalFreq += UInt64(freq)
        if blockDocs.count == PostingsFormat.blockSize { flushBlock() }
    }

    /// Documents whose positions lie one after another in `data` from `measured` on (a merge's
    /// source, or the positions file's buffer after a flush copied them there): measured, their
    /// varints skipped in bulk, only where a block of the writer ends (its skip entry says where
    /// the next block's positions start) and at the run's end — a term of one block, most of
    /// them, has its positions read once, when copied.
    struct PositionsRun {
        let data: UnsafeRawBufferPointer
        var measured: Int
        /// Positions of the documents added since the last measure.
        var pending = 0
    }

    /// `add` for a document of a `PositionsRun`.
    mutating func add(doc: UInt32, freq: UInt32, in run: inout PositionsRun) {
        run.pending += Int(freq)
        let from = run.measured
        if blockDocs.count == PostingsFormat.blockSize - 1 {  // this one ends a block
            skipVarints(run.data, &run.measured, count: run.pending)
            run.pending = 0
        }
        add(doc: doc, freq: freq, positionBytes: run.measured - from)
    }

    /// Counts the positions of a run's documents not measured yet, up to `end` when known
    /// (else skipped over); returns where the run ends in its data.
    mutating func endRun(_ run: inout PositionsRun, at end: Int? = nil) -> Int {
        let from = run.measured
        if let end { run.measured = end } else { skipVarints(run.data, &run.measured, count: run.pending) }
        positionsAdded += run.measured - from
        return run.measured
    }

    /// Appends position deltas of the current term's documents (see `add(doc:freq:positionBytes:)`):
    /// into the positions file's buffer, which `finishTerm` writes out when it is large.
    mutating func appendPositions(_ bytes: UnsafeBufferPointer<UInt8>) { positions.append(bytes) }

    /// Adds a source's postings of the current term (the cursor reset on them), renumbered by
    /// adding `base`: a merge's source without deleted documents. The source's blocks but the
    /// last are copied as they are — bytes, impacts, positions — after a short block of the
    /// documents added before them, if any: a block's deltas start from the block before,
    /// which ends at the same document as in the source, and only the first block's first
    /// delta changes (rewritten in place when it fits the block's bit width, else that block
    /// is decoded and added). The last block, whose end is not recorded, is decoded and added.
    /// (Decoding and encoding every block was most of a 1 GB build's final merge.)
    mutating func append(_ cursor: PostingsCursor, base: UInt32) {
        let n = cursor.blockCount
        // the first block's first delta, from the document before it here
        let previous = blockDocs.isEmpty ? lastDoc : blockDocs.last!
        let first = cursor.firstBlockStart()
        let firstDelta = first.flatMap { first in
            let (doc, previous) = (UInt64(base) + UInt64(first.doc), UInt64(previous))
            return doc >= previous && (doc - previous) >> UInt64(first.width) == 0 ? UInt32(doc - previous) : nil
        }
        let copied = (firstDelta == nil ? 1 : 0)..<max(n - 1, 1)
        // (a first block shorter than its first delta's bytes: damage, decoded instead)
        guard !copied.isEmpty, let copy = cursor.encodedBlocks(copied),
              firstDelta == nil || copy.data.count > BitPacking.byteCount(1, width: first!.width) else {
            appendDecoded(cursor, blocks: 0..<n, base: base)
            return
        }
        let (docsBefore, freqBefore) = (docFreq, totalFreq)
        appendDecoded(cursor, blocks: 0..<copied.lowerBound, base: base)
        if !blockDocs.isEmpty { flushBlock() }
        let blockStart = blockData.count
        appendCopied(cursor, blocks: copied, copy, base: base)
        if let firstDelta {
            let replaced = blockData.bytes.withUnsafeMutableBytes {
                BitPacking.replaceFirst(with: firstDelta, in: UnsafeMutableRawBufferPointer(rebasing: $0[blockStart...]))
            }
            precondition(replaced, "the first delta fits the block's width")
        }
        appendDecoded(cursor, blocks: n - 1..<n, base: base)
        // the copied blocks' documents and frequencies, which were not read
        docFreq = docsBefore + UInt32(cursor.docFreq)
        totalFreq = freqBefore + cursor.totalFreq
    }

    /// Adds the documents of the cursor's `blocks`, renumbered by adding `base`. Their
    /// positions follow each other in the source: copied as one `PositionsRun`.
    private mutating func appendDecoded(_ cursor: PostingsCursor, blocks: Range<Int>, base: UInt32) {
        guard !blocks.isEmpty else { return }
        let runStart = cursor.positionsStart(ofBlock: blocks.lowerBound)
        var run = PositionsRun(data: cursor.positionsData, measured: runStart)
        for b in blocks {
            guard cursor.loadBlock(b) else { break }
            cursor.forEachInBlock { doc, freq in add(doc: base &+ doc, freq: freq, in: &run) }
        }
        let runEnd = endRun(&run)
        appendPositions(UnsafeBufferPointer(rebasing: run.data.assumingMemoryBound(to: UInt8.self)[runStart..<runEnd]))
    }

    /// Appends the cursor's encoded `blocks` (`copy`: their bytes and positions), their
    /// documents renumbered by adding `base`: new skip entries, their impacts read and
    /// written again (a group's impacts are those of its blocks').
    private mutating func appendCopied(_ cursor: PostingsCursor, blocks copied: Range<Int>,
                                       _ copy: (data: UnsafeRawBufferPointer, positions: UnsafeRawBufferPointer), base: UInt32) {
        let (dataStart, positionsFrom) = (cursor.dataOffset(ofBlock: copied.lowerBound), cursor.positionsStart(ofBlock: copied.lowerBound))
        for b in copied {
            blocks.append((cursor.lastDoc(ofBlock: b) &+ base, UInt32(blockData.count + cursor.dataOffset(ofBlock: b) - dataStart),
                           UInt32(impactData.count), UInt32(positionsAdded + cursor.positionsStart(ofBlock: b) - positionsFrom)))
            kept.removeAll()
            cursor.forEachImpact(ofBlock: b) { kept.append(($0, $1)) }
            Self.write(kept, into: &impactData)
            for p in kept.buffer { groupShortest.note(freq: p.freq, length: p.length) }
            if blocks.count % PostingsFormat.groupBlocks == 0 { finishGroup() }
        }
        blockData.raw(copy.data)
        appendPositions(copy.positions.assumingMemoryBound(to: UInt8.self))
        positionsAdded += copy.positions.count
        blockPositionsStart = positionsAdded
        lastDoc = cursor.lastDoc(ofBlock: copied.upperBound - 1) &+ base
    }

    /// Ends the current term and returns where its postings are.
    mutating func finishTerm() throws(StoreError) -> TermInfo {
        precondition(positions.count - positionsStart == positionsAdded, "positions appended do not match the documents'")
        try positions.flushIfLarge()
        let info = TermInfo(docFreq: docFreq, totalFreq: totalFreq,
                            postingsOffset: UInt64(docs.count), positionsOffset: UInt64(positionsStart))
        if blocks.isEmpty {
            // one block (most terms): no skip table, hence no impacts; straight into the file
            try docs.write { Self.encodeBlock(&blockDocs, &blockFreqs, after: &lastDoc, marked: false, into: &$0) }
            return info
        }
        if !blockDocs.isEmpty { flushBlock() }
        if blocks.count > 1 {
            precondition(Int(docFreq) > PostingsFormat.blockSize, "a term of several blocks has more documents than one holds")
            let groups = PostingsFormat.groupCount(blocks: blocks.count) > 0
            if groups && blocks.count % PostingsFormat.groupBlocks != 0 { finishGroup() }
            let impactBytes = UInt32(impactData.count + (groups ? groupData.count : 0))
            try docs.write { docs in
                docs.varint(blocks.count)
                for b in blocks {
                    docs.u32(b.lastDoc)
                    docs.u32(impactBytes + b.start)
                    docs.u32(b.impacts)
                    docs.u32(b.posOffset)
                }
                if groups {
                    for g in groupStarts { docs.u32(UInt32(impactData.count) + g) }
                }
            }
            try docs.write(impactData.bytes)
            if groups { try docs.write(groupData.bytes) }
        }
        try docs.write(blockData.bytes)
        return info
    }

    /// Ends a block of a term of several: its skip entry, impacts and bytes wait for `finishTerm`.
    private mutating func flushBlock() {
        blocks.append((blockDocs.last!, UInt32(blockData.count), UInt32(impactData.count), UInt32(blockPositionsStart)))
        writeImpacts()
        Self.encodeBlock(&blockDocs, &blockFreqs, after: &lastDoc, marked: true, into: &blockData)
        blockPositionsStart = positionsAdded
        if blocks.count % PostingsFormat.groupBlocks == 0 { finishGroup() }
    }

    /// Writes the impacts of the group the last blocks make (written for every term of several
    /// blocks, kept only for those of more than a group's).
    private mutating func finishGroup() {
        groupStarts.append(UInt32(groupData.count))
        groupShortest.takeImpacts(into: &kept)
        Self.write(kept, into: &groupData)
    }

    private static func write(_ impacts: RawBuffer<(freq: UInt32, length: UInt32)>, into out: inout ByteWriter) {
        out.varint(UInt32(impacts.count))
        for p in impacts.buffer {
            out.varint(p.freq)
            out.varint(p.length)
        }
    }

    /// Appends a block's documents, as deltas from `lastDoc` on, and frequencies, and empties
    /// it; `lastDoc` becomes its last document. `marked`: a block of a term of several, which
    /// when short starts with `PostingsFormat.shortBlock` and its count.
    private static func encodeBlock(_ blockDocs: inout RawBuffer<UInt32>, _ blockFreqs: inout RawBuffer<UInt32>,
                                    after lastDoc: inout UInt32, marked: Bool, into out: inout ByteWriter) {
        var previous = lastDoc
        for i in 0..<blockDocs.count {  // the documents become their deltas
            let doc = blockDocs[i]
            blockDocs[i] = doc - previous
            previous = doc
        }
        if blockDocs.count == PostingsFormat.blockSize {
            BitPacking.pack(blockDocs.buffer, into: &out)
            BitPacking.pack(blockFreqs.buffer, into: &out)
        } else {
            if marked {
                out.u8(PostingsFormat.shortBlock)
                out.u8(UInt8(blockDocs.count))
            }
            for d in blockDocs.buffer { out.varint(d) }
            for f in blockFreqs.buffer { out.varint(f) }
        }
        lastDoc = previous
        blockDocs.removeAll()
        blockFreqs.removeAll()
    }

    /// The impacts of the block's documents (still numbers, not deltas): what
    /// `PostingsFormat.impacts` gives, without its sort and arrays (in a large merge this was
    /// 9% of the time); they count towards the group's too.
    private mutating func writeImpacts() {
        let n = blockDocs.count
        blockLengths.removeAll()
        if let lengths {
            // the lengths first, in a loop of loads alone: their cache misses overlap
            blockLengths.reserveCapacity(n)
            blockLengths.setCount(n)
            let (docs, out) = (blockDocs.base, blockLengths.base)
            lengths.withUnsafeBufferPointer { lengths in
                for i in 0..<n { out[i] = lengths[Int(docs[i])] }
            }
        } else {
            blockLengths.append(repeating: 0, count: n)
        }
        // frequency 1, most documents', in a register: through the table, each one's minimum
        // waited for the store of the one before
        var shortestOfOne = UInt32.max, one = false
        for i in 0..<n {
            let (freq, length) = (blockFreqs[i], blockLengths[i])
            if freq == 1 {
                shortestOfOne = min(shortestOfOne, length)
                one = true
            } else {
                blockShortest.note(freq: freq, length: length)
            }
        }
        if one { blockShortest.note(freq: 1, length: shortestOfOne) }
        blockShortest.takeImpacts(into: &kept)
        Self.write(kept, into: &impactData)
        for p in kept.buffer { groupShortest.note(freq: p.freq, length: p.length) }
    }
}

/// The shortest field length met with each frequency, which impacts are made of: below 64 in
/// a table (where `met` has the frequency's bit), larger ones (rare) in a list.
struct ShortestLengths: ~Copyable {
    private let table = RawBuffer<UInt32>.unset(64)
    private var met: UInt64 = 0
    private var large: PostingsFormat.Shortest = []

    deinit { table.free() }

    @inline(__always)
    mutating func note(freq: UInt32, length: UInt32) {
        if freq < 64 {
            let bit = UInt64(1) << freq
            table[Int(freq)] = met & bit == 0 ? length : min(table[Int(freq)], length)
            met |= bit
        } else {
            PostingsFormat.note(freq: freq, length: length, in: &large)
        }
    }

    /// Forgets every length noted.
    mutating func clear() {
        met = 0
        if !large.isEmpty { large.removeAll(keepingCapacity: true) }
    }

    /// The impacts of the lengths noted (`PostingsFormat.impacts`: by frequency descending, a
    /// pair kept when shorter than every pair kept before it) into `kept`; then clears.
    mutating func takeImpacts(into kept: inout RawBuffer<(freq: UInt32, length: UInt32)>) {
        kept.removeAll()
        var bound = UInt32.max
        if !large.isEmpty {
            for p in PostingsFormat.impacts(large) {
                kept.append(p)
                bound = p.length
            }
        }
        while met != 0 {
            let freq = 63 - met.leadingZeroBitCount
            met &= ~(UInt64(1) << freq)
            let length = table[freq]
            guard length < bound else { continue }
            kept.append((UInt32(freq), length))
            bound = length
        }
        clear()
    }
}

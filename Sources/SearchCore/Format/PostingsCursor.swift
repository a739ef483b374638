/// Iterates the postings of one term in one segment (format: see `PostingsFormat`).
///
/// A damaged file never traps: decoding stops at the damage and the cursor ends there
/// (`searchd check` is what reports damage).
final class PostingsCursor {
    static let end = UInt32.max

    private(set) var docFreq: Int
    private(set) var totalFreq: UInt64 = 0
    private let docData: UnsafeRawBufferPointer
    private let posData: UnsafeRawBufferPointer
    private var skipTable = 0
    private var blocksStart = 0
    private(set) var blockCount: Int
    /// Groups of `PostingsFormat.groupBlocks` blocks with their own impacts (0: none).
    private(set) var groupCount = 0
    private var groupTable = 0
    private var positionsStart = 0

    /// The decoded block (-1 before the first).
    private(set) var block = -1
    private var docs: UnsafeMutablePointer<UInt32>
    private var freqs: UnsafeMutablePointer<UInt32>
    private var count = 0
    private var index = -1
    /// The current document, or `PostingsCursor.end`.
    private(set) var doc: UInt32 = 0

    // Positions of the current block are read lazily: posOffset is where the positions of
    // document posIndex (of the block) start.
    private var posOffset = 0
    private var posIndex = 0

    init(info: TermInfo, docData: UnsafeRawBufferPointer, posData: UnsafeRawBufferPointer) {
        self.docFreq = 0
        self.blockCount = 0
        self.docData = docData
        self.posData = posData
        // one allocation for both (a search makes a cursor per term and segment)
        docs = .allocate(capacity: 2 * PostingsFormat.blockSize)
        freqs = docs + PostingsFormat.blockSize
        reset(info)
    }

    /// Starts over on the postings of another term of the same segment (a merge reuses one
    /// cursor for all the terms of a source).
    func reset(_ info: TermInfo) {
        docFreq = Int(info.docFreq)
        totalFreq = info.totalFreq
        skipTable = Int(info.postingsOffset)
        if docFreq > PostingsFormat.blockSize {
            // the block count, then the skip table (a damaged count reads as no block)
            blockCount = readVarint(docData, &skipTable).map(Int.init) ?? 0
        } else {
            blockCount = docFreq > 0 ? 1 : 0
        }
        groupCount = PostingsFormat.groupCount(blocks: blockCount)
        groupTable = skipTable + blockCount * PostingsFormat.skipEntrySize
        blocksStart = blockCount > 1 ? groupTable + groupCount * PostingsFormat.groupEntrySize : skipTable
        positionsStart = Int(info.positionsOffset)
        block = -1
        count = 0
        pendingFreqs = -1
        found = (0, 0)
        index = -1
        doc = 0
        posOffset = 0
        posIndex = 0
    }

    deinit {
        docs.deallocate()  // and freqs, which lie after the docs
    }

    /// The frequency of the term in the current document.
    var freq: UInt32 { blockFreqs[index] }

    /// Where the decoded block's frequencies start while they are not decoded yet (-1 once
    /// they are): a search often decodes a block only to find a document in it, and reads
    /// few of its frequencies, if any.
    private var pendingFreqs = -1
    /// A block's frequencies ran past the data (`searchd check` reports it).
    private(set) var isDamaged = false

    /// The decoded block's frequencies (decoded at the first use).
    private var blockFreqs: UnsafeMutablePointer<UInt32> {
        @inline(__always) get {
            if pendingFreqs >= 0 { decodeFreqs() }
            return freqs
        }
    }

    private func decodeFreqs() {
        var offset = pendingFreqs
        pendingFreqs = -1
        if count == PostingsFormat.blockSize {
            if !BitPacking.unpack(docData, &offset, count: count, into: freqs) {
                isDamaged = true
                for j in 0..<count { freqs[j] = 0 }
            }
            return
        }
        for i in 0..<count {
            guard let f = readVarint(docData, &offset) else {
                isDamaged = true
                for j in i..<count { freqs[j] = 0 }
                return
            }
            freqs[i] = f
        }
    }

    /// The document `k` after the current one in the decoded block, or the block's last.
    @inline(__always)
    func docAhead(_ k: Int) -> UInt32 { docs[min(index + k, count - 1)] }

    /// Moves to the next document and returns it (or `end`).
    @discardableResult
    func next() -> UInt32 {
        index += 1
        if index >= count {
            guard loadBlock(block + 1) else { return finish() }
        }
        doc = docs[index]
        return doc
    }

    /// Moves to the first document ≥ target and returns it (or `end`). Skips whole blocks.
    @discardableResult
    func advance(to target: UInt32) -> UInt32 {
        if index >= 0 && index < count {
            if docs[index] >= target { return doc }
            // within the decoded block (the usual step of a union): no skip table search
            if docs[count - 1] >= target {
                var i = index + 1
                while docs[i] < target { i += 1 }
                index = i
                doc = docs[i]
                return doc
            }
        }
        if doc == Self.end { return doc }
        if blockCount > 1 {
            let lo = blockHolding(target)
            if lo != block { guard loadBlock(lo) else { return finish() } }
        } else if block < 0 {
            guard loadBlock(0) else { return finish() }
        }
        if index < 0 { index = 0 }
        while true {
            while index < count {
                if docs[index] >= target {
                    doc = docs[index]
                    return doc
                }
                index += 1
            }
            guard loadBlock(block + 1) else { return finish() }
        }
    }

    /// Where the first document ≥ target is, read without moving and without decoding a
    /// block: the decoded block is searched, others are found in the skip table. `doc` is that
    /// document, or — when it lies inside a block not decoded — `target`, a lower bound; `end`
    /// when there is none. `block` is the block holding it, nil for postings of one block
    /// (which has no skip table).
    func peek(_ target: UInt32) -> (doc: UInt32, block: Int?) {
        let multi = blockCount > 1
        if index >= 0 && index < count {
            if doc >= target { return (doc, multi ? block : nil) }
            if docs[count - 1] >= target {
                var i = index + 1
                while docs[i] < target { i += 1 }
                return (docs[i], multi ? block : nil)
            }
        }
        if doc == Self.end { return (doc, nil) }
        guard multi else { return (block < 0 ? target : Self.end, nil) }  // not decoded yet, or all before target
        guard skipEntry(blockCount - 1, 0) >= target else { return (Self.end, nil) }
        let lo = blockHolding(target)
        // the block's first document: the one before it plus the block's first delta
        var (n, offset) = header(ofBlock: lo)
        let delta = n == PostingsFormat.blockSize
            ? BitPacking.first(docData, at: offset, count: PostingsFormat.blockSize) : readVarint(docData, &offset)
        let first = (lo > 0 ? skipEntry(lo - 1, 0) : 0) &+ (delta ?? 0)
        return (max(first, target), lo)
    }

    /// Whether `peek(target)` is answered from the decoded block (else from the skip table).
    func decodedBlockHolds(_ target: UInt32) -> Bool { index >= 0 && index < count && docs[count - 1] >= target }

    /// The last target `blockHolding` was asked about, and its answer: a later target's block
    /// is not before it. (A pruned walk asks for run after run without moving the cursor.)
    private var found: (target: UInt32, block: Int) = (0, 0)

    /// The first block whose last document is ≥ target (the last block when none is), from
    /// the current block or the one found last: galloping, then a binary search (targets
    /// mostly move a block or two, and each probe of the skip table may miss the cache).
    private func blockHolding(_ target: UInt32) -> Int {
        var lo = max(block, 0)
        if target >= found.target { lo = max(lo, found.block) }
        var step = 1, hi = lo
        while hi < blockCount - 1 && skipEntry(hi, 0) < target {
            lo = hi + 1
            hi = min(hi + step, blockCount - 1)
            step *= 2
        }
        while lo < hi {
            let mid = (lo + hi) / 2
            if skipEntry(mid, 0) < target { lo = mid + 1 } else { hi = mid }
        }
        found = (target, lo)
        return lo
    }

    /// The last document of block b (postings of several blocks).
    func lastDoc(ofBlock b: Int) -> UInt32 { skipEntry(b, 0) }

    /// Calls `body` with each (frequency, field length) pair of block b's impacts (postings of
    /// several blocks): the best of their scores is the block's maximum.
    func forEachImpact(ofBlock b: Int, _ body: (UInt32, UInt32) -> Void) {
        forEachImpact(at: blocksStart + Int(skipEntry(b, 2)), body)
    }

    /// The group holding block b.
    func group(ofBlock b: Int) -> Int { b / PostingsFormat.groupBlocks }

    /// The last document of group g (postings with groups).
    func lastDoc(ofGroup g: Int) -> UInt32 {
        skipEntry(min((g + 1) * PostingsFormat.groupBlocks, blockCount) - 1, 0)
    }

    /// Calls `body` with each (frequency, field length) pair of group g's impacts (postings
    /// with groups): the best of their scores is the group's maximum.
    func forEachImpact(ofGroup g: Int, _ body: (UInt32, UInt32) -> Void) {
        forEachImpact(at: blocksStart + Int(u32(at: groupTable + g * PostingsFormat.groupEntrySize)), body)
    }

    private func forEachImpact(at start: Int, _ body: (UInt32, UInt32) -> Void) {
        var offset = start
        guard let count = readVarint(docData, &offset) else { return }
        for _ in 0..<count {
            guard let freq = readVarint(docData, &offset), let length = readVarint(docData, &offset) else { return }
            body(freq, length)
        }
    }

    /// Calls `body` with each document and frequency of the decoded block (for postings of a
    /// single block: every one of them).
    func forEachInBlock(_ body: (UInt32, UInt32) -> Void) {
        let freqs = blockFreqs
        for i in 0..<count { body(docs[i], freqs[i]) }
    }

    /// The positions file: a merge copies a source's positions of a term in runs (documents
    /// renumbered in order keep them).
    var positionsData: UnsafeRawBufferPointer { posData }

    /// Where the positions of block b's documents start in `positionsData`.
    func positionsStart(ofBlock b: Int) -> Int { blockCount > 1 ? positionsStart + Int(skipEntry(b, 3)) : positionsStart }

    /// The bytes of the encoded `blocks` (not the last, whose end is not recorded) and of their
    /// positions: what a merge copies as it is. Nil when the tables do not point at the files
    /// in order (damage: the merge decodes instead, which stops there).
    func encodedBlocks(_ blocks: Range<Int>) -> (data: UnsafeRawBufferPointer, positions: UnsafeRawBufferPointer)? {
        guard blocks.upperBound < blockCount else { return nil }
        for b in blocks where skipEntry(b, 1) > skipEntry(b + 1, 1) || skipEntry(b, 3) > skipEntry(b + 1, 3) { return nil }
        let (start, end) = (blocksStart + Int(skipEntry(blocks.lowerBound, 1)), blocksStart + Int(skipEntry(blocks.upperBound, 1)))
        let (from, to) = (positionsStart(ofBlock: blocks.lowerBound), positionsStart(ofBlock: blocks.upperBound))
        guard end <= docData.count, to <= posData.count else { return nil }
        return (UnsafeRawBufferPointer(rebasing: docData[start..<end]), UnsafeRawBufferPointer(rebasing: posData[from..<to]))
    }

    /// The first document of block 0 (its first delta) and the bit width of its deltas, when
    /// the block is full (bit-packed).
    func firstBlockStart() -> (doc: UInt32, width: Int)? {
        let (n, start) = header(ofBlock: 0)
        guard blockCount > 1, n == PostingsFormat.blockSize, let first = BitPacking.first(docData, at: start, count: n) else { return nil }
        return (first, Int(docData[start]))
    }

    /// The start of block b's data from the start of the blocks (a copied block keeps its
    /// entries' offsets relative to it).
    func dataOffset(ofBlock b: Int) -> Int { Int(skipEntry(b, 1)) }

    /// The current document's position deltas as stored (varints): what a merge copies from
    /// a source with deletions, since positions do not change when documents are renumbered.
    func rawPositions() -> UnsafeRawBufferPointer {
        skipPassedPositions()
        let start = posOffset
        skipVarints(posData, &posOffset, count: Int(blockFreqs[index]))
        posIndex += 1
        return UnsafeRawBufferPointer(rebasing: posData[start..<posOffset])
    }

    /// The positions of the term in the current document, ascending.
    func positions(into out: inout [UInt32]) {
        out.removeAll(keepingCapacity: true)
        forEachPosition { out.append($0) }
    }

    /// Calls `body` with each position of the term in the current document, ascending.
    @inline(__always)
    func forEachPosition(_ body: (UInt32) -> Void) {
        skipPassedPositions()
        var p: UInt32 = 0
        for _ in 0..<blockFreqs[index] {
            guard let delta = readVarint(posData, &posOffset) else { break }
            p &+= delta
            body(p)
        }
        posIndex += 1
    }

    /// Moves the positions reader past the documents of the block passed over.
    private func skipPassedPositions() {
        guard posIndex < index else { return }
        // in locals: a loop over the properties stored posIndex back at every document
        var passed = 0
        let freqs = blockFreqs
        for i in posIndex..<index { passed &+= Int(freqs[i]) }
        posIndex = index
        skipVarints(posData, &posOffset, count: passed)
    }

    private func finish() -> UInt32 {
        index = count
        doc = Self.end
        return doc
    }

    @inline(__always)
    private func skipEntry(_ b: Int, _ field: Int) -> UInt32 {
        u32(at: skipTable + b * PostingsFormat.skipEntrySize + field * 4)
    }

    /// The u32 at `at` of the postings file (`end` past its end: an offset read from it then
    /// points past the data, and what it leads to reads as missing).
    @inline(__always)
    private func u32(at: Int) -> UInt32 {
        guard at + 4 <= docData.count else { return Self.end }
        return UInt32(littleEndian: docData.loadUnaligned(fromByteOffset: at, as: UInt32.self))
    }

    /// How many documents block b holds and where its deltas start: the postings of one block
    /// hold docFreq; in a term of several, a full block starts with its first bit width (at
    /// most 32), a shorter one with `PostingsFormat.shortBlock` and its count.
    private func header(ofBlock b: Int) -> (count: Int, start: Int) {
        guard blockCount > 1 else { return (docFreq, blocksStart) }
        let start = blocksStart + Int(skipEntry(b, 1))
        guard start + 1 < docData.count, docData[start] == PostingsFormat.shortBlock else { return (PostingsFormat.blockSize, start) }
        return (Int(min(max(docData[start + 1], 1), UInt8(PostingsFormat.blockSize - 1))), start + 2)
    }

    /// Decodes block b; false when there is none (or it is damaged).
    func loadBlock(_ b: Int) -> Bool {
        guard b < blockCount else { return false }
        var (n, offset) = header(ofBlock: b)
        var previous: UInt32 = 0
        if blockCount > 1 {
            posOffset = positionsStart + Int(skipEntry(b, 3))
            if b > 0 { previous = skipEntry(b - 1, 0) }
        } else {
            posOffset = positionsStart
        }
        if n == PostingsFormat.blockSize {
            guard BitPacking.unpack(docData, &offset, count: n, into: docs) else { return false }
            for i in 0..<n {
                previous &+= docs[i]
                docs[i] = previous
            }
        } else {
            for i in 0..<n {
                guard let delta = readVarint(docData, &offset) else { return false }
                previous &+= delta
                docs[i] = previous
            }
        }
        pendingFreqs = offset
        block = b
        count = n
        index = 0
        posIndex = 0
        return true
    }
}

/// Reads a LEB128 varint of up to 32 bits at `offset`; nil when the data ends first.
@inline(__always)
func readVarint(_ data: UnsafeRawBufferPointer, _ offset: inout Int) -> UInt32? {
    // Most postings numbers fit one byte: that case costs one load and one test.
    if offset < data.count {
        let b = data[offset]
        if b < 0x80 {
            offset += 1
            return UInt32(b)
        }
    }
    var result: UInt32 = 0
    var shift: UInt32 = 0
    while offset < data.count && shift < 35 {
        let b = data[offset]
        offset += 1
        result |= UInt32(b & 0x7F) << shift
        if b < 0x80 { return result }
        shift += 7
    }
    return nil
}

/// Moves `offset` past `count` varints, or to the end of the data. Every varint ends with its
/// one byte below 0x80, so eight bytes that hold fewer ends than are left to skip are passed
/// whole, without decoding: a phrase's frequent terms skip the positions of most documents.
@inline(__always)
func skipVarints(_ data: UnsafeRawBufferPointer, _ offset: inout Int, count: Int) {
    var left = count
    var at = offset
    // not when the ends equal what is left: the bytes after the last may start the next varint
    while left > 0 && at + 8 <= data.count {
        // a 1 in the low bit of each byte that ends a varint, summed into the top byte by a
        // multiply (`nonzeroBitCount` is a dozen instructions without x86's POPCNT, which
        // Swift's default target leaves out)
        let ones = ((~data.loadUnaligned(fromByteOffset: at, as: UInt64.self) & 0x8080_8080_8080_8080) >> 7)
        let ends = Int((ones &* 0x0101_0101_0101_0101) >> 56)
        guard ends < left else { break }
        left -= ends
        at += 8
    }
    while left > 0 && at < data.count {
        if data[at] < 0x80 { left -= 1 }
        at += 1
    }
    offset = at
}

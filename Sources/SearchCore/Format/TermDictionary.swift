#if canImport(Glibc)
import Glibc
#endif

/// The sorted terms of a segment and where their postings are.
///
/// Layout: blocks of up to `blockSize` terms, each term written as varints
/// (shared prefix length with the previous term of the block, suffix length, suffix bytes,
/// docFreq, totalFreq, postings offset, positions offset; the two offsets are deltas from the
/// previous term of the block, absolute for its first). Then a u64 offset per block, then
/// u64 offset of that block index, u32 block count, u32 term count.
enum TermDictionaryFormat {
    static let blockSize = 32
    static let trailerSize = 16
}

struct TermDictionaryWriter {
    private let file: FileWriter
    private var blockOffsets: [UInt64] = []
    /// The block being written, handed to the file when it is full: the dictionary of a large
    /// segment is written on one core at the end of a build, a term at a time.
    private var block = ByteWriter()
    /// The previous term of the block: its first `previousCount` bytes (the array only grows,
    /// and each term rewrites only what it does not share).
    private var previous: [UInt8] = []
    private var previousCount = 0
    private var previousInfo = TermInfo(docFreq: 0, totalFreq: 0, postingsOffset: 0, positionsOffset: 0)
    private var inBlock = 0
    private(set) var termCount = 0

    init(_ file: FileWriter) { self.file = file }

    /// Adds a term; terms must come in ascending byte order.
    mutating func add(_ key: UnsafeBufferPointer<UInt8>, _ info: TermInfo) throws(StoreError) {
        if inBlock == TermDictionaryFormat.blockSize || blockOffsets.isEmpty {
            try writeBlock()
            blockOffsets.append(UInt64(file.count))
            inBlock = 0
            previousCount = 0
            previousInfo = TermInfo(docFreq: 0, totalFreq: 0, postingsOffset: 0, positionsOffset: 0)
        }
        if previous.count < key.count { previous.append(contentsOf: repeatElement(0, count: key.count - previous.count)) }
        let shared = previous.withUnsafeMutableBufferPointer { p in
            var shared = 0
            while shared < previousCount && shared < key.count && p[shared] == key[shared] { shared += 1 }
            for i in shared..<key.count { p[i] = key[i] }
            return shared
        }
        previousCount = key.count
        block.varint(shared)
        block.blob(UnsafeBufferPointer(rebasing: key[shared...]))
        block.varint(info.docFreq)
        block.varint(info.totalFreq)
        block.varint(info.postingsOffset - previousInfo.postingsOffset)
        block.varint(info.positionsOffset - previousInfo.positionsOffset)
        previousInfo = info
        inBlock += 1
        termCount += 1
    }

    private mutating func writeBlock() throws(StoreError) {
        guard block.count > 0 else { return }
        try file.write(block.bytes)
        block.bytes.removeAll(keepingCapacity: true)
    }

    mutating func finish() throws(StoreError) {
        try writeBlock()
        try BlockIndex.finish(file, blockOffsets: blockOffsets, entries: termCount)
    }
}

/// Reads a term dictionary in place (from an array or a memory map).
struct TermDictionary {
    fileprivate let data: UnsafeRawBufferPointer
    fileprivate let indexOffset: Int
    let blockCount: Int
    let termCount: Int
    /// Where each block's first term is in `data` (offset, length), decoded once at open so
    /// that a lookup's binary search compares bytes in place.
    private let firstTerms: [(offset: Int32, length: Int32)]

    init(_ data: UnsafeRawBufferPointer) throws(FormatError) {
        self.data = data
        guard data.count >= TermDictionaryFormat.trailerSize else { throw .truncated }
        var r = ByteReader(data, offset: data.count - TermDictionaryFormat.trailerSize)
        guard let indexOffset = Int(exactly: try r.u64()), indexOffset <= data.count else { throw .corrupt("term dictionary index offset") }
        self.indexOffset = indexOffset
        let blockCount = Int(try r.u32())
        self.blockCount = blockCount
        termCount = Int(try r.u32())
        guard indexOffset + blockCount * 8 + TermDictionaryFormat.trailerSize == data.count else {
            throw .corrupt("term dictionary index")
        }
        var firstTerms: [(offset: Int32, length: Int32)] = []
        firstTerms.reserveCapacity(blockCount)
        for b in 0..<blockCount {
            let raw = UInt64(littleEndian: data.loadUnaligned(fromByteOffset: indexOffset + b * 8, as: UInt64.self))
            guard raw < UInt64(indexOffset) else { throw .corrupt("term dictionary block offset") }
            var block = ByteReader(data, offset: Int(raw))
            guard try block.int() == 0 else { throw .corrupt("term dictionary block start") }
            let suffix = try block.blob()
            firstTerms.append((Int32(suffix.baseAddress! - data.baseAddress!), Int32(suffix.count)))
        }
        self.firstTerms = firstTerms
    }

    /// The postings information of a term, if the segment has it.
    func lookup(_ key: UnsafeBufferPointer<UInt8>) -> TermInfo? {
        guard let b = block(for: key) else { return nil }
        var found: TermInfo?
        scan(block: b) { term, info in
            let c = Self.compare(term, key)
            if c == 0 { found = info }
            return c < 0
        }
        return found
    }

    func lookup(_ key: [UInt8]) -> TermInfo? {
        key.withUnsafeBufferPointer { lookup($0) }
    }

    /// Calls `body` for every term starting with `prefix`, in order, until it returns false.
    func forEachTerm(withPrefix prefix: [UInt8], _ body: (UnsafeBufferPointer<UInt8>, TermInfo) -> Bool) {
        prefix.withUnsafeBufferPointer { p in
            var b = block(for: p) ?? 0
            var done = false
            while !done && b < blockCount {
                scan(block: b) { term, info in
                    if term.count >= p.count && (p.isEmpty || memcmp(term.baseAddress!, p.baseAddress!, p.count) == 0) {
                        done = !body(term, info)
                    } else if Self.compare(term, p) > 0 {
                        done = true  // sorted: past every term with the prefix
                    }
                    return !done
                }
                b += 1
            }
        }
    }

    /// Up to `count` - 1 terms that cut the dictionary into `count` runs of about as many
    /// postings and positions bytes, ascending: where side-by-side merges split the terms.
    func splitTerms(_ count: Int) -> [[UInt8]] {
        guard count > 1, blockCount > 1 else { return [] }
        // where each block's postings and positions start: its first entry's offsets
        let starts: [UInt64] = (0..<blockCount).map { b in
            var start: UInt64 = 0
            scan(block: b) { _, info in
                start = info.postingsOffset + info.positionsOffset
                return false
            }
            return start
        }
        let total = max(1, starts.last!)
        var terms: [[UInt8]] = []
        var b = 1
        for k in 1..<count {
            while b < blockCount && starts[b] * UInt64(count) < total * UInt64(k) { b += 1 }
            guard b < blockCount, let first = firstTerm(of: b) else { break }
            if terms.last.map({ $0.lexicographicallyPrecedes(first) }) ?? true { terms.append(Array(first)) }
        }
        return terms
    }

    /// The last block whose first term is ≤ key.
    fileprivate func block(for key: UnsafeBufferPointer<UInt8>) -> Int? {
        var lo = 0, hi = blockCount - 1, result: Int? = nil
        while lo <= hi {
            let mid = (lo + hi) / 2
            guard let first = firstTerm(of: mid) else { return nil }
            if Self.compare(first, key) <= 0 {
                result = mid
                lo = mid + 1
            } else {
                hi = mid - 1
            }
        }
        return result
    }

    /// Where block b starts (a damaged offset reads as the end of the blocks: an empty block).
    fileprivate func blockOffset(_ b: Int) -> Int {
        let raw = UInt64(littleEndian: data.loadUnaligned(fromByteOffset: indexOffset + b * 8, as: UInt64.self))
        return raw < UInt64(indexOffset) ? Int(raw) : indexOffset
    }

    @inline(__always)
    private func firstTerm(of b: Int) -> UnsafeBufferPointer<UInt8>? {
        let (offset, length) = firstTerms[b]
        return UnsafeBufferPointer(start: data.baseAddress!.assumingMemoryBound(to: UInt8.self) + Int(offset), count: Int(length))
    }

    /// Decodes the terms of block b in order, calling `body` until it returns false.
    /// Longest term a dictionary holds (keys are field, namespace and a term of at most
    /// `Analyzer.maxTermBytes`; path prefixes are bounded by PATH_MAX).
    static let maxKeyBytes = 4096

    private func scan(block b: Int, _ body: (UnsafeBufferPointer<UInt8>, TermInfo) -> Bool) {
        var r = ByteReader(data, offset: blockOffset(b))
        let end = b + 1 < blockCount ? blockOffset(b + 1) : indexOffset
        // the current term, rebuilt in place from the shared prefix and the next suffix
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Self.maxKeyBytes) { term in
            var length = 0
            var info = TermInfo(docFreq: 0, totalFreq: 0, postingsOffset: 0, positionsOffset: 0)
            while r.offset < end {
                do {
                    let shared = try r.int()
                    let suffix = try r.blob()
                    guard shared <= length, shared + suffix.count <= term.count else { return }
                    if let from = suffix.baseAddress {
                        UnsafeMutableRawPointer(term.baseAddress! + shared).copyMemory(from: from, byteCount: suffix.count)
                    }
                    length = shared + suffix.count
                    info.docFreq = try r.varint32()
                    info.totalFreq = try r.varint()
                    info.postingsOffset += try r.varint()
                    info.positionsOffset += try r.varint()
                } catch {
                    return
                }
                if !body(UnsafeBufferPointer(rebasing: term[..<length]), info) { return }
            }
        }
    }

    /// A cursor over every term in order (what a merge walks).
    struct Iterator {
        let dictionary: TermDictionary
        private var block = -1
        private var reader: ByteReader
        private var end = 0
        private(set) var term: [UInt8] = []
        private(set) var info = TermInfo(docFreq: 0, totalFreq: 0, postingsOffset: 0, positionsOffset: 0)

        init(_ dictionary: TermDictionary) {
            self.dictionary = dictionary
            reader = ByteReader(dictionary.data)
        }

        /// Moves to the first term ≥ key (from the block that holds it); false if there is none.
        mutating func seek(atLeast key: [UInt8]) -> Bool {
            block = (key.withUnsafeBufferPointer { dictionary.block(for: $0) } ?? 0) - 1
            end = 0
            reader.offset = 0
            while next() {
                if !term.lexicographicallyPrecedes(key) { return true }
            }
            return false
        }

        /// Moves to the next term; false at the end (or at damage).
        mutating func next() -> Bool {
            while reader.offset >= end {
                block += 1
                guard block < dictionary.blockCount else { return false }
                reader.offset = dictionary.blockOffset(block)
                end = block + 1 < dictionary.blockCount ? dictionary.blockOffset(block + 1) : dictionary.indexOffset
                term.removeAll(keepingCapacity: true)
                info = TermInfo(docFreq: 0, totalFreq: 0, postingsOffset: 0, positionsOffset: 0)
            }
            do {
                let shared = try reader.int()
                let suffix = try reader.blob()
                guard shared <= term.count else { return false }
                term.removeSubrange(shared...)
                term.append(contentsOf: suffix)
                info.docFreq = try reader.varint32()
                info.totalFreq = try reader.varint()
                info.postingsOffset += try reader.varint()
                info.positionsOffset += try reader.varint()
                return true
            } catch {
                return false
            }
        }
    }

    /// Byte-wise comparison of two terms in arrays (`memcmp`; `lexicographicallyPrecedes`
    /// goes element by element through generic iterators).
    static func compare(_ a: [UInt8], _ b: [UInt8]) -> Int {
        a.withUnsafeBufferPointer { a in b.withUnsafeBufferPointer { b in compare(a, b) } }
    }

    /// Byte-wise comparison: negative, zero or positive.
    static func compare(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Int {
        let n = min(a.count, b.count)
        if n > 0 {
            let c = memcmp(a.baseAddress!, b.baseAddress!, n)
            if c != 0 { return Int(c) }
        }
        return a.count - b.count
    }
}

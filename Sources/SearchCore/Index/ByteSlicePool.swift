import CPrefetch

/// Memory for many small, growing byte streams (one per term while a segment is built),
/// without one heap allocation per stream: streams are chains of slices of growing size
/// inside 64 KiB blocks, each slice ending in the address of the next (Lucene's ByteBlockPool).
///
/// A value holding pointers (no reference counting, no exclusivity checks in the indexing hot
/// loop); its owner calls `free()`.
struct ByteSlicePool {
    private static let blockShift = 16
    private static let blockSize = 1 << blockShift
    private static let sliceSizes: [Int] = [8, 16, 32, 64, 128, 256, 512, 1024]
    /// Bytes at the end of every slice that hold the address of the next one.
    private static let linkSize = 4

    private var blocks = RawBuffer<UnsafeMutablePointer<UInt8>>(capacity: 16)
    private var used = ByteSlicePool.blockSize

    /// A stream being written: where the next byte goes. A slice's bytes are zero until
    /// written, and its last 4 bytes hold its level + 1 until it fills, then the next slice's
    /// address: a non-zero byte under the cursor is the end of the slice (Lucene's slices).
    /// Where it starts is kept apart (`makeStream`): writing never needs it, and a term's
    /// state, two streams, fits in fewer cache lines without it.
    struct Stream {
        fileprivate var cursor: UInt32 = 0
    }

    init() {}

    func free() {
        for i in 0..<blocks.count { blocks[i].deallocate() }
        blocks.free()
    }

    /// Bytes of memory held.
    var memoryBytes: Int { blocks.count * Self.blockSize }

    /// A new stream, and its start: what reading it needs (`reader`, `forEachPiece`).
    mutating func makeStream() -> (stream: Stream, start: UInt32) {
        let start = allocate(level: 0)
        return (Stream(cursor: start), start)
    }

    @inline(__always)
    mutating func append(_ byte: UInt8, to s: inout Stream) {
        if pointer(s.cursor).pointee != 0 { grow(&s) }
        pointer(s.cursor).pointee = byte
        s.cursor &+= 1
    }

    @inline(__always)
    mutating func appendVarint(_ value: UInt32, to s: inout Stream) {
        var v = value
        while v >= 0x80 {
            append(UInt8(truncatingIfNeeded: v) | 0x80, to: &s)
            v >>= 7
        }
        append(UInt8(v), to: &s)
    }

    /// Asks the CPU to fetch the line where the stream's next byte goes.
    @inline(__always)
    func prefetch(_ s: Stream) { sd_prefetch(pointer(s.cursor)) }

    /// Asks the CPU to fetch the line where a stream starts.
    @inline(__always)
    func prefetchStart(_ start: UInt32) { sd_prefetch(pointer(start)) }

    /// Asks the CPU to fetch the stream's second slice, if it has one: its address is the
    /// link that ends the first (which `prefetchStart` asked for earlier).
    @inline(__always)
    func prefetchSecondSlice(start: UInt32, of s: Stream) {
        let usable = UInt32(Self.sliceSizes[0] - Self.linkSize)
        guard s.cursor < start || s.cursor > start + usable else { return }
        sd_prefetch(pointer(UnsafeRawPointer(pointer(start + usable)).loadUnaligned(as: UInt32.self)))
    }

    /// Reads a stream's bytes in order, across its slices, without copying them. Valid while
    /// the pool is neither changed nor freed.
    struct Reader {
        private let blocks: UnsafeMutablePointer<UnsafeMutablePointer<UInt8>>
        /// Where the stream's bytes end.
        private let cursor: UInt32
        private var at: UnsafeMutablePointer<UInt8>
        /// Bytes left in the current slice; whether it is the stream's last.
        private var inSlice = 0
        private var last = false
        private var level = 0

        fileprivate init(_ pool: ByteSlicePool, start: UInt32, _ s: Stream) {
            blocks = pool.blocks.base
            cursor = s.cursor
            at = pool.pointer(start)
            enter(start)
        }

        var isAtEnd: Bool { inSlice == 0 && last }

        @inline(__always)
        mutating func byte() -> UInt8 {
            if inSlice == 0 { nextSlice() }
            let b = at.pointee
            at += 1
            inSlice &-= 1
            return b
        }

        @inline(__always)
        mutating func varint() -> UInt32 {
            var b = byte()
            var v = UInt32(b & 0x7F)
            var shift: UInt32 = 7
            while b >= 0x80 && !isAtEnd {
                b = byte()
                v |= UInt32(b & 0x7F) << shift
                shift += 7
            }
            return v
        }

        /// Two varints: most pairs a flush reads (a document delta and its frequency) are a
        /// byte each, read at once (byte by byte, each varint's end was a branch mispredicted).
        @inline(__always)
        mutating func varintPair() -> (UInt32, UInt32) {
            if inSlice >= 2 {
                let w = UInt16(littleEndian: UnsafeRawPointer(at).loadUnaligned(as: UInt16.self))
                if w & 0x8080 == 0 {
                    at += 2
                    inSlice &-= 2
                    return (UInt32(w & 0xFF), UInt32(w >> 8))
                }
            }
            let first = varint()
            return (first, varint())
        }

        /// Follows the link that ends the slice (`at` is on it).
        private mutating func nextSlice() {
            let address = UnsafeRawPointer(at).loadUnaligned(as: UInt32.self)
            level = min(level + 1, ByteSlicePool.sliceSizes.count - 1)
            at = blocks[Int(address >> UInt32(ByteSlicePool.blockShift))] + Int(address & UInt32(ByteSlicePool.blockSize - 1))
            enter(address)
        }

        /// The bytes of the slice at `address` (of the current level): up to the stream's
        /// cursor if it lies in this slice (the last), else all but its link.
        private mutating func enter(_ address: UInt32) {
            (inSlice, last) = ByteSlicePool.bytes(inSliceAt: address, level: level, cursor: cursor)
        }
    }

    func reader(start: UInt32, _ s: Stream) -> Reader { Reader(self, start: start, s) }

    /// Calls `body` with each contiguous piece of the stream, in order.
    func forEachPiece(start: UInt32, of s: Stream, _ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        var address = start
        var level = 0
        while true {
            let (n, last) = Self.bytes(inSliceAt: address, level: level, cursor: s.cursor)
            if n > 0 { body(UnsafeBufferPointer(start: pointer(address), count: n)) }
            guard !last else { return }
            address = UnsafeRawPointer(pointer(address + UInt32(n))).loadUnaligned(as: UInt32.self)
            level = min(level + 1, Self.sliceSizes.count - 1)
        }
    }

    /// How many of a stream's bytes the slice at `address` holds, and whether it is the last
    /// (the one holding the cursor: slices never overlap, so only it spans the cursor).
    @inline(__always)
    fileprivate static func bytes(inSliceAt address: UInt32, level: Int, cursor: UInt32) -> (count: Int, last: Bool) {
        let usable = UInt32(sliceSizes[level] - linkSize)
        return cursor >= address && cursor <= address + usable ? (Int(cursor - address), true) : (Int(usable), false)
    }

    /// Links a full slice (the cursor is on its level mark) to a new one.
    private mutating func grow(_ s: inout Stream) {
        let filledLevel = Int(pointer(s.cursor).pointee) - 1  // see `allocate`
        let next = allocate(level: min(filledLevel + 1, Self.sliceSizes.count - 1))
        UnsafeMutableRawPointer(pointer(s.cursor)).storeBytes(of: next, as: UInt32.self)
        s.cursor = next
    }

    /// A new slice: zeros, then its level + 1 where its link goes.
    private mutating func allocate(level: Int) -> UInt32 {
        let size = Self.sliceSizes[level]
        if used + size > Self.blockSize {
            precondition(blocks.count < 1 << (32 - Self.blockShift), "segment buffer over 4 GiB: flush earlier")
            let block = UnsafeMutablePointer<UInt8>.allocate(capacity: Self.blockSize)
            block.initialize(repeating: 0, count: Self.blockSize)
            blocks.append(block)
            used = 0
        }
        let address = UInt32(blocks.count - 1) << Self.blockShift | UInt32(used)
        used += size
        UnsafeMutableRawPointer(pointer(address + UInt32(size - Self.linkSize))).storeBytes(of: UInt32(level + 1), as: UInt32.self)
        return address
    }

    @inline(__always)
    private func pointer(_ address: UInt32) -> UnsafeMutablePointer<UInt8> {
        blocks[Int(address >> UInt32(Self.blockShift))] + Int(address & UInt32(Self.blockSize - 1))
    }
}

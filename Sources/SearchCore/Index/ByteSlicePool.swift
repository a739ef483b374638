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

    /// A stream being written: where it starts, where the next byte goes, where its slice ends.
    struct Stream {
        fileprivate(set) var start: UInt32 = 0
        fileprivate var cursor: UInt32 = 0
        fileprivate var end: UInt32 = 0
        fileprivate var level: UInt8 = 0
        fileprivate(set) var count: UInt32 = 0
    }

    init() {}

    func free() {
        for i in 0..<blocks.count { blocks[i].deallocate() }
        blocks.free()
    }

    /// Bytes of memory held.
    var memoryBytes: Int { blocks.count * Self.blockSize }

    mutating func makeStream() -> Stream {
        let start = allocate(level: 0)
        return Stream(start: start, cursor: start, end: start + UInt32(Self.sliceSizes[0] - Self.linkSize), level: 0)
    }

    @inline(__always)
    mutating func append(_ byte: UInt8, to s: inout Stream) {
        if s.cursor == s.end { grow(&s) }
        pointer(s.cursor).pointee = byte
        s.cursor &+= 1
        s.count &+= 1
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

    /// Asks the CPU to fetch the line where the stream starts.
    @inline(__always)
    func prefetchStart(_ s: Stream) { sd_prefetch(pointer(s.start)) }

    /// Reads a stream's bytes in order, across its slices, without copying them. Valid while
    /// the pool is neither changed nor freed.
    struct Reader {
        private let blocks: UnsafeMutablePointer<UnsafeMutablePointer<UInt8>>
        private var at: UnsafeMutablePointer<UInt8>
        /// Bytes left in the current slice, and in the stream.
        private var inSlice: Int
        private var left: Int
        private var level = 0

        fileprivate init(_ pool: ByteSlicePool, _ s: Stream) {
            blocks = pool.blocks.base
            at = pool.pointer(s.start)
            left = Int(s.count)
            inSlice = min(left, ByteSlicePool.sliceSizes[0] - ByteSlicePool.linkSize)
        }

        var isAtEnd: Bool { left == 0 }

        @inline(__always)
        mutating func byte() -> UInt8 {
            if inSlice == 0 { nextSlice() }
            let b = at.pointee
            at += 1
            inSlice &-= 1
            left &-= 1
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

        /// Passes `count` varints; returns how many bytes they took.
        @inline(__always)
        mutating func skipVarints(_ count: UInt32) -> Int {
            var bytes = 0
            for _ in 0..<count {
                repeat { bytes += 1 } while byte() >= 0x80 && !isAtEnd
            }
            return bytes
        }

        /// Follows the link that ends the slice (`at` is on it).
        private mutating func nextSlice() {
            let address = UnsafeRawPointer(at).loadUnaligned(as: UInt32.self)
            level = min(level + 1, ByteSlicePool.sliceSizes.count - 1)
            at = blocks[Int(address >> UInt32(ByteSlicePool.blockShift))] + Int(address & UInt32(ByteSlicePool.blockSize - 1))
            inSlice = min(left, ByteSlicePool.sliceSizes[level] - ByteSlicePool.linkSize)
        }
    }

    func reader(_ s: Stream) -> Reader { Reader(self, s) }

    /// Calls `body` with each contiguous piece of the stream, in order.
    func forEachPiece(of s: Stream, _ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        var address = s.start
        var remaining = Int(s.count)
        var level = 0
        while remaining > 0 {
            let usable = Self.sliceSizes[level] - Self.linkSize
            let n = min(usable, remaining)
            body(UnsafeBufferPointer(start: pointer(address), count: n))
            remaining -= n
            guard remaining > 0 else { break }
            address = UnsafeRawPointer(pointer(address + UInt32(usable))).loadUnaligned(as: UInt32.self)
            level = min(level + 1, Self.sliceSizes.count - 1)
        }
    }

    private mutating func grow(_ s: inout Stream) {
        let level = min(Int(s.level) + 1, Self.sliceSizes.count - 1)
        let next = allocate(level: level)
        UnsafeMutableRawPointer(pointer(s.end)).storeBytes(of: next, as: UInt32.self)
        s.cursor = next
        s.end = next + UInt32(Self.sliceSizes[level] - Self.linkSize)
        s.level = UInt8(level)
    }

    private mutating func allocate(level: Int) -> UInt32 {
        let size = Self.sliceSizes[level]
        if used + size > Self.blockSize {
            precondition(blocks.count < 1 << (32 - Self.blockShift), "segment buffer over 4 GiB: flush earlier")
            blocks.append(UnsafeMutablePointer<UInt8>.allocate(capacity: Self.blockSize))
            used = 0
        }
        let address = UInt32(blocks.count - 1) << Self.blockShift | UInt32(used)
        used += size
        return address
    }

    @inline(__always)
    private func pointer(_ address: UInt32) -> UnsafeMutablePointer<UInt8> {
        blocks[Int(address >> UInt32(Self.blockShift))] + Int(address & UInt32(Self.blockSize - 1))
    }
}

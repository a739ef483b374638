/// A full postings block's numbers in the bit width of the largest (as Lucene and Tantivy pack
/// theirs): a byte with the width w, then the values in w bits each, least significant bit
/// first. Every value sits at a known bit, so decoding one does not wait for the one before:
/// varints of mixed lengths (a term's deltas around 128) mispredicted a branch per value and
/// decoded 4–5× slower (see Docs/BENCHMARKS.md); packed blocks are also smaller.
enum BitPacking {
    /// Bytes of `count` values of `width` bits, after the width byte.
    static func byteCount(_ count: Int, width: Int) -> Int { (count * width + 7) / 8 }

    /// Packed on the stack 32 bits at a time, then appended at once (appended a byte at a
    /// time, each with the array's checks, this was 1.3% of a build).
    static func pack(_ values: UnsafeBufferPointer<UInt32>, into out: inout ByteWriter) {
        let width = 32 - values.reduce(0, |).leadingZeroBitCount
        out.u8(UInt8(width))
        let count = byteCount(values.count, width: width)
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: count + 8) { buffer in
            let p = UnsafeMutableRawPointer(buffer.baseAddress!)
            var pending: UInt64 = 0  // under 32 bits before each value is added
            var bits = 0
            var at = 0
            for v in values {
                pending |= UInt64(v) << UInt64(bits)
                bits += width
                if bits >= 32 {
                    p.storeBytes(of: UInt32(truncatingIfNeeded: pending).littleEndian, toByteOffset: at, as: UInt32.self)
                    at += 4
                    pending >>= 32
                    bits -= 32
                }
            }
            p.storeBytes(of: pending.littleEndian, toByteOffset: at, as: UInt64.self)  // the last bits
            out.raw(UnsafeBufferPointer(rebasing: buffer[..<count]))
        }
    }

    /// Reads `count` values packed at `offset` into `out` and moves `offset` past them; false
    /// (and `out` undefined) when the data ends first or the width is over 32.
    @inline(__always)
    static func unpack(_ data: UnsafeRawBufferPointer, _ offset: inout Int, count: Int,
                       into out: UnsafeMutablePointer<UInt32>) -> Bool {
        guard offset < data.count, let base = data.baseAddress else { return false }
        let width = Int(data[offset])
        let start = offset + 1
        let end = start + byteCount(count, width: width)
        guard width <= 32, end <= data.count else { return false }
        if end + 8 <= data.count {
            let p = base + start
            // a full block in a width known here: the shifts and offsets become constants
            // (2.6× faster than the loop that works them out, in a loop over blocks of mixed widths)
            if count == PostingsFormat.blockSize && width <= 16 {
                switch width {
                case 0: out.update(repeating: 0, count: count)
                case 1: fullBlock(p, width: 1, into: out)
                case 2: fullBlock(p, width: 2, into: out)
                case 3: fullBlock(p, width: 3, into: out)
                case 4: fullBlock(p, width: 4, into: out)
                case 5: fullBlock(p, width: 5, into: out)
                case 6: fullBlock(p, width: 6, into: out)
                case 7: fullBlock(p, width: 7, into: out)
                case 8: fullBlock(p, width: 8, into: out)
                case 9: fullBlock(p, width: 9, into: out)
                case 10: fullBlock(p, width: 10, into: out)
                case 11: fullBlock(p, width: 11, into: out)
                case 12: fullBlock(p, width: 12, into: out)
                case 13: fullBlock(p, width: 13, into: out)
                case 14: fullBlock(p, width: 14, into: out)
                case 15: fullBlock(p, width: 15, into: out)
                default: fullBlock(p, width: 16, into: out)
                }
            } else {
                let mask = (UInt64(1) << UInt64(width)) - 1
                for i in 0..<count { out[i] = value(p, bit: i &* width, mask: mask) }
            }
        } else {
            let mask = (UInt64(1) << UInt64(width)) - 1
            for i in 0..<count { out[i] = value(data, start: start, end: end, bit: i * width, mask: mask) }
        }
        offset = end
        return true
    }

    /// A full block's values, eight at a time: eight values fill `width` bytes, so each group
    /// starts on a byte and, once inlined with a literal width, every offset and shift is a
    /// constant.
    @inline(__always)
    private static func fullBlock(_ p: UnsafeRawPointer, width: Int, into out: UnsafeMutablePointer<UInt32>) {
        let mask = (UInt64(1) << UInt64(width)) - 1
        for group in 0..<(PostingsFormat.blockSize / 8) {
            let q = p + group * width, o = out + group * 8
            for j in 0..<8 { o[j] = value(q, bit: j * width, mask: mask) }
        }
    }

    /// The value at `bit` of the packed bytes at p, from the eight bytes that hold it (the
    /// caller leaves eight bytes of room after the data).
    @inline(__always)
    private static func value(_ p: UnsafeRawPointer, bit: Int, mask: UInt64) -> UInt32 {
        let word = UInt64(littleEndian: p.loadUnaligned(fromByteOffset: bit >> 3, as: UInt64.self))
        return UInt32(truncatingIfNeeded: (word >> UInt64(bit & 7)) & mask)
    }

    /// The first value packed at `offset` (a block's first delta: every bound of a block not
    /// decoded asks for it), nil when damaged.
    @inline(__always)
    static func first(_ data: UnsafeRawBufferPointer, at offset: Int, count: Int) -> UInt32? {
        guard offset < data.count, let base = data.baseAddress else { return nil }
        let width = Int(data[offset])
        let end = offset + 1 + byteCount(count, width: width)
        guard width <= 32, end <= data.count else { return nil }
        let mask = (UInt64(1) << UInt64(width)) - 1
        guard offset + 9 <= data.count else { return value(data, start: offset + 1, end: end, bit: 0, mask: mask) }
        return UInt32(truncatingIfNeeded: UInt64(littleEndian: base.loadUnaligned(fromByteOffset: offset + 1, as: UInt64.self)) & mask)
    }

    /// Sets the first value of the packed numbers `block` (from its width byte on) to `value`;
    /// false, and nothing changed, when `value` needs more bits than their width.
    static func replaceFirst(with value: UInt32, in block: UnsafeMutableRawBufferPointer) -> Bool {
        guard let width = block.first.map(Int.init), width <= 32, value >> UInt32(min(width, 31)) == 0 || width == 32,
              block.count >= 1 + byteCount(1, width: width) else { return false }
        var (v, bits, at) = (UInt64(value), width, 1)
        while bits > 0 {  // byte by byte: the bits above the value's belong to the next values
            let mask = UInt8(truncatingIfNeeded: (1 << UInt64(min(bits, 8))) - 1)
            block[at] = block[at] & ~mask | UInt8(truncatingIfNeeded: v) & mask
            v >>= 8
            bits -= 8
            at += 1
        }
        return true
    }

    /// The value at `bit` of the packed bytes start..<end, read a byte at a time (near the
    /// end of the data, where eight bytes cannot be loaded at once).
    private static func value(_ data: UnsafeRawBufferPointer, start: Int, end: Int, bit: Int, mask: UInt64) -> UInt32 {
        let at = start + bit >> 3
        var word: UInt64 = 0
        for k in 0..<min(8, end - at) { word |= UInt64(data[at + k]) << UInt64(8 * k) }
        return UInt32(truncatingIfNeeded: (word >> UInt64(bit & 7)) & mask)
    }
}

/// CRC-32 (IEEE 802.3, the zlib one), slicing by 8 bytes at a time.
struct CRC32 {
    /// Eight tables of 256 entries end to end, never freed: table k at offset 256 k (read
    /// through a pointer, without an array's bounds checks, on every byte written or verified).
    nonisolated(unsafe) private static let tables: UnsafePointer<UInt32> = {
        let t = UnsafeMutablePointer<UInt32>.allocate(capacity: 8 * 256)
        for i in 0..<256 {
            var c = UInt32(i)
            for _ in 0..<8 { c = c & 1 == 1 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
            t[i] = c
        }
        for k in 1..<8 {
            for i in 0..<256 { t[256 * k + i] = (t[256 * (k - 1) + i] >> 8) ^ t[Int(t[256 * (k - 1) + i] & 0xFF)] }
        }
        return UnsafePointer(t)
    }()

    private(set) var value: UInt32 = 0

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        var c = ~value
        var i = 0
        let n = bytes.count
        let t = Self.tables
        @inline(__always) func at(_ k: Int, _ byte: UInt32) -> UInt32 { t[256 * k + Int(byte & 0xFF)] }
        while i + 8 <= n {
            let lo = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: i, as: UInt32.self)) ^ c
            let hi = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: i + 4, as: UInt32.self))
            c = at(7, lo) ^ at(6, lo >> 8) ^ at(5, lo >> 16) ^ at(4, lo >> 24)
                ^ at(3, hi) ^ at(2, hi >> 8) ^ at(1, hi >> 16) ^ at(0, hi >> 24)
            i += 8
        }
        while i < n {
            c = at(0, c ^ UInt32(bytes[i])) ^ (c >> 8)
            i += 1
        }
        value = ~c
    }

    /// The CRC of the bytes so far followed by `length` bytes whose CRC is `next`, without
    /// those bytes: what lets parts of a file be checksummed on several threads. Appending n
    /// zero bits to a CRC's register is a linear map over GF(2) (a 32×32 bit matrix); the map
    /// for `length` bytes is built by squaring the one-bit map (zlib's `crc32_combine`).
    mutating func append(crc next: UInt32, length: Int) {
        guard length > 0 else { return }
        // matrix × vector: row k of the matrix is what bit k of the vector contributes
        func times(_ matrix: [UInt32], _ vector: UInt32) -> UInt32 {
            var sum: UInt32 = 0, v = vector, k = 0
            while v != 0 {
                if v & 1 != 0 { sum ^= matrix[k] }
                v >>= 1
                k += 1
            }
            return sum
        }
        func square(_ matrix: [UInt32]) -> [UInt32] { matrix.map { times(matrix, $0) } }
        // one zero bit: the polynomial for the low bit, a shift for the others
        var odd = [UInt32](repeating: 0, count: 32)
        odd[0] = 0xEDB8_8320
        for k in 1..<32 { odd[k] = 1 << UInt32(k - 1) }
        var even = square(odd)  // two zero bits
        odd = square(even)  // four
        var crc = value, bytes = length
        // the maps for 1, 2, 4, ... zero bytes, each squared from the one before, applied for
        // each bit set in `length`
        while true {
            even = square(odd)
            if bytes & 1 != 0 { crc = times(even, crc) }
            bytes >>= 1
            if bytes == 0 { break }
            odd = square(even)
            if bytes & 1 != 0 { crc = times(odd, crc) }
            bytes >>= 1
            if bytes == 0 { break }
        }
        value = crc ^ next
    }

    static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var crc = CRC32()
        crc.update(bytes)
        return crc.value
    }
}

import CChecksum

/// CRC-32 (IEEE 802.3, the zlib one): runs of 64 bytes or more by carry-less multiplication
/// where the CPU has it (`sd_crc32_fold`), the rest slicing by 8 bytes at a time.
struct CRC32 {
    /// Whether this CPU folds (read once).
    private static let folds = sd_crc32_fold_available() != 0

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
        if n >= 64 && Self.folds {
            i = n & ~15
            c = sd_crc32_fold(bytes.baseAddress!.assumingMemoryBound(to: UInt8.self), i, c)
        }
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
    /// bytes multiplies the register by x^(8n) modulo the polynomial; x^(8n) is the product
    /// of the powers x^(2^k) for the bits k of 8n, kept in a table.
    mutating func append(crc next: UInt32, length: Int) {
        guard length > 0 else { return }
        var power = Self.one
        var bits = length, k = 3  // 8 n = n << 3
        while bits != 0 {
            if bits & 1 != 0 { power = Self.multiply(power, Self.powersOfTwo[k]) }
            bits >>= 1
            k += 1
        }
        value = Self.multiply(value, power) ^ next
    }

    /// The polynomial 1, bit-reflected: bit 31 holds x^0, bit 0 x^31.
    private static let one: UInt32 = 1 << 31

    /// x^(2^k) modulo the polynomial, for every k an Int's length in bits can reach.
    private static let powersOfTwo: [UInt32] = {
        var p = one >> 1  // x^1
        var table: [UInt32] = []
        for _ in 0..<(Int.bitWidth + 3) {
            table.append(p)
            p = multiply(p, p)
        }
        return table
    }()

    /// a(x) b(x) modulo the polynomial, both bit-reflected: b x^i is added for each x^i of
    /// a, b being multiplied by x (a shift right, then reduced) on the way.
    private static func multiply(_ a: UInt32, _ b: UInt32) -> UInt32 {
        var product: UInt32 = 0, b = b, bit = one
        while bit != 0 {
            if a & bit != 0 { product ^= b }
            b = b & 1 != 0 ? 0xEDB8_8320 ^ (b >> 1) : b >> 1
            bit >>= 1
        }
        return product
    }

    static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var crc = CRC32()
        crc.update(bytes)
        return crc.value
    }
}

#if canImport(Glibc)
import Glibc
#endif

/// Interns term keys (byte strings) to dense ids 0, 1, 2, ... without allocating per lookup:
/// open addressing with linear probing over one byte arena. A value holding pointers (see
/// `RawBuffer`); its owner calls `free()`.
struct TermTable {
    private var slots: RawBuffer<Int32>
    private var mask: Int
    private var arena = RawBuffer<UInt8>(capacity: 1 << 16)
    private var offsets = RawBuffer<UInt32>(capacity: 1 << 12)
    private var lengths = RawBuffer<UInt16>(capacity: 1 << 12)
    private var hashes = RawBuffer<UInt32>(capacity: 1 << 12)

    init(capacity: Int = 1 << 14) {
        var n = 16
        while n < capacity * 2 { n <<= 1 }
        slots = RawBuffer(capacity: n)
        slots.append(repeating: -1, count: n)
        mask = n - 1
    }

    func free() {
        slots.free()
        arena.free()
        offsets.free()
        lengths.free()
        hashes.free()
    }

    var count: Int { offsets.count }

    /// Approximate bytes of memory held.
    var memoryBytes: Int { slots.capacity * 4 + arena.capacity + offsets.capacity * 10 }

    /// The id of `key`, adding it if it is new.
    @inline(__always)
    mutating func intern(_ key: UnsafeBufferPointer<UInt8>) -> Int32 {
        let h = Self.hash(key)
        var i = Int(h) & mask
        while true {
            let id = slots[i]
            if id < 0 { break }
            if hashes[Int(id)] == h && equals(Int(id), key) { return id }
            i = (i + 1) & mask
        }
        let id = Int32(offsets.count)
        offsets.append(UInt32(arena.count))
        lengths.append(UInt16(key.count))
        hashes.append(h)
        if !key.isEmpty { arena.append(key.baseAddress!, count: key.count) }
        slots[i] = id
        if offsets.count * 2 > slots.count { rehash() }
        return id
    }

    /// The key of an id.
    @inline(__always)
    func key(_ id: Int) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: arena.base + Int(offsets[id]), count: Int(lengths[id]))
    }

    /// Ids in the byte order of their keys: the order of the term dictionary. Sorted on the
    /// keys' first 8 bytes (one integer comparison) and only then on the bytes that follow.
    func sortedIDs() -> [Int32] {
        var entries = (0..<count).map { id -> (prefix: UInt64, id: Int32) in
            let k = key(id)
            var p: UInt64 = 0
            for i in 0..<8 { p = p << 8 | UInt64(i < k.count ? k[i] : 0) }
            return (p, Int32(id))
        }
        entries.sort { a, b in
            if a.prefix != b.prefix { return a.prefix < b.prefix }
            return Self.less(key(Int(a.id)), key(Int(b.id)))
        }
        return entries.map(\.id)
    }

    /// Byte-wise lexicographic order.
    @inline(__always)
    static func less(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        let n = min(a.count, b.count)
        if n > 0 {
            let c = memcmp(a.baseAddress!, b.baseAddress!, n)
            if c != 0 { return c < 0 }
        }
        return a.count < b.count
    }

    @inline(__always)
    private func equals(_ id: Int, _ key: UnsafeBufferPointer<UInt8>) -> Bool {
        guard Int(lengths[id]) == key.count else { return false }
        return key.isEmpty || memcmp(arena.base + Int(offsets[id]), key.baseAddress!, key.count) == 0
    }

    private mutating func rehash() {
        let n = slots.count * 2
        slots.free()
        slots = RawBuffer(capacity: n)
        slots.append(repeating: -1, count: n)
        mask = n - 1
        for id in 0..<hashes.count {
            var i = Int(hashes[id]) & mask
            while slots[i] >= 0 { i = (i + 1) & mask }
            slots[i] = Int32(id)
        }
    }

    /// A fast 32-bit hash of a short byte string (8 bytes at a time, then a final mix).
    @inline(__always)
    static func hash(_ key: UnsafeBufferPointer<UInt8>) -> UInt32 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(key.count)
        var i = 0
        let raw = UnsafeRawBufferPointer(key)
        while i + 8 <= key.count {
            h = (h ^ raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0xBF58_476D_1CE4_E5B9
            h ^= h >> 31
            i += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while i < key.count {
            tail |= UInt64(key[i]) << shift
            shift += 8
            i += 1
        }
        h = (h ^ tail) &* 0x94D0_49BB_1331_11EB
        h ^= h >> 29
        return UInt32(truncatingIfNeeded: h)
    }
}

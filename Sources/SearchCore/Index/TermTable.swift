import CPrefetch
#if canImport(Glibc)
import Glibc
#endif

/// Interns term keys (byte strings) to dense ids 0, 1, 2, ... without allocating per lookup:
/// open addressing with linear probing over one byte arena. A value holding pointers (see
/// `RawBuffer`); its owner calls `free()`.
///
/// Every token of every document is looked up here, and the table outgrows the CPU caches, so
/// a lookup should touch one slot and nothing else: a slot holds the key's first 8 bytes and
/// a tag (24 bits of its hash, its length), which decide a key of up to 8 bytes (a CJK
/// bigram, most words) without reading the arena.
///
/// A key's slot is where the top bits of its hash point, and the tag holds the hash's top 24
/// bits: growing the table moves each slot by its tag alone, reading the old slots and writing
/// the new ones in order (rehashing the keys read each from the arena, a cache miss apiece).
struct TermTable {
    private struct Slot {
        var prefix: UInt64
        var tag: UInt32
        var id: Int32
    }

    private var slots: RawBuffer<Slot>
    private var mask: Int
    /// log2 of the slot count: a hash's top `bits` bits are its first slot.
    private var bits: Int
    private var arena = RawBuffer<UInt8>(capacity: 1 << 16)
    private var offsets = RawBuffer<UInt32>(capacity: 1 << 12)
    private var lengths = RawBuffer<UInt16>(capacity: 1 << 12)

    init(capacity: Int = 1 << 14) {
        var bits = 4
        while 1 << bits < capacity * 2 { bits += 1 }
        slots = Self.emptySlots(1 << bits)
        mask = (1 << bits) - 1
        self.bits = bits
    }

    /// The first slot of a key of hash `h`.
    @inline(__always)
    private func home(_ h: UInt64) -> Int { Int(truncatingIfNeeded: h &>> UInt64(64 - bits)) }

    private static func emptySlots(_ n: Int) -> RawBuffer<Slot> {
        var slots = RawBuffer<Slot>(capacity: n)
        slots.append(repeating: Slot(prefix: 0, tag: 0, id: -1), count: n)
        return slots
    }

    func free() {
        slots.free()
        arena.free()
        offsets.free()
        lengths.free()
    }

    var count: Int { offsets.count }

    /// Approximate bytes of memory in use: the slots (all written), and the keys and their
    /// entries as far as they are filled (what grows by doubling reserves up to twice that,
    /// but the pages beyond are never touched).
    var memoryBytes: Int { slots.capacity * MemoryLayout<Slot>.stride + arena.count + offsets.count * 6 }

    /// Asks the CPU to fetch where the key of `id` is (then, once that has arrived, `prefetchKey`).
    @inline(__always)
    func prefetchEntry(_ id: Int) {
        sd_prefetch(offsets.base + id)
        sd_prefetch(lengths.base + id)
    }

    /// Asks the CPU to fetch the first bytes of the key of `id`.
    @inline(__always)
    func prefetchKey(_ id: Int) { sd_prefetch(arena.base + Int(offsets[id])) }

    /// Asks the CPU to fetch the slot where a key of hash `h` starts its probe.
    @inline(__always)
    func prefetch(hash h: UInt64) {
        sd_prefetch(slots.base + home(h))
    }

    /// The id of `key` (whose `hash` and `prefix` are `h` and `prefix`), adding it if it is new.
    @inline(__always)
    mutating func intern(_ key: UnsafeBufferPointer<UInt8>, hash h: UInt64, prefix: UInt64) -> Int32 {
        let tag = Self.tag(h, count: key.count)
        var i = home(h)
        while true {
            let slot = slots[i]
            if slot.id < 0 { break }
            if slot.tag == tag && slot.prefix == prefix && (key.count <= 8 || equals(Int(slot.id), key)) { return slot.id }
            i = (i + 1) & mask
        }
        let id = Int32(offsets.count)
        offsets.append(UInt32(arena.count))
        precondition(key.count <= Int(UInt16.max), "term key of \(key.count) bytes: keys are kept under 64 KiB (TermKey.maxKeywordBytes)")
        lengths.append(UInt16(key.count))
        if !key.isEmpty { arena.append(key.baseAddress!, count: key.count) }
        slots[i] = Slot(prefix: prefix, tag: tag, id: id)
        if offsets.count * 2 > slots.count { rehash() }
        return id
    }

    /// The key of an id.
    @inline(__always)
    func key(_ id: Int) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: arena.base + Int(offsets[id]), count: Int(lengths[id]))
    }

    /// Ids in the byte order of their keys: the order of the term dictionary. A radix sort on
    /// the keys' first 8 bytes (read big-endian, their byte order is integer order; a byte
    /// all keys share takes no pass), then each run of keys that share them sorted on the
    /// bytes that follow. Also returns, in the same order, those 8 bytes: two keys whose
    /// prefixes differ compare as their prefixes do (how `SegmentWriter` merges writers' terms).
    func sortedIDs() -> (ids: [Int32], prefixes: [UInt64]) {
        let n = count
        var prefixes = RawBuffer<UInt64>.unset(n), ids = RawBuffer<Int32>.unset(n)
        var scratchPrefixes = RawBuffer<UInt64>.unset(n), scratchIDs = RawBuffer<Int32>.unset(n)
        let counts = RawBuffer<Int>.zeroed(8 * 256)  // per byte of the prefix, its values' counts
        defer {
            for b in [prefixes, scratchPrefixes] { b.free() }
            for b in [ids, scratchIDs] { b.free() }
            counts.free()
        }
        for id in 0..<n {
            let k = key(id)
            var p: UInt64 = 0
            for i in 0..<8 { p = p << 8 | UInt64(i < k.count ? k[i] : 0) }
            prefixes[id] = p
            ids[id] = Int32(id)
            for b in 0..<8 { counts[b * 256 + Int(truncatingIfNeeded: p >> (8 * UInt64(b))) & 0xFF] += 1 }
        }
        for b in 0..<8 {  // the least significant byte first: each pass keeps the order of the last
            let shift = 8 * UInt64(b)
            if (0..<256).contains(where: { counts[b * 256 + $0] == n }) { continue }
            var offset = 0
            for v in 0..<256 {  // counts become where each value's entries start
                let c = counts[b * 256 + v]
                counts[b * 256 + v] = offset
                offset += c
            }
            for k in 0..<n {
                let slot = b * 256 + Int(truncatingIfNeeded: prefixes[k] >> shift) & 0xFF
                let to = counts[slot]
                counts[slot] = to + 1
                scratchPrefixes[to] = prefixes[k]
                scratchIDs[to] = ids[k]
            }
            swap(&prefixes, &scratchPrefixes)
            swap(&ids, &scratchIDs)
        }
        var result = Array(ids.buffer)
        var start = 0
        while start < n {
            var end = start + 1
            while end < n && prefixes[end] == prefixes[start] { end += 1 }
            if end - start > 1 { result[start..<end].sort { Self.less(key(Int($0)), key(Int($1))) } }
            start = end
        }
        return (result, Array(prefixes.buffer))
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

    /// Whether the key of `id` is `key`, a key longer than 8 bytes whose slot's tag and prefix
    /// matched (so its length, when below 255, and its first 8 bytes): the bytes after them
    /// are compared a word at a time, the last word overlapping the one before it. (A call to
    /// memcmp per such key — CJK words of three characters or more, most pinyin, Latin words
    /// of eight letters or more — was 2.6% of a build.)
    @inline(__always)
    private func equals(_ id: Int, _ key: UnsafeBufferPointer<UInt8>) -> Bool {
        let n = key.count
        guard n < 255 || Int(lengths[id]) == n else { return false }
        let stored = UnsafeRawPointer(arena.base + Int(offsets[id])), asked = UnsafeRawPointer(key.baseAddress!)
        var i = 8
        while i + 8 < n {
            guard stored.loadUnaligned(fromByteOffset: i, as: UInt64.self) == asked.loadUnaligned(fromByteOffset: i, as: UInt64.self) else { return false }
            i += 8
        }
        return stored.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self) == asked.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)
    }

    private mutating func rehash() {
        let old = slots
        bits += 1
        slots = Self.emptySlots(1 << bits)
        mask = (1 << bits) - 1
        for k in 0..<old.count where old[k].id >= 0 {
            // up to 2^24 slots the tag holds the bits that place the slot
            var i = bits <= 24 ? Int(old[k].tag &>> UInt32(32 - bits)) : home(Self.hash(key(Int(old[k].id))))
            while slots[i].id >= 0 { i = (i + 1) & mask }
            slots[i] = old[k]
        }
        old.free()
    }

    /// The slot's tag of a key: the hash's top 24 bits and the length (255: longer).
    @inline(__always)
    private static func tag(_ h: UInt64, count: Int) -> UInt32 {
        UInt32(truncatingIfNeeded: h >> 32) & 0xFFFF_FF00 | UInt32(min(count, 255))
    }

    /// `hash(key)` and the key's first 8 bytes zero-padded (a slot's prefix), for a key that
    /// at least 8 readable bytes follow (the keys of `Inversion`'s batch): its last bytes are
    /// read as one word and masked, not one by one.
    @inline(__always)
    static func hashAndPrefix(padded key: UnsafeBufferPointer<UInt8>) -> (hash: UInt64, prefix: UInt64) {
        let raw = UnsafeRawPointer(key.baseAddress!)
        let word = { (at: Int, count: Int) -> UInt64 in
            let w = raw.loadUnaligned(fromByteOffset: at, as: UInt64.self)
            return count >= 8 ? w : w & ((1 &<< UInt64(8 * count)) &- 1)
        }
        return (mix(count: key.count, word), word(0, key.count))
    }

    /// A fast 64-bit hash of a short byte string (8 bytes at a time, then a final mix).
    @inline(__always)
    static func hash(_ key: UnsafeBufferPointer<UInt8>) -> UInt64 {
        let raw = UnsafeRawBufferPointer(key)
        return mix(count: key.count) { at, count in
            if count >= 8 { return raw.loadUnaligned(fromByteOffset: at, as: UInt64.self) }
            var w: UInt64 = 0
            for k in 0..<count { w |= UInt64(raw[at + k]) << (8 * UInt64(k)) }
            return w
        }
    }

    /// The hash of a key of `count` bytes, given its words: `word(at, n)` is the n ≤ 8 bytes
    /// at `at` as a little-endian integer (the two callers read them differently).
    @inline(__always)
    private static func mix(count: Int, _ word: (_ at: Int, _ count: Int) -> UInt64) -> UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(count)
        var i = 0
        while i + 8 <= count {
            h = (h ^ word(i, 8)) &* 0xBF58_476D_1CE4_E5B9
            h ^= h >> 31
            i += 8
        }
        h = (h ^ word(i, count - i)) &* 0x94D0_49BB_1331_11EB
        h ^= h >> 29
        return h
    }
}

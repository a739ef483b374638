import Testing
@testable import SearchCore

/// The indexer's term table decides short keys from its slots alone (first 8 bytes, length,
/// part of the hash): keys that differ only in length, in a trailing zero byte or after their
/// 8th byte must still get their own ids, through every rehash (which places slots by their
/// tags alone).
@Suite struct TermTableTests {
    static let keys: [[UInt8]] = {
        var keys: [[UInt8]] = [[], [0], [0, 0], [97], [97, 0], [0, 97]]
        for n in 1...20 {
            keys.append([UInt8](repeating: 98, count: n))  // b, bb, bbb, ... across the 8-byte boundary
            keys.append([UInt8](repeating: 98, count: n - 1) + [99])  // ...c: differs in the last byte
        }
        for i in 0..<5000 { keys.append(Array("term\(i)".utf8)) }  // several rehashes
        for i in 0..<300 { keys.append(Array("01234567-\(i)".utf8)) }  // same first 8 bytes
        for n in [254, 255, 256, 300] { keys.append([UInt8](repeating: 100, count: n)) }  // a tag's length stops at 255
        return keys
    }()

    /// Interns a key as the indexer does: read a word at a time from a padded copy. Its hash
    /// must be the one a rehash computes from the key alone.
    static func intern(_ key: [UInt8], into table: inout TermTable) -> Int32 {
        let padded = key + [UInt8](repeating: 0xFF, count: 8)
        return padded.withUnsafeBufferPointer { all in
            let k = UnsafeBufferPointer(rebasing: all[0..<key.count])
            let (hash, prefix) = TermTable.hashAndPrefix(padded: k)
            #expect(hash == TermTable.hash(k))
            return table.intern(k, hash: hash, prefix: prefix)
        }
    }

    @Test func everyKeyGetsItsOwnIdAndKeepsIt() {
        var table = TermTable(capacity: 16)
        defer { table.free() }
        var ids: [Int32] = []
        for key in Self.keys { ids.append(Self.intern(key, into: &table)) }
        #expect(ids == (0..<Int32(Self.keys.count)).map { $0 })
        #expect(table.count == Self.keys.count)
        for (key, id) in zip(Self.keys, ids) {
            #expect(Self.intern(key, into: &table) == id)
            #expect(Array(table.key(Int(id))) == key)
        }
        let (order, prefixes) = table.sortedIDs()
        let sorted = order.map { Self.keys[Int($0)] }
        #expect(sorted == Self.keys.sorted { $0.lexicographicallyPrecedes($1) })
        // each key's first 8 bytes, big-endian: where two differ, they order their keys
        #expect(prefixes == sorted.map { k in (0..<8).reduce(UInt64(0)) { $0 << 8 | UInt64($1 < k.count ? k[$1] : 0) } })
    }

    /// Keys whose slots are alike (the same length, first 8 bytes and 24 bits of hash: found
    /// by search) are told apart by their bytes after the 8th, whether they differ in the
    /// words compared first or in the last one.
    @Test func keysWhoseSlotsCollideAreToldApartByTheirBytes() {
        var random: UInt64 = 0x9E37_79B9_7F4A_7C15  // xorshift: the same keys at every run
        for length in [12, 16, 17, 23, 40] {
            for varyingLast in [false, true] {
                var table = TermTable(capacity: 16)
                defer { table.free() }
                var byTag: [UInt64: [UInt8]] = [:]
                var collisions = 0
                for _ in 0..<(1 << 20) where collisions < 3 {
                    random ^= random << 13
                    random ^= random >> 7
                    random ^= random << 17
                    let varying = withUnsafeBytes(of: random) { Array($0.prefix(4)) }
                    let pad = [UInt8](repeating: UInt8(ascii: "x"), count: length - 12)
                    let key = Array("01234567".utf8) + (varyingLast ? pad + varying : varying + pad)
                    let tag = key.withUnsafeBufferPointer { TermTable.hash($0) } >> 40
                    if let other = byTag[tag], other != key {
                        let (a, b) = (Self.intern(other, into: &table), Self.intern(key, into: &table))
                        #expect(a != b, "\(length) bytes: \(other) and \(key)")
                        #expect(Self.intern(other, into: &table) == a && Self.intern(key, into: &table) == b)
                        collisions += 1
                    }
                    byTag[tag] = key
                }
                #expect(collisions == 3, "\(length) bytes")
            }
        }
    }
}

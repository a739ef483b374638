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
}

import Testing
@testable import SearchCore

/// The indexer's term table decides short keys from its slots alone (first 8 bytes, length,
/// part of the hash): keys that differ only in length, in a trailing zero byte or after their
/// 8th byte must still get their own ids, through every rehash.
@Suite struct TermTableTests {
    static let keys: [[UInt8]] = {
        var keys: [[UInt8]] = [[], [0], [0, 0], [97], [97, 0], [0, 97]]
        for n in 1...20 {
            keys.append([UInt8](repeating: 98, count: n))  // b, bb, bbb, ... across the 8-byte boundary
            keys.append([UInt8](repeating: 98, count: n - 1) + [99])  // ...c: differs in the last byte
        }
        for i in 0..<5000 { keys.append(Array("term\(i)".utf8)) }  // several rehashes
        for i in 0..<300 { keys.append(Array("01234567-\(i)".utf8)) }  // same first 8 bytes
        return keys
    }()

    @Test func everyKeyGetsItsOwnIdAndKeepsIt() {
        var table = TermTable(capacity: 16)
        defer { table.free() }
        var ids: [Int32] = []
        for key in Self.keys {
            ids.append(key.withUnsafeBufferPointer { table.intern($0, hash: TermTable.hash($0)) })
        }
        #expect(ids == (0..<Int32(Self.keys.count)).map { $0 })
        #expect(table.count == Self.keys.count)
        for (key, id) in zip(Self.keys, ids) {
            #expect(key.withUnsafeBufferPointer { table.intern($0, hash: TermTable.hash($0)) } == id)
            #expect(Array(table.key(Int(id))) == key)
        }
        let sorted = table.sortedIDs().map { Self.keys[Int($0)] }
        #expect(sorted == Self.keys.sorted { $0.lexicographicallyPrecedes($1) })
    }
}

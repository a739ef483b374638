/// A few short ASCII words (up to 16 bytes), each with a value, looked up by the word packed
/// into an integer (`key`): one multiply and, for most words, one comparison. A `Set<String>`
/// of tag names hashed each name, and a `switch` over strings called a comparison per case;
/// either was several percent of making documents of files.
struct ShortWordTable<Value: Sendable>: Sendable {
    private var keys: [UInt128]
    private var values: [Value?]
    private let bits: Int

    init(_ entries: [(String, Value)]) {
        var bits = 4
        while 1 << bits < 4 * entries.count { bits += 1 }
        self.bits = bits
        keys = [UInt128](repeating: 0, count: 1 << bits)
        values = [Value?](repeating: nil, count: 1 << bits)
        for (word, value) in entries {
            guard let key = Self.key(word.utf8), key != 0 else { preconditionFailure("not a short word: \(word)") }
            var k = slot(key)
            while keys[k] != 0 && keys[k] != key { k = (k + 1) & (keys.count - 1) }
            (keys[k], values[k]) = (key, value)
        }
    }

    /// The bytes packed first to last (the last in the lowest byte): as `key << 8 | byte` packs
    /// them one at a time. nil past 16 bytes.
    static func key(_ bytes: some Sequence<UInt8>) -> UInt128? {
        var key: UInt128 = 0
        var count = 0
        for b in bytes {
            count += 1
            guard count <= 16 else { return nil }
            key = key << 8 | UInt128(b)
        }
        return key
    }

    /// The value of the word packed as `key` (0 is no word).
    @inline(__always)
    func value(_ key: UInt128) -> Value? {
        var k = slot(key)
        while keys[k] != 0 {
            if keys[k] == key { return values[k] }
            k = (k + 1) & (keys.count - 1)
        }
        return nil
    }

    @inline(__always)
    private func slot(_ key: UInt128) -> Int {
        let folded = UInt64(truncatingIfNeeded: key) ^ UInt64(truncatingIfNeeded: key >> 64)
        return Int(truncatingIfNeeded: (folded &* 0x9E37_79B9_7F4A_7C15) >> (64 - bits))
    }
}

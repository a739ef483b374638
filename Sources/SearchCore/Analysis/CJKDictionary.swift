import CICU

/// ICU's Chinese/Japanese dictionary (cjdict) in a trie of our own, and ICU's segmentation
/// over it for runs of unified ideographs.
///
/// ICU's word break iterator spends most of a Han run in its dictionary: a UTF-8 `UText`, an
/// NFKC check, and per character a walk down a compact trie whose branches are binary searches
/// (≈ 1500 instructions per character, a quarter of indexing). Over a run it then picks the
/// split whose words' costs sum least (a word absent from the dictionary costs 255), preferring
/// the earlier candidate on a tie (`CjkBreakEngine::divideUpDictionaryRange`). This does the same
/// minimisation over the same words and costs, with a trie whose first level is one array
/// lookup and whose nodes sit in 8 bytes each.
///
/// Only runs whose every character is a unified ideograph of the Basic Multilingual Plane
/// (U+3400–U+4DBF, U+4E00–U+9FFF) are split here: for those ICU has no NFKC change, no
/// surrogates and no katakana rule to apply, and its rules keep the whole run as one dictionary
/// range. Other runs (kana, compatibility ideographs, combining marks) still go to ICU.
/// `CJKDictionaryTests` compares both: the seeds' runs, random runs, runs with tied splits, and
/// (given the benchmark corpus) its 280 K runs.
final class CJKDictionary: @unchecked Sendable {
    /// Built on first use from the loaded ICU's dictionary; nil if it has none.
    static let shared = CJKDictionary()

    /// Cost ICU gives a character that starts no dictionary word of one character.
    static let unknownCost: UInt32 = 255
    /// ICU stops a dictionary match after this many UTF-16 units (its words are shorter).
    static let maxWordUnits = 20

    /// Whether `cp` is a character this dictionary splits runs of.
    @inline(__always)
    static func isUnifiedIdeograph(_ cp: UInt32) -> Bool {
        (0x4E00...0x9FFF).contains(cp) || (0x3400...0x4DBF).contains(cp)
    }

    // The trie lives as long as the process (built once, never freed): plain pointers.

    /// The entry (as in `nodes`) of the node each UTF-16 unit reaches from the root (0: no word
    /// starts with it): one load less per character than going through the root.
    private let firstLevel: UnsafeMutablePointer<UInt64>
    /// Per node: its first child's node number (bits 0–31), its number of children (32–47)
    /// and the cost of the word that ends at it (48–55; 0: no word ends there). A node's
    /// children are consecutive nodes, sorted by their unit.
    private let nodes: UnsafeMutablePointer<UInt64>
    /// The unit leading to each node from its parent.
    private let units: UnsafeMutablePointer<UInt16>
    let nodeCount: Int

    /// The trie comes from `ICUCache` (enumerating ICU's 316 K words and building it takes
    /// ≈ 50 ms, at the start of every build and of the daemon: 5% of indexing 21 MB), checked
    /// before use; it is built from ICU's words on a build's first start.
    private init?() {
        let cached = ICUCache.pieces(kind: "CJKDictionary trie", inputs: []) {
            Self.buildTrie().map { trie in (Self.encode(trie), []) }
        }
        guard let bytes = cached?.pieces, bytes.count % 10 == 0, bytes.count > 0 else { return nil }
        let count = bytes.count / 10  // per node 8 bytes of entry, then 2 of unit
        let nodes = UnsafeMutablePointer<UInt64>.allocate(capacity: count)
        let units = UnsafeMutablePointer<UInt16>.allocate(capacity: count)
        bytes.withUnsafeBytes { raw in
            for i in 0..<count {
                nodes[i] = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self))
                units[i] = UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * count + 2 * i, as: UInt16.self))
            }
        }
        // every node's children within the trie, after it (so a walk always ends)
        let valid = (0..<count).allSatisfy { i in
            let first = Int(nodes[i] & 0xFFFF_FFFF), children = Int(nodes[i] >> 32 & 0xFFFF)
            return children == 0 || (first > i && first + children <= count)
        }
        guard valid else {
            nodes.deallocate()
            units.deallocate()
            return nil
        }
        let firstLevel = UnsafeMutablePointer<UInt64>.allocate(capacity: 1 << 16)
        firstLevel.initialize(repeating: 0, count: 1 << 16)
        let rootFirst = Int(nodes[0] & 0xFFFF_FFFF), rootChildren = Int(nodes[0] >> 32 & 0xFFFF)
        for n in rootFirst..<(rootFirst + rootChildren) { firstLevel[Int(units[n])] = nodes[n] }
        self.firstLevel = firstLevel
        self.nodes = nodes
        self.units = units
        nodeCount = count
    }

    /// The trie of ICU's words: per node its entry and its unit (see `nodes`, `units`); nil if
    /// ICU has no such dictionary, or one this trie cannot hold.
    private static func buildTrie() -> (nodes: [UInt64], units: [UInt16])? {
        guard let (text, ends, costs) = words() else { return nil }
        var nodes: [UInt64] = [0]  // node 0: the root
        var units: [UInt16] = [0]
        // Breadth first over the sorted words: the words sharing node i's prefix (of
        // depth[i] units) are words[lower[i] ..< upper[i]]; its children are appended together.
        var lower: [Int32] = [0], upper: [Int32] = [Int32(ends.count)], depth: [Int32] = [0]
        func word(_ w: Int32) -> (start: Int, count: Int) {
            let start = w == 0 ? 0 : Int(ends[Int(w) - 1])
            return (start, Int(ends[Int(w)]) - start)
        }
        var i = 0
        while i < nodes.count {
            var w = lower[i]
            let d = Int(depth[i])
            var cost: UInt64 = 0
            if w < upper[i], word(w).count == d {  // the prefix itself is a word: it sorts first
                cost = UInt64(costs[Int(w)])
                w += 1
            }
            let first = nodes.count
            while w < upper[i] {
                let unit = text[word(w).start + d]
                var end = w + 1
                while end < upper[i] && text[word(end).start + d] == unit { end += 1 }
                nodes.append(0)
                units.append(unit)
                lower.append(w)
                upper.append(end)
                depth.append(Int32(d + 1))
                w = end
            }
            let children = nodes.count - first
            guard children < 1 << 16 else { return nil }
            nodes[i] = UInt64(first) | UInt64(children) << 32 | cost << 48
            i += 1
        }
        return (nodes, units)
    }

    /// The cache's bytes: every node's entry, then every node's unit (little-endian).
    private static func encode(_ trie: (nodes: [UInt64], units: [UInt16])) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(trie.nodes.count * 10)
        for entry in trie.nodes { withUnsafeBytes(of: entry.littleEndian) { bytes.append(contentsOf: $0) } }
        for unit in trie.units { withUnsafeBytes(of: unit.littleEndian) { bytes.append(contentsOf: $0) } }
        return bytes
    }

    /// ICU's words, sorted, as UTF-16 units with each word's end, and their costs.
    private static func words() -> (text: [UInt16], ends: [Int32], costs: [UInt8])? {
        var (wordCap, unitCap) = (1 << 19, 1 << 21)
        while true {
            var text = [UInt16](repeating: 0, count: unitCap)
            var ends = [Int32](repeating: 0, count: wordCap)
            var costs = [UInt8](repeating: 0, count: wordCap)
            var used: Int32 = 0
            let count = Int(sd_cjdict_words(&text, Int32(unitCap), &ends, &costs, Int32(wordCap), &used))
            guard count > 0 else { return nil }
            if count <= wordCap && Int(used) <= unitCap {
                let text = Array(text[..<Int(used)]), ends = Array(ends[..<count])
                // the trie is built from sorted words (ICU's trie lists them so); else ICU splits
                func word(_ w: Int) -> ArraySlice<UInt16> { text[(w == 0 ? 0 : Int(ends[w - 1]))..<Int(ends[w])] }
                guard (1..<count).allSatisfy({ word($0 - 1).lexicographicallyPrecedes(word($0)) }) else { return nil }
                return (text, ends, Array(costs[..<count]))
            }
            (wordCap, unitCap) = (max(wordCap, count), max(unitCap, Int(used)))
        }
    }

    /// The entry of the child of `node` (an entry) reached by `unit`, or 0.
    @inline(__always)
    private func child(_ node: UInt64, _ unit: UInt16) -> UInt64 {
        var low = Int(truncatingIfNeeded: node & 0xFFFF_FFFF)
        var high = low + Int(truncatingIfNeeded: node >> 32 & 0xFFFF)
        while high - low > 8 {  // binary search down to a few units, then a scan
            let middle = (low + high) >> 1
            if units[middle] <= unit { low = middle } else { high = middle }
        }
        while low < high {
            if units[low] == unit { return nodes[low] }
            low += 1
        }
        return 0
    }

    /// An analyser's buffers for `split`: the run's characters in, its words' ends out.
    struct Scratch {
        /// The run, one UTF-16 unit per character (all unified ideographs).
        var units = RawBuffer<UInt16>()
        /// The end of each word, in characters, ascending.
        var ends = RawBuffer<Int32>()
        fileprivate var best = RawBuffer<UInt32>()
        fileprivate var previous = RawBuffer<Int32>()

        func free() {
            units.free()
            ends.free()
            best.free()
            previous.free()
        }
    }

    /// Splits the run in `scratch.units` into words as ICU does, into `scratch.ends`.
    func split(_ scratch: inout Scratch) {
        let n = scratch.units.count
        scratch.ends.removeAll()
        guard n > 0 else { return }
        scratch.best.removeAll()
        scratch.best.append(0)
        scratch.best.append(repeating: .max, count: n)
        scratch.previous.reserveCapacity(n + 1)
        scratch.previous.setCount(n + 1)
        let (text, best, previous) = (scratch.units.base, scratch.best.base, scratch.previous.base)
        // best[k]: the least cost of splitting the first k characters; previous[k]: where the
        // last word of that split starts. Words are tried shortest first from each start, and
        // a later candidate replaces an earlier one only if it costs strictly less (ICU's order).
        for i in 0..<n {
            var entry = firstLevel[Int(text[i])]
            var length = 1
            var singleCost = Self.unknownCost
            while entry != 0 {
                let cost = UInt32(truncatingIfNeeded: entry >> 48)
                if cost != 0 {
                    if length == 1 {
                        singleCost = cost
                    } else if best[i] + cost < best[i + length] {
                        best[i + length] = best[i] + cost
                        previous[i + length] = Int32(i)
                    }
                }
                guard length < Self.maxWordUnits, i + length < n else { break }
                entry = child(entry, text[i + length])
                length += 1
            }
            if best[i] + singleCost < best[i + 1] {
                best[i + 1] = best[i] + singleCost
                previous[i + 1] = Int32(i)
            }
        }
        // The words from the last back to the first, then put in order.
        var k = n
        while k > 0 {
            scratch.ends.append(Int32(k))
            k = Int(previous[k])
        }
        let ends = scratch.ends.base
        var (a, b) = (0, scratch.ends.count - 1)
        while a < b {
            (ends[a], ends[b]) = (ends[b], ends[a])
            a += 1
            b -= 1
        }
    }
}

import Synchronization

/// The Latin word terms of a segment (both text fields), sorted, for typo-tolerant lookup:
/// a depth-first walk of the implicit trie of the sorted terms that carries the rows of the
/// Damerau (optimal string alignment) edit-distance table, computed only within the band of
/// ±maxEdits around the diagonal and pruned as soon as a row exceeds maxEdits. No prefix has
/// to match, so a typo in the first letter costs what any other typo costs.
final class FuzzyIndex: Sendable {
    /// Most trie nodes one lookup may visit: what bounds a lookup's time.
    static let maxVisits = 100_000
    /// Lookups remembered (users repeat and refine queries; editors search as you type).
    static let cacheSize = 4096

    private let cache = Mutex(LookupCache())

    private struct LookupCache {
        var entries: [CacheKey: [Match]] = [:]
        var order: [CacheKey] = []
    }

    private struct CacheKey: Hashable {
        var query: [UInt8]
        var maxEdits: Int
    }

    private let arena: [UInt8]
    private let starts: [UInt32]  // term i is arena[starts[i] ..< starts[i + 1]]
    /// Per 3-letter prefix (base 26, a 2-letter term counting as its letters and "a"), the
    /// first term at or after it: the runs of the trie's first three levels without a search
    /// (the widest levels, where a lookup visits most children; each run found by binary
    /// search cost a dozen reads of scattered terms).
    private let prefixStarts: [UInt32]
    static let prefixLetters = 3

    init(_ segment: Segment) {
        var terms: [[UInt8]] = []
        for field in Field.text {
            segment.dictionary.forEachTerm(withPrefix: [field.rawValue]) { key, _ in
                let word = key.dropFirst()
                // word terms of ASCII letters only (folding already removed accents)
                if word.count >= 2, word.allSatisfy({ $0 >= 0x61 && $0 <= 0x7A }) { terms.append(Array(word)) }
                return true
            }
        }
        terms.sort { $0.lexicographicallyPrecedes($1) }
        var arena: [UInt8] = []
        var starts: [UInt32] = []
        var previous: [UInt8]? = nil
        for t in terms where t != previous {
            starts.append(UInt32(arena.count))
            arena.append(contentsOf: t)
            previous = t
        }
        starts.append(UInt32(arena.count))
        self.arena = arena
        self.starts = starts
        var prefixStarts = [UInt32](repeating: 0, count: Self.prefixCodes + 1)
        var code = 0
        for i in 0..<(starts.count - 1) {
            let term = arena[Int(starts[i])..<Int(starts[i + 1])]
            let c = Self.prefixCode(term)
            while code <= c {
                prefixStarts[code] = UInt32(i)
                code += 1
            }
        }
        while code <= Self.prefixCodes {
            prefixStarts[code] = UInt32(starts.count - 1)
            code += 1
        }
        self.prefixStarts = prefixStarts
    }

    static let prefixCodes = (0..<prefixLetters).reduce(1) { n, _ in n * 26 }

    /// A term's first three letters in base 26 (a missing third counts as "a").
    static func prefixCode(_ term: ArraySlice<UInt8>) -> Int {
        var code = 0
        for k in 0..<prefixLetters {
            let i = term.startIndex + k
            code = code * 26 + (i < term.endIndex ? Int(term[i] - 97) : 0)
        }
        return code
    }

    var count: Int { starts.count - 1 }

    /// A term found by a lookup, with what the lookup's `infos` gave for it.
    struct Match {
        var term: [UInt8]
        var distance: Int
        /// Its postings information in each text field (`Field.text` order; nil where absent).
        var infos: [TermInfo?]
    }

    /// Terms within `maxEdits` of `query` (the query itself excluded), with their distance and
    /// their postings information, from `infos` and remembered with the lookup: binding a
    /// word's closest terms looked each up again in both fields and every segment, most of a
    /// typo-tolerant word's binding (Docs/BENCHMARKS.md).
    func lookup(_ query: [UInt8], maxEdits: Int, infos: ([UInt8]) -> [TermInfo?]) -> [Match] {
        guard count > 0, !query.isEmpty, maxEdits > 0 else { return [] }
        let key = CacheKey(query: query, maxEdits: maxEdits)
        if let known = cache.withLock({ $0.entries[key] }) { return known }
        let found = walk(query, maxEdits: maxEdits).map { Match(term: $0.term, distance: $0.distance, infos: infos($0.term)) }
        cache.withLock { cache in
            if cache.order.count >= Self.cacheSize {
                // forget the older half at once: cheap, and keeps what is being typed now
                for old in cache.order.prefix(Self.cacheSize / 2) { cache.entries[old] = nil }
                cache.order.removeFirst(Self.cacheSize / 2)
            }
            if cache.entries.updateValue(found, forKey: key) == nil { cache.order.append(key) }
        }
        return found
    }

    private func walk(_ query: [UInt8], maxEdits: Int) -> [(term: [UInt8], distance: Int)] {
        arena.withUnsafeBufferPointer { arena in
            starts.withUnsafeBufferPointer { starts in
                prefixStarts.withUnsafeBufferPointer { prefixStarts in
                    query.withUnsafeBufferPointer { query in
                        var walk = Walk(arena: arena, starts: starts, prefixStarts: prefixStarts, query: query, maxEdits: maxEdits)
                        defer { walk.deallocate() }
                        walk.visit(depth: 0, lo: 0, hi: count)
                        return walk.found.map { (Array(walk.term($0.term)), $0.distance) }
                    }
                }
            }
        }
    }

    /// One lookup's state: the table rows (one per depth) and the path of bytes walked.
    private struct Walk {
        let arena: UnsafeBufferPointer<UInt8>
        let starts: UnsafeBufferPointer<UInt32>
        let prefixStarts: UnsafeBufferPointer<UInt32>
        let query: UnsafeBufferPointer<UInt8>
        let m: Int
        let d: Int
        let width: Int
        let rows: UnsafeMutablePointer<Int32>
        let path: UnsafeMutablePointer<UInt8>
        var visits = 0
        var found: [(term: Int, distance: Int)] = []

        /// Nodes of at most this many terms read their children in one pass.
        static let readThrough = 24

        /// Larger than any distance worth keeping.
        var infinity: Int32 { Int32(d + 1) }

        init(arena: UnsafeBufferPointer<UInt8>, starts: UnsafeBufferPointer<UInt32>, prefixStarts: UnsafeBufferPointer<UInt32>,
             query: UnsafeBufferPointer<UInt8>, maxEdits: Int) {
            self.arena = arena
            self.starts = starts
            self.prefixStarts = prefixStarts
            self.query = query
            m = query.count
            d = maxEdits
            width = m + 2
            let depth = m + d + 2
            rows = .allocate(capacity: depth * width)
            rows.initialize(repeating: Int32(maxEdits + 1), count: depth * width)
            path = .allocate(capacity: depth)
            for j in 0...min(m, d) { rows[j] = Int32(j) }
        }

        func deallocate() {
            rows.deallocate()
            path.deallocate()
        }

        @inline(__always)
        func term(_ i: Int) -> UnsafeBufferPointer<UInt8> {
            UnsafeBufferPointer(rebasing: arena[Int(starts[i])..<Int(starts[i + 1])])
        }

        /// Visits the node at `depth` whose terms are lo..<hi (they all share path[0..<depth]).
        mutating func visit(depth: Int, lo: Int, hi: Int) {
            visits += 1
            guard visits <= FuzzyIndex.maxVisits else { return }
            var lo = lo
            if term(lo).count == depth {  // a whole term ends here
                let distance = Int(rows[depth * width + m])
                if distance <= d && distance > 0 { found.append((lo, distance)) }
                lo += 1
            }
            guard depth < m + d, lo < hi else { return }
            // Every child whose byte is not one of the query's letters in the band gets the
            // row that byte 0 gets (no term holds it). When that row is out of reach, only the
            // children of those letters (at most 2d + 2) can lead anywhere: in a node of many
            // terms their runs are found by binary search instead of walking every child. A
            // node of a few terms (most, deep in the trie) is read through: two searches per
            // letter cost more than reading its terms.
            let k = depth + 1
            if depth < FuzzyIndex.prefixLetters {
                // the first levels: each child's run from the prefix table, the children of the
                // band's letters only when no other can lead anywhere
                let letters = step(depth: depth, c: 0) > d ? bandLetters(k) : nil
                var parent = 0, scale = 1  // the path's code; the codes per child
                for i in 0..<depth { parent = parent * 26 + Int(path[i] - 97) }
                for _ in k..<FuzzyIndex.prefixLetters { scale *= 26 }
                for c in UInt8(ascii: "a")...UInt8(ascii: "z") {
                    if let letters, letters.high >> UInt64(c - 64) & 1 == 0 { continue }  // letters are ≥ 64
                    let child = parent * 26 + Int(c - 97)
                    let start = max(lo, Int(prefixStarts[child * scale])), end = min(hi, Int(prefixStarts[(child + 1) * scale]))
                    if start < end && step(depth: depth, c: c) <= d {
                        path[depth] = c
                        visit(depth: k, lo: start, hi: end)
                    }
                }
                return
            }
            if hi - lo > Self.readThrough, step(depth: depth, c: 0) > d, let letters = bandLetters(k) {
                var i = lo
                for half in 0..<2 {
                    var bits = half == 0 ? letters.low : letters.high
                    while bits != 0 && i < hi {
                        let c = UInt8(half * 64 + bits.trailingZeroBitCount)
                        bits &= bits - 1
                        let start = firstIndex(from: i, to: hi, depth: depth) { $0 >= c }
                        let end = firstIndex(from: start, to: hi, depth: depth) { $0 > c }
                        if start < end && step(depth: depth, c: c) <= d {
                            path[depth] = c
                            visit(depth: k, lo: start, hi: end)
                        }
                        i = end
                    }
                }
                return
            }
            var i = lo
            while i < hi {
                let c = term(i)[depth]
                let end = firstIndex(from: i + 1, to: hi, depth: depth) { $0 > c }
                if step(depth: depth, c: c) <= d {
                    path[depth] = c
                    visit(depth: k, lo: i, hi: end)
                }
                i = end
            }
        }

        /// The query's bytes that `step` compares with the byte of row k (its band, and one
        /// before it for a swap), as a set of ASCII bytes; nil when one is not ASCII.
        @inline(__always)
        func bandLetters(_ k: Int) -> (low: UInt64, high: UInt64)? {
            var set = (low: UInt64(0), high: UInt64(0))
            for j in max(0, k - d - 2)..<min(m, k + d) {
                let b = query[j]
                guard b < 128 else { return nil }
                if b < 64 { set.low |= 1 << UInt64(b) } else { set.high |= 1 << UInt64(b - 64) }
            }
            return set
        }

        /// The first of the terms from..<to (sorted, longer than depth) whose byte at depth
        /// passes `isPast` (`to` if none): galloping, then a binary search (runs deep in the
        /// trie are a few terms long, next to what was just read).
        @inline(__always)
        func firstIndex(from: Int, to: Int, depth: Int, _ isPast: (UInt8) -> Bool) -> Int {
            var a = from, probe = from, jump = 1
            while probe < to && !isPast(term(probe)[depth]) {
                a = probe + 1
                probe += jump
                jump &*= 2
            }
            var b = min(probe, to)
            while a < b {
                let mid = (a + b) >> 1
                if isPast(term(mid)[depth]) { b = mid } else { a = mid + 1 }
            }
            return a
        }

        /// Fills the row for prefix length depth + 1 ending in c, within the band, and returns
        /// its minimum.
        @inline(__always)
        func step(depth: Int, c: UInt8) -> Int {
            let k = depth + 1
            let previous = rows + depth * width, current = rows + k * width
            let low = max(0, k - d), high = min(m, k + d)
            guard low <= high else { return d + 1 }
            var best = infinity
            if low == 0 {
                current[0] = Int32(k)
                best = Int32(k)
            }
            for j in max(1, low)...max(1, high) where j <= high {
                var v = previous[j - 1] + (query[j - 1] == c ? 0 : 1)
                v = min(v, previous[j] + 1, current[j - 1] + 1)
                if k > 1 && j > 1 && c == query[j - 2] && path[depth - 1] == query[j - 1] {
                    v = min(v, rows[(k - 2) * width + j - 2] + 1)  // a swap of two letters
                }
                current[j] = min(v, infinity)
                best = min(best, current[j])
            }
            // cells just outside the band read as infinity by the next row
            if low > 0 { current[low - 1] = infinity }
            if high < m { current[high + 1] = infinity }
            return Int(best)
        }
    }
}

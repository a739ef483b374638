/// The Latin word terms of a segment (both text fields), sorted, for typo-tolerant lookup:
/// a depth-first walk of the implicit trie of the sorted terms, carrying the rows of the
/// Damerau (optimal string alignment) edit-distance table, pruned as soon as every entry of
/// a row exceeds the allowed edits. No prefix is required to match, so a typo in the first
/// letter costs what any other typo costs.
final class FuzzyIndex: Sendable {
    /// Most trie nodes one lookup may visit: what keeps a lookup bounded in time.
    static let maxVisits = 200_000

    private let arena: [UInt8]
    private let starts: [UInt32]  // term i is arena[starts[i] ..< starts[i + 1]]

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
    }

    var count: Int { starts.count - 1 }

    /// Terms within `maxEdits` of `query` (the query itself excluded), with their distance.
    func lookup(_ query: [UInt8], maxEdits: Int) -> [(term: [UInt8], distance: Int)] {
        guard count > 0, !query.isEmpty, maxEdits > 0 else { return [] }
        var found: [(term: [UInt8], distance: Int)] = []
        var visits = 0
        let m = query.count
        arena.withUnsafeBufferPointer { arena in
            // rows[d] is the table row after d characters of the candidate
            var rows = [[Int]](repeating: [Int](repeating: 0, count: m + 1), count: m + maxEdits + 2)
            rows[0] = Array(0...m)
            var path = [UInt8](repeating: 0, count: m + maxEdits + 2)

            func term(_ i: Int) -> UnsafeBufferPointer<UInt8> {
                UnsafeBufferPointer(rebasing: arena[Int(starts[i])..<Int(starts[i + 1])])
            }

            /// Visits the node at `depth` whose terms are lo..<hi (all share path[0..<depth]).
            func visit(depth: Int, lo: Int, hi: Int) {
                visits += 1
                guard visits <= Self.maxVisits else { return }
                var lo = lo
                if term(lo).count == depth {  // a whole term ends here
                    let d = rows[depth][m]
                    if d <= maxEdits && d > 0 { found.append((Array(term(lo)), d)) }
                    lo += 1
                }
                guard depth < m + maxEdits else { return }
                var i = lo
                while i < hi {
                    let c = term(i)[depth]
                    // end of the run of terms with byte c at this depth
                    var a = i + 1, b = hi
                    while a < b {
                        let mid = (a + b) / 2
                        if term(mid)[depth] <= c { a = mid + 1 } else { b = mid }
                    }
                    if step(depth: depth, c: c) <= maxEdits {
                        path[depth] = c
                        visit(depth: depth + 1, lo: i, hi: a)
                    }
                    i = a
                }
            }

            /// Fills rows[depth + 1] for candidate character c and returns its minimum.
            func step(depth: Int, c: UInt8) -> Int {
                let k = depth + 1
                rows[k][0] = k
                var best = k
                for j in 1...m {
                    let cost = query[j - 1] == c ? 0 : 1
                    var v = min(rows[k - 1][j] + 1, rows[k][j - 1] + 1, rows[k - 1][j - 1] + cost)
                    if k > 1 && j > 1 && c == query[j - 2] && path[depth - 1] == query[j - 1] {
                        v = min(v, rows[k - 2][j - 2] + 1)  // transposition
                    }
                    rows[k][j] = v
                    best = min(best, v)
                }
                return best
            }

            visit(depth: 0, lo: 0, hi: count)
        }
        return found
    }
}

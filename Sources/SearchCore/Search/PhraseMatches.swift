/// The documents of one segment where a phrase occurs (its terms at their offsets), with
/// how often: what BM25 needs of a phrase, computed once when the query is bound, so that its
/// document frequency is exact.
struct PhraseMatches {
    var docs: [UInt32]
    var freqs: [UInt32]

    static let none = PhraseMatches(docs: [], freqs: [])

    /// The documents where the terms occur at their offsets (term i at p + offsets[i]), with
    /// the number of such occurrences; found by intersecting the cursors, rarest first.
    static func find(_ cursors: [PostingsCursor], offsets: [UInt32]) -> PhraseMatches {
        var docs: [UInt32] = []
        var freqs: [UInt32] = []
        let order = cursors.indices.sorted { cursors[$0].docFreq < cursors[$1].docFreq }
        var positions = [[UInt32]](repeating: [], count: cursors.count)
        var candidate = cursors[order[0]].next()
        search: while candidate != PostingsCursor.end {
            for k in order.dropFirst() {
                let d = cursors[k].advance(to: candidate)
                if d != candidate {
                    candidate = cursors[order[0]].advance(to: d)
                    continue search
                }
            }
            for k in cursors.indices { cursors[k].positions(into: &positions[k]) }
            let n = countPhrase(positions, offsets: offsets)
            if n > 0 {
                docs.append(candidate)
                freqs.append(n)
            }
            candidate = cursors[order[0]].next()
        }
        return PhraseMatches(docs: docs, freqs: freqs)
    }

    /// Occurrences of p such that positions[i] holds p + offsets[i] for every i
    /// (offsets[0] is 0).
    static func countPhrase(_ positions: [[UInt32]], offsets: [UInt32]) -> UInt32 {
        // called once per candidate document: the cursors live on the stack
        withUnsafeTemporaryAllocation(of: Int.self, capacity: positions.count) { cursors in
            cursors.initialize(repeating: 0)
            var count: UInt32 = 0
            outer: for p in positions[0] {
                for i in 1..<positions.count {
                    let want = p + offsets[i]
                    let list = positions[i]
                    var c = cursors[i]
                    while c < list.count && list[c] < want { c += 1 }
                    cursors[i] = c
                    guard c < list.count else { break outer }
                    if list[c] != want { continue outer }
                }
                count += 1
            }
            return count
        }
    }
}

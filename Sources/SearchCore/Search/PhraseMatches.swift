/// The documents of one segment where a phrase occurs (its terms at their offsets), with
/// how often: what BM25 needs of a phrase, computed once when the query is bound, so that its
/// document frequency is exact.
struct PhraseMatches {
    var docs: [UInt32]
    var freqs: [UInt32]

    static let none = PhraseMatches(docs: [], freqs: [])

    /// Rarest-term postings at least this long are matched by several threads, each over a
    /// range of the segment's documents (a Chinese word of three characters or more is a
    /// phrase of bigrams: in a large index, their postings are long).
    static let partPostings = 1 << 13

    /// The phrase's matches in one segment (`infos`: each term's postings there).
    static func find(in segment: Segment, _ infos: [TermInfo], offsets: [UInt32],
                     partPostings: Int = partPostings, maxParts: Int = Cores.available) -> PhraseMatches {
        let rarest = infos.lazy.map { $0.docFreq }.min() ?? 0
        let count = max(1, min(maxParts, Int(rarest) / partPostings))
        guard count > 1 else { return find(infos.map { segment.postings($0) }, offsets: offsets) }
        let share = (segment.docCount + count - 1) / count
        let parts = Cores.map(count) { i in
            let docs = UInt32(i * share)..<UInt32(min(segment.docCount, (i + 1) * share))
            return find(infos.map { segment.postings($0) }, offsets: offsets, docs: docs)
        }
        return PhraseMatches(docs: parts.flatMap(\.docs), freqs: parts.flatMap(\.freqs))
    }

    /// The documents (in `docs`) where the terms occur at their offsets (term i at
    /// p + offsets[i]), with the number of such occurrences; found by intersecting the
    /// cursors, rarest first.
    static func find(_ cursors: [PostingsCursor], offsets: [UInt32], docs range: Range<UInt32> = 0..<PostingsCursor.end) -> PhraseMatches {
        var docs: [UInt32] = []
        var freqs: [UInt32] = []
        let order = cursors.indices.sorted { cursors[$0].docFreq < cursors[$1].docFreq }
        // every term's positions in the candidate, one after the other (no array per term:
        // their copy-on-write and exclusivity checks cost more than the decoding)
        var positions = RawBuffer<UInt32>(capacity: 256)
        var starts = RawBuffer<Int>(capacity: cursors.count + 1)
        defer {
            positions.free()
            starts.free()
        }
        var candidate = cursors[order[0]].advance(to: range.lowerBound)
        search: while candidate < range.upperBound {
            for k in order.dropFirst() {
                let d = cursors[k].advance(to: candidate)
                if d != candidate {
                    candidate = cursors[order[0]].advance(to: d)
                    continue search
                }
            }
            positions.removeAll()
            starts.removeAll()
            for cursor in cursors {
                starts.append(positions.count)
                cursor.forEachPosition { positions.append($0) }
            }
            starts.append(positions.count)
            let n = countPhrase(positions.buffer, starts: starts.buffer, offsets: offsets)
            if n > 0 {
                docs.append(candidate)
                freqs.append(n)
            }
            candidate = cursors[order[0]].next()
        }
        return PhraseMatches(docs: docs, freqs: freqs)
    }

    /// Occurrences of p such that term i's positions (positions[starts[i] ..< starts[i + 1]])
    /// hold p + offsets[i] for every i (offsets[0] is 0).
    static func countPhrase(_ positions: UnsafeBufferPointer<UInt32>, starts: UnsafeBufferPointer<Int>, offsets: [UInt32]) -> UInt32 {
        let terms = starts.count - 1
        // called once per candidate document: the cursors live on the stack
        return withUnsafeTemporaryAllocation(of: Int.self, capacity: terms) { cursors in
            for i in 0..<terms { cursors[i] = starts[i] }
            var count: UInt32 = 0
            outer: for at in starts[0]..<starts[1] {
                let p = positions[at]
                for i in 1..<terms {
                    let want = p + offsets[i]
                    let end = starts[i + 1]
                    var c = cursors[i]
                    while c < end && positions[c] < want { c += 1 }
                    cursors[i] = c
                    guard c < end else { break outer }
                    if positions[c] != want { continue outer }
                }
                count += 1
            }
            return count
        }
    }
}

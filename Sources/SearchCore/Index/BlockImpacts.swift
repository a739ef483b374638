/// For each postings block of a term, the (frequency, field length) pairs that can score best
/// in it: those no other document of the block beats on both (higher or equal frequency and
/// shorter or equal length) — Lucene's "impacts". BM25 grows with the frequency and shrinks with
/// the length whatever avgdl is, so the best of these pairs is the block's exact maximum,
/// where the skip table's largest frequency and smallest length, taken from different
/// documents, give a loose one. Computed from the postings and norms the first time a query
/// needs bounds for a frequent term, and kept by the segment.
struct BlockImpacts: Sendable {
    /// Block b's pairs are at starts[b] ..< starts[b + 1].
    private let starts: [Int32]
    private let freqs: [UInt32]
    private let lengths: [UInt32]

    /// Reads every block of the postings (the cursor, fresh) with the lengths of `field`.
    init(_ postings: PostingsCursor, norms: FieldNorms, field: Field) {
        var starts: [Int32] = [0]
        var freqs: [UInt32] = [], lengths: [UInt32] = []
        // per block, the shortest length of each frequency met: a block of 128 documents has
        // few distinct frequencies, so this stays small and the sort below sorts only it
        var shortest: [(freq: UInt32, length: UInt32)] = []
        var lastBlock = -1
        func flush() {
            // by frequency, highest first: a pair is kept when it is shorter than every pair
            // kept before it
            shortest.sort { $0.freq > $1.freq }
            var bound = UInt32.max
            for p in shortest where p.length < bound {
                freqs.append(p.freq)
                lengths.append(p.length)
                bound = p.length
            }
            starts.append(Int32(freqs.count))
            shortest.removeAll(keepingCapacity: true)
        }
        while postings.next() != PostingsCursor.end {
            if postings.block != lastBlock && lastBlock >= 0 { flush() }
            lastBlock = postings.block
            let (freq, length) = (postings.freq, norms.length(postings.doc, field))
            if let i = shortest.firstIndex(where: { $0.freq == freq }) {
                shortest[i].length = min(shortest[i].length, length)
            } else {
                shortest.append((freq, length))
            }
        }
        if lastBlock >= 0 { flush() }
        self.starts = starts
        self.freqs = freqs
        self.lengths = lengths
    }

    /// The best `score(freq, length)` of block b.
    @inline(__always)
    func maximum(block b: Int, _ score: (UInt32, UInt32) -> Double) -> Double {
        guard b + 1 < starts.count else { return .infinity }
        var best = 0.0
        for i in Int(starts[b])..<Int(starts[b + 1]) { best = max(best, score(freqs[i], lengths[i])) }
        return best
    }

    /// Approximate bytes held.
    var memoryBytes: Int { starts.count * 4 + freqs.count * 8 }
}

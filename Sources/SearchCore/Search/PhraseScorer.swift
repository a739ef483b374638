/// A phrase in one segment: its terms at their offsets (a Chinese word's bigrams, a compound's
/// parts, a quoted phrase). Its documents are found as the walk goes: the rarest term leads,
/// the others are advanced to each of its documents, and a candidate is kept when the terms'
/// positions line up. So the searcher skips a phrase's documents like a term's, instead of
/// matching its whole postings first.
///
/// It is the `LeafScorer` of the lead's postings with the phrase's frequency: the lead's block
/// bounds hold for the phrase, which occurs in a document at most as often as its rarest term.
final class PhraseScorer: LeafScorer {
    /// Every term's postings, in phrase order (the lead among them), which keeps them alive;
    /// the same unretained for the per-candidate loops, and the terms other than the lead,
    /// rarest first.
    private let owned: [PostingsCursor]
    private let cursors: Unretained<PostingsCursor>
    private let others: Unretained<PostingsCursor>
    /// Term i occurs at p + offsets[i] (offsets[0] is 0).
    private let offsets: [UInt32]
    /// Per term, which stored positions count and how to read them (`WordBoundaries`).
    private let filters: [PositionFilter]
    private var phraseFreq: UInt32 = 0
    /// A Han run's whole-word bonus counted in the same pass (`ExactOccurrenceScorer`): per
    /// term, the boundaries an occurrence must have; the count at the last document checked,
    /// and at each document of the last window that has any (its bonus is asked after the
    /// window, when the phrase has moved on).
    private let exactFilters: [PositionFilter]?
    private var exact: (doc: UInt32, freq: UInt32) = (PostingsCursor.end, 0)
    private var windowExact: [(doc: UInt32, freq: UInt32)] = []
    /// Where in `windowExact` the last ask was answered: the window's documents are asked in
    /// order, so the next answer is there or after it.
    private var windowAt = 0
    /// Whether the lead stands on a document where the phrase occurs (or at the end); after
    /// `matches` it may stand on one not checked yet.
    private var settled = false
    /// Every term's positions in the candidate, one after the other (see `countPhrase`).
    private var positions = RawBuffer<UInt32>(capacity: 256)
    private var starts: RawBuffer<Int>
    /// The same for the occurrences with the boundaries of `exactFilters`.
    private var exactPositions = RawBuffer<UInt32>(capacity: 0)
    private var exactStarts: RawBuffer<Int>

    /// The lead's index among the terms.
    let leadIndex: Int

    /// `lead`: the rarest term's index, whose impacts bound the phrase's blocks. `exactTerms`:
    /// the same terms with the boundaries of a whole-word bonus, counted apart (`exactFreq`).
    init(cursors: [PostingsCursor], lead: Int, terms: [Leaf.Term], exactTerms: [Leaf.Term]? = nil, factor: Double, penalty: Int,
         field: Field, norms: FieldNorms, averageLength: Double) {
        owned = cursors
        leadIndex = lead
        self.cursors = Unretained(cursors)
        // rarer first: a candidate is mostly turned down by the first term asked
        others = Unretained(cursors.indices.filter { $0 != lead }.map { cursors[$0] }.sorted { $0.docFreq < $1.docFreq })
        offsets = terms.map(\.offset)
        filters = terms.map(PositionFilter.init)
        exactFilters = exactTerms?.map(PositionFilter.init)
        starts = RawBuffer(capacity: cursors.count + 1)
        exactStarts = RawBuffer(capacity: exactTerms == nil ? 0 : cursors.count + 1)
        super.init(postings: cursors[lead], factor: factor, penalty: penalty, field: field, norms: norms,
                   averageLength: averageLength)
        settle()
    }

    deinit {
        positions.free()
        starts.free()
        exactPositions.free()
        exactStarts.free()
        cursors.free()
        others.free()
    }

    override var freq: UInt32 { phraseFreq }

    override var doc: UInt32 { settled ? postings.doc : settle() }

    override func addWindow(from start: UInt32, upTo end: UInt32, penalty: Int, into window: ScoreWindow) {
        var d = doc < start ? advance(to: start) : doc
        windowExact.removeAll(keepingCapacity: true)
        windowAt = 0
        while d < end {
            var m = Match()
            add(to: &m)
            window.addAlternative(Int(d - start), penalty: penalty, score: m.score)
            if exact.doc == d && exact.freq > 0 { windowExact.append(exact) }
            d = next()
        }
    }

    /// How often the phrase occurs in document d with the boundaries of `exactTerms`: d
    /// the document it last checked, or one of its last window (0 for any other).
    func exactFreq(at d: UInt32) -> UInt32 {
        let exact = self.exact
        if exact.doc == d { return exact.freq }
        // one access to the property: each read of it in a search was an exclusivity check
        let (at, freq) = windowExact.withUnsafeBufferPointer { window -> (Int, UInt32) in
            var lo = windowAt, hi = window.count
            if lo < hi && window[lo].doc > d { (lo, hi) = (0, lo) }  // asked out of order
            // from where the last ask ended, a few steps; a binary search past them
            var steps = 0
            while lo < hi && window[lo].doc < d && steps < 8 { lo += 1; steps += 1 }
            while lo < hi {
                let mid = (lo + hi) / 2
                if window[mid].doc < d { lo = mid + 1 } else { hi = mid }
            }
            return (lo, lo < window.count && window[lo].doc == d ? window[lo].freq : 0)
        }
        windowAt = at
        return freq
    }

    @discardableResult override func next() -> UInt32 {
        guard doc != PostingsCursor.end else { return doc }
        postings.next()
        return settle()
    }

    @discardableResult override func advance(to target: UInt32) -> UInt32 {
        guard postings.doc < target else { return doc }
        postings.advance(to: target)
        return settle()
    }

    /// Looks at d alone (a bonus asks this of the document being scored: settling on the
    /// phrase's next document could check many candidates that are never scored).
    override func matches(_ d: UInt32) -> Bool {
        if postings.doc < d {
            postings.advance(to: d)
            settled = false
        }
        guard postings.doc == d else { return false }
        if settled { return true }
        settled = occurs(at: d)
        return settled
    }

    /// From the lead's document on, the first where the phrase occurs (the lead stays there).
    @discardableResult
    private func settle() -> UInt32 {
        var candidate = postings.doc
        while candidate != PostingsCursor.end && !occurs(at: candidate) {
            candidate = postings.doc
        }
        settled = true
        return candidate
    }

    /// Whether the phrase occurs in document d, where the lead stands (`phraseFreq`: how
    /// often). If not, the lead moves past d.
    private func occurs(at d: UInt32) -> Bool {
        for i in 0..<others.count {
            let next = others.with(i) { $0.advance(to: d) }
            if next != d {
                postings.advance(to: next)
                return false
            }
        }
        if cursors.count == 1 { return countOccurrences(at: d) }
        // locals: appending to the properties would check exclusive access per position
        var positions = self.positions, starts = self.starts
        var exactPositions = self.exactPositions, exactStarts = self.exactStarts
        defer {
            (self.positions, self.starts) = (positions, starts)
            (self.exactPositions, self.exactStarts) = (exactPositions, exactStarts)
        }
        positions.removeAll()
        starts.removeAll()
        exactPositions.removeAll()
        exactStarts.removeAll()
        for i in 0..<cursors.count {
            starts.append(positions.count)
            let filter = filters[i]
            if let exactFilters {
                // the same pass keeps, apart, the occurrences with the bonus's boundaries
                exactStarts.append(exactPositions.count)
                let exact = exactFilters[i]
                cursors.with(i) {
                    $0.forEachPosition { p in
                        if p & filter.mask == filter.boundaries { positions.append(p >> filter.shift) }
                        if p & exact.mask == exact.boundaries { exactPositions.append(p >> exact.shift) }
                    }
                }
            } else {
                cursors.with(i) { $0.forEachPosition { p in if p & filter.mask == filter.boundaries { positions.append(p >> filter.shift) } } }
            }
        }
        starts.append(positions.count)
        phraseFreq = Self.countPhrase(positions.buffer, starts: starts.buffer, offsets: offsets)
        if exactFilters != nil {
            exactStarts.append(exactPositions.count)
            exact = (d, phraseFreq > 0 ? Self.countPhrase(exactPositions.buffer, starts: exactStarts.buffer, offsets: offsets) : 0)
        }
        if phraseFreq == 0 { postings.next() }
        return phraseFreq > 0
    }

    /// `occurs` for one term (the bigram of a 2-character query that is not one ICU word, with
    /// its whole-word bonus): its positions with the boundaries asked for are counted as they
    /// are read, with nothing to line up.
    private func countOccurrences(at d: UInt32) -> Bool {
        let filter = filters[0], exactFilter = exactFilters?[0] ?? filter
        var freq: UInt32 = 0, exactFreq: UInt32 = 0
        cursors.with(0) {
            $0.forEachPosition { p in
                if p & filter.mask == filter.boundaries { freq += 1 }
                if p & exactFilter.mask == exactFilter.boundaries { exactFreq += 1 }
            }
        }
        phraseFreq = freq
        if exactFilters != nil { exact = (d, freq > 0 ? exactFreq : 0) }
        if freq == 0 { postings.next() }
        return freq > 0
    }

    /// Occurrences of p such that term i's positions (positions[starts[i] ..< starts[i + 1]])
    /// hold p + offsets[i] for every i.
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

/// Which stored positions of a phrase's term count, and their positions: a Han character's
/// or bigram's carry its word boundaries in their low bits (`WordBoundaries`).
struct PositionFilter {
    var shift: UInt32 = 0
    var mask: UInt32 = 0
    var boundaries: UInt32 = 0

    init(_ term: Leaf.Term) {
        if term.marked { shift = WordBoundaries.bits }
        mask = UInt32(term.mask)
        boundaries = UInt32(term.boundaries & term.mask)
    }
}

/// A Han run's whole-word bonus (its characters or bigrams with the query's `WordBoundaries`)
/// read off the run's match: the match's `PhraseScorer` counts, in its one pass over the
/// positions, the occurrences with those boundaries too, and this scorer answers from that
/// count instead of walking the same postings a second time (their blocks decoded again, their
/// positions read again). Its own cursor of the lead term only bounds runs (`bound(from:coarse:)`
/// reads the skip table and impacts; the bonus's occurrences are among the match's).
final class ExactOccurrenceScorer: LeafScorer {
    private let match: PhraseScorer
    private var asked: (doc: UInt32, freq: UInt32) = (PostingsCursor.end, 0)

    init(match: PhraseScorer, lead: PostingsCursor, factor: Double, field: Field, norms: FieldNorms, averageLength: Double) {
        self.match = match
        super.init(postings: lead, factor: factor, penalty: 0, field: field, norms: norms, averageLength: averageLength)
    }

    /// Asked by its word of the document being scored, where the match stands, or of one of
    /// the window the match has just scored.
    override func matches(_ d: UInt32) -> Bool {
        asked = (d, match.exactFreq(at: d))
        return asked.freq > 0
    }

    override var freq: UInt32 { asked.freq }

    override func add(to match: inout Match) {
        match.score += score(freq: asked.freq, in: asked.doc)
    }
}

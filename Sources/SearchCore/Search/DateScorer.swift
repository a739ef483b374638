/// Documents whose date range overlaps a range (the dates of a segment as yyyymmdd bounds).
final class DateScorer: Scorer {
    private let dates: DocumentDates
    private let range: ClosedRange<UInt32>
    private var current: UInt32 = 0

    init(dates: DocumentDates, range: ClosedRange<UInt32>) {
        self.dates = dates
        self.range = range
        super.init()
        seek(0)
    }

    override var doc: UInt32 { current }
    override var cost: Int { dates.count }

    @discardableResult override func next() -> UInt32 { current == PostingsCursor.end ? current : seek(current + 1) }

    @discardableResult override func advance(to target: UInt32) -> UInt32 { current >= target ? current : seek(target) }

    @discardableResult
    private func seek(_ target: UInt32) -> UInt32 {
        var d = target
        while Int(d) < dates.count {
            if let r = dates.range(d), r.overlaps(range) {
                current = d
                return current
            }
            d += 1
        }
        current = PostingsCursor.end
        return current
    }
}

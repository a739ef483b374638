/// Accumulates extracted plain text and remembers where each span came from in the source,
/// so a match can be reported at its line and column in the original file.
struct TextBuilder {
    private(set) var text: [UInt8] = []
    private(set) var anchors: [SourceAnchor] = []
    /// Byte offset of the start of each source line.
    private let lineStarts: [Int]
    /// Source offset that the next verbatim byte would continue from without a new anchor.
    private var continuation = -1

    init(source: UnsafeBufferPointer<UInt8>) {
        var starts = [0]
        for (i, b) in source.enumerated() where b == UInt8(ascii: "\n") { starts.append(i + 1) }
        lineStarts = starts
    }

    /// Appends source[range] verbatim.
    mutating func append(_ source: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) {
        guard !range.isEmpty else { return }
        if range.lowerBound != continuation { anchor(at: range.lowerBound) }
        text.append(contentsOf: source[range])
        continuation = range.upperBound
    }

    /// Appends bytes that stand for source text at `sourceOffset` (a decoded entity).
    mutating func append(decoded bytes: [UInt8], at sourceOffset: Int) {
        anchor(at: sourceOffset)
        text.append(contentsOf: bytes)
        continuation = -1
    }

    /// Appends a separator that has no source (the line break a block element implies).
    mutating func appendBreak() {
        guard let last = text.last, last != UInt8(ascii: "\n") else { return }
        text.append(UInt8(ascii: "\n"))
        continuation = -1
    }

    private mutating func anchor(at sourceOffset: Int) {
        var lo = 0, hi = lineStarts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if lineStarts[mid] <= sourceOffset { lo = mid } else { hi = mid - 1 }
        }
        let a = SourceAnchor(bodyOffset: UInt32(text.count), line: UInt32(lo + 1),
                             column: UInt32(sourceOffset - lineStarts[lo] + 1))
        if let last = anchors.last, last.bodyOffset == a.bodyOffset { anchors[anchors.count - 1] = a } else { anchors.append(a) }
    }

    var string: String { String(decoding: text, as: UTF8.self) }
}

#if canImport(Glibc)
import Glibc
#endif

/// Accumulates extracted plain text and remembers where each span came from in the source,
/// so a match can be reported at its line and column in the original file.
struct TextBuilder {
    private(set) var text: [UInt8] = []
    private(set) var anchors: [SourceAnchor] = []
    private let source: UnsafeBufferPointer<UInt8>
    /// The source counted so far: the line that `counted` is on (1-based) and where it starts.
    /// Anchors come in source order, so each count goes on from the last (a list of every
    /// line's start was made for each file first).
    private var line = (number: 1, start: 0, counted: 0)
    /// Source offset that the next verbatim byte would continue from without a new anchor.
    private var continuation = -1

    /// A builder for text from `source`, which must outlive it.
    init(source: UnsafeBufferPointer<UInt8>) {
        self.source = source
    }

    /// Appends source[range] verbatim.
    mutating func append(_ range: Range<Int>) {
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
        if sourceOffset < line.counted { line = (1, 0, 0) }  // an anchor further back: counted from the start
        if let base = source.baseAddress {
            var i = line.counted
            while i < sourceOffset, let hit = memchr(base + i, 0x0A, sourceOffset - i) {
                i = UnsafePointer<UInt8>(hit.assumingMemoryBound(to: UInt8.self)) - base + 1
                line.number += 1
                line.start = i
            }
        }
        line.counted = sourceOffset
        let a = SourceAnchor(bodyOffset: UInt32(text.count), line: UInt32(line.number),
                             column: UInt32(sourceOffset - line.start + 1))
        if let last = anchors.last, last.bodyOffset == a.bodyOffset { anchors[anchors.count - 1] = a } else { anchors.append(a) }
    }

    var string: String { String(decoding: text, as: UTF8.self) }
}

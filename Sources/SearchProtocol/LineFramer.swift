/// Splits a byte stream into newline-terminated lines, with a bound on line length: the
/// framing of the protocol, used by the daemon and by the client alike.
///
/// A line longer than `maxLineLength` is reported once as `.tooLong` and its bytes are
/// discarded up to the next newline, so one oversized request cannot exhaust memory or
/// desynchronise the stream.
public struct LineFramer: Sendable {
    public enum Frame: Equatable, Sendable {
        case line([UInt8])
        /// A line was longer than the limit; it was dropped.
        case tooLong
    }

    public let maxLineLength: Int
    private var buffer: [UInt8] = []
    private var discarding = false

    public init(maxLineLength: Int) { self.maxLineLength = maxLineLength }

    /// Bytes buffered of an incomplete line.
    public var pendingCount: Int { buffer.count }

    /// Inside a line that has not ended yet (kept or being discarded).
    public var isMidLine: Bool { !buffer.isEmpty || discarding }

    /// Feeds bytes; returns the frames they complete. A trailing "\r" is removed from lines.
    public mutating func feed<C: Collection>(_ bytes: C) -> [Frame] where C.Element == UInt8 {
        var frames: [Frame] = []
        for b in bytes {
            if b == 0x0A {
                if discarding {
                    discarding = false
                } else {
                    if buffer.last == 0x0D { buffer.removeLast() }
                    frames.append(.line(buffer))
                }
                buffer.removeAll(keepingCapacity: buffer.count < 65_536)
                continue
            }
            if discarding { continue }
            buffer.append(b)
            if buffer.count > maxLineLength {
                frames.append(.tooLong)
                discarding = true
                buffer = []
            }
        }
        return frames
    }
}

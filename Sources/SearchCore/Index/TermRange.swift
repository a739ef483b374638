import Synchronization

/// The terms of one key range encoded into memory: how a segment's terms are written in
/// parts side by side (a merge, or a flush of several buffers into one segment), then
/// appended to the segment's files in key order.
struct TermRange {
    /// Postings and positions bytes, offsets from 0, and their CRC-32s (computed as the range
    /// is encoded, side by side: appending them does not checksum them again on one thread).
    private var docs: [UInt8] = []
    private var positions: [UInt8] = []
    private var docsCRC: UInt32 = 0
    private var positionsCRC: UInt32 = 0
    /// The terms end to end, with where their postings are.
    private var termBytes: [UInt8] = []
    private var termEnds: [Int] = []
    private var infos: [TermInfo] = []

    /// How many ranges a segment written on `threads` threads splits its terms into: more
    /// than threads, so that a thread that finishes its range early takes the next one
    /// (ranges of equal term counts differ in postings), and so that the ranges done are
    /// appended while later ones are still being encoded (measured: 16 per thread beat 4).
    static func count(threads: Int) -> Int { threads > 1 ? threads * 16 : 1 }

    /// Encodes `count` ranges (`range(k)`) side by side, beside `documents` (the segment's
    /// per-document files, independent of its terms), and hands each to `append` in key
    /// order as soon as the ranges before it are in: the copying into the files overlaps the
    /// encoding of the ranges after it, and each range's memory is freed once it is copied.
    /// `append` runs on one thread at a time. After a failure nothing more is appended.
    static func write(_ count: Int, with documents: () throws -> Void, range: (Int) throws -> TermRange,
                      append: (TermRange) throws -> Void) throws {
        let inOrder = InOrder(count)
        // task 0 writes the per-document files, task k > 0 encodes range k - 1
        let failures = Cores.map(count + 1) { k -> (any Error)? in
            do {
                if k == 0 {
                    try documents()
                } else {
                    try inOrder.deliver(k - 1, try range(k - 1), append: append)
                }
                return nil
            } catch {
                inOrder.stop()
                return error
            }
        }
        if let failure = failures.lazy.compactMap({ $0 }).first { throw failure }
    }

    /// Ranges finished in any order, appended in order by whichever thread completes the
    /// run of finished ranges after the last one appended.
    private final class InOrder: @unchecked Sendable {
        private struct State {
            var ready: [TermRange?]
            var next = 0
            var appending = false
            var stopped = false
        }
        private let state: Mutex<State>

        init(_ count: Int) { state = Mutex(State(ready: Array(repeating: nil, count: count))) }

        func deliver(_ k: Int, _ range: TermRange, append: (TermRange) throws -> Void) throws {
            let appender = state.withLock { s in
                s.ready[k] = range
                if s.appending { return false }  // the thread appending will take it
                s.appending = true
                return true
            }
            guard appender else { return }
            while let next = state.withLock({ s -> TermRange? in
                guard !s.stopped, s.next < s.ready.count, let r = s.ready[s.next] else {
                    s.appending = false
                    return nil
                }
                s.ready[s.next] = nil
                s.next += 1
                return r
            }) {
                try append(next)
            }
        }

        func stop() { state.withLock { $0.stopped = true } }
    }

    /// Encodes what `body` writes: it gets the postings writer, and a function to call with
    /// each term (in order) and its postings' information.
    static func encode(_ body: (inout PostingsWriter, (UnsafeBufferPointer<UInt8>, TermInfo) -> Void) throws -> Void) throws -> TermRange {
        let memory = MemoryDirectory()
        let docs = try FileWriter(memory, "doc"), positions = try FileWriter(memory, "pos")
        var postings = PostingsWriter(docs: docs, positions: positions)
        var range = TermRange()
        try body(&postings) { term, info in
            range.termBytes.append(contentsOf: term)
            range.termEnds.append(range.termBytes.count)
            range.infos.append(info)
        }
        try docs.finish()
        try positions.finish()
        // the files' bytes without their footers: the segment's files get their own
        range.docs = memory.take("doc") ?? []
        range.positions = memory.take("pos") ?? []
        range.docs.removeLast(Footer.size)
        range.positions.removeLast(Footer.size)
        range.docsCRC = docs.payloadChecksum
        range.positionsCRC = positions.payloadChecksum
        return range
    }

    /// Appends the range to a segment's files, after the ranges before it.
    func append(docs docFile: FileWriter, positions positionFile: FileWriter, dictionary: inout TermDictionaryWriter) throws(StoreError) {
        let base = (docs: UInt64(docFile.count), positions: UInt64(positionFile.count))
        try docFile.write(docs, crc: docsCRC)
        try positionFile.write(positions, crc: positionsCRC)
        for (k, var info) in infos.enumerated() {
            info.postingsOffset += base.docs
            info.positionsOffset += base.positions
            let term = termBytes[(k == 0 ? 0 : termEnds[k - 1])..<termEnds[k]]
            try term.withUnsafeBufferPointer { t throws(StoreError) in try dictionary.add(t, info) }
        }
    }
}

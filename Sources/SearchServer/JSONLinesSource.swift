import Dispatch
import SearchCore
import SearchProtocol

#if canImport(Glibc)
import Glibc
#endif

/// Documents from a JSON Lines file: one object per line with "id" and "text" (or "body"),
/// and optionally "title", "date", "lang", "path". Bad lines are reported, never fatal. The
/// file is read in batches of whole lines, so a file of any size costs one batch of memory.
enum JSONLinesSource {
    /// Why a line gives no document.
    struct LineError: Error {
        var message: String
    }

    /// The document of one line; nil for a blank line.
    static func document(_ raw: ArraySlice<UInt8>) throws(LineError) -> Document? {
        if raw.allSatisfy({ $0 == 0x20 || $0 == 0x0D || $0 == 0x09 }) { return nil }
        let json: JSON
        do {
            json = try JSON.parse(raw)
        } catch {
            throw LineError(message: "\(error)")
        }
        guard let id = json["id"]?.stringValue ?? json["id"]?.intValue.map(String.init), !id.isEmpty else {
            throw LineError(message: "no \"id\"")
        }
        guard let text = json["text"]?.stringValue ?? json["body"]?.stringValue else {
            throw LineError(message: "no \"text\"")
        }
        return Document(
            id: id, title: json["title"]?.stringValue ?? id, body: text,
            date: json["date"]?.stringValue.flatMap(DateText.normalize),
            lang: json["lang"]?.stringValue ?? LanguageGuesser.guess(text), path: json["path"]?.stringValue)
    }

    /// The batches of whole lines of about `batchBytes` of a file, in order. The first batches
    /// are smaller (1 MiB, then doubling): the indexing threads wait for the first one, which
    /// took 0.1 s, a tenth of a 21 MB build, at full size. Each next batch is read on another
    /// thread while the one before is indexed (the threads waited for every read, about 3 ms
    /// per MB).
    ///
    /// A line longer than `maxLineBytes` (a document larger than `max_file_size`, or a file
    /// that is not JSON Lines at all, with no line ends) is dropped as it is read, never held
    /// whole: its number is in its batch's `overlong`.
    final class BatchFeed: @unchecked Sendable {
        private let reader: BatchReader
        private var ahead: ReadAhead?

        init(path: String, batchBytes: Int, maxLineBytes: Int = .max) throws {
            reader = try BatchReader(path: path, batchBytes: batchBytes, maxLineBytes: maxLineBytes)
            ahead = ReadAhead(reader)
        }

        /// The next batch, nil at the end of the file; used by one thread at a time.
        func next() throws -> Batch? {
            guard let current = ahead else { return nil }
            ahead = nil
            guard let batch = try current.batch() else { return nil }
            ahead = ReadAhead(reader)
            return batch
        }

        // the reader is not left to a thread still using it
        deinit { _ = try? ahead?.batch() }
    }

    /// Whole lines and the number of the first; an overlong line is there empty, and its
    /// number in `overlong`.
    struct Batch {
        var lines: [ArraySlice<UInt8>]
        var firstLine: Int
        var overlong: [Int] = []
        /// Bytes of the file it covers, dropped ones included (for progress).
        var bytes = 0
    }

    /// Reads a file a batch of whole lines at a time; used by one thread at a time.
    private final class BatchReader: @unchecked Sendable {
        private let fd: Int32
        private let path: String
        private let batchBytes: Int
        private let maxLineBytes: Int
        /// Bytes per read: 1 MiB, doubling up to `batchBytes`.
        private var readBytes: Int
        private var carry: [UInt8] = []
        private var lineNumber = 1
        private var ended = false
        /// Inside an overlong line: its bytes are dropped up to its line end, and counted.
        private var skipping = false
        private var skipped = 0

        init(path: String, batchBytes: Int, maxLineBytes: Int) throws {
            fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { throw SystemError("cannot open \(path)") }
            self.path = path
            self.batchBytes = batchBytes
            self.maxLineBytes = maxLineBytes
            readBytes = min(batchBytes, 1 << 20)
        }

        deinit { close(fd) }

        /// The next batch, nil at the end of the file.
        func next() throws -> Batch? {
            while !ended {
                // read straight after the carried bytes into a new, unzeroed array: the batch's
                // lines keep it (a reused buffer cost a copy of every byte, and zeroing)
                var n = 0
                var data = [UInt8](unsafeUninitializedCapacity: carry.count + readBytes) { buffer, count in
                    _ = buffer.initialize(fromContentsOf: carry)
                    repeat {
                        n = read(fd, buffer.baseAddress! + carry.count, readBytes)
                    } while n < 0 && errno == EINTR
                    count = carry.count + max(n, 0)
                }
                if n < 0 { throw SystemError("cannot read \(path)") }
                carry = []
                if skipping {
                    // the overlong line ends at the first line end (or with the file): a
                    // batch of its own, the bytes after it carried to the next read
                    if let end = data.firstIndex(of: 0x0A) {
                        carry = Array(data[(end + 1)...])
                        skipped += end + 1
                    } else {
                        skipped += data.count
                        if n > 0 { continue }
                    }
                    skipping = false
                    defer { (lineNumber, skipped) = (lineNumber + 1, 0) }
                    return Batch(lines: [[]], firstLine: lineNumber, overlong: [lineNumber], bytes: skipped)
                }
                if n == 0 {
                    ended = true  // the last line, without its newline
                } else if let last = data.lastIndex(of: 0x0A) {
                    carry = Array(data[(last + 1)...])  // an unfinished line waits for the next read
                    data.removeSubrange((last + 1)...)
                } else {
                    // no line end yet: a line longer than a batch, read on in larger reads
                    // (at the same size, a long line was copied again at every read)
                    if data.count > maxLineBytes {
                        skipping = true
                        skipped = data.count
                    } else {
                        carry = data
                    }
                    readBytes = min(batchBytes, readBytes * 2)
                    continue
                }
                readBytes = min(batchBytes, readBytes * 2)
                let bytes = data.count
                var lines = Self.lines(data, last: n == 0)
                guard !lines.isEmpty else { continue }
                var overlong: [Int] = []
                for k in lines.indices where lines[k].count > maxLineBytes {
                    overlong.append(lineNumber + k)
                    lines[k] = lines[k].prefix(0)
                }
                defer { lineNumber += lines.count }
                return Batch(lines: lines, firstLine: lineNumber, overlong: overlong, bytes: bytes)
            }
            return nil
        }

        /// The lines of `data`, found with memchr: all ending in a newline, except the last
        /// of the file (`last`), which may not.
        private static func lines(_ data: [UInt8], last: Bool) -> [ArraySlice<UInt8>] {
            var ends: [Int] = []
            data.withUnsafeBytes { raw in
                guard let base = raw.baseAddress else { return }
                var start = 0
                while start < raw.count, let hit = memchr(base + start, 0x0A, raw.count - start) {
                    let end = UnsafeRawPointer(hit) - base
                    ends.append(end)
                    start = end + 1
                }
                if last && start < raw.count { ends.append(raw.count) }
            }
            var start = 0
            return ends.map { end in
                defer { start = end + 1 }
                return data[start..<end]
            }
        }
    }

    /// The next batch, read on a thread of its own.
    private final class ReadAhead: @unchecked Sendable {
        private var result: Result<Batch?, any Error>?
        private let done = DispatchSemaphore(value: 0)

        init(_ reader: BatchReader) {
            // a queue of its own runs at once, on a thread beside the indexing threads
            DispatchQueue(label: "searchd.read-ahead").async { [self] in
                result = Result { try reader.next() }
                done.signal()
            }
        }

        /// Waits for the read.
        func batch() throws -> Batch? {
            done.wait()
            return try result!.get()
        }
    }
}

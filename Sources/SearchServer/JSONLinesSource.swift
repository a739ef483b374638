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

    /// Reads `path` in batches of whole lines of about `batchBytes`; `body` gets each batch and
    /// the line number of its first line, and returns false to stop early. The first batches
    /// are smaller (1 MiB, then doubling): the indexing threads wait for the first one, which
    /// took 0.1 s, a tenth of a 21 MB build, at full size.
    static func forEachBatch(path: String, batchBytes: Int,
                             _ body: (_ lines: [ArraySlice<UInt8>], _ firstLine: Int) throws -> Bool) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw SystemError("cannot open \(path)") }
        defer { close(fd) }
        var carry: [UInt8] = []
        var lineNumber = 1
        var chunk = [UInt8](repeating: 0, count: min(batchBytes, 1 << 20))
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw SystemError("cannot read \(path)")
            }
            var data = carry + chunk[..<n]
            carry = []
            if n > 0, let last = data.lastIndex(of: 0x0A) {
                carry = Array(data[(last + 1)...])  // an unfinished line waits for the next read
                data.removeSubrange((last + 1)...)
            } else if n > 0 {
                carry = data  // no line end yet: a line longer than a batch
                continue
            }
            let lines = data.split(separator: 0x0A, omittingEmptySubsequences: false)
            let complete = n > 0 ? Array(lines.dropLast()) : Array(lines)  // (the slice after the last "\n" is empty)
            if !complete.isEmpty {
                guard try body(complete, lineNumber) else { return }
                lineNumber += complete.count
            }
            if n == 0 { return }
            if chunk.count < batchBytes { chunk = [UInt8](repeating: 0, count: min(batchBytes, chunk.count * 2)) }
        }
    }
}

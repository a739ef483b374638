import Foundation
import Testing
@testable import SearchServer

/// JSON Lines sources are read a batch of whole lines at a time: the batches must give every
/// line exactly once, with its number, wherever the reads cut the file.
struct JSONLinesSourceTests {
    static let text = """
        {"id":"a","text":"first"}

        {"id":"b","title":"B","text":"second, a longer line than one small read"}
        not json
        {"id":"c","body":"third","date":"2024-06-29","lang":"es"}
        {"text":"no id"}
        {"id":"d","text":"last, without a final newline"}
        """

    func read(batchBytes: Int, text: String = Self.text, maxLineBytes: Int = .max) throws -> (ids: [String], problems: [Int], lines: Int, overlong: [Int]) {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("jsonl-\(UUID()).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try text.write(toFile: path, atomically: false, encoding: .utf8)
        var ids: [String] = [], problems: [Int] = [], lines = 0, overlong: [Int] = [], bytes = 0
        let feed = try JSONLinesSource.BatchFeed(path: path, batchBytes: batchBytes, maxLineBytes: maxLineBytes)
        while let batch = try feed.next() {
            #expect(batch.firstLine == lines + 1)
            overlong += batch.overlong
            bytes += batch.bytes
            for (k, line) in batch.lines.enumerated() {
                do throws(JSONLinesSource.LineError) {
                    if let doc = try JSONLinesSource.document(line) { ids.append(doc.id) }
                } catch {
                    problems.append(batch.firstLine + k)
                }
            }
            lines += batch.lines.count
        }
        #expect(bytes == text.utf8.count, "every byte counted once, dropped ones too")
        return (ids, problems, lines, overlong)
    }

    @Test(arguments: [7, 16, 40, 64, 1 << 20])
    func everyLineOnceWhateverTheBatchSize(batchBytes: Int) throws {
        let r = try read(batchBytes: batchBytes)
        #expect(r.ids == ["a", "b", "c", "d"])
        #expect(r.problems == [4, 6])
        #expect(r.lines == 7)
    }

    /// A line longer than the limit is dropped as it is read (never held whole) and named;
    /// the lines around it are read as usual, whatever the reads' sizes.
    @Test(arguments: [7, 16, 40, 64, 1 << 20])
    func overlongLinesAreSkippedAndNamed(batchBytes: Int) throws {
        let long = #"{"id":"x","text":""# + String(repeating: "long ", count: 40) + #""}"#
        let text = [#"{"id":"a","text":"first"}"#, long, #"{"id":"b","text":"second"}"#, long, long, #"{"id":"c","text":"third"}"#, long].joined(separator: "\n")
        let r = try read(batchBytes: batchBytes, text: text, maxLineBytes: 100)
        #expect(r.ids == ["a", "b", "c"])
        #expect(r.overlong == [2, 4, 5, 7])
        #expect(r.problems.isEmpty && r.lines == 7)
        // not JSON Lines at all: no line end in 2 MB
        let binary = try read(batchBytes: 1 << 16, text: String(repeating: "\u{1}x", count: 1 << 20), maxLineBytes: 1000)
        #expect(binary.ids.isEmpty && binary.overlong == [1] && binary.lines == 1)
    }

    /// The first batches are small and grow: the indexing threads start on the first
    /// megabyte, not on a whole batch.
    @Test func batchesStartSmallAndGrow() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("jsonl-\(UUID()).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let lines = (0..<150_000).map { #"{"id":"\#($0)","text":"line \#($0) of a file of about eleven megabytes"}"# }
        try lines.joined(separator: "\n").write(toFile: path, atomically: false, encoding: .utf8)
        var sizes: [Int] = [], read: [String] = []
        let feed = try JSONLinesSource.BatchFeed(path: path, batchBytes: 4 << 20)
        while let batch = try feed.next() {
            #expect(batch.firstLine == read.count + 1)
            sizes.append(batch.lines.reduce(0) { $0 + $1.count + 1 })
            read += batch.lines.map { String(decoding: $0, as: UTF8.self) }
        }
        #expect(read == lines)
        #expect(sizes.first! <= 1 << 20)
        #expect(sizes.dropLast().max()! > 2 << 20 && sizes.max()! <= (4 << 20) + 100)
    }

    @Test func fieldsOfALine() throws {
        let doc = try #require(try JSONLinesSource.document(ArraySlice(#"{"id":7,"body":"texto","date":"2024-06-29","lang":"es","path":"/x"}"#.utf8)))
        #expect(doc.id == "7" && doc.title == "7" && doc.body == "texto")
        #expect(doc.date == "2024-06-29" && doc.lang == "es" && doc.path == "/x")
    }
}

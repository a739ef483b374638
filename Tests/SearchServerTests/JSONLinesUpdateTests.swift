import Foundation
import Logging
import Testing
@testable import SearchServer

/// A JSON Lines source across restarts: untouched, its documents are kept without being read
/// again (known by the file's size and time, not by a pass over each document); rewritten, it
/// is read again and the lines gone are deleted.
@Suite struct JSONLinesUpdateTests {
    @Test func untouchedFileIsKeptAndARewrittenOneReplaced() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("searchd-jsonl-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let source = directory.appendingPathComponent("docs.jsonl")
        let notes = directory.appendingPathComponent("notes")  // and a directory beside it
        try FileManager.default.createDirectory(at: notes, withIntermediateDirectories: true)
        try "A note about the okapi.".write(to: notes.appendingPathComponent("okapi.txt"), atomically: false, encoding: .utf8)
        try """
            {"id":"j1","title":"Capybara","text":"The capybara is calm."}
            {"id":"j2","title":"Tapir","text":"The tapir swims."}

            """.write(to: source, atomically: false, encoding: .utf8)
        var config = Config()
        config.sources = [source.path, notes.path]
        config.dataDirectory = directory.appendingPathComponent("data").path

        func update() throws -> IndexService.UpdateReport {
            let service = IndexService(config: config, logger: Logger(label: "test"))  // a restart
            defer { service.shutdown() }
            try service.open()
            return try service.update()
        }
        let first = try update()
        #expect((first.documents, first.added, first.deleted) == (3, 3, 0))
        let again = try update()
        #expect((again.documents, again.added, again.deleted, again.unchanged) == (3, 0, 0, 2))
        try """
            {"id":"j2","title":"Tapir","text":"The tapir swims and dives."}

            """.write(to: source, atomically: false, encoding: .utf8)
        let rewritten = try update()
        #expect((rewritten.documents, rewritten.added, rewritten.deleted, rewritten.unchanged) == (2, 1, 1, 1))
    }

    /// A line larger than `max_file_size` is skipped and counted, like a file that large;
    /// the lines after it are indexed.
    @Test func aLineOverMaxFileSizeIsSkipped() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("searchd-jsonl-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let source = directory.appendingPathComponent("docs.jsonl")
        let long = #"{"id":"big","text":""# + String(repeating: "capybara ", count: 100) + #""}"#
        try [#"{"id":"j1","text":"The tapir swims."}"#, long, #"{"id":"j2","text":"The okapi hides."}"#].joined(separator: "\n")
            .write(to: source, atomically: false, encoding: .utf8)
        var config = Config()
        config.sources = [source.path]
        config.dataDirectory = directory.appendingPathComponent("data").path
        config.maxFileSize = 500
        let service = IndexService(config: config, logger: Logger(label: "test"))
        defer { service.shutdown() }
        try service.open()
        let report = try service.update()
        #expect((report.documents, report.added, report.skipped) == (2, 2, 1))
    }

    /// `commit_interval = 0`: a commit after every batch, and every update ends (the threads
    /// take batches until a commit is due, and at least one per round).
    @Test(.timeLimit(.minutes(1))) func aCommitIntervalOfZeroStillIndexesEverything() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("searchd-jsonl-\(UUID().uuidString.prefix(8))")
        let notes = directory.appendingPathComponent("notes")
        try FileManager.default.createDirectory(at: notes, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let source = directory.appendingPathComponent("docs.jsonl")
        // past the first batch (1 MiB): two batches of lines
        let lines = (0..<12_000).map { #"{"id":"j\#($0)","text":"line \#($0) of a file longer than one megabyte, padded out"}"# }
        try lines.joined(separator: "\n").write(to: source, atomically: false, encoding: .utf8)
        for i in 0..<3 { try "note \(i) about the okapi".write(to: notes.appendingPathComponent("n\(i).txt"), atomically: false, encoding: .utf8) }
        var config = Config()
        config.sources = [source.path, notes.path]
        config.dataDirectory = directory.appendingPathComponent("data").path
        config.commitInterval = 0
        for round in 0..<2 {
            let service = IndexService(config: config, logger: Logger(label: "test"))
            defer { service.shutdown() }
            try service.open()
            let report = try service.update()
            #expect(report.documents == 12_003, "round \(round)")
            #expect(report.added == (round == 0 ? 12_003 : 0), "round \(round)")
        }
    }
}

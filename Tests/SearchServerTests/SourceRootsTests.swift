import Foundation
import Logging
import SearchCore
import Testing
@testable import SearchServer

/// A document's id is its path under its root, so when the roots change, the same id may name
/// another file: the index must then follow the new files, not keep the old paths.
struct SourceRootsTests {
    @Test func movingTheRootsReindexesUnderTheNewPaths() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("searchd-roots-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: base) }
        // the same file, with the same time, under two roots (as `cp -p` or a second clone makes)
        let when = Date(timeIntervalSince1970: 1_700_000_000)
        for root in ["a", "b"] {
            try FileManager.default.createDirectory(atPath: "\(base)/\(root)", withIntermediateDirectories: true)
            try "Chancay port opens".write(toFile: "\(base)/\(root)/note.txt", atomically: false, encoding: .utf8)
            try FileManager.default.setAttributes([.modificationDate: when], ofItemAtPath: "\(base)/\(root)/note.txt")
        }
        func update(root: String) throws -> (IndexService.UpdateReport, String?) {
            var config = Config()
            config.sources = ["\(base)/\(root)"]
            config.dataDirectory = "\(base)/data"
            config.synonyms = ""
            let service = IndexService(config: config, logger: Logger(label: "test"))
            try service.open()
            defer { service.shutdown() }
            let report = try service.update()
            let hits = try #require(service.snapshot).searcher().search(QueryParser.parse("Chancay")).hits
            return (report, hits.first?.path)
        }
        let first = try update(root: "a")
        #expect(first.0.added == 1 && first.1 == "\(base)/a/note.txt")
        let moved = try update(root: "b")
        #expect(moved.0.added == 1 && moved.0.unchanged == 0)
        #expect(moved.1 == "\(base)/b/note.txt")
        // and the same roots again: nothing is read
        let again = try update(root: "b")
        #expect(again.0.added == 0 && again.0.unchanged == 1 && again.1 == "\(base)/b/note.txt")
    }
}

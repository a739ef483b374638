import Foundation
import Logging
import SearchCore
import Testing
@testable import SearchServer

/// Merges after a commit are housekeeping: one that fails leaves the commit standing.
@Suite struct IndexServiceMergeTests {
    /// A segment damaged on disk since an earlier run (a bit flipped, its checksum left as it
    /// was) fails the merge that reads it — here the eighth segment's, which makes a tier
    /// full — with an error in the log; the update before it is committed and reported, and
    /// searches answer from it; so is a push after it.
    @Test func aSegmentDamagedOnDiskFailsItsMergeNotTheUpdate() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("searchd-merge-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: directory) }
        let notes = directory.appendingPathComponent("notes")
        try FileManager.default.createDirectory(at: notes, withIntermediateDirectories: true)
        func note(_ k: Int) throws {
            try "note \(k): an okapi, word\(k)\n".write(to: notes.appendingPathComponent("n\(k).txt"), atomically: true, encoding: .utf8)
        }
        var config = Config()
        config.sources = [notes.path]
        config.dataDirectory = directory.appendingPathComponent("data").path
        do {  // seven segments: one update each
            let service = IndexService(config: config, logger: Logger(label: "test"))
            defer { service.shutdown() }
            try service.open()
            for k in 0..<7 {
                try note(k)
                #expect(try service.update().added == 1)
            }
            #expect(service.snapshot?.segmentCount == 7)
        }
        let index = directory.appendingPathComponent("data/index")
        let doc = try #require(try FileManager.default.contentsOfDirectory(atPath: index.path).sorted().first { $0.hasSuffix(".doc") })
        let file = try FileHandle(forUpdating: index.appendingPathComponent(doc))
        let byte = try #require(try file.read(upToCount: 1)).first! ^ 0x01
        try file.seek(toOffset: 0)
        try file.write(contentsOf: [byte])
        try file.close()
        let service = IndexService(config: config, logger: Logger(label: "test"))
        defer { service.shutdown() }
        try service.open()
        try note(7)
        #expect(try service.update().added == 1)
        let snapshot = try #require(service.snapshot)
        #expect(snapshot.documentCount == 8 && snapshot.segmentCount == 8)
        let hits = try snapshot.searcher().search(QueryParser.parse("word7"), options: SearchOptions(limit: 10, snippets: false))
        #expect(hits.hits.map(\.id) == ["n7.txt"])

        // a push: committed and answered so, though the merges after it fail again
        let outcome = try #require(service.pushAndWait(Document(id: "pushed", title: "pushed", body: "a numbat")))
        #expect(throws: Never.self) { try outcome.get() }
        let pushed = try service.snapshot?.searcher().search(QueryParser.parse("numbat"), options: SearchOptions(limit: 10, snippets: false))
        #expect(pushed?.hits.map(\.id) == ["pushed"])
    }
}

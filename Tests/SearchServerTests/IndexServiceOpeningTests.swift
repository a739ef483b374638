import Foundation
import Logging
import SearchCore
import Synchronization
import Testing
@testable import SearchServer

/// The daemon's start in two halves: searches from the last commit first (with the write
/// lock, so a second searchd is refused there), the writer after; a push that comes in
/// between opens the writer itself.
@Suite struct IndexServiceOpeningTests {
    @Test func aPushBeforeTheWriterIsOpenOpensIt() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("searchd-opening-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: directory) }
        var config = Config()
        config.sources = []
        config.dataDirectory = directory.path
        let service = IndexService(config: config, logger: Logger(label: "test"))
        defer { service.shutdown() }
        try service.openForSearches()
        #expect(service.snapshot?.documentCount == 0)

        let second = IndexService(config: config, logger: Logger(label: "test"))
        #expect(throws: StoreError.self) { try second.openForSearches() }

        let outcome = try #require(service.pushAndWait(Document(id: "note", title: "note", body: "an unsaved okapi")))
        #expect(throws: Never.self) { try outcome.get() }
        let hits = try service.snapshot?.searcher().search(QueryParser.parse("okapi"), options: SearchOptions(limit: 10, snippets: false))
        #expect(hits?.hits.map(\.id) == ["note"])
    }

    /// An index written in an older format (the frozen version 2 fixture) is not served: it is
    /// set aside and rebuilt from the sources.
    @Test func anIndexOfAnOlderFormatIsRebuiltFromTheSources() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("searchd-oldformat-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: root.appendingPathComponent("Tests/Fixtures/index-v2"), to: directory.appendingPathComponent("index"))
        var config = Config()
        config.sources = [root.appendingPathComponent("seeds").path]
        config.dataDirectory = directory.path
        let service = IndexService(config: config, logger: Logger(label: "test"))
        defer { service.shutdown() }
        try service.open()
        #expect(service.snapshot?.documentCount == 0)
        let report = try service.update()
        #expect(report.added == 5)
        let hits = try service.snapshot?.searcher().search(QueryParser.parse("钱凯港"), options: SearchOptions(limit: 10, snippets: false))
        #expect(hits?.hits.first?.id == "004_4dc100a3c252a61c.txt")
    }
}

extension IndexService {
    /// Pushes a document and waits for its answer (nil: none within 30 s).
    func pushAndWait(_ document: Document) -> Result<Bool, any Error>? {
        let done = DispatchSemaphore(value: 0)
        let outcome = Mutex<Result<Bool, any Error>?>(nil)
        push(document) { result in
            outcome.withLock { $0 = result }
            done.signal()
        }
        guard done.wait(timeout: .now() + 30) == .success else { return nil }
        return outcome.withLock { $0 }
    }
}

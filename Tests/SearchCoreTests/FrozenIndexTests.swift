import Testing
@testable import SearchCore

/// An index written by searchd 0.1.0 (format version 1), kept in Tests/Fixtures: this version
/// must open it, verify it and search it exactly as the day it was written.
struct FrozenIndexTests {
    static let path = "/" + #filePath.split(separator: "/").dropLast(3).joined(separator: "/") + "/Tests/Fixtures/index-v1"

    @Test func version1IndexOpensVerifiesAndAnswers() throws {
        let directory = try FileSystemDirectory(Self.path)
        let snapshot = try Snapshot.open(directory, verifyChecksums: true)
        #expect(snapshot.documentCount == 5)
        #expect(snapshot.manifest?.segments.count == 1)
        _ = try IndexChecker.check(directory)
        let searcher = snapshot.searcher()
        #expect(try searcher.search(QueryParser.parse("钱凯港")).hits.first?.id == "004_4dc100a3c252a61c.txt")
        #expect(try searcher.search(QueryParser.parse("andres alencastre")).hits.first?.id == "000_8463557f795dba76.txt")
        #expect(try searcher.search(QueryParser.parse("Boruarte")).total == 4)
    }
}

import Testing
@testable import SearchCore

/// Indexes written by earlier searchd versions, kept in Tests/Fixtures (never regenerated).
/// Format version 4 (ICU's word boundaries in the positions of Han terms) must open, verify
/// and answer exactly as the day it was written; versions 1 to 3 (searchd 0.1.0 to 0.3.0) are
/// refused with a message that says to rebuild (searchd then rebuilds the index from its sources).
struct FrozenIndexTests {
    static let fixtures = "/" + #filePath.split(separator: "/").dropLast(3).joined(separator: "/") + "/Tests/Fixtures"

    /// The seeds and 300 short notes, in which "port" is frequent enough for a skip table,
    /// stored impacts and full (bit-packed) blocks.
    @Test func version4IndexOpensVerifiesAndAnswers() throws {
        let directory = try FileSystemDirectory(Self.fixtures + "/index-v4")
        let snapshot = try Snapshot.open(directory, verifyChecksums: true)
        #expect(snapshot.documentCount == 305)
        #expect(snapshot.manifest?.segments.count == 1)
        _ = try IndexChecker.check(directory)
        let searcher = snapshot.searcher()
        #expect(try searcher.search(QueryParser.parse("钱凯港")).hits.first?.id == "004_4dc100a3c252a61c.txt")
        #expect(try searcher.search(QueryParser.parse("andres alencastre")).hits.first?.id == "000_8463557f795dba76.txt")
        #expect(try searcher.search(QueryParser.parse("Boruarte")).total == 4)
        let port = try #require(snapshot.segments[0].termInfo(TermKey(field: .body, kind: .word, text: "port").bytes))
        #expect(port.docFreq > UInt32(2 * PostingsFormat.blockSize))  // two packed blocks and a short one
        // the stored impacts bound the blocks: skipping by them finds what scoring all finds
        var options = SearchOptions(limit: 3, snippets: false)
        options.countLimit = 0
        let pruned = try searcher.search(QueryParser.parse("port"), options: options)
        options.countLimit = .max
        let all = try searcher.search(QueryParser.parse("port"), options: options)
        #expect(all.hits.map(\.id) == ["note-208.txt", "note-110.txt", "note-299.txt"])
        #expect(pruned.hits.map(\.id) == all.hits.map(\.id))
    }

    @Test(arguments: [1, 2, 3]) func olderIndexIsRefusedWithAMessageToRebuild(version: Int) throws {
        let directory = try FileSystemDirectory(Self.fixtures + "/index-v\(version)")
        #expect {
            _ = try Snapshot.open(directory, verifyChecksums: true)
        } throws: { error in
            "\(error)".contains("format version \(version)") && "\(error)".contains("rebuild the index")
        }
    }
}

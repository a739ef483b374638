import Testing
@testable import SearchCore

/// Indexes written by earlier searchd versions, kept in Tests/Fixtures (never regenerated).
/// Format version 7 (a merge copies its sources' postings blocks) must open, verify and answer
/// exactly as the day it was written; versions 1 to 6 (searchd 0.1.0 to 0.6.0) are refused
/// with a message that says to rebuild (searchd then rebuilds the index from its sources).
struct FrozenIndexTests {
    static let fixtures = "/" + #filePath.split(separator: "/").dropLast(3).joined(separator: "/") + "/Tests/Fixtures"

    /// The seeds and 1100 short notes, in which "port" is frequent enough for a skip table,
    /// stored impacts, full (bit-packed) blocks and two groups of blocks; one segment, merged
    /// from two whose blocks it copied: a short block among the full ones.
    @Test func version7IndexOpensVerifiesAndAnswers() throws {
        let directory = try FileSystemDirectory(Self.fixtures + "/index-v7")
        let snapshot = try Snapshot.open(directory, verifyChecksums: true)
        #expect(snapshot.documentCount == 1105)
        #expect(snapshot.manifest?.segments.count == 1)
        #expect(try snapshot.segments[0].document(1104).id.hasPrefix("note-"))
        _ = try IndexChecker.check(directory)
        let searcher = snapshot.searcher()
        #expect(try searcher.search(QueryParser.parse("钱凯港")).hits.first?.id == "004_4dc100a3c252a61c.txt")
        #expect(try searcher.search(QueryParser.parse("andres alencastre")).hits.first?.id == "000_8463557f795dba76.txt")
        #expect(try searcher.search(QueryParser.parse("Boruarte")).total == 4)
        let port = try #require(snapshot.segments[0].termInfo(TermKey(field: .body, kind: .word, text: "port").bytes))
        let cursor = snapshot.segments[0].postings(port)
        #expect(cursor.groupCount == 2)
        var blockSizes: [Int] = []
        while cursor.next() != PostingsCursor.end {
            if cursor.block == blockSizes.count { blockSizes.append(0) }
            blockSizes[cursor.block] += 1
        }
        #expect(blockSizes.dropLast().contains { $0 < PostingsFormat.blockSize })
        // the stored impacts bound the blocks and groups: skipping by them finds what scoring all finds
        var options = SearchOptions(limit: 3, snippets: false)
        options.countLimit = 0
        let pruned = try searcher.search(QueryParser.parse("port"), options: options)
        options.countLimit = .max
        let all = try searcher.search(QueryParser.parse("port"), options: options)
        #expect(all.hits.map(\.id) == ["note-0871.txt", "note-0332.txt", "note-0246.txt"])
        #expect(pruned.hits.map(\.id) == all.hits.map(\.id))
    }

    @Test(arguments: [1, 2, 3, 4, 5, 6]) func olderIndexIsRefusedWithAMessageToRebuild(version: Int) throws {
        let directory = try FileSystemDirectory(Self.fixtures + "/index-v\(version)")
        #expect {
            _ = try Snapshot.open(directory, verifyChecksums: true)
        } throws: { error in
            "\(error)".contains("format version \(version)") && "\(error)".contains("rebuild the index")
        }
    }
}

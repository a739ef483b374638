import Foundation
import Testing
@testable import SearchCore

struct SearchTests {
    let searcher: Searcher

    init() throws {
        searcher = try Snapshot.build(try seedDocuments()).searcher()
    }

    func ids(_ query: String, _ options: SearchOptions = SearchOptions()) throws -> [String] {
        try searcher.search(QueryParser.parse(query), options: options).hits.map { String($0.id.prefix(3)) }
    }

    @Test func chineseRunRanksSeed004FirstAndNeedsTheWholeRun() throws {
        #expect(try ids("钱凯港") == ["004"])
        #expect(try ids("博鲁阿尔特") == ["004"])
        #expect(try ids("港") == ["004"])
        // the characters of the run, but not contiguous: no match
        #expect(try ids("钱港").isEmpty)
        #expect(try ids("錢凱港") == ["004"])  // Traditional folds to Simplified
    }

    @Test func englishNames() throws {
        #expect(Set(try ids("Chancay")) == ["000", "001"])
        #expect(Set(try ids("Boluarte")) == ["000", "001", "002", "003"])
        #expect(try ids("andres alencastre").first == "000")
        #expect(try ids("ANDRÉS").first == "000")
    }

    @Test func documentsMatchingAllWordsComeFirst() throws {
        let hits = try searcher.search(QueryParser.parse("Boluarte 钱凯港")).hits
        #expect(hits.count == 5)
        #expect(hits.allSatisfy { $0.matched == 1 })
        let both = try searcher.search(QueryParser.parse("Alencastre Boluarte")).hits
        #expect(both.first?.id.hasPrefix("000") == true)
        #expect(both.first?.matched == 2)
        #expect(both.dropFirst().allSatisfy { $0.matched == 1 })
        #expect(try ids("Alencastre Boluarte", SearchOptions(requireAll: true)) == ["000"])
    }

    @Test func phrasesAndExclusion() throws {
        #expect(Set(try ids("\"Great Hall of the People\"")) == ["000", "001", "002"])
        #expect(try ids("\"People Great Hall\"").isEmpty)
        #expect(!(try ids("Boluarte -Chancay")).contains("000"))
        #expect(throws: QueryError.self) { try searcher.search(QueryParser.parse("-Chancay")) }
        #expect(throws: QueryError.self) { try QueryParser.parse("\"unbalanced") }
        #expect(throws: QueryError.self) { try QueryParser.parse("   ") }
    }

    @Test func noMatchIsEmpty() throws {
        let r = try searcher.search(QueryParser.parse("zzzzqqq"))
        #expect(r.total == 0 && r.hits.isEmpty)
    }

    @Test func paginationWalksTheSameRanking() throws {
        let all = try ids("China")
        var paged: [String] = []
        for page in 0..<3 { paged += try ids("China", SearchOptions(limit: 2, offset: page * 2)) }
        #expect(paged == all)
    }

    @Test func snippetsMarkTheMatchAndLocateIt() throws {
        let hit = try #require(searcher.search(QueryParser.parse("钱凯港")).hits.first)
        let snippet = try #require(hit.snippet)
        let bytes = Array(snippet.text.utf8)
        #expect(!snippet.highlights.isEmpty)
        for r in snippet.highlights { #expect(String(decoding: bytes[r], as: UTF8.self) == "钱凯港") }
        #expect(hit.line == 12 && hit.column == 35)
        let english = try #require(searcher.search(QueryParser.parse("Alencastre")).hits.first?.snippet)
        #expect(english.highlights.map { String(decoding: Array(english.text.utf8)[$0], as: UTF8.self) } == ["Alencastre"])
    }

    /// BM25 of a one-word query over the body field, by hand: idf · tf / (tf + k1 (1 − b + b dl/avgdl)).
    @Test func bm25MatchesAHandComputation() throws {
        let docs = [
            Document(id: "1", title: "", body: "apple banana apple"),
            Document(id: "2", title: "", body: "banana cherry"),
            Document(id: "3", title: "", body: "cherry cherry cherry date"),
        ]
        let searcher = try Snapshot.build(docs).searcher()
        let hits = try searcher.search(.word("apple")).hits
        let idf = log(1 + (3 - 1 + 0.5) / (1 + 0.5))
        let avgdl = (3.0 + 2.0 + 4.0) / 3
        let expected = idf * 2 / (2 + 1.2 * (1 - 0.75 + 0.75 * 3 / avgdl))
        #expect(abs(hits[0].score - expected) < 1e-9)
    }
}

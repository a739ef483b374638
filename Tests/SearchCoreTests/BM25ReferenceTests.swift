import Foundation
import Testing
@testable import SearchCore

/// Our BM25 against an independent implementation, PyPI's bm25s (method "lucene", k1 1.2,
/// b 0.75), given the project's own tokens: the seeds' bodies, analysed by our Analyzer,
/// are bm25s's corpus; every document's score for each query must agree to 1e-4.
/// .ci/run installs bm25s; without it this test fails rather than skips.
struct BM25ReferenceTests {
    @Test func scoresEqualBM25s() throws {
        let analyzer = Analyzer()
        // bodies only (no titles), so the body field is BM25's one field
        let docs = try seedDocuments().map { Document(id: $0.id, title: "", body: $0.body) }
        let tokens = docs.map { d in
            analyzer.tokens(d.body).filter { $0.kind == .word || $0.kind == .cjkChar }.map(\.term)
        }
        let queries = [["boluarte"], ["china", "peru"], ["港"], ["the", "president", "chancay"], ["习", "近", "平"], ["zegarra", "2024"]]
        let searcher = try Snapshot.build(docs).searcher()
        var ours: [[Double]] = []
        for q in queries {
            // each word as a one-word phrase: exact, no typo tolerance, no ranking overlays
            let query = Query.any(q.map { .phrase($0) })
            let hits = try searcher.search(query, options: SearchOptions(limit: 100, snippets: false)).hits
            ours.append(docs.map { d in hits.first { $0.id == d.id }?.score ?? 0 })
        }
        let input = try JSONSerialization.data(withJSONObject: ["corpus": tokens, "queries": queries])
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("bm25_reference.py").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script]
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        stdin.fileHandleForWriting.write(input)
        try stdin.fileHandleForWriting.close()
        let out = stdout.fileHandleForReading.readDataToEndOfFile()
        let err = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "bm25s reference failed (pip install bm25s): \(String(decoding: err, as: UTF8.self))")
        let theirs = try #require(try JSONSerialization.jsonObject(with: out) as? [[Double]])
        #expect(theirs.count == queries.count)
        for (q, (a, b)) in zip(queries, zip(ours, theirs)) {
            for (x, y) in zip(a, b) { #expect(abs(x - y) < 1e-4, "\(q): ours \(x), bm25s \(y)") }
        }
        // the queries do match something, so the comparison is not vacuous
        #expect(ours.allSatisfy { $0.contains { $0 > 0 } })
    }
}

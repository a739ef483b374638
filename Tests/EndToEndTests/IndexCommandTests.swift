import Foundation
import Testing

/// `searchd index`, the offline build: a build ends in one segment; a small change afterwards
/// is merged by the tiered policy (the large segment is not rewritten); a large one merges the
/// whole index again. `searchd check` reports the segments.
struct IndexCommandTests {
    @Test func aBuildMergesEverythingASmallChangeDoesNot() throws {
        let root = try temporaryDirectory("searchd-index")
        defer { try? FileManager.default.removeItem(at: root) }
        let docs = root.appendingPathComponent("docs")
        try FileManager.default.createDirectory(at: docs, withIntermediateDirectories: true)
        // 40 files of 3000 words each of their own: with a small buffer, the threads write
        // several segments before the final merge
        for i in 0..<40 {
            let words = (0..<3000).map { "w\(i)x\($0)" }.joined(separator: " ")
            try "File \(i)\nword\(i) common text \(words)".save(to: docs.appendingPathComponent("f\(i).txt"))
        }
        let config = try writeConfig(in: root, socket: root.appendingPathComponent("s.sock").path, sources: [docs.path],
                                     extra: "index_buffer_mb = 1\nindex_threads = 2\nsynonyms = \"\"")
        func index() throws -> (check: String, stderr: String) {
            let built = try run(Binaries.searchd, ["index", "--config", config.path])
            #expect(built.status == 0, "\(built.stderr)")
            let check = try run(Binaries.searchd, ["check", "--config", config.path])
            #expect(check.status == 0, "\(check.stderr)")
            return (check.stdout, built.stderr)
        }
        let built = try index()
        #expect(built.check.contains("40 documents in 1 segments"))
        #expect(built.stderr.contains(/indexing: merging \d+ segments into 1\n/), "\(built.stderr)")  // said while it works

        // one file of 40 changed: a new small segment beside the merged one
        try "File 3\nchanged text".save(to: docs.appendingPathComponent("f3.txt"))
        let changed = try index()
        #expect(changed.check.contains("40 documents in 2 segments"))
        #expect(!changed.stderr.contains("merging"))

        // half the files gone: the whole index merged again
        for i in 0..<20 { try FileManager.default.removeItem(at: docs.appendingPathComponent("f\(i).txt")) }
        #expect(try index().check.contains("20 documents in 1 segments"))
    }
}

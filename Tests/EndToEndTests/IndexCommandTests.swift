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
        for i in 0..<40 { try "File \(i)\nword\(i) common text".write(to: docs.appendingPathComponent("f\(i).txt"), atomically: true, encoding: .utf8) }
        // a small buffer: several segments before the final merge
        let config = try writeConfig(in: root, socket: root.appendingPathComponent("s.sock").path, sources: [docs.path],
                                     extra: "index_buffer_mb = 1\nindex_threads = 2\nsynonyms = \"\"")
        func index() throws -> String {
            let built = try run(Binaries.searchd, ["index", "--config", config.path])
            #expect(built.status == 0, "\(built.stderr)")
            let check = try run(Binaries.searchd, ["check", "--config", config.path])
            #expect(check.status == 0, "\(check.stderr)")
            return check.stdout
        }
        #expect(try index().contains("40 documents in 1 segments"))

        // one file of 40 changed: a new small segment beside the merged one
        try "File 3\nchanged text".write(to: docs.appendingPathComponent("f3.txt"), atomically: true, encoding: .utf8)
        #expect(try index().contains("40 documents in 2 segments"))

        // half the files gone: the whole index merged again
        for i in 0..<20 { try FileManager.default.removeItem(at: docs.appendingPathComponent("f\(i).txt")) }
        #expect(try index().contains("20 documents in 1 segments"))
    }
}

import Foundation
import Testing

/// `searchd index`, the offline build: a build ends in one segment; a small change afterwards
/// is merged by the tiered policy (the large segment is not rewritten); a large one merges the
/// whole index again. `searchd check` reports the segments, and no buffer's file is left.
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
            // the files the buffers wrote their stored records into are the segments' now,
            // under the segments' names only
            let files = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("data/index").path)
            #expect(!files.contains { $0.hasPrefix("w") && $0.hasSuffix(".sto") }, "\(files.sorted())")
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

    /// A segment damaged on disk after its build (a bit flipped, its checksum left as it was):
    /// the next build that merges it stops with an error naming the file and saying how to
    /// rebuild, exit status 1; what it indexed before is committed, and a rebuild after the
    /// index is deleted succeeds.
    @Test func aDamagedSegmentStopsTheMergeWithAClearError() throws {
        let root = try temporaryDirectory("searchd-damaged")
        defer { try? FileManager.default.removeItem(at: root) }
        let docs = root.appendingPathComponent("docs")
        try FileManager.default.createDirectory(at: docs, withIntermediateDirectories: true)
        for i in 0..<10 { try "File \(i)\nword\(i) common text".save(to: docs.appendingPathComponent("f\(i).txt")) }
        let config = try writeConfig(in: root, socket: root.appendingPathComponent("s.sock").path, sources: [docs.path],
                                     extra: "synonyms = \"\"")
        #expect(try run(Binaries.searchd, ["index", "--config", config.path]).status == 0)
        let index = root.appendingPathComponent("data/index")
        let name = try #require(try FileManager.default.contentsOfDirectory(atPath: index.path).first { $0.hasSuffix(".doc") })
        let file = try FileHandle(forUpdating: index.appendingPathComponent(name))
        let byte = try #require(try file.read(upToCount: 1)).first! ^ 0x01
        try file.seek(toOffset: 0)
        try file.write(contentsOf: [byte])
        try file.close()
        // as many files again: the whole index is merged
        for i in 10..<20 { try "File \(i)\nword\(i) common text".save(to: docs.appendingPathComponent("f\(i).txt")) }
        let failed = try run(Binaries.searchd, ["index", "--config", config.path])
        #expect(failed.status == 1)
        #expect(failed.stderr.contains("checksum mismatch in \(name): the file is damaged; the index in \(index.path) is damaged"), "\(failed.stderr)")
        let check = try run(Binaries.searchd, ["check", "--config", config.path])
        #expect(check.status != 0 && check.stderr.contains(name), "\(check.stderr)")
        try FileManager.default.removeItem(at: index)
        #expect(try run(Binaries.searchd, ["index", "--config", config.path]).status == 0)
        let rebuilt = try run(Binaries.searchd, ["check", "--config", config.path])
        #expect(rebuilt.status == 0 && rebuilt.stdout.contains("20 documents in 1 segments"), "\(rebuilt.stdout)")
    }
}

import CICU
import Foundation
import Testing
@testable import SearchCore

/// The on-disk cache of the ICU calls that build the analysis tables: computed once, read
/// after, computed again when damaged; and the tables this process uses (from the cache when
/// an earlier run filled it) fold like ICU itself.
struct ICUCacheTests {
    @Test func computedOnceThenReadAndComputedAgainWhenDamaged() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let inputs: [UInt32] = [0x4E2D, 0x6587, 0x41]
        let result: (pieces: [UInt8], ends: [Int32]) = (Array("中文a".utf8), [3, 6, 7])
        var calls = 0
        func lookUp() -> (pieces: [UInt8], ends: [Int32])? {
            ICUCache.pieces(kind: "test", inputs: inputs, in: dir) {
                calls += 1
                return result
            }
        }
        for _ in 0..<3 {
            let found = try #require(lookUp())
            #expect(found.pieces == result.pieces && found.ends == result.ends)
        }
        #expect(calls == 1)

        let files = try FileManager.default.contentsOfDirectory(atPath: dir)
        #expect(files.count == 1 && files[0].hasPrefix(ICUCache.prefix))
        let path = dir + "/" + files[0]
        var bytes = try #require(FileManager.default.contents(atPath: path))
        bytes[2] ^= 0xFF
        try bytes.write(to: URL(fileURLWithPath: path))
        let again = try #require(lookUp())
        #expect(again.pieces == result.pieces && again.ends == result.ends)
        #expect(calls == 2)

        // a failure is not kept
        #expect(ICUCache.pieces(kind: "failing", inputs: inputs, in: dir) { nil } == nil)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).count == 1)
    }

    /// Two builds run in turn keep each other's files; the oldest builds' go.
    @Test func otherBuildsFilesAreKeptUpToALimit() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let now = Date()
        var builds: [String] = []
        for i in 0..<(ICUCache.otherBuildsKept + 2) {
            let build = "icu-\(ICUCache.icuVersion)-v\(ICUCache.formatVersion)-\(1000 + i)-\(2000 + i)-"
            builds.append(build)
            for hash in ["aa", "bb"] {
                let path = dir + "/" + build + hash + ".bin"
                try Data([1, 2, 3]).write(to: URL(fileURLWithPath: path))
                // build i wrote its files i hours ago
                try FileManager.default.setAttributes([.modificationDate: now.addingTimeInterval(-3600 * Double(i))], ofItemAtPath: path)
            }
        }
        _ = ICUCache.pieces(kind: "test", inputs: [0x41], in: dir) { (Array("a".utf8), [1]) }
        let files = Set(try FileManager.default.contentsOfDirectory(atPath: dir))
        #expect(files.contains { $0.hasPrefix(ICUCache.prefix) })
        for (i, build) in builds.enumerated() {
            let kept = i < ICUCache.otherBuildsKept
            #expect(files.contains(build + "aa.bin") == kept && files.contains(build + "bb.bin") == kept, "build \(i)")
        }
    }

    /// A call without inputs (the character tables) keeps its whole result.
    @Test func aCallWithoutInputsIsKeptWhole() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var calls = 0
        for _ in 0..<2 {
            let found = try #require(ICUCache.pieces(kind: "test-whole", inputs: [], in: dir) {
                calls += 1
                return ([7, 0, 3], [])
            })
            #expect(found.pieces == [7, 0, 3] && found.ends.isEmpty)
        }
        #expect(calls == 1)
    }

    @Test func theTablesInUseClassifyLikeICU() {
        let classes = CharacterTables.shared.classes
        for cp in 0..<CharacterTables.tableLimit where cp < 0xD800 || cp >= 0xE000 {
            guard Int32(classes[Int(cp)]) == sd_char_class(cp) else {
                Issue.record("U+\(String(cp, radix: 16)): \(classes[Int(cp)]) against ICU's \(sd_char_class(cp))")
                return
            }
        }
    }

    @Test func theTablesInUseFoldLikeICU() throws {
        // Latin with accents, Traditional Han, full-width, kana, Cyrillic, a ligature
        let sample: [UInt32] = [0xC9, 0xF1, 0x9322, 0x6A02, 0xFF21, 0x3042, 0x438, 0xFB01]
        let tables = CharacterTables.shared
        for strip in [false, true] {
            let icu = try #require(CharacterTables.foldWithICU(sample, stripAccents: strip))
            var start = 0
            for (i, cp) in sample.enumerated() {
                let end = Int(icu.ends[i])
                let entry = strip ? tables.folded[Int(cp)] : tables.foldedKeepingAccents[Int(cp)]
                let inUse = Array(UnsafeBufferPointer(start: tables.bytes + Int(entry >> 8), count: Int(entry & 0xFF)))
                #expect(inUse == Array(icu.pieces[start..<end]), "U+\(String(cp, radix: 16))")
                start = end
            }
        }
    }
}

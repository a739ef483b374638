import CICU
import Foundation
import Testing
@testable import SearchCore

/// `CJKDictionary` must split every run of unified ideographs exactly as ICU's word break
/// iterator does (the index's word overlays and pinyin depend on it): both are asked here and
/// compared. SEARCHD_CJK_CORPUS names a further file to compare over (the benchmark corpus).
struct CJKDictionaryTests {
    /// The ends of a run's words, in characters: ICU's breaker over the run's UTF-8.
    static func icuSplit(_ run: [UInt16]) -> [Int32] {
        let utf8 = Array(String(decoding: run, as: UTF16.self).utf8)
        let breaker = sd_wordbreaker_open()
        defer { sd_wordbreaker_close(breaker) }
        var bounds = [Int32](repeating: 0, count: 2 * run.count + 2)
        let found = Int(sd_wordbreaker_split(breaker, utf8, Int32(utf8.count), &bounds, Int32(bounds.count)))
        return (0..<found).map { bounds[2 * $0 + 1] / 3 }  // three bytes per ideograph
    }

    static func ourSplit(_ run: [UInt16], _ scratch: inout CJKDictionary.Scratch) -> [Int32] {
        scratch.units.removeAll()
        for unit in run { scratch.units.append(unit) }
        CJKDictionary.shared!.split(&scratch)
        return Array(scratch.ends.buffer)
    }

    /// The maximal runs of unified ideographs in `text`.
    static func runs(_ text: String) -> [[UInt16]] {
        var runs: [[UInt16]] = []
        var run: [UInt16] = []
        for scalar in text.unicodeScalars {
            if CJKDictionary.isUnifiedIdeograph(scalar.value) {
                run.append(UInt16(scalar.value))
            } else if !run.isEmpty {
                runs.append(run)
                run = []
            }
        }
        if !run.isEmpty { runs.append(run) }
        return runs
    }

    /// Runs that differ between ICU and us (at most `limit` of them, for the message).
    static func mismatches(_ runs: [[UInt16]], limit: Int = 5) -> [String] {
        var scratch = CJKDictionary.Scratch()
        defer { scratch.free() }
        var found: [String] = []
        for run in runs where found.count < limit {
            let (icu, ours) = (icuSplit(run), ourSplit(run, &scratch))
            if icu != ours {
                found.append("\(String(decoding: run, as: UTF16.self)): ICU \(icu), ours \(ours)")
            }
        }
        return found
    }

    static func seedText() throws -> String {
        try FileManager.default.contentsOfDirectory(atPath: seedsDirectory().path).sorted().map {
            try String(contentsOf: seedsDirectory().appendingPathComponent($0), encoding: .utf8)
        }.joined(separator: "\n")
    }

    @Test func theDictionaryIsICUs() throws {
        let dictionary = try #require(CJKDictionary.shared)
        #expect(dictionary.nodeCount > 100_000)
        var scratch = CJKDictionary.Scratch()
        defer { scratch.free() }
        #expect(Self.ourSplit(Array("北京人民大会堂".utf16), &scratch) == [2, 7])
    }

    /// The seeds' runs, and those of SEARCHD_CJK_CORPUS when it names a file.
    @Test func seedRunsSplitAsICUSplitsThem() throws {
        let runs = Self.runs(try Self.seedText())
        #expect(runs.count > 100)
        #expect(Self.mismatches(runs) == [])
        if let path = ProcessInfo.processInfo.environment["SEARCHD_CJK_CORPUS"] {
            #expect(Self.mismatches(Self.runs(try String(contentsOfFile: path, encoding: .utf8))) == [])
        }
    }

    /// Long runs of the seeds' characters in random order: words of the dictionary meet
    /// across each other and ties between splits of equal cost come up.
    @Test func randomRunsSplitAsICUSplitsThem() throws {
        let characters = Self.runs(try Self.seedText()).flatMap { $0 }
        var random = TopHitsPruningTests.Random(state: 42)
        let runs = (0..<3000).map { _ in (0..<(2 + random.below(40))).map { _ in characters[random.below(characters.count)] } }
        #expect(Self.mismatches(runs) == [])
    }

    /// Runs with two splits of equal cost (一一 + 一 = 一 + 一一: 89 + 54 = 54 + 89; 上小松 = 上 +
    /// 小松: 140 = 50 + 90); ICU keeps the one found first. Found by a search over the
    /// dictionary: the benchmark corpus has none.
    @Test func tiesGoAsICUBreaksThem() {
        let runs = ["一一一", "上小松", "一一二", "一一兆", "一一對", "这一一二三", "一見識", "万久里", "三谷川", "上根本"]
            .map { Array($0.utf16) }
        #expect(Self.icuSplit(runs[0]) == [1, 3])
        #expect(Self.icuSplit(runs[1]) == [3])
        #expect(Self.mismatches(runs) == [])
    }
}

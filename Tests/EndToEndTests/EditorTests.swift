import Foundation
import SearchProtocol
import Testing

/// The editor packages in editors/, run headless in the real editors (Debian's neovim and
/// emacs-nox, which .ci/run installs) against a real searchd over seeds/. Each editor runs a
/// driver script (editors/*/tests/run.*) that uses the package's commands and prints what they
/// produced as JSON; the checks are here.
struct EditorTests {
    static let seed004 = Binaries.seeds + "/004_4dc100a3c252a61c.txt"

    /// The byte offset of 钱凯港 in line 12 of seed 004, as searchd reports it (column 35).
    static let line12 = "钱凯港"

    func editor(_ program: String, _ arguments: [String], _ environment: [String: String]) throws -> JSON {
        try #require(FileManager.default.isExecutableFile(atPath: program), "\(program) is missing: .ci/run installs it")
        var env = ProcessInfo.processInfo.environment
        env.merge(environment) { $1 }
        let r = try run(program, arguments, environment: env)
        #expect(r.status == 0, "\(program): \(r.stderr)")
        let line = try #require(r.stdout.split(separator: "\n").last, "\(program) printed nothing: \(r.stderr)")
        return try JSON.parse(Array(line.utf8))
    }

    @Test func neovimQuickfixPickerAndPush() throws {
        let daemon = try RunningDaemon()
        let elsewhere = try temporaryDirectory("searchd-nvim")
        defer { try? FileManager.default.removeItem(at: elsewhere) }
        let scratch = Binaries.seeds + "/scratch-nvim.md"  // never written: only pushed
        let plugin = Binaries.repository.appendingPathComponent("editors/nvim").path
        let out = try editor("/usr/bin/nvim", ["--headless", "-u", "NONE", "-i", "NONE", "-n", "-c", "luafile \(plugin)/tests/run.lua"], [
            "SEARCHD_SOCKET": daemon.socket, "SEARCHD_NVIM_PLUGIN": plugin,
            "SEARCHD_NVIM_ELSEWHERE": elsewhere.path, "SEARCHD_NVIM_SCRATCH": scratch,
        ])
        // :Search 钱凯港 → quickfix list with seed 004 first, at its first match
        let first = try #require(out["search"]?.arrayValue?.first)
        #expect(first["file"]?.stringValue == Self.seed004)
        #expect(first["lnum"] == 12 && first["col"] == 35)
        #expect(first["text"]?.stringValue?.hasPrefix("习近平会见秘鲁总统") == true)
        // and the cursor is on it
        #expect(out["cursor"]?["file"]?.stringValue == Self.seed004)
        #expect(out["cursor"]?["pos"] == [12, 34])
        let line = try #require(out["cursor"]?["text"]?.stringValue)
        #expect(String(decoding: Array(line.utf8).dropFirst(34), as: UTF8.self).hasPrefix(Self.line12))
        // :Search! keeps to the current directory
        #expect((out["scoped_root"]?.intValue ?? 0) >= 4)
        #expect(out["scoped_elsewhere"] == 0)
        // :SearchPush made the unsaved buffer searchable, at its line
        #expect(out["pushed"]?.arrayValue?.first?["file"]?.stringValue == scratch)
        #expect(out["pushed"]?.arrayValue?.first?["lnum"] == 2)
        // the plain picker (no Telescope installed) listed hits and jumped
        #expect((out["picker"]?["count"]?.intValue ?? 0) >= 1)
        #expect(out["picked"]?["file"]?.stringValue?.hasPrefix(Binaries.seeds) == true)
        #expect(out["not_running"]?.stringValue?.contains("searchd is not running") == true)
    }

    @Test func emacsResultsXrefConsultAndPush() throws {
        let daemon = try RunningDaemon()
        let scratch = Binaries.seeds + "/scratch-emacs.md"  // never written: only pushed
        let package = Binaries.repository.appendingPathComponent("editors/emacs").path
        let out = try editor("/usr/bin/emacs", ["--batch", "-Q", "-L", package, "-l", package + "/tests/run.el"], [
            "SEARCHD_SOCKET": daemon.socket, "SEARCHD_EMACS_SCRATCH": scratch,
        ])
        // M-x searchd-search 钱凯港 → seed 004 first; RET lands on the match
        let lines = (out["search"]?["lines"]?.arrayValue ?? []).compactMap { $0.stringValue }
        // column 13 in characters: 12 characters (34 bytes) come before 钱凯港 on that line
        #expect(lines.first?.hasPrefix(Self.seed004 + ":12:13: ") == true, "\(lines)")
        #expect(out["search"]?["jump"]?["file"]?.stringValue == Self.seed004)
        #expect(out["search"]?["jump"]?["line"] == 12)
        #expect(out["search"]?["jump"]?["text"]?.stringValue == Self.line12)
        // scoped to a directory
        #expect((out["scoped_root"]?.intValue ?? 0) >= 4)
        #expect(out["scoped_elsewhere"] == 0)
        // xref: the same location, column in characters
        #expect(out["xref"]?["file"]?.stringValue == Self.seed004)
        #expect(out["xref"]?["line"] == 12 && out["xref"]?["column"] == 12)
        // the pushed buffer is found at its line
        let pushed = try #require(out["pushed"]?["lines"]?.arrayValue?.first?.stringValue)
        #expect(pushed.hasPrefix(scratch + ":2:"), "\(pushed)")
        // consult is installed here (elpa-consult): the live command and its candidates
        #expect(out["consult"]?["command"] == true)
        #expect((out["consult"]?["candidates"]?.arrayValue?.count ?? 0) >= 1)
        #expect(out["not_running"]?.stringValue?.contains("searchd is not running") == true)
    }
}

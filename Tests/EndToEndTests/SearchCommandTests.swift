import Foundation
import SearchProtocol
import Testing

/// The real searchd over seeds/ and the real search client, as a user runs them.
@Suite(.serialized)
struct SearchCommandTests {
    let daemon: RunningDaemon

    init() throws { daemon = try RunningDaemon() }

    func jsonHits(_ query: String) throws -> [JSON] {
        let r = try daemon.search(["--json", query])
        return try r.stdout.split(separator: "\n").map { try JSON.parse(String($0)) }
    }

    func ids(_ query: String) throws -> [String] {
        try jsonHits(query).compactMap { $0["id"]?.stringValue.map { String($0.prefix(3)) } }
    }

    @Test func chancayRanksSeed004First() throws {
        let r = try daemon.search(["钱凯港"])
        #expect(r.status == 0)
        let firstLine = r.stdout.split(separator: "\n").first.map(String.init)
        #expect(firstLine == "1. 习近平会见秘鲁总统：盼钱凯港成为中拉陆海新通道")
        #expect(r.stdout.contains("seeds/004_4dc100a3c252a61c.txt:12:35"))
        #expect(!r.stdout.contains("\u{1B}["))  // piped: no colour
        #expect(try ids("钱凯港").first == "004")
    }

    @Test func englishQueries() throws {
        let chancay = try ids("Chancay")
        #expect(Set(chancay.prefix(2)) == ["000", "001"])
        #expect(chancay.dropFirst(2).allSatisfy { $0 == "004" })  // 钱凯港, through config/synonyms.txt
        #expect(Set(try ids("Boluarte")).isSuperset(of: ["000", "001", "002", "003"]))
        #expect(try ids("andres alencastre").first == "000")
    }

    @Test func jsonLinesCarryTheFields() throws {
        let hit = try #require(try jsonHits("Chancay").first)
        for key in ["rank", "id", "title", "score", "snippet", "path", "line", "column"] { #expect(hit[key] != nil, "\(key)") }
    }

    @Test func colourOnRequest() throws {
        let r = try daemon.search(["--color", "always", "Alencastre"])
        #expect(r.stdout.contains("\u{1B}[1;31mAlencastre\u{1B}[0m"))
    }

    @Test func noMatchExitsOne() throws {
        let r = try daemon.search(["zzzzqqqq"])
        #expect(r.status == 1)
        #expect(r.stdout.isEmpty)
        #expect(r.stderr.contains("no hits"))
    }

    @Test func limitIsHonoured() throws {
        #expect(try jsonHits("China").count > 1)
        let r = try daemon.search(["--json", "--limit", "1", "China"])
        #expect(r.stdout.split(separator: "\n").count == 1)
    }

    @Test func badQueryExitsTwo() throws {
        let r = try daemon.search(["\"unbalanced"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("unbalanced quote"))
    }

    @Test func malformedLinesGetErrorsAndTheConnectionGoesOn() throws {
        let c = try Connection(path: daemon.socket)
        try c.send("this is not json")
        var response = try Response.decode(try c.readLine())
        #expect(response.id == .null)
        guard case .failure(let error) = response.outcome else { Issue.record("no error"); return }
        #expect(error.code == RPCError.parseError)
        try c.write([0x7B, 0xFF, 0xFE, 0x0A])  // invalid UTF-8
        response = try Response.decode(try c.readLine())
        if case .failure(let e) = response.outcome { #expect(e.code == RPCError.parseError) } else { Issue.record("accepted invalid UTF-8") }
        // the same connection still answers
        let ok = try c.call("search", ["query": "钱凯港"])
        #expect(try ok.outcome.get()["hits"]?.arrayValue?.first?["id"] == "004_4dc100a3c252a61c.txt")
        // and so does a new one: the daemon is alive
        #expect(try Connection(path: daemon.socket).call("ping").outcome.get() == "pong")
    }

    @Test func overlongLineIsRefused() throws {
        let c = try Connection(path: daemon.socket)
        try c.write(Array(repeating: UInt8(ascii: "x"), count: 2 << 20) + [0x0A])
        let response = try Response.decode(try c.readLine())
        if case .failure(let e) = response.outcome { #expect(e.code == RPCError.lineTooLong) } else { Issue.record("accepted") }
        #expect(try c.call("ping").outcome.get() == "pong")
    }

    @Test func editorOutputFormats() throws {
        let seed004 = Binaries.seeds + "/004_4dc100a3c252a61c.txt"
        let vimgrep = try daemon.search(["--vimgrep", "钱凯港"])
        #expect(vimgrep.status == 0)
        let first = try #require(vimgrep.stdout.split(separator: "\n").first)
        #expect(first.hasPrefix(seed004 + ":12:35:"), "\(first)")
        #expect(first.contains("钱凯港"))
        let files = try daemon.search(["--files", "Boluarte"]).stdout.split(separator: "\n").map(String.init)
        #expect(files.count == Set(files).count && files.count >= 4)
        #expect(files.allSatisfy { $0.hasPrefix(Binaries.seeds + "/") })
        #expect(try daemon.search(["--format", "files", "Boluarte"]).stdout.split(separator: "\n").map(String.init) == files)
        // --in scopes to a directory: the seeds' own, or another
        #expect(try daemon.search(["--files", "--in", Binaries.seeds, "Boluarte"]).stdout.split(separator: "\n").map(String.init) == files)
        let elsewhere = try daemon.search(["--files", "--in", "/usr", "Boluarte"])
        #expect(elsewhere.status == 1 && elsewhere.stdout.isEmpty)
        #expect(try daemon.search(["--in", "/no/such/dir", "x"]).stderr.contains("no such directory"))
        #expect(try daemon.search(["--json", "--vimgrep", "x"]).status != 0)
    }

    @Test func statusCommand() throws {
        let r = try daemon.search(["status"])
        #expect(r.status == 0)
        let lines = r.stdout.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) }
        for key in ["version", "documents", "segments", "pending_changes", "last_commit", "watches", "memory_bytes", "uptime_s"] {
            #expect(lines.contains { $0.first == key }, "status lacks \(key): \(r.stdout)")
        }
        #expect(lines.contains { $0 == ["documents", "5"] })
        #expect(lines.contains { $0.first == "memory_bytes" && $0.last == "MiB" })
    }
}

struct NotRunningTests {
    @Test func searchSaysSearchdIsNotRunning() throws {
        let r = try run(Binaries.search, ["--socket", "/tmp/no-such-dir-\(UUID())/searchd.sock", "钱凯港"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("searchd is not running"))
        #expect(r.stderr.contains("start it with"))
        #expect(r.stderr.split(separator: "\n").count == 1)
    }

    @Test func bashCompletesTheOptions() throws {
        for (command, subcommand) in [("search", "status"), ("searchd", "index")] {
            let script = try run(Binaries.directory.appendingPathComponent(command).path, ["--generate-completion-script", "bash"])
            #expect(script.status == 0)
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("completion-\(UUID())")
            defer { try? FileManager.default.removeItem(at: file) }
            try script.stdout.save(to: file)
            // what bash does on `<command> <subcommand> --so<TAB>`
            let line = "\(command) \(subcommand) --so"
            let r = try run("/bin/bash", ["-c", "source \(file.path); COMP_WORDS=(\(line)); COMP_CWORD=2; COMP_LINE='\(line)'; COMP_POINT=${#COMP_LINE}; _\(command) \(command) --so \(subcommand); echo \"${COMPREPLY[@]}\""])
            #expect(r.stdout.contains("--socket"), "\(command): \(r.stdout) \(r.stderr)")
        }
    }

    @Test func aSecondDaemonOnTheSameSocketIsRefused() throws {
        let first = try RunningDaemon()
        let config = first.directory.appendingPathComponent("searchd.toml").path
        let r = try run(Binaries.searchd, ["--config", config])
        #expect(r.status != 0)
        #expect(r.stderr.contains("another searchd is already listening"))
        // and the first one is unharmed
        #expect(try Connection(path: first.socket).call("ping").outcome.get() == "pong")
    }

    @Test func sigtermRemovesTheSocketAndExitsZero() throws {
        let d = try RunningDaemon()
        d.process.terminate()
        d.process.waitUntilExit()
        #expect(d.process.terminationStatus == 0)
        #expect(!FileManager.default.fileExists(atPath: d.socket))
    }
}

struct SynonymReloadTests {
    @Test func reloadAppliesAnEditedSynonymsFile() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("synonyms-\(UUID()).txt")
        defer { try? FileManager.default.removeItem(at: file) }
        try "钱凯港, Chancay\n".save(to: file)
        let daemon = try RunningDaemon(extraConfig: "synonyms = \"\(file.path)\"")
        func ids(_ q: String) throws -> [String] {
            try daemon.search(["--json", q]).stdout.split(separator: "\n").compactMap { try JSON.parse(String($0))["id"]?.stringValue }
        }
        #expect(try ids("Alencastre 钱凯港").contains("004_4dc100a3c252a61c.txt"))
        #expect(try ids("Callao").isEmpty)
        try "钱凯港, Chancay\nCallao, 钱凯港\n".save(to: file)
        let r = try daemon.search(["reload"])
        #expect(r.status == 0 && r.stdout.contains("2 synonym rules"))
        #expect(try ids("Callao") == ["004_4dc100a3c252a61c.txt"])
        // a broken file is refused and the previous synonyms stay
        try "a => b => c\n".save(to: file)
        let bad = try daemon.search(["reload"])
        #expect(bad.status == 2 && bad.stderr.contains("line 1"))
        #expect(try ids("Callao") == ["004_4dc100a3c252a61c.txt"])
    }
}

import Foundation
import SearchProtocol
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// searchd under load and against clients that misbehave, and on a full disk: it keeps
/// serving everyone else, cuts the misbehaving client after the client timeout, and loses no
/// committed document.
struct RobustnessTests {
    @Test func sixtyFourClientsSearchWhileFilesChange() throws {
        let directory = try temporaryDirectory("searchd-load")
        defer { try? FileManager.default.removeItem(at: directory) }
        let root = directory.appendingPathComponent("src")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        for name in try FileManager.default.contentsOfDirectory(atPath: Binaries.seeds) {
            try FileManager.default.copyItem(atPath: Binaries.seeds + "/" + name, toPath: root.path + "/" + name)
        }
        let socket = directory.appendingPathComponent("searchd.sock").path
        let daemon = try RunningDaemon(configFile: try writeConfig(in: directory, socket: socket, sources: [root.path]), socket: socket)

        let stop = Atomic<Bool>(false)
        let writer = DispatchQueue(label: "writer")
        writer.async {
            var i = 0
            while !stop.load(ordering: .relaxed) {
                try? "Churn document \(i) about the quetzal.".write(to: root.appendingPathComponent("churn\(i % 20).txt"), atomically: i % 2 == 0, encoding: .utf8)
                if i % 7 == 0 { try? FileManager.default.removeItem(at: root.appendingPathComponent("churn\((i + 3) % 20).txt")) }
                i += 1
                usleep(2_000)
            }
        }
        let failures = Mutex<[String]>([])
        let queries = ["钱凯港", "Boluarte", "quetzal", "Chancay port", "\"Xi Jinping\"", "Zegara~"]
        DispatchQueue.concurrentPerform(iterations: 64) { client in
            do {
                let c = try Connection(path: socket, timeout: 30)
                for k in 0..<25 {
                    let query = queries[(client + k) % queries.count]
                    let result = try c.call("search", ["query": .string(query), "limit": 5]).outcome.get()
                    guard let hits = result["hits"]?.arrayValue else { throw DaemonError("no hits array for \(query)") }
                    if query == "钱凯港" && hits.first?["id"] != "004_4dc100a3c252a61c.txt" { throw DaemonError("wrong first hit for 钱凯港") }
                }
            } catch {
                failures.withLock { $0.append("client \(client): \(error)") }
            }
        }
        stop.store(true, ordering: .relaxed)
        writer.sync {}
        #expect(failures.withLock { $0 }.isEmpty, "\(failures.withLock { $0 })")
        #expect(daemon.process.isRunning)
        // once the churn settles, the index holds exactly the files on disk
        let onDisk = try FileManager.default.contentsOfDirectory(atPath: root.path).filter { $0.hasPrefix("churn") }.sorted()
        try eventually("the index matches the files") { try daemon.ids("quetzal").sorted() == onDisk }
    }

    @Test func aClientStalledInTheMiddleOfALineIsCut() throws {
        let daemon = try RunningDaemon(extraConfig: "client_timeout = 1")
        let stalled = try Connection(path: daemon.socket, timeout: 10)
        try stalled.write(Array(#"{"jsonrpc":"2.0","id":1,"meth"#.utf8))
        // everyone else is served meanwhile
        let other = try Connection(path: daemon.socket)
        #expect(try other.call("ping").outcome.get() == "pong")
        let start = Date()
        let response = try Response.decode(try stalled.readLine())
        if case .failure(let e) = response.outcome { #expect(e.code == RPCError.timeout) } else { Issue.record("no timeout error") }
        #expect(Date().timeIntervalSince(start) < 5)
        #expect(throws: Connection.Failure.closed) { try stalled.readLine() }
        // an idle connection between requests is not a stall: editors keep theirs open
        let idle = try Connection(path: daemon.socket)
        Thread.sleep(forTimeInterval: 1.5)
        #expect(try idle.call("ping").outcome.get() == "pong")
    }

    @Test func aClientThatNeverReadsHoldsNoOneUpAndIsCut() throws {
        let daemon = try RunningDaemon(extraConfig: "client_timeout = 1")
        let greedy = try Connection(path: daemon.socket, timeout: 0.2)
        let request = Request(id: 1, method: "search", params: ["query": "Boluarte", "limit": 100]).line + "\n"
        // pipeline requests without reading a single answer, until the socket is full
        var sent = 0
        while sent < 200_000 {
            do { try greedy.write(Array(request.utf8)) } catch { break }
            sent += 1
        }
        let other = try Connection(path: daemon.socket)
        for _ in 0..<20 { #expect(try other.call("ping").outcome.get() == "pong") }
        try eventually("the greedy client is cut") { daemon.logText.contains("does not read its answers") }
        let after = try other.call("search", ["query": "钱凯港"]).outcome.get()
        #expect(after["hits"]?.arrayValue?.first?["id"] == "004_4dc100a3c252a61c.txt")
    }

    /// A 3 MiB tmpfs for the index, filled up while searchd runs (mounting needs root).
    @Test(.enabled(if: getuid() == 0, "a full disk is simulated with a tmpfs, which needs root to mount"))
    func aFullDiskLosesNothingCommitted() throws {
        let directory = try temporaryDirectory("searchd-full")
        let data = directory.appendingPathComponent("data")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        try #require(try run("/bin/mount", ["-t", "tmpfs", "-o", "size=3m", "tmpfs", data.path]).status == 0)
        defer {
            _ = try? run("/bin/umount", ["-l", data.path])
            try? FileManager.default.removeItem(at: directory)
        }
        let root = directory.appendingPathComponent("src")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        for name in try FileManager.default.contentsOfDirectory(atPath: Binaries.seeds) {
            try FileManager.default.copyItem(atPath: Binaries.seeds + "/" + name, toPath: root.path + "/" + name)
        }
        let socket = directory.appendingPathComponent("searchd.sock").path
        let config = try writeConfig(in: directory, socket: socket, sources: [root.path])
        let daemon = try RunningDaemon(configFile: config, socket: socket)
        let boluarte = try daemon.ids("Boluarte")
        #expect(boluarte.count == 5)

        // fill the disk
        let filler = data.appendingPathComponent("filler")
        _ = try run("/bin/dd", ["if=/dev/zero", "of=\(filler.path)", "bs=64k"])
        let c = try Connection(path: daemon.socket)
        let push = try c.call("add", ["id": "full", "text": "The kakapo cannot be committed."])
        guard case .failure(let e) = push.outcome else { Issue.record("a push was acknowledged on a full disk"); return }
        #expect(e.message.contains("No space left on device"), "\(e.message)")
        try "The kakapo file waits for space.".write(to: root.appendingPathComponent("kakapo.txt"), atomically: false, encoding: .utf8)
        try eventually("the failure is logged") { daemon.logText.contains("cannot update the index") }
        let status = try c.call("status").outcome.get()
        #expect(status["commit_error"]?.stringValue?.contains("No space left on device") == true)
        // still serving, everything committed still there
        #expect(try daemon.ids("钱凯港").first == "004_4dc100a3c252a61c.txt")
        #expect(try daemon.ids("Boluarte") == boluarte)

        // space again: the retry commits the file (and the refused push, which stayed buffered:
        // a refusal means "not committed yet", never "dropped")
        try FileManager.default.removeItem(at: filler)
        try eventually(timeout: 20, "the change is committed after the retry") { try daemon.ids("kakapo").sorted() == ["full", "kakapo.txt"] }
        daemon.signal(SIGTERM)
        #expect(daemon.waitForExit() == 0)
        let check = try run(Binaries.searchd, ["check", "--config", config.path])
        #expect(check.status == 0, "\(check.stdout) \(check.stderr)")
        let again = try RunningDaemon(configFile: config, socket: socket)
        #expect(try again.ids("kakapo").sorted() == ["full", "kakapo.txt"])
        #expect(try again.ids("Boluarte") == boluarte)
    }
}

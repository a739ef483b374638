import Foundation
import SearchProtocol
import Testing

/// The real searchd, indexing, killed with SIGKILL at random moments again and again: after
/// each kill the index must pass `searchd check` and hold at least every document a status
/// reply had shown as committed; in the end every file is indexed.
@Suite(.serialized)
struct CrashRecoveryTests {
    @Test func killNineAtRandomMomentsLosesNothingCommitted() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("searchd-kill-\(UUID().uuidString.prefix(8))")
        let sources = root.appendingPathComponent("docs")
        try FileManager.default.createDirectory(at: sources, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let words = ["Boluarte", "Chancay", "钱凯港", "港口", "debian", "paquete", "instalación", "内核", "进程", "system"]
        let fileCount = 1200
        for i in 0..<fileCount {
            let body = (0..<300).map { words[($0 * 7 + i) % words.count] + "\($0 % 50)" }.joined(separator: " ")
            try "File \(i)\n\(body)\n".write(to: sources.appendingPathComponent("f\(i).txt"), atomically: false, encoding: .utf8)
        }
        let config = root.appendingPathComponent("searchd.toml")
        try """
            socket = "\(root.appendingPathComponent("s.sock").path)"
            data_dir = "\(root.appendingPathComponent("data").path)"
            sources = ["\(sources.path)"]
            index_buffer_mb = 1
            commit_interval = 0.1
            synonyms = ""
            log_level = "error"
            """.save(to: config)

        var rng = SystemRandomNumberGenerator()
        var kills = 0
        for round in 0..<10 {
            let process = try ChildProcess([Binaries.searchd, "--config", config.path], stderrPath: "/dev/null")
            // watch the committed document count until a random moment, then kill
            let deadline = Date().addingTimeInterval(Double.random(in: 0.5...5, using: &rng))
            var acknowledged = 0
            var ready = false
            while Date() < deadline && process.isRunning {
                if let c = try? Connection(path: root.appendingPathComponent("s.sock").path, timeout: 1),
                   let r = try? c.call("status"), case .success(let status) = r.outcome {
                    acknowledged = max(acknowledged, status["documents"]?.intValue ?? 0)
                    ready = status["state"] == "ready"
                }
                Thread.sleep(forTimeInterval: 0.01)
            }
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            kills += 1
            let check = try run(Binaries.searchd, ["check", "--config", config.path])
            #expect(check.status == 0, "round \(round): \(check.stderr)")
            let committed = check.stdout.split(separator: " ").firstIndex(of: "documents").flatMap { i in
                Int(check.stdout.split(separator: " ")[check.stdout.split(separator: " ").index(before: i)])
            } ?? -1
            #expect(committed >= acknowledged, "round \(round): \(committed) committed, \(acknowledged) acknowledged")
            if ready && acknowledged == fileCount { break }
        }
        #expect(kills >= 1)
        // a last, undisturbed run indexes everything
        let daemon = try RunningDaemon(configFile: config, socket: root.appendingPathComponent("s.sock").path)
        let status = try Connection(path: daemon.socket).call("status").outcome.get()
        #expect(status["documents"]?.intValue == fileCount)
        let check = try run(Binaries.searchd, ["check", "--config", config.path])
        #expect(check.status == 0)
    }
}

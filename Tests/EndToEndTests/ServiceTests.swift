import Foundation
import SearchProtocol
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// searchd under systemd's protocols, with systemd's own tools where they run here:
/// sd_notify through a test socket, socket activation through systemd-socket-activate, the
/// units through systemd-analyze verify. Also the lifecycle signals.
@Suite(.serialized) struct ServiceTests {
    @Test func notifiesReadyStatusAndStopping() throws {
        let directory = try temporaryDirectory("searchd-notify")
        defer { try? FileManager.default.removeItem(at: directory) }
        let notify = try NotifySocket(path: directory.appendingPathComponent("notify").path)
        var environment = ProcessInfo.processInfo.environment
        environment["NOTIFY_SOCKET"] = notify.path
        let daemon = try RunningDaemon(environment: environment, waitForReady: false)
        let ready = try notify.read(until: "READY=1")
        #expect(ready.last?.contains("STATUS=") == true)
        // READY means searches work: the first connection after it is answered
        #expect(try Connection(path: daemon.socket).call("ping").outcome.get() == "pong")
        _ = try notify.read(until: "STATUS=ready")
        daemon.signal(SIGTERM)
        _ = try notify.read(until: "STOPPING=1")
        #expect(daemon.waitForExit() == 0)
        #expect(!FileManager.default.fileExists(atPath: daemon.socket))
    }

    @Test func takesItsSocketFromSystemd() throws {
        let activate = "/usr/bin/systemd-socket-activate"
        try #require(FileManager.default.isExecutableFile(atPath: activate), "systemd-socket-activate (Debian package systemd) is missing: .ci/run installs it")
        let directory = try temporaryDirectory("searchd-activation")
        defer { try? FileManager.default.removeItem(at: directory) }
        let socket = directory.appendingPathComponent("activated.sock").path
        let config = try writeConfig(in: directory, socket: socket, sources: [Binaries.seeds])
        // systemd-socket-activate listens, and execs searchd (same pid) on the first connection
        let daemon = try RunningDaemon(configFile: config, socket: socket, launcher: [activate, "-l", socket])
        #expect(try daemon.ids("钱凯港").first == "004_4dc100a3c252a61c.txt")
        #expect(daemon.logText.contains("listening on the socket systemd passed"))
        daemon.signal(SIGTERM)
        #expect(daemon.waitForExit() == 0)
        // the socket is systemd's: searchd leaves it in place
        #expect(FileManager.default.fileExists(atPath: socket))
    }

    @Test func sighupReloadsConfigWithoutDroppingConnections() throws {
        let directory = try temporaryDirectory("searchd-sighup")
        defer { try? FileManager.default.removeItem(at: directory) }
        let extra = directory.appendingPathComponent("extra")
        try FileManager.default.createDirectory(at: extra, withIntermediateDirectories: true)
        try "The quokka lives on Rottnest Island.\n".save(to: extra.appendingPathComponent("quokka.txt"))
        let synonyms = directory.appendingPathComponent("synonyms.txt")
        try "钱凯港, Chancay\n".save(to: synonyms)
        let socket = directory.appendingPathComponent("searchd.sock").path
        let config = try writeConfig(in: directory, socket: socket, sources: [Binaries.seeds], extra: "synonyms = \"\(synonyms.path)\"")
        let daemon = try RunningDaemon(configFile: config, socket: socket)
        let connection = try Connection(path: socket)
        #expect(try connection.call("ping").outcome.get() == "pong")
        #expect(try daemon.ids("quokka").isEmpty)

        // a second source, a new synonym, and a key that only a restart can apply
        _ = try writeConfig(in: directory, socket: socket, sources: [Binaries.seeds, extra.path],
                            extra: "synonyms = \"\(synonyms.path)\"\nindex_threads = 1")
        try "钱凯港, Chancay\nwallaby, quokka\n".save(to: synonyms)
        daemon.signal(SIGHUP)
        try eventually("the new source is indexed") { try daemon.ids("quokka") == ["quokka.txt"] }
        #expect(try daemon.ids("wallaby") == ["quokka.txt"])
        #expect(daemon.logText.contains("restart searchd to apply index_threads"))
        // the connection opened before the reload still works
        #expect(try connection.call("ping").outcome.get() == "pong")
        // a broken config is refused and the running settings stay
        try "sources = 5\n".save(to: config)
        daemon.signal(SIGHUP)
        try eventually("the refusal is logged") { daemon.logText.contains("reload failed") }
        #expect(try daemon.ids("quokka") == ["quokka.txt"])
        #expect(try connection.call("ping").outcome.get() == "pong")
    }

    @Test func staleSocketFromACrashIsReplaced() throws {
        let directory = try temporaryDirectory("searchd-stale")
        defer { try? FileManager.default.removeItem(at: directory) }
        let socket = directory.appendingPathComponent("searchd.sock").path
        // a socket file nobody listens on, as a killed searchd leaves behind
        let fd = Glibc.socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(socket.utf8)) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        try #require(bound == 0)
        close(fd)
        let config = try writeConfig(in: directory, socket: socket, sources: [Binaries.seeds])
        let daemon = try RunningDaemon(configFile: config, socket: socket)
        #expect(try daemon.ids("钱凯港").first == "004_4dc100a3c252a61c.txt")
    }

    @Test func unitsPassSystemdAnalyzeVerify() throws {
        let analyze = "/usr/bin/systemd-analyze"
        try #require(FileManager.default.isExecutableFile(atPath: analyze), "systemd-analyze (Debian package systemd) is missing: .ci/run installs it")
        let directory = try temporaryDirectory("searchd-units")
        defer { try? FileManager.default.removeItem(at: directory) }
        let units = Binaries.repository.appendingPathComponent("systemd")
        // verify checks that ExecStart exists: point it at the built binary
        for (dir, mode) in [("", "--system"), ("user", "--user")] {
            let out = directory.appendingPathComponent(mode)
            try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
            var paths: [String] = []
            for name in ["searchd.service", "searchd.socket"] {
                let text = try String(contentsOf: units.appendingPathComponent(dir).appendingPathComponent(name), encoding: .utf8)
                    .replacingOccurrences(of: "/usr/local/bin/searchd", with: Binaries.searchd)
                    .replacingOccurrences(of: "%h/.local/bin/searchd", with: Binaries.searchd)
                let path = out.appendingPathComponent(name).path
                try text.save(to: URL(fileURLWithPath: path))
                paths.append(path)
            }
            var environment = ProcessInfo.processInfo.environment
            environment["XDG_RUNTIME_DIR"] = directory.path  // the user manager needs one
            chmod(directory.path, 0o700)
            let r = try run(analyze, [mode, "verify", "--man=no"] + paths, environment: environment)
            #expect(r.status == 0, "\(mode): \(r.stderr)")
            // unknown keys and bad values are only warnings: there must be none
            #expect(r.stderr.isEmpty, "\(mode): \(r.stderr)")
        }
    }
}

/// A datagram socket standing in for systemd's notification socket.
final class NotifySocket {
    let path: String
    private let fd: Int32

    init(path: String) throws {
        self.path = path
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard rc == 0 else { throw DaemonError("cannot bind \(path)") }
    }

    deinit { close(fd) }

    /// Messages received until one contains `marker` (that one last).
    func read(until marker: String, timeout: Double = 30) throws -> [String] {
        var messages: [String] = []
        let deadline = Date().addingTimeInterval(timeout)
        var buffer = [UInt8](repeating: 0, count: 4096)
        while Date() < deadline {
            var tv = timeval(tv_sec: 0, tv_usec: 100_000)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { continue }
            let message = String(decoding: buffer[..<n], as: UTF8.self)
            messages.append(message)
            if message.contains(marker) { return messages }
        }
        throw DaemonError("no \(marker) within \(timeout) s; got \(messages)")
    }
}

import Foundation
import SearchProtocol
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Who may talk to searchd: the socket's mode and directory, and SO_PEERCRED behind them.
/// Other users are played by nobody and daemon through setpriv (util-linux), which needs root.
struct AccessTests {
    static let isRoot = getuid() == 0
    static let setpriv = "/usr/bin/setpriv"

    /// Runs the real `search` client as another user.
    func search(as user: String, group: String, _ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        try run(Self.setpriv, ["--reuid=\(user)", "--regid=\(group)", "--clear-groups", Binaries.search] + arguments)
    }

    func mode(_ path: String) -> (mode: mode_t, gid: gid_t) {
        var st = stat()
        stat(path, &st)
        return (st.st_mode & 0o7777, st.st_gid)
    }

    /// searchd over the seeds with its socket in a directory anyone may enter (0755, as in
    /// system mode): only the socket's mode and SO_PEERCRED keep other users out.
    func daemonInOpenDirectory(extra: String = "") throws -> (directory: URL, socket: String, daemon: RunningDaemon) {
        let directory = try temporaryDirectory("searchd-access")
        chmod(directory.path, 0o755)
        let socket = directory.appendingPathComponent("searchd.sock").path
        do {
            let config = try writeConfig(in: directory, socket: socket, sources: [Binaries.seeds], extra: extra)
            return (directory, socket, try RunningDaemon(configFile: config, socket: socket))
        } catch {
            try? FileManager.default.removeItem(at: directory)
            throw error
        }
    }

    @Test func userModeSocketIsPrivate() throws {
        let directory = try temporaryDirectory("searchd-access")
        defer { try? FileManager.default.removeItem(at: directory) }
        let socket = directory.appendingPathComponent("run/searchd.sock").path  // run/ does not exist yet
        let config = try writeConfig(in: directory, socket: socket, sources: [Binaries.seeds])
        let daemon = try RunningDaemon(configFile: config, socket: socket)
        #expect(mode(socket).mode == 0o600)
        #expect(mode(directory.appendingPathComponent("run").path).mode == 0o700)
        #expect(try daemon.ids("钱凯港").first == "004_4dc100a3c252a61c.txt")
    }

    @Test(.enabled(if: isRoot, "other users are played through setpriv, which needs root"))
    func otherUsersAreRefused() throws {
        let (directory, socket, daemon) = try daemonInOpenDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }

        // the socket's mode keeps nobody out
        let denied = try search(as: "nobody", group: "nogroup", ["status", "--socket", socket])
        #expect(denied.status == 2)
        #expect(denied.stderr.contains("permission denied"), "\(denied.stderr)")

        // and with the mode opened by mistake (Sphinx's sockets are 0777), SO_PEERCRED does
        chmod(socket, 0o666)
        let refused = try search(as: "nobody", group: "nogroup", ["--socket", socket, "钱凯港"])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("permission denied: uid 65534"), "\(refused.stderr)")
        #expect(refused.stdout.isEmpty)
        try eventually("the refusal is logged") { daemon.logText.contains("refused a connection: uid 65534") }
        // searchd's own user still gets answers
        #expect(try daemon.ids("钱凯港").first == "004_4dc100a3c252a61c.txt")
    }

    @Test(.enabled(if: isRoot, "other users are played through setpriv, which needs root"))
    func systemModeAdmitsTheSocketGroup() throws {
        let (directory, socket, daemon) = try daemonInOpenDirectory(extra: "socket_group = \"nogroup\"")
        defer { try? FileManager.default.removeItem(at: directory) }
        let (socketMode, socketGroup) = mode(socket)
        #expect(socketMode == 0o660)
        #expect(socketGroup == 65534)

        // nobody is in group nogroup: admitted
        let member = try search(as: "nobody", group: "nogroup", ["--json", "--socket", socket, "钱凯港"])
        #expect(member.status == 0, "\(member.stderr)")
        #expect(member.stdout.contains("004_4dc100a3c252a61c.txt"))
        // daemon (uid 1) is not: kept out by the mode, then by SO_PEERCRED
        #expect(try search(as: "daemon", group: "daemon", ["--socket", socket, "钱凯港"]).stderr.contains("permission denied"))
        chmod(socket, 0o666)
        let refused = try search(as: "daemon", group: "daemon", ["--socket", socket, "钱凯港"])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("nor a member of group 65534"), "\(refused.stderr)")
        _ = daemon
    }
}

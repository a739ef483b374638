#if canImport(Glibc)
import Glibc
#endif

/// A long-running child (searchd), started with posix_spawn. Foundation's Process is not used
/// for these: it mistakes a child that execs another program (systemd-socket-activate and
/// setpriv exec searchd) for one that exited, and then blocks reaping it.
final class ChildProcess {
    let processIdentifier: pid_t
    private var status: Int32?

    /// Starts `command` (an absolute path, then arguments) with stdout to /dev/null and stderr
    /// to `stderrPath`; `environment` replaces the inherited one.
    init(_ command: [String], environment: [String: String]? = nil, stderrPath: String) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_APPEND | O_CREAT, 0o666)
        let argv = command.map { strdup($0) } + [nil]
        let envp = environment.map { $0.map { strdup("\($0.key)=\($0.value)") } + [nil] }
        defer {
            argv.forEach { free($0) }
            envp?.forEach { free($0) }
        }
        var pid: pid_t = 0
        let rc = envp.map { e in posix_spawn(&pid, command[0], &actions, nil, argv, e) }
            ?? posix_spawn(&pid, command[0], &actions, nil, argv, environ)
        guard rc == 0 else { throw DaemonError("cannot start \(command[0]): \(String(cString: strerror(rc)))") }
        processIdentifier = pid
    }

    var isRunning: Bool {
        guard status == nil else { return false }
        var s: Int32 = 0
        guard waitpid(processIdentifier, &s, WNOHANG) == processIdentifier else { return true }
        status = s
        return false
    }

    /// Exit status, or 128 + the signal that ended it.
    var terminationStatus: Int32 {
        guard let s = status else { return -1 }
        return s & 0x7F == 0 ? (s >> 8) & 0xFF : 128 + (s & 0x7F)
    }

    func terminate() { kill(processIdentifier, SIGTERM) }

    func waitUntilExit() {
        guard status == nil else { return }
        var s: Int32 = 0
        while waitpid(processIdentifier, &s, 0) < 0 && errno == EINTR {}
        status = s
    }
}

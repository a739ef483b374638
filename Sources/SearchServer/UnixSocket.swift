#if canImport(Glibc)
import Glibc
#endif
import SearchProtocol

/// Preparing the socket path: its directory, and what to do with a file already there.
enum UnixSocket {
    /// Creates the socket's directory (mode 0700) if needed, and removes a stale socket file
    /// left by a crash. A socket another process still listens on is refused, never stolen.
    static func prepare(_ path: String) throws(SystemError) {
        let directory = path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        if !directory.isEmpty { try makeDirectories(directory, mode: 0o700) }
        var st = stat()
        guard lstat(path, &st) == 0 else { return }
        guard (st.st_mode & S_IFMT) == S_IFSOCK else {
            throw SystemError("\(path) exists and is not a socket; remove it or choose another socket path", code: EEXIST)
        }
        if (try? Connection(path: path, timeout: 2)) != nil {
            throw SystemError("another searchd is already listening on \(path)", code: EADDRINUSE)
        }
        guard unlink(path) == 0 || errno == ENOENT else { throw SystemError("cannot remove stale socket \(path)") }
    }

    /// mkdir -p, with `mode` for the directories it creates.
    static func makeDirectories(_ path: String, mode: mode_t) throws(SystemError) {
        var current = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") {
            current += "/" + part
            if mkdir(current, mode) != 0 && errno != EEXIST { throw SystemError("cannot create directory \(current)") }
        }
    }
}

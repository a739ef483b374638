#if canImport(Glibc)
import Glibc
#endif
import Logging
import SearchCore
import Synchronization

/// Watches the source roots with inotify and reports what changed, in batches: files written
/// (closed after writing, or moved in — editors save by writing a temporary file and renaming
/// it over the original), files deleted or moved out, directories created, moved in (watched
/// and reported whole), deleted or moved out (reported whole). An overflowing event queue, or
/// a root itself deleted or moved, asks for a full rescan. Each root's parent directory is
/// watched for the root's name only: a root that comes back (or a JSON Lines root rewritten
/// by rename) is watched again and rescanned. Runs on its own thread.
final class Watcher: Sendable {
    /// What happened under a root.
    enum Change: Equatable, Sendable {
        /// A file to read again (it may since have vanished: the reader finds out).
        case file(path: String)
        /// Every file under this directory is gone.
        case tree(path: String)
        /// Events were lost: compare everything with the sources.
        case rescan
    }

    private let roots: [String]
    private let excluded: @Sendable (String) -> Bool
    private let deliver: @Sendable ([Change]) -> Void
    private let logger: Logger
    private let state = Mutex(State())
    /// Changes that arrive within this time of each other are delivered together.
    static let settle: Double = 0.05

    private struct State {
        var fd: Int32 = -1
        var wake: (Int32, Int32) = (-1, -1)
        var paths: [Int32: String] = [:]
        /// Watches on the roots' parents, and the root names each one is for.
        var parents: [Int32: (directory: String, names: Set<String>)] = [:]
        var running = false
    }

    /// `excluded(name)` says which file and directory names not to watch or report.
    init(roots: [String], excluded: @escaping @Sendable (String) -> Bool, logger: Logger,
         deliver: @escaping @Sendable ([Change]) -> Void) {
        self.roots = roots.map(SourceCrawler.absolute)
        self.excluded = excluded
        self.logger = logger
        self.deliver = deliver
    }

    /// Directories watched.
    var watchCount: Int { state.withLock { $0.paths.count } }

    func start() throws {
        let fd = inotify_init1(Int32(IN_CLOEXEC))
        guard fd >= 0 else { throw SystemError("inotify_init1") }
        var pipeFDs: [Int32] = [0, 0]
        guard pipe(&pipeFDs) == 0 else {
            close(fd)
            throw SystemError("pipe2")
        }
        for p in pipeFDs { _ = fcntl(p, F_SETFD, FD_CLOEXEC) }
        state.withLock {
            $0.fd = fd
            $0.wake = (pipeFDs[0], pipeFDs[1])
            $0.running = true
        }
        for root in roots {
            watchParent(of: root)
            watchTree(root)
        }
        Thread.detach { [self] in run() }
    }

    /// Stops the thread (the pending batch is delivered first).
    func stop() {
        let write = state.withLock { s -> Int32 in
            s.running = false
            return s.wake.1
        }
        var byte: UInt8 = 1
        _ = Glibc.write(write, &byte, 1)
    }

    // MARK: Watches

    private static let mask = UInt32(IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_CREATE
        | IN_DELETE_SELF | IN_MOVE_SELF | IN_ATTRIB)

    /// Watches a directory and every directory below it; returns the files found below.
    @discardableResult
    private func watchTree(_ directory: String) -> [String] {
        var files: [String] = []
        var seen = Set<[UInt64]>()
        func walk(_ dir: String) {
            var st = stat()
            guard stat(dir, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR else { return }
            guard seen.insert([UInt64(st.st_dev), UInt64(st.st_ino)]).inserted else { return }  // symlink loops
            let fd = state.withLock { $0.fd }
            let wd = inotify_add_watch(fd, dir, Self.mask)
            if wd < 0 {
                let advice = errno == ENOSPC ? " (the inotify watch limit: raise fs.inotify.max_user_watches with sysctl)" : ""
                logger.warning("cannot watch \(dir)\(advice): \(String(cString: strerror(errno))); its changes are seen at the next rescan")
                return
            }
            state.withLock { $0.paths[wd] = dir }
            for name in FileSystemDirectory.names(in: dir) ?? [] where !name.hasPrefix(".") && !excluded(name) {
                let path = dir + "/" + name
                var s = stat()
                guard stat(path, &s) == 0 else { continue }
                if (s.st_mode & S_IFMT) == S_IFDIR { walk(path) } else { files.append(path) }
            }
        }
        walk(directory)
        return files
    }

    private func watchParent(of root: String) {
        let parts = root.split(separator: "/")
        let parent = "/" + parts.dropLast().joined(separator: "/")
        guard let name = parts.last.map(String.init) else { return }
        state.withLock { s in
            let wd = inotify_add_watch(s.fd, parent, Self.mask)
            guard wd >= 0 else { return }
            s.parents[wd, default: (parent, [])].names.insert(name)
        }
    }

    private func forget(_ directory: String) {
        state.withLock { s in
            for (wd, path) in s.paths where path == directory || path.hasPrefix(directory + "/") {
                inotify_rm_watch(s.fd, wd)
                s.paths[wd] = nil
            }
        }
    }

    // MARK: Events

    private func run() {
        let (fd, wake) = state.withLock { ($0.fd, $0.wake.0) }
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        var pending: [Change] = []
        var deadline: Double? = nil
        defer {
            close(fd)
            state.withLock { s in
                close(s.wake.0)
                close(s.wake.1)
            }
        }
        while state.withLock({ $0.running }) {
            var fds = [pollfd(fd: fd, events: Int16(POLLIN), revents: 0), pollfd(fd: wake, events: Int16(POLLIN), revents: 0)]
            let timeout = deadline.map { max(0, Int32(($0 - Self.now()) * 1000)) } ?? -1
            let ready = poll(&fds, 2, timeout)
            if ready < 0 && errno != EINTR { break }
            if fds[0].revents & Int16(POLLIN) != 0 {
                let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if n > 0 {
                    pending += buffer.withUnsafeBytes { decode(UnsafeRawBufferPointer(rebasing: $0[..<n])) }
                    deadline = Self.now() + Self.settle
                }
            }
            if let d = deadline, Self.now() >= d, !pending.isEmpty {
                deliver(Self.coalesce(pending))
                pending.removeAll()
                deadline = nil
            }
        }
        if !pending.isEmpty { deliver(Self.coalesce(pending)) }
    }

    private func decode(_ bytes: UnsafeRawBufferPointer) -> [Change] {
        var changes: [Change] = []
        var offset = 0
        let header = MemoryLayout<inotify_event>.size
        while offset + header <= bytes.count {
            let wd = bytes.loadUnaligned(fromByteOffset: offset, as: Int32.self)
            let mask = bytes.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self)
            let length = Int(bytes.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self))
            let nameBytes = UnsafeRawBufferPointer(rebasing: bytes[(offset + header)..<min(bytes.count, offset + header + length)])
            let name = String(decoding: nameBytes.prefix { $0 != 0 }, as: UTF8.self)
            offset += header + length
            if mask & UInt32(IN_Q_OVERFLOW) != 0 {
                logger.warning("inotify queue overflowed: rescanning the sources")
                changes.append(.rescan)
                continue
            }
            if let parent = state.withLock({ $0.parents[wd] }), parent.names.contains(name) {
                // a root (or a JSON Lines root) came, went, or was replaced
                guard mask & UInt32(IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_CLOSE_WRITE) != 0 else { continue }
                let root = parent.directory + "/" + name
                if mask & UInt32(IN_CREATE | IN_MOVED_TO | IN_CLOSE_WRITE) != 0 { watchTree(root) }
                changes.append(.rescan)
                continue
            }
            guard let directory = state.withLock({ $0.paths[wd] }) else { continue }
            if mask & UInt32(IN_DELETE_SELF | IN_MOVE_SELF) != 0 {
                forget(directory)
                if roots.contains(directory) {
                    logger.warning("source \(directory) was deleted or moved")
                    changes.append(.rescan)
                }
                continue
            }
            if mask & UInt32(IN_IGNORED) != 0 {
                state.withLock { _ = $0.paths.removeValue(forKey: wd) }
                continue
            }

            guard !name.isEmpty, !name.hasPrefix("."), !excluded(name) else { continue }
            let path = directory + "/" + name
            let isDirectory = mask & UInt32(IN_ISDIR) != 0
            if isDirectory {
                if mask & UInt32(IN_CREATE | IN_MOVED_TO) != 0 {
                    changes += watchTree(path).map { .file(path: $0) }
                } else if mask & UInt32(IN_DELETE | IN_MOVED_FROM) != 0 {
                    forget(path)
                    changes.append(.tree(path: path))
                }
            } else if mask & UInt32(IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_ATTRIB) != 0 {
                changes.append(.file(path: path))
            }
        }
        return changes
    }

    /// One change per path, a rescan absorbing everything.
    static func coalesce(_ changes: [Change]) -> [Change] {
        if changes.contains(.rescan) { return [.rescan] }
        var seen = Set<String>()
        var out: [Change] = []
        for c in changes.reversed() {
            let key: String
            switch c {
            case .file(let p): key = "f" + p
            case .tree(let p): key = "t" + p
            case .rescan: key = "r"
            }
            if seen.insert(key).inserted { out.append(c) }
        }
        return out.reversed()
    }

    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}

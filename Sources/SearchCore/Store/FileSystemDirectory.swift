import CLinux
#if canImport(Glibc)
import Glibc
#endif

/// A `Directory` on the file system: files read through memory maps (the index is never read
/// whole at start-up; the kernel pages in what searches touch), written with plain writes,
/// made durable with fsync, locked with flock.
public final class FileSystemDirectory: Directory {
    public let path: String

    /// Opens (creating it, mode 0700, if needed) the directory at `path`.
    public init(_ path: String) throws(StoreError) {
        self.path = path
        var current = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") {
            current += "/" + part
            if mkdir(current, 0o700) != 0 && errno != EEXIST { throw Self.error("cannot create directory \(current)") }
        }
    }

    private func full(_ name: String) -> String { path + "/" + name }

    static func error(_ what: String, _ code: Int32 = errno) -> StoreError {
        let kind: StoreError.Kind = switch code {
        case ENOENT: .notFound
        case EEXIST: .exists
        case ENOSPC, EDQUOT: .noSpace
        default: .io
        }
        return StoreError(kind, "\(what): \(String(cString: strerror(code)))")
    }

    public func list() throws(StoreError) -> [String] {
        guard let names = Self.names(in: path) else { throw Self.error("cannot read directory \(path)") }
        return names
    }

    /// The names in a directory, sorted, without "." and ".."; nil (errno set) when it cannot
    /// be opened. A name is read where it lies: `entry.pointee` would copy a whole `dirent`,
    /// and readdir's records are only as long as their name, so the last one in the buffer
    /// can end just before an unmapped page (a crash seen in CI).
    public static func names(in path: String) -> [String]? {
        guard let dir = opendir(path) else { return nil }
        defer { closedir(dir) }
        let nameOffset = MemoryLayout<dirent>.offset(of: \dirent.d_name)!
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = String(cString: (UnsafeRawPointer(entry) + nameOffset).assumingMemoryBound(to: CChar.self))
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    public func create(_ name: String) throws(StoreError) -> FileOutput {
        let fd = Glibc.open(full(name), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw Self.error("cannot create \(full(name))") }
        return Output(fd: fd, path: full(name))
    }

    private final class Output: FileOutput {
        let fd: Int32
        let path: String
        var closed = false
        private var written = 0
        /// Where the writeback started so far ends (see `writeBack(every:)`).
        private var writebackEnd = 0
        private var writebackStep = Int.max

        func writeBack(every bytes: Int) { writebackStep = bytes }

        init(fd: Int32, path: String) {
            self.fd = fd
            self.path = path
        }

        deinit { if !closed { Glibc.close(fd) } }

        func write(_ bytes: UnsafeRawBufferPointer) throws(StoreError) {
            var offset = 0
            while offset < bytes.count {
                let n = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    let error = FileSystemDirectory.error("cannot write \(path)")
                    // the part written dropped, back to where the last whole write ended
                    ftruncate(fd, off_t(written))
                    lseek(fd, off_t(written), SEEK_SET)
                    throw error
                }
                offset += n
            }
            written += bytes.count
            if written - writebackEnd >= writebackStep {
                _ = sd_start_writeback(fd, Int64(writebackEnd), Int64(written - writebackEnd))
                writebackEnd = written
            }
        }

        func close() throws(StoreError) {
            closed = true
            // the file is complete: its pages can go to disk while the commit goes on
            _ = sd_start_writeback(fd, Int64(writebackEnd), 0)
            if Glibc.close(fd) != 0 { throw FileSystemDirectory.error("cannot close \(path)") }
        }
    }

    public func open(_ name: String) throws(StoreError) -> FileBytes {
        let fd = Glibc.open(full(name), O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw Self.error("cannot open \(full(name))") }
        defer { Glibc.close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw Self.error("cannot stat \(full(name))") }
        let size = Int(st.st_size)
        guard size > 0 else { return FileBytes(copying: []) }
        guard let base = mmap(nil, size, PROT_READ, MAP_SHARED, fd, 0), base != MAP_FAILED else {
            throw Self.error("cannot map \(full(name))")
        }
        return FileBytes(mapped: UnsafeRawBufferPointer(start: base, count: size)) { buffer in
            munmap(UnsafeMutableRawPointer(mutating: buffer.baseAddress), buffer.count)
        }
    }

    public func sync(_ names: [String]) throws(StoreError) {
        for name in names {
            let fd = Glibc.open(full(name), O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { throw Self.error("cannot open \(full(name)) to sync it") }
            defer { Glibc.close(fd) }
            guard fsync(fd) == 0 else { throw Self.error("cannot sync \(full(name))") }
        }
    }

    public func rename(_ from: String, to: String) throws(StoreError) {
        guard Glibc.rename(full(from), full(to)) == 0 else { throw Self.error("cannot rename \(full(from)) to \(to)") }
    }

    /// A hard link; on a file system without them (or at a file's link limit), a copy.
    public func link(_ from: String, to: String) throws(StoreError) {
        guard Glibc.link(full(from), full(to)) != 0 else { return }
        let e = errno
        guard e == EPERM || e == EOPNOTSUPP || e == EMLINK || e == EXDEV else { throw Self.error("cannot link \(full(from)) to \(to)", e) }
        let bytes = try open(from)
        let output = try create(to)
        try output.write(bytes.buffer)
        try output.close()
    }

    public func syncDirectory() throws(StoreError) {
        let fd = Glibc.open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw Self.error("cannot open directory \(path)") }
        defer { Glibc.close(fd) }
        guard fsync(fd) == 0 else { throw Self.error("cannot sync directory \(path)") }
    }

    public func delete(_ name: String) throws(StoreError) {
        guard unlink(full(name)) == 0 || errno == ENOENT else { throw Self.error("cannot delete \(full(name))") }
    }

    public func lock() throws(StoreError) -> AnyObject {
        let fd = Glibc.open(full("write.lock"), O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw Self.error("cannot open \(full("write.lock"))") }
        // A lock just released can stay held for a moment: a process being started by another
        // thread holds copies of the descriptors until it executes its program. Asked again
        // for up to a second before another writer is named (a test reopening an index while
        // others start processes met it once in 52 runs).
        var tries = 0
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let e = errno
            if e == EWOULDBLOCK && tries < 50 {
                tries += 1
                usleep(20_000)
                continue
            }
            Glibc.close(fd)
            if e == EWOULDBLOCK { throw StoreError(.locked, "another searchd is writing the index in \(path)") }
            throw Self.error("cannot lock \(full("write.lock"))", e)
        }
        return Lock(fd: fd)
    }

    private final class Lock {
        let fd: Int32
        init(fd: Int32) { self.fd = fd }
        deinit { Glibc.close(fd) }  // closing releases the flock
    }

    /// Bytes used by the files.
    public func size() throws(StoreError) -> Int {
        var total = 0
        for name in try list() {
            var st = stat()
            if stat(full(name), &st) == 0 { total += Int(st.st_size) }
        }
        return total
    }
}

#if canImport(Glibc)
import Glibc
#endif
import SearchCore

/// Finds the files to index under the configured roots: regular files whose name matches an
/// include pattern and that searchd can read. Hidden files and directories, and names that
/// match an exclude pattern, are skipped; symbolic links are followed, but a directory is
/// never entered twice (no symlink loops). Also maps a path under a root to its document id,
/// the same way the crawl does, for the file watcher.
struct SourceCrawler: Sendable {
    let roots: [String]
    let include: [String]
    let exclude: [String]

    init(roots: [String], include: [String], exclude: [String] = []) {
        self.roots = roots.map(Self.absolute)
        self.include = include
        self.exclude = exclude
    }

    /// A file found: its absolute path, its document id (the path relative to its root), and
    /// its size and modification time (a stamp without content hash).
    struct Found: Equatable {
        var path: String
        var id: String
        var size: Int
        var stamp: SourceStamp?
    }

    static func stamp(_ st: stat) -> SourceStamp {
        SourceStamp(size: UInt64(st.st_size), modified: UInt64(st.st_mtim.tv_sec) * 1_000_000_000 + UInt64(st.st_mtim.tv_nsec), hash: 0)
    }

    /// Walks every root; problems (a missing root, an unreadable directory) go to `problem`.
    func crawl(problem: (String) -> Void) -> [Found] {
        var found: [Found] = []
        var seenDirectories = Set<[UInt64]>()
        var ids = Set<String>()
        for root in roots {
            var st = stat()
            guard stat(root, &st) == 0 else {
                problem("source \(root) does not exist or cannot be read: \(String(cString: strerror(errno)))")
                continue
            }
            if (st.st_mode & S_IFMT) == S_IFREG && Self.isJSONLines(root) {
                found.append(Found(path: root, id: "", size: Int(st.st_size), stamp: Self.stamp(st)))
                continue
            }
            guard (st.st_mode & S_IFMT) == S_IFDIR else {
                problem("source \(root) is neither a directory nor a JSON Lines file (.jsonl)")
                continue
            }
            let rootName = Self.name(of: root)
            walk(root, relative: "", seen: &seenDirectories, problem: problem) { path, relative, st in
                // ids are relative to their root; a clash between roots keeps both, the later one prefixed
                let id = ids.contains(relative) ? rootName + "/" + relative : relative
                ids.insert(id)
                found.append(Found(path: path, id: id, size: Int(st.st_size), stamp: Self.stamp(st)))
            }
        }
        return found
    }

    private func walk(_ directory: String, relative: String, seen: inout Set<[UInt64]>,
                      problem: (String) -> Void, file: (String, String, stat) -> Void) {
        var st = stat()
        guard stat(directory, &st) == 0 else { return }
        let key = [UInt64(st.st_dev), UInt64(st.st_ino)]
        guard !seen.contains(key) else { return }
        seen.insert(key)
        guard let names = FileSystemDirectory.names(in: directory) else {
            problem("cannot read directory \(directory): \(String(cString: strerror(errno)))")
            return
        }
        let entries = names.filter { !isSkipped($0) }
        for (name, s) in zip(entries, Self.stats(of: entries, in: directory)) {
            guard let s else { continue }  // dangling symlink or vanished file
            let path = directory + "/" + name
            let rel = relative.isEmpty ? name : relative + "/" + name
            switch s.st_mode & S_IFMT {
            case S_IFDIR:
                walk(path, relative: rel, seen: &seen, problem: problem, file: file)
            case S_IFREG where matches(name):
                file(path, rel, s)
            default:
                break
            }
        }
    }

    /// The status of each entry of a directory (nil where there is none), in order: a large
    /// directory's on every core (a `stat` per file, 100,000 files took 0.4 s on one core
    /// before the indexing could start).
    private static func stats(of names: [String], in directory: String) -> [stat?] {
        func status(_ name: String) -> stat? {
            var s = stat()
            return stat(directory + "/" + name, &s) == 0 ? s : nil
        }
        let parts = names.count >= 256 ? Cores.available : 1
        guard parts > 1 else { return names.map(status) }
        let share = (names.count + parts - 1) / parts
        return Cores.map(parts) { p in names[min(names.count, p * share)..<min(names.count, (p + 1) * share)].map(status) }.flatMap { $0 }
    }

    /// A JSON Lines source: a file of documents rather than a document.
    static func isJSONLines(_ path: String) -> Bool { path.hasSuffix(".jsonl") || path.hasSuffix(".ndjson") }

    /// Whether a file name matches one of the include patterns (shell globs).
    func matches(_ name: String) -> Bool {
        include.contains { fnmatch($0, name, 0) == 0 }
    }

    /// Hidden, or matched by an exclude pattern: neither indexed nor watched.
    func isSkipped(_ name: String) -> Bool {
        name.hasPrefix(".") || exclude.contains { fnmatch($0, name, 0) == 0 }
    }

    // MARK: Paths and ids

    /// The root a path lies under and the path relative to it; nil outside the roots or
    /// through a skipped name.
    func locate(_ path: String) -> (root: Int, relative: String)? {
        for (i, root) in roots.enumerated() where path.hasPrefix(root + "/") {
            let relative = String(path.dropFirst(root.count + 1))
            let parts = relative.split(separator: "/")
            guard !parts.isEmpty, !parts.contains(where: { isSkipped(String($0)) }) else { return nil }
            return (i, relative)
        }
        return nil
    }

    /// The document id of a file under a root, as `crawl` gives it: the path relative to the
    /// root, prefixed with the root's name when an earlier root has a file of that path.
    func id(forPath path: String) -> String? {
        guard let (root, relative) = locate(path) else { return nil }
        let clash = roots[..<root].contains { isIndexableFile($0 + "/" + relative) }
        return clash ? Self.name(of: roots[root]) + "/" + relative : relative
    }

    /// Whether some root still has a file that would get this id (tree deletions keep those).
    func hasFile(forID id: String) -> Bool {
        roots.contains { root in
            let prefix = Self.name(of: root) + "/"
            return isIndexableFile(root + "/" + id) || id.hasPrefix(prefix) && isIndexableFile(root + "/" + id.dropFirst(prefix.count))
        }
    }

    private func isIndexableFile(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG && matches(String(path.split(separator: "/").last ?? ""))
    }

    static func name(of root: String) -> String {
        root.split(separator: "/").last.map(String.init) ?? root
    }

    static func absolute(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX))
        guard getcwd(&buffer, buffer.count) != nil else { return path }
        let cwd = String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return path == "." ? cwd : cwd + "/" + path
    }
}

extension SourceCrawler {
    /// The crawler for a config's sources and patterns.
    init(_ config: Config) {
        self.init(roots: config.sources, include: config.include, exclude: config.exclude)
    }
}

#if canImport(Glibc)
import Glibc
#endif
import SearchCore

/// Finds the files to index under the configured roots: regular files whose name matches an
/// include pattern and that searchd can read. Hidden files and directories are skipped;
/// symbolic links are followed, but a directory is never entered twice (no symlink loops).
struct SourceCrawler {
    let roots: [String]
    let include: [String]

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
            let absolute = Self.absolute(root)
            var st = stat()
            guard stat(absolute, &st) == 0 else {
                problem("source \(root) (\(absolute)) does not exist or cannot be read: \(String(cString: strerror(errno)))")
                continue
            }
            if (st.st_mode & S_IFMT) == S_IFREG && Self.isJSONLines(absolute) {
                found.append(Found(path: absolute, id: "", size: Int(st.st_size), stamp: Self.stamp(st)))
                continue
            }
            guard (st.st_mode & S_IFMT) == S_IFDIR else {
                problem("source \(root) is neither a directory nor a JSON Lines file (.jsonl)")
                continue
            }
            let rootName = absolute.split(separator: "/").last.map(String.init) ?? absolute
            walk(absolute, relative: "", seen: &seenDirectories, problem: problem) { path, relative, st in
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
        guard let dir = opendir(directory) else {
            problem("cannot read directory \(directory): \(String(cString: strerror(errno)))")
            return
        }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name.hasPrefix(".") { continue }
            names.append(name)
        }
        closedir(dir)
        for name in names.sorted() {
            let path = directory + "/" + name
            let rel = relative.isEmpty ? name : relative + "/" + name
            var s = stat()
            guard stat(path, &s) == 0 else { continue }  // dangling symlink or vanished file
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

    /// A JSON Lines source: a file of documents rather than a document.
    static func isJSONLines(_ path: String) -> Bool { path.hasSuffix(".jsonl") || path.hasSuffix(".ndjson") }

    /// Whether a file name matches one of the include patterns (shell globs).
    func matches(_ name: String) -> Bool {
        include.contains { fnmatch($0, name, 0) == 0 }
    }

    static func absolute(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX))
        guard getcwd(&buffer, buffer.count) != nil else { return path }
        let cwd = String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return path == "." ? cwd : cwd + "/" + path
    }
}

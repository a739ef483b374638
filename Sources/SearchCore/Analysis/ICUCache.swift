import CICU
#if canImport(Glibc)
import Glibc
#endif

/// The results of the ICU batch calls that build the analysis tables (`CharacterTables`,
/// `Pinyin`), and the trie `CJKDictionary` builds from ICU's dictionary, kept on disk.
/// Building them runs ICU's transliterators over every Han character: about a second of CPU
/// at each start of searchd or `searchd index`, before the first document or query can be
/// analysed; reading them back takes milliseconds.
///
/// A file is named after the ICU version, the running executable (its size and mtime: a new
/// build of searchd, whose folding code may differ, never reads an older one's results) and a
/// hash of the call (its kind and inputs), and is written like an index file (`FileWriter`:
/// CRC32 footer, checked on reading): anything else, or a damaged file, is computed again.
/// Writing is best effort (temporary file, then rename; files of builds older than the last
/// few are removed then): a read-only or full disk only costs the second.
enum ICUCache {
    /// Bumped when the layout of what the callers store changes.
    static let formatVersion = 1

    /// SEARCHD_CACHE_DIR, else systemd's CACHE_DIRECTORY (`CacheDirectory=searchd`), else
    /// $XDG_CACHE_HOME/searchd or ~/.cache/searchd; nil when none is set ("" turns it off).
    static let directory: String? = {
        func env(_ name: String) -> String? { getenv(name).map { String(cString: $0) } }
        if let dir = env("SEARCHD_CACHE_DIR") { return dir.hasPrefix("/") ? dir : nil }
        if let dir = env("CACHE_DIRECTORY")?.split(separator: ":").first, dir.hasPrefix("/") { return String(dir) }
        if let dir = env("XDG_CACHE_HOME"), dir.hasPrefix("/") { return dir + "/searchd" }
        if let home = env("HOME"), home.hasPrefix("/") { return home + "/.cache/searchd" }
        return nil
    }()

    /// What names this build: the size and modification time of the running executable.
    static let buildStamp: String = {
        var info = stat()
        guard stat("/proc/self/exe", &info) == 0 else { return "unknown" }
        return "\(info.st_size)-\(info.st_mtim.tv_sec)"
    }()

    static let icuVersion: String = {
        var buffer = [CChar](repeating: 0, count: 32)
        sd_icu_version(&buffer, Int32(buffer.count))
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }()

    /// The result of a batch call over `inputs` (UTF-8 pieces, and the end of each input's
    /// piece: the convention of `sd_fold_many`), from the cache when it holds it. A nil
    /// result (ICU failed) is not kept.
    static func pieces(kind: String, inputs: [UInt32], in directory: String? = directory,
                       compute: () -> (pieces: [UInt8], ends: [Int32])?) -> (pieces: [UInt8], ends: [Int32])? {
        guard let path = directory, let directory = try? FileSystemDirectory(path) else { return compute() }
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325  // FNV-1a over the kind and the inputs
        for b in kind.utf8 { hash = (hash ^ UInt64(b)) &* 0x100_0000_01B3 }
        for cp in inputs { hash = (hash ^ UInt64(cp)) &* 0x100_0000_01B3 }
        let name = "\(prefix)\(String(hash, radix: 16)).bin"
        if let file = try? directory.open(name),
           let payload = try? Footer.payload(of: file.buffer, file: name, verifyChecksum: true),
           let known = decode(Array(payload), count: inputs.count) {
            return known
        }
        guard let result = compute() else { return nil }
        removeOldBuilds(in: directory, path: path)
        let temporary = "\(name).\(getpid()).tmp"
        do {
            let file = try FileWriter(directory, temporary)
            try file.write(encode(result))
            try file.finish()
            try directory.rename(temporary, to: name)
        } catch {
            try? directory.delete(temporary)
        }
        return result
    }

    /// Builds whose files are kept besides this one's: two builds run in turn (a benchmark,
    /// the tests beside an installed searchd) must not each remove the other's.
    static let otherBuildsKept = 3

    /// Removes the files of all but the `otherBuildsKept` builds that wrote theirs last
    /// (each build's files hold about 5 MB, most of it the dictionary's trie).
    private static func removeOldBuilds(in directory: FileSystemDirectory, path: String) {
        var newest: [String: Int] = [:]  // build prefix → its latest file's mtime
        var files: [(name: String, build: String)] = []
        for name in (try? directory.list()) ?? [] where name.hasPrefix("icu-") && !name.hasPrefix(prefix) {
            guard let dash = name.lastIndex(of: "-") else { continue }
            let build = String(name[...dash])
            var info = stat()
            let mtime = stat(path + "/" + name, &info) == 0 ? info.st_mtim.tv_sec : 0
            newest[build] = max(newest[build] ?? 0, mtime)
            files.append((name, build))
        }
        let kept = Set(newest.sorted { $0.value > $1.value }.prefix(otherBuildsKept).map(\.key))
        for file in files where !kept.contains(file.build) { try? directory.delete(file.name) }
    }

    /// The start of this build's file names.
    static var prefix: String { "icu-\(icuVersion)-v\(formatVersion)-\(buildStamp)-" }

    /// Runs a batch call (`sd_fold_many`, `sd_transliterate_many`) over `cps`, growing its
    /// output buffer until the result fits; nil on an ICU error.
    static func call(_ cps: [UInt32], bytesPerInput: Int,
                     _ batch: (UnsafePointer<UInt32>?, Int32, UnsafeMutablePointer<UInt8>?, Int32, UnsafeMutablePointer<Int32>?) -> Int32)
        -> (pieces: [UInt8], ends: [Int32])? {
        var ends = [Int32](repeating: -1, count: cps.count)
        var out = [UInt8](repeating: 0, count: max(1, cps.count * bytesPerInput))
        while true {
            let need = cps.withUnsafeBufferPointer { c in
                out.withUnsafeMutableBufferPointer { o in
                    ends.withUnsafeMutableBufferPointer { e in batch(c.baseAddress, Int32(c.count), o.baseAddress, Int32(o.count), e.baseAddress) }
                }
            }
            if need < 0 { return nil }
            if Int(need) <= out.count { return (Array(out[..<Int(need)]), ends) }
            out = [UInt8](repeating: 0, count: Int(need))
        }
    }

    /// The ends (little-endian Int32), then the pieces.
    static func encode(_ result: (pieces: [UInt8], ends: [Int32])) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(result.ends.count * 4 + result.pieces.count)
        for e in result.ends { withUnsafeBytes(of: e.littleEndian) { out.append(contentsOf: $0) } }
        return out + result.pieces
    }

    static func decode(_ payload: [UInt8], count: Int) -> (pieces: [UInt8], ends: [Int32])? {
        guard payload.count >= count * 4 else { return nil }
        let ends = (0..<count).map { i in
            Int32(littleEndian: payload.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: i * 4, as: Int32.self) })
        }
        let pieces = Array(payload[(count * 4)...])
        guard ends.allSatisfy({ $0 <= pieces.count }) else { return nil }
        return (pieces, ends)
    }
}

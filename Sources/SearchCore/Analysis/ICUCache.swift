import CICU
#if canImport(Glibc)
import Glibc
#endif

/// The results of the ICU batch calls that build the analysis tables (`CharacterTables`,
/// `Pinyin`), kept on disk. Building them runs ICU's transliterators over every Han character:
/// about a second of CPU at each start of searchd or `searchd index`, before the first
/// document or query can be analysed; reading them back takes milliseconds.
///
/// A file is named after the ICU version, the running executable (its size and mtime: a new
/// build of searchd, whose folding code may differ, never reads an older one's results) and a
/// hash of the call (its kind and inputs), and ends with a CRC32: anything else, or a damaged
/// file, is computed again. Writing is best effort (temporary file, then rename; files of
/// other builds are removed then): a read-only or full disk only costs the second.
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
        guard let directory else { return compute() }
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325  // FNV-1a over the kind and the inputs
        for b in kind.utf8 { hash = (hash ^ UInt64(b)) &* 0x100_0000_01B3 }
        for cp in inputs { hash = (hash ^ UInt64(cp)) &* 0x100_0000_01B3 }
        let path = "\(directory)/\(prefix)\(String(hash, radix: 16)).bin"
        if let payload = read(path), let known = decode(payload, count: inputs.count) { return known }
        guard let result = compute() else { return nil }
        removeOtherBuilds(in: directory)
        write(encode(result), to: path, directory: directory)
        return result
    }

    /// The start of this build's file names.
    static var prefix: String { "icu-\(icuVersion)-v\(formatVersion)-\(buildStamp)-" }

    /// Deletes the cache files of other builds (each holds about 700 KB).
    private static func removeOtherBuilds(in directory: String) {
        guard let dir = opendir(directory) else { return }
        defer { closedir(dir) }
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name.hasPrefix("icu-") && name.hasSuffix(".bin") && !name.hasPrefix(prefix) { unlink("\(directory)/\(name)") }
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

    /// The payload of a cache file, if it is whole (its CRC32 checks).
    static func read(_ path: String) -> [UInt8]? {
        guard let data = readWhole(path), data.count >= 4 else { return nil }
        let payload = Array(data[..<(data.count - 4)])
        let stored = data[(data.count - 4)...].enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (8 * $1.offset) }
        guard payload.withUnsafeBytes({ CRC32.checksum($0) }) == stored else { return nil }
        return payload
    }

    private static func write(_ payload: [UInt8], to path: String, directory: String) {
        var data = payload
        let crc = payload.withUnsafeBytes { CRC32.checksum($0) }
        for i in 0..<4 { data.append(UInt8(truncatingIfNeeded: crc >> (8 * i))) }
        if let slash = directory.lastIndex(of: "/"), slash != directory.startIndex {
            _ = mkdir(String(directory[..<slash]), 0o755)  // ~/.cache on a fresh account
        }
        _ = mkdir(directory, 0o755)
        let temporary = "\(path).\(getpid()).tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return }
        let written = data.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        close(fd)
        if written == data.count && rename(temporary, path) == 0 { return }
        unlink(temporary)
    }

    private static func readWhole(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_size > 0, info.st_size < 64 << 20 else { return nil }
        var data = [UInt8](repeating: 0, count: Int(info.st_size))
        let n = data.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
        return n == data.count ? data : nil
    }
}

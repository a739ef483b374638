#if canImport(Glibc)
import Glibc
#endif

/// Reads a whole file (UTF-8 expected, invalid bytes replaced).
func readTextFile(_ path: String) throws(SystemError) -> String {
    String(decoding: try readFile(path), as: UTF8.self)
}

/// Reads a whole file, refusing more than `limit` bytes.
func readFile(_ path: String, limit: Int = .max) throws(SystemError) -> [UInt8] {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw SystemError("cannot open \(path)") }
    defer { close(fd) }
    var st = stat()
    guard fstat(fd, &st) == 0 else { throw SystemError("cannot stat \(path)") }
    guard Int(st.st_size) <= limit else {
        throw SystemError("\(path) is \(st.st_size) bytes, over the limit of \(limit)", code: EFBIG)
    }
    // a byte more than the file: the read that finds its end needs room, which grown then
    // doubled the buffer (a copy of the whole file) for every file read
    var bytes = [UInt8](repeating: 0, count: Int(st.st_size) + 1)
    var total = 0
    while true {
        if total == bytes.count { bytes.append(contentsOf: [UInt8](repeating: 0, count: max(4096, total))) }
        let n = bytes[total...].withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n < 0 {
            if errno == EINTR { continue }
            throw SystemError("cannot read \(path)")
        }
        if n == 0 { break }
        total += n
        if total > limit { throw SystemError("\(path) grew over the limit of \(limit) bytes", code: EFBIG) }
    }
    bytes.removeSubrange(total...)
    return bytes
}

/// A failed system call: what was being done, and errno's text.
public struct SystemError: Error, CustomStringConvertible {
    public var message: String
    public var code: Int32

    public init(_ what: String, code: Int32 = errno) {
        self.code = code
        self.message = "\(what): \(String(cString: strerror(code)))"
    }

    public var description: String { message }
}

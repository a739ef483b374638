#if canImport(Glibc)
import Glibc
#endif

/// A blocking client connection to searchd's Unix socket: send a request, read its response.
/// What the `search` command and the end-to-end tests use; editors speak the same protocol
/// from their own languages.
public final class Connection {
    private let fd: Int32
    private var framer = LineFramer(maxLineLength: 256 << 20)
    private var pending: [[UInt8]] = []
    private var nextID = 1

    /// Why a connection failed, in words a user can act on.
    public enum Failure: Error, Equatable, CustomStringConvertible {
        /// Nothing listens at the path (no socket file, or a stale one).
        case notRunning(path: String)
        case permissionDenied(path: String)
        case io(String)
        case closed
        case timedOut

        public var description: String {
            switch self {
            case .notRunning(let path): "searchd is not running (no socket at \(path))"
            case .permissionDenied(let path): "permission denied on \(path)"
            case .io(let message): message
            case .closed: "searchd closed the connection"
            case .timedOut: "searchd did not answer in time"
            }
        }
    }

    /// Connects to the socket at `path`; `timeout` (seconds) bounds every later read and write.
    public init(path: String, timeout: Double = 30) throws(Failure) {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { throw .io("socket path too long: \(path)") }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .io("socket: \(String(cString: strerror(errno)))") }
        var tv = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - timeout.rounded(.down)) * 1e6))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        if rc != 0 {
            let e = errno
            close(fd)
            switch e {
            case ENOENT, ECONNREFUSED, ENOTDIR: throw .notRunning(path: path)
            case EACCES, EPERM: throw .permissionDenied(path: path)
            default: throw .io("cannot connect to \(path): \(String(cString: strerror(e)))")
            }
        }
        self.fd = fd
    }

    deinit { close(fd) }

    /// Sends `method` with `params` and waits for its response.
    public func call(_ method: String, _ params: JSON = .object([])) throws(Failure) -> Response {
        let id = nextID
        nextID += 1
        try send(Request(id: .number(Double(id)), method: method, params: params).line)
        while true {
            let response: Response
            do {
                response = try Response.decode(try readLine())
            } catch let e as Failure {
                throw e
            } catch {
                throw .io("\(error)")
            }
            if response.id == .number(Double(id)) || response.id == .null { return response }
        }
    }

    /// Writes one line (a newline is added).
    public func send(_ line: String) throws(Failure) {
        try write(Array(line.utf8) + [0x0A])
    }

    /// Writes raw bytes (tests use it to send malformed or partial lines).
    public func write(_ bytes: [UInt8]) throws(Failure) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN || errno == EWOULDBLOCK { throw .timedOut }
                if errno == EPIPE || errno == ECONNRESET { throw .closed }
                throw .io("write: \(String(cString: strerror(errno)))")
            }
            offset += n
        }
    }

    /// Reads the next line sent by searchd.
    public func readLine() throws(Failure) -> [UInt8] {
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while pending.isEmpty {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN || errno == EWOULDBLOCK { throw .timedOut }
                if errno == ECONNRESET { throw .closed }
                throw .io("read: \(String(cString: strerror(errno)))")
            }
            if n == 0 { throw .closed }
            for frame in framer.feed(chunk[..<n]) {
                if case .line(let l) = frame { pending.append(l) }
            }
        }
        return pending.removeFirst()
    }
}

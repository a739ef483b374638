/// A JSON-RPC error: the standard codes, and searchd's own in the server range.
public struct RPCError: Error, Equatable, Sendable, CustomStringConvertible {
    public var code: Int
    public var message: String
    public var data: JSON?

    public init(code: Int, message: String, data: JSON? = nil) {
        self.code = code
        self.message = message
        self.data = data
    }

    public var description: String { "\(message) (code \(code))" }

    // JSON-RPC 2.0
    public static let parseError = -32700
    public static let invalidRequest = -32600
    public static let methodNotFound = -32601
    public static let invalidParams = -32602
    public static let internalError = -32603
    // searchd
    /// The query text cannot be parsed; data.offset is the byte offset of the problem.
    public static let badQuery = -32001
    /// The request line exceeds the line length limit.
    public static let lineTooLong = -32002
    /// The request took longer than the request timeout.
    public static let timeout = -32003
    /// The index cannot be used right now (still opening, or damaged).
    public static let unavailable = -32004
    /// A document or path is refused (outside the roots, too large, binary), or a reload failed.
    public static let rejected = -32005
    /// The client asked for a protocol major version searchd does not speak.
    public static let unsupportedVersion = -32006
    /// The peer's user may not use this searchd (see access control in Docs/PROTOCOL.md).
    public static let forbidden = -32007

    public var json: JSON {
        var pairs: [(String, JSON)] = [("code", .number(Double(code))), ("message", .string(message))]
        if let data { pairs.append(("data", data)) }
        return .object(pairs)
    }
}

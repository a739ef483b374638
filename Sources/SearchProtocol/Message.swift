/// A JSON-RPC 2.0 request: one JSON object on one line.
public struct Request: Equatable, Sendable {
    /// Echoed in the response; nil for a notification (no response expected).
    public var id: JSON?
    public var method: String
    public var params: JSON

    public init(id: JSON?, method: String, params: JSON = .object([])) {
        self.id = id
        self.method = method
        self.params = params
    }

    public var line: String {
        var pairs: [(String, JSON)] = [("jsonrpc", "2.0")]
        if let id { pairs.append(("id", id)) }
        pairs.append(("method", .string(method)))
        pairs.append(("params", params))
        return JSON.object(pairs).serialized()
    }

    /// Decodes a request line, or says which JSON-RPC error it deserves (with the id, when
    /// one could be read, so the error can be matched to the request).
    public static func decode(_ line: [UInt8]) -> Result<Request, Invalid> {
        let json: JSON
        do {
            json = try JSON.parse(line)
        } catch {
            return .failure(Invalid(id: .null, error: RPCError(code: RPCError.parseError, message: "parse error: \(error)")))
        }
        guard case .object = json else {
            return .failure(Invalid(id: .null, error: RPCError(code: RPCError.invalidRequest, message: "a request must be a JSON object")))
        }
        let id = json["id"]
        if let id, !(id.stringValue != nil || id.doubleValue != nil || id == .null) {
            return .failure(Invalid(id: .null, error: RPCError(code: RPCError.invalidRequest, message: "id must be a string, a number or null")))
        }
        guard json["jsonrpc"]?.stringValue == "2.0" else {
            return .failure(Invalid(id: id ?? .null, error: RPCError(code: RPCError.invalidRequest, message: "jsonrpc must be \"2.0\"")))
        }
        guard let method = json["method"]?.stringValue else {
            return .failure(Invalid(id: id ?? .null, error: RPCError(code: RPCError.invalidRequest, message: "method must be a string")))
        }
        let params = json["params"] ?? .object([])
        switch params {
        case .object, .array: break
        default:
            return .failure(Invalid(id: id ?? .null, error: RPCError(code: RPCError.invalidRequest, message: "params must be an object or an array")))
        }
        return .success(Request(id: id, method: method, params: params))
    }
}

extension Request {
    /// A line that is not a valid request: the error it deserves, and the id to answer with
    /// (null when none could be read).
    public struct Invalid: Error, Equatable {
        public var id: JSON
        public var error: RPCError
    }
}

/// A JSON-RPC 2.0 response.
public struct Response: Equatable, Sendable {
    public var id: JSON
    public var outcome: Result<JSON, RPCError>

    public init(id: JSON, result: JSON) {
        self.id = id
        self.outcome = .success(result)
    }

    public init(id: JSON, error: RPCError) {
        self.id = id
        self.outcome = .failure(error)
    }

    public var json: JSON {
        switch outcome {
        case .success(let result): ["jsonrpc": "2.0", "id": id, "result": result]
        case .failure(let error): ["jsonrpc": "2.0", "id": id, "error": error.json]
        }
    }

    /// The response as one line, without the newline.
    public var line: String { json.serialized() }

    public static func decode(_ line: [UInt8]) throws(RPCError) -> Response {
        let json: JSON
        do {
            json = try JSON.parse(line)
        } catch {
            throw RPCError(code: RPCError.parseError, message: "searchd sent a line that is not JSON: \(error)")
        }
        let id = json["id"] ?? .null
        if let result = json["result"] { return Response(id: id, result: result) }
        if let e = json["error"], let code = e["code"]?.intValue, let message = e["message"]?.stringValue {
            return Response(id: id, error: RPCError(code: code, message: message, data: e["data"]))
        }
        throw RPCError(code: RPCError.invalidRequest, message: "searchd sent a response with neither result nor error")
    }
}

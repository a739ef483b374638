import SearchCore
import SearchProtocol

/// Answers protocol requests. It never throws and never traps on a request: every failure
/// becomes a JSON-RPC error response, and the connection and daemon go on.
public struct RequestHandler: Sendable {
    let service: IndexService
    let config: Config
    let started: ContinuousClock.Instant
    private let analyzers = AnalyzerPool()

    public init(service: IndexService, config: Config) {
        self.service = service
        self.config = config
        self.started = ContinuousClock.now
    }

    /// The response line for one request line (nil for a notification, which gets none).
    public func respond(to line: [UInt8]) -> String? {
        switch Request.decode(line) {
        case .failure(let invalid):
            return Response(id: invalid.id, error: invalid.error).line
        case .success(let request):
            let outcome = handle(request)
            guard let id = request.id else { return nil }
            switch outcome {
            case .success(let result): return Response(id: id, result: result).line
            case .failure(let error): return Response(id: id, error: error).line
            }
        }
    }

    /// The response to a line longer than the limit.
    public func lineTooLong() -> String {
        Response(id: .null, error: RPCError(code: RPCError.lineTooLong,
                                            message: "request line longer than \(config.maxLineLength) bytes; it was discarded")).line
    }

    func handle(_ request: Request) -> Result<JSON, RPCError> {
        do {
            switch request.method {
            case "ping": return .success("pong")
            case "status": return .success(status())
            case "search": return .success(try search(Params(request.params)))
            case "reload": return .success(try reload())
            default: throw RPCError(code: RPCError.methodNotFound, message: "unknown method \(request.method)")
            }
        } catch let error as RPCError {
            return .failure(error)
        } catch {
            return .failure(RPCError(code: RPCError.internalError, message: "\(error)"))
        }
    }

    // MARK: Methods

    func search(_ params: Params) throws -> JSON {
        let text = try params.string("query")
        let limit = try params.int("limit", default: 10, in: 0...config.maxResults)
        let offset = try params.int("offset", default: 0, in: 0...1_000_000)
        let snippets = try params.bool("snippets", default: true)
        let mode = try params.string("mode", default: "any")
        guard mode == "any" || mode == "all" else {
            throw RPCError(code: RPCError.invalidParams, message: "mode must be \"any\" or \"all\"")
        }
        guard let snapshot = service.snapshot else {
            throw RPCError(code: RPCError.unavailable, message: "the index is not ready yet: searchd is still indexing")
        }
        let clock = ContinuousClock()
        let start = clock.now
        let results: SearchResults
        do {
            let query = try QueryParser.parse(text)
            let options = SearchOptions(limit: limit, offset: offset, snippets: snippets, requireAll: mode == "all")
            results = try analyzers.withAnalyzer { analyzer throws(QueryError) in
                try snapshot.searcher(synonyms: service.synonyms, analyzer: analyzer).search(query, options: options)
            }
        } catch {
            // the do block throws QueryError only (typed throws)
            throw RPCError(code: RPCError.badQuery, message: "bad query: \(error)", data: ["offset": .number(Double(error.offset))])
        }
        let micros = Int((clock.now - start) / .microseconds(1))
        let hits: [JSON] = results.hits.enumerated().map { i, hit in Self.json(hit, rank: offset + i + 1) }
        return ["total": .number(Double(results.total)), "hits": .array(hits), "took_us": .number(Double(micros))]
    }

    /// Rereads the synonyms file.
    func reload() throws -> JSON {
        do {
            return ["synonyms": .number(Double(try service.loadSynonyms()))]
        } catch {
            throw RPCError(code: RPCError.rejected, message: "\(error)")
        }
    }

    static func json(_ hit: SearchHit, rank: Int) -> JSON {
        var pairs: [(String, JSON)] = [
            ("rank", .number(Double(rank))),
            ("id", .string(hit.id)),
            ("title", .string(hit.title)),
            ("score", .number((hit.score * 10_000).rounded() / 10_000)),
            ("matched", .number(Double(hit.matched))),
        ]
        if let path = hit.path { pairs.append(("path", .string(path))) }
        if let line = hit.line, let column = hit.column {
            pairs.append(("line", .number(Double(line))))
            pairs.append(("column", .number(Double(column))))
        }
        if let date = hit.date { pairs.append(("date", .string(date))) }
        if let lang = hit.lang { pairs.append(("lang", .string(lang))) }
        if let snippet = hit.snippet {
            pairs.append(("snippet", .string(snippet.text)))
            pairs.append(("highlights", .array(snippet.highlights.map {
                [.number(Double($0.lowerBound)), .number(Double($0.upperBound))]
            })))
        }
        return .object(pairs)
    }

    func status() -> JSON {
        let snapshot = service.snapshot
        var pairs: [(String, JSON)] = [
            ("version", .string(Version.searchd)),
            ("protocol", .string(Version.protocolVersion)),
            ("state", .string(service.isIndexing || service.lastUpdate == nil ? "indexing" : "ready")),
            ("documents", .number(Double(snapshot?.documentCount ?? 0))),
            ("segments", .number(Double(snapshot?.segmentCount ?? 0))),
            ("terms", .number(Double(snapshot?.termCount ?? 0))),
            ("index_bytes", .number(Double(snapshot?.byteCount ?? 0))),
            ("index_path", .string(service.indexPath)),
            ("uptime_s", .number(((ContinuousClock.now - started) / .milliseconds(1)).rounded() / 1000)),
            ("sources", .array(config.sources.map { .string($0) })),
        ]
        if let commit = service.lastCommit { pairs.append(("last_commit", .number((commit * 1000).rounded() / 1000))) }
        if let u = service.lastUpdate {
            pairs.append(("last_update", [
                "documents": .number(Double(u.documents)), "added": .number(Double(u.added)),
                "deleted": .number(Double(u.deleted)), "unchanged": .number(Double(u.unchanged)),
                "skipped": .number(Double(u.skipped)), "bytes": .number(Double(u.bytes)),
                "seconds": .number((u.seconds * 1000).rounded() / 1000),
            ]))
        }
        return .object(pairs)
    }
}

/// Typed access to request params, with JSON-RPC "invalid params" errors that name the key.
struct Params {
    let json: JSON

    init(_ json: JSON) throws(RPCError) {
        guard case .object = json else {
            throw RPCError(code: RPCError.invalidParams, message: "params must be an object")
        }
        self.json = json
    }

    func string(_ key: String, default value: String? = nil) throws(RPCError) -> String {
        guard let v = json[key], v != .null else {
            if let value { return value }
            throw RPCError(code: RPCError.invalidParams, message: "missing param \(key)")
        }
        guard let s = v.stringValue else {
            throw RPCError(code: RPCError.invalidParams, message: "\(key) must be a string, not a \(v.typeName)")
        }
        return s
    }

    func int(_ key: String, default value: Int, in range: ClosedRange<Int>) throws(RPCError) -> Int {
        guard let v = json[key], v != .null else { return value }
        guard let n = v.intValue else {
            throw RPCError(code: RPCError.invalidParams, message: "\(key) must be an integer, not a \(v.typeName)")
        }
        guard range.contains(n) else {
            throw RPCError(code: RPCError.invalidParams, message: "\(key) must be between \(range.lowerBound) and \(range.upperBound)")
        }
        return n
    }

    func bool(_ key: String, default value: Bool) throws(RPCError) -> Bool {
        guard let v = json[key], v != .null else { return value }
        guard let b = v.boolValue else {
            throw RPCError(code: RPCError.invalidParams, message: "\(key) must be a boolean, not a \(v.typeName)")
        }
        return b
    }
}

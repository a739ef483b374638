import SearchCore
import SearchProtocol

#if canImport(Glibc)
import Glibc
#endif

/// Answers protocol requests. It never throws and never traps on a request: every failure
/// becomes a JSON-RPC error response, and the connection and daemon go on.
public struct RequestHandler: Sendable {
    let service: IndexService
    let started: ContinuousClock.Instant
    /// Extra lines for `status` (the daemon's watcher and connections).
    let extraStatus: @Sendable () -> [(String, JSON)]
    /// What `reload` does: the daemon rereads its config file; without one, the synonyms.
    let reloader: @Sendable () throws -> JSON
    private let analyzers = AnalyzerPool()

    public init(service: IndexService, extraStatus: @escaping @Sendable () -> [(String, JSON)] = { [] },
                reload: (@Sendable () throws -> JSON)? = nil) {
        self.service = service
        self.started = ContinuousClock.now
        self.extraStatus = extraStatus
        self.reloader = reload ?? { ["synonyms": .number(Double(try service.loadSynonyms()))] }
    }

    var config: Config { service.config }

    /// How a request is answered.
    public enum Answer: Equatable {
        /// This line's UTF-8, without its newline (nil: nothing, for a notification). Bytes, not
        /// a String: a String of a search's response checked its UTF-8 again, 2% of a request.
        case now([UInt8]?)
        /// The answer comes later, through the `later` callback (a push waits for its commit).
        case later
    }

    /// Answers one request line, at once or, for pushes, through `later` from another thread.
    public func respond(to line: [UInt8], later: @escaping @Sendable ([UInt8]?) -> Void) -> Answer {
        let request: Request
        switch Request.decode(line) {
        case .failure(let invalid): return .now(Array(Response(id: invalid.id, error: invalid.error).line.utf8))
        case .success(let r): request = r
        }
        let id = request.id
        switch request.method {
        case "add", "delete":
            do throws(RPCError) {
                try push(request.method, Params(request.params)) { later(Self.line(id, $0)) }
                return .later
            } catch {
                return .now(Self.line(id, .failure(error)))
            }
        case "search":
            return .now(searchLine(id, request.params))
        default:
            return .now(Self.line(id, handle(request)))
        }
    }

    /// The response line for a request's outcome (none for a notification).
    private static func line(_ id: JSON?, _ outcome: Result<JSON, RPCError>) -> [UInt8]? {
        guard let id else { return nil }
        switch outcome {
        case .success(let result): return Array(Response(id: id, result: result).line.utf8)
        case .failure(let error): return Array(Response(id: id, error: error).line.utf8)
        }
    }

    /// The response line for a request answered at once (tests and the bench call this).
    public func respond(to line: [UInt8]) -> String? {
        if case .now(let reply) = respond(to: line, later: { _ in }) { return reply.map { String(decoding: $0, as: UTF8.self) } }
        return nil
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
            case "hello": return .success(try hello(Params(request.params)))
            case "status": return .success(status())
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

    /// The handshake: who we are, the protocol version, the methods and the limits. A client
    /// may name the protocol it speaks; another major version is refused.
    func hello(_ params: Params) throws(RPCError) -> JSON {
        let wanted = try params.string("protocol", default: Version.protocolVersion)
        guard wanted.split(separator: ".").first == Version.protocolVersion.split(separator: ".").first else {
            throw RPCError(code: RPCError.unsupportedVersion,
                           message: "protocol \(wanted) is not supported; searchd \(Version.searchd) speaks \(Version.protocolVersion)",
                           data: ["protocol": .string(Version.protocolVersion)])
        }
        let c = config
        return [
            "server": "searchd", "version": .string(Version.searchd), "protocol": .string(Version.protocolVersion),
            "methods": .array(Self.methods.map { .string($0) }),
            "limits": [
                "max_line_length": .number(Double(c.maxLineLength)), "max_results": .number(Double(c.maxResults)),
                "request_timeout_s": .number(c.requestTimeout), "client_timeout_s": .number(c.clientTimeout),
            ],
        ]
    }

    static let methods = ["hello", "ping", "search", "status", "add", "delete", "reload"]

    /// `add` {id?, text, title?, fields?: {date, lang, path}} and `delete` {id}: checked here,
    /// applied on the index queue; `done` gets the result once it is committed. An `add`
    /// without id but with a path under the roots gets the id of the file there, so an editor
    /// can push a buffer in place of the file's document.
    func push(_ method: String, _ params: Params, done: @escaping @Sendable (Result<JSON, RPCError>) -> Void) throws(RPCError) {
        try params.only(method == "add" ? ["id", "text", "title", "fields"] : ["id"])
        let fields = try Params(params.json["fields"] ?? [:], name: "fields")
        try fields.only(["date", "lang", "path"])
        var path: String?
        if let p = try fields.optionalString("path") {
            // a path is only a label for editors (nothing is read from it), but it must name a
            // place under the roots: a client cannot make searchd vouch for other files
            guard p.hasPrefix("/"), SourceCrawler(config).locate(p) != nil else {
                throw RPCError(code: RPCError.rejected, message: "fields.path must be an absolute path under one of the sources")
            }
            path = p
        }
        guard let id = try params.optionalString("id") ?? path.flatMap({ SourceCrawler(config).id(forPath: $0) }) else {
            throw RPCError(code: RPCError.invalidParams, message: "missing param id")
        }
        guard !id.isEmpty, id.utf8.count <= 4096 else {
            throw RPCError(code: RPCError.invalidParams, message: "id must be a non-empty string of at most 4096 bytes")
        }
        let reply: @Sendable (Result<Bool, any Error>) -> Void = { outcome in
            switch outcome {
            case .success(let existed):
                done(.success(method == "add" ? ["id": .string(id), "committed": true] : ["id": .string(id), "deleted": .bool(existed)]))
            case .failure(let error):
                done(.failure(RPCError(code: RPCError.unavailable, message: "\(error)")))
            }
        }
        guard method == "add" else {
            service.remove(id: id, reply: reply)
            return
        }
        let text = try params.string("text")
        let title = try params.string("title", default: id)
        var date: String?
        if let d = try fields.optionalString("date") {
            guard let normalized = DateText.normalize(d) else {
                throw RPCError(code: RPCError.invalidParams, message: "fields.date must be a date like 2024-06-29, 2024-06 or 2024")
            }
            date = normalized
        }
        let lang = try fields.optionalString("lang") ?? LanguageGuesser.guess(text)
        service.push(Document(id: id, title: title, body: text, date: date, lang: lang, path: path), reply: reply)
    }

    /// A search's response line, written from its hits without a JSON tree (nil for a
    /// notification).
    func searchLine(_ id: JSON?, _ params: JSON) -> [UInt8]? {
        let answer: SearchAnswer
        do {
            answer = try search(Params(params))
        } catch let error as RPCError {
            return Self.line(id, .failure(error))
        } catch {
            return Self.line(id, .failure(RPCError(code: RPCError.internalError, message: "\(error)")))
        }
        guard let id else { return nil }
        let results = answer.results
        var w = JSONWriter(capacity: 512 + 256 * results.hits.count)
        w.object { w in
            w.key("jsonrpc")
            w.string("2.0")
            w.key("id")
            w.value(id)
            w.key("result")
            w.object { w in
                w.key("total")
                w.number(Double(results.total))
                w.key("hits")
                w.array { w in
                    for (i, hit) in results.hits.enumerated() { Self.write(hit, rank: answer.offset + i + 1, to: &w) }
                }
                w.key("took_us")
                w.number(Double(answer.micros))
                if results.totalIsLowerBound {
                    w.key("total_is_lower_bound")
                    w.value(true)
                }
                if results.timedOut {
                    w.key("timed_out")
                    w.value(true)
                }
            }
        }
        return w.bytes
    }

    struct SearchAnswer {
        var results: SearchResults
        /// The rank of the first hit, minus one.
        var offset: Int
        /// How long the search took.
        var micros: Int
    }

    func search(_ params: Params) throws -> SearchAnswer {
        let text = try params.string("query")
        let limit = try params.int("limit", default: 10, in: 0...config.maxResults)
        let offset = try params.int("offset", default: 0, in: 0...1_000_000)
        let snippets = try params.bool("snippets", default: true)
        let countLimit = try params.int("count_limit", default: SearchOptions.defaultCountLimit, in: 0...Int(Int32.max))
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
            var options = SearchOptions(limit: limit, offset: offset, snippets: snippets, requireAll: mode == "all")
            options.countLimit = countLimit
            options.deadline = start + .milliseconds(Int(config.requestTimeout * 1000))
            results = try analyzers.withAnalyzer { analyzer throws(QueryError) in
                try snapshot.searcher(synonyms: service.synonyms, analyzer: analyzer).search(query, options: options)
            }
        } catch {
            // the do block throws QueryError only (typed throws)
            throw RPCError(code: RPCError.badQuery, message: "bad query: \(error)", data: ["offset": .number(Double(error.offset))])
        }
        return SearchAnswer(results: results, offset: offset, micros: Int((clock.now - start) / .microseconds(1)))
    }

    /// Rereads the config file (when there is one) and the synonyms, like SIGHUP.
    func reload() throws -> JSON {
        do {
            return try reloader()
        } catch {
            throw RPCError(code: RPCError.rejected, message: "\(error)")
        }
    }

    static func write(_ hit: SearchHit, rank: Int, to w: inout JSONWriter) {
        w.object { w in
            w.key("rank")
            w.number(Double(rank))
            w.key("id")
            w.string(hit.id)
            w.key("title")
            w.string(hit.title)
            w.key("score")
            w.number(hit.score, decimals: 4)
            w.key("matched")
            w.number(Double(hit.matched))
            if let path = hit.path {
                w.key("path")
                w.string(path)
            }
            if let line = hit.line, let column = hit.column {
                w.key("line")
                w.number(Double(line))
                w.key("column")
                w.number(Double(column))
            }
            if let date = hit.date {
                w.key("date")
                w.string(date)
            }
            if let lang = hit.lang {
                w.key("lang")
                w.string(lang)
            }
            if let snippet = hit.snippet {
                w.key("snippet")
                w.string(snippet.text)
                w.key("highlights")
                w.array { w in
                    for h in snippet.highlights {
                        w.array { w in
                            w.number(Double(h.lowerBound))
                            w.number(Double(h.upperBound))
                        }
                    }
                }
            }
        }
    }

    func status() -> JSON {
        let snapshot = service.snapshot
        let config = self.config
        var pairs: [(String, JSON)] = [
            ("version", .string(Version.searchd)),
            ("protocol", .string(Version.protocolVersion)),
            ("state", .string(service.isIndexing || service.lastUpdate == nil ? "indexing" : "ready")),
            ("documents", .number(Double(snapshot?.documentCount ?? 0))),
            ("segments", .number(Double(snapshot?.segmentCount ?? 0))),
            ("terms", .number(Double(snapshot?.termCount ?? 0))),
            ("index_bytes", .number(Double(snapshot?.byteCount ?? 0))),
            ("index_path", .string(service.indexPath)),
            ("pending_changes", .number(Double(service.pendingChanges))),
            ("memory_bytes", .number(Double(Self.residentBytes()))),
            ("uptime_s", .number(((ContinuousClock.now - started) / .milliseconds(1)).rounded() / 1000)),
            ("sources", .array(config.sources.map { .string($0) })),
        ]
        pairs += extraStatus()
        if let commit = service.lastCommit { pairs.append(("last_commit", .number((commit * 1000).rounded() / 1000))) }
        if let error = service.commitError { pairs.append(("commit_error", .string(error))) }
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
    /// "params", or the name of a nested object ("fields").
    let name: String

    init(_ json: JSON, name: String = "params") throws(RPCError) {
        guard case .object = json else {
            throw RPCError(code: RPCError.invalidParams, message: "\(name) must be an object")
        }
        self.json = json
        self.name = name
    }

    /// Refuses keys other than these (a misspelt one must not be silently ignored).
    func only(_ keys: Set<String>) throws(RPCError) {
        guard case .object(let pairs) = json else { return }
        if let unknown = pairs.first(where: { !keys.contains($0.0) }) {
            throw RPCError(code: RPCError.invalidParams, message: "unknown \(name == "params" ? "param" : name) key \(unknown.0)")
        }
    }

    func optionalString(_ key: String) throws(RPCError) -> String? {
        guard let v = json[key], v != .null else { return nil }
        return try string(key)
    }

    func string(_ key: String, default value: String? = nil) throws(RPCError) -> String {
        guard let v = json[key], v != .null else {
            if let value { return value }
            throw RPCError(code: RPCError.invalidParams, message: "missing param \(label(key))")
        }
        guard let s = v.stringValue else {
            throw RPCError(code: RPCError.invalidParams, message: "\(label(key)) must be a string, not a \(v.typeName)")
        }
        return s
    }

    private func label(_ key: String) -> String { name == "params" ? key : name + "." + key }

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

extension RequestHandler {
    /// Resident memory of this process, from /proc/self/statm.
    static func residentBytes() -> Int {
        guard let text = try? readTextFile("/proc/self/statm") else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}

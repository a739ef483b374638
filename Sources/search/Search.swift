import ArgumentParser
import SearchProtocol

#if canImport(Glibc)
import Glibc
#endif

@main
struct Search: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Search the index of a running searchd.",
        discussion: """
            Exit status: 0 when there are hits, 1 when there are none, 2 on an error \
            (searchd not running, bad query). To search for the word "status" or "reload", write \
            `search -- status`.
            """,
        version: Version.searchd,
        subcommands: [Query.self, Status.self, Reload.self],
        defaultSubcommand: Query.self)
}

struct ClientOptions: ParsableArguments {
    @Option(help: "searchd's socket (default: $XDG_RUNTIME_DIR/searchd.sock, as searchd uses).")
    var socket: String?

    func connect() throws -> Connection {
        let path = socket ?? DefaultPaths.socket()
        do {
            return try Connection(path: path)
        } catch .notRunning(let path) {
            fail("searchd is not running (no socket at \(path)); start it with `searchd` (or `systemctl --user start searchd`)")
        } catch {
            fail("\(error)")
        }
    }

    /// Calls a method and returns its result; an error response ends the program with status 2.
    func call(_ connection: Connection, _ method: String, _ params: JSON) -> JSON {
        let response: Response
        do {
            response = try connection.call(method, params)
        } catch {
            fail("\(error)")
        }
        switch response.outcome {
        case .success(let result): return result
        case .failure(let error): fail(error.message)
        }
    }
}

/// Prints "search: message" on stderr and exits with status 2.
func fail(_ message: String) -> Never {
    var stderr = StandardError()
    print("search: \(message)", to: &stderr)
    exit(2)
}

struct StandardError: TextOutputStream {
    mutating func write(_ string: String) {
        var bytes = Array(string.utf8)
        bytes.withUnsafeMutableBytes { _ = Glibc.write(2, $0.baseAddress, $0.count) }
    }
}

struct Query: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the documents that match a query (the default).")

    @Argument(help: "The query: words, \"phrases\", -excluded words.")
    var words: [String]

    @Option(name: .shortAndLong, help: "Hits to show.")
    var limit = 10

    @Option(help: "Hits to skip (for the next page).")
    var offset = 0

    @Flag(help: "Require every word (default: documents with all words first, then fewer).")
    var all = false

    @Flag(help: "One JSON object per hit and line, for scripts.")
    var json = false

    @Option(help: "Colour: auto (on a terminal), always or never.")
    var color: ColorMode = .auto

    @OptionGroup var client: ClientOptions

    enum ColorMode: String, ExpressibleByArgument {
        case auto, always, never
    }

    func validate() throws {
        guard !words.isEmpty else { throw ValidationError("give a query, e.g. search \"钱凯港\"") }
        guard limit >= 0 else { throw ValidationError("--limit must be 0 or more") }
        guard offset >= 0 else { throw ValidationError("--offset must be 0 or more") }
    }

    func run() throws {
        let connection = try client.connect()
        let result = client.call(connection, "search", [
            "query": .string(words.joined(separator: " ")), "limit": .number(Double(limit)),
            "offset": .number(Double(offset)), "mode": all ? "all" : "any",
        ])
        let hits = result["hits"]?.arrayValue ?? []
        let useColor = color == .always || (color == .auto && isatty(1) == 1 && getenv("NO_COLOR") == nil)
        if json {
            for hit in hits { print(hit.serialized()) }
        } else {
            print(HitPrinter(color: useColor).render(hits), terminator: "")
            if hits.isEmpty { printNoHits(total: result["total"]?.intValue ?? 0) }
        }
        if hits.isEmpty { throw ExitCode(1) }
    }

    private func printNoHits(total: Int) {
        var stderr = StandardError()
        print(total > 0 ? "no more hits (\(total) in all)" : "no hits", to: &stderr)
    }
}

struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show what searchd is doing: documents, index size, uptime.")

    @Flag(help: "Print the status as JSON.")
    var json = false

    @OptionGroup var client: ClientOptions

    func run() throws {
        let result = client.call(try client.connect(), "status", [:])
        if json {
            print(result.serialized())
            return
        }
        guard case .object(let pairs) = result else { return }
        for (key, value) in pairs {
            let text: String
            switch value {
            case .string(let s): text = s
            case .array(let a): text = a.map { $0.stringValue ?? $0.serialized() }.joined(separator: ", ")
            default: text = value.serialized()
            }
            print("\(key.padding(to: 12)) \(text)")
        }
    }
}

struct Reload: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Make searchd reread its synonyms file.")

    @OptionGroup var client: ClientOptions

    func run() throws {
        let result = client.call(try client.connect(), "reload", [:])
        print("reloaded: \(result["synonyms"]?.intValue ?? 0) synonym rules")
    }
}

extension String {
    func padding(to width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
}

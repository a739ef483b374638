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

/// Writes one line to stdout at once (not buffered): an editor reading the pipe gets each hit
/// as it is printed.
func emit(_ line: String) {
    var bytes = Array(line.utf8)
    bytes.append(0x0A)
    var done = 0
    while done < bytes.count {
        let n = bytes[done...].withUnsafeBytes { Glibc.write(1, $0.baseAddress, $0.count) }
        if n <= 0 { if errno == EINTR { continue } else { exit(2) } }
        done += n
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

    @Option(help: "Output: text (for people), json (one object per hit and line), vimgrep (path:line:column:snippet, like ripgrep), files (paths only).")
    var format: Format = .text

    @Flag(help: "Short for --format json.")
    var json = false

    @Flag(help: "Short for --format vimgrep.")
    var vimgrep = false

    @Flag(help: "Short for --format files.")
    var files = false

    @Option(name: .customLong("in"), help: "Only hits under this directory (adds a path: filter), e.g. --in . for an editor's project.")
    var directory: String?

    @Option(help: "Colour: auto (on a terminal), always or never.")
    var color: ColorMode = .auto

    @OptionGroup var client: ClientOptions

    enum ColorMode: String, ExpressibleByArgument {
        case auto, always, never
    }

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json, vimgrep, files
    }

    func validate() throws {
        guard !words.isEmpty else { throw ValidationError("give a query, e.g. search \"钱凯港\"") }
        guard limit >= 0 else { throw ValidationError("--limit must be 0 or more") }
        guard offset >= 0 else { throw ValidationError("--offset must be 0 or more") }
        guard [json, vimgrep, files].filter({ $0 }).count + (format == .text ? 0 : 1) <= 1 else {
            throw ValidationError("choose one output format")
        }
    }

    var output: Format { json ? .json : vimgrep ? .vimgrep : files ? .files : format }

    func run() throws {
        var query = words.joined(separator: " ")
        if let directory {
            guard let absolute = absoluteDirectory(directory) else { fail("--in \(directory): no such directory") }
            if absolute != "/" { query = "(\(query)) path:\"\(absolute)\"" }
        }
        let connection = try client.connect()
        let output = self.output
        let result = client.call(connection, "search", [
            "query": .string(query), "limit": .number(Double(limit)), "offset": .number(Double(offset)),
            "mode": all ? "all" : "any", "snippets": .bool(output != .files),
        ])
        let hits = result["hits"]?.arrayValue ?? []
        switch output {
        case .json:
            for hit in hits { emit(hit.serialized()) }
        case .vimgrep:
            // files only: a pushed document without a file has nowhere to jump to
            for hit in hits {
                guard let path = hit["path"]?.stringValue else { continue }
                let snippet = (hit["snippet"]?.stringValue ?? "").split(whereSeparator: \.isNewline).joined(separator: " ")
                emit("\(path):\(hit["line"]?.intValue ?? 1):\(hit["column"]?.intValue ?? 1):\(snippet)")
            }
        case .files:
            var seen = Set<String>()
            for hit in hits {
                guard let path = hit["path"]?.stringValue, seen.insert(path).inserted else { continue }
                emit(path)
            }
        case .text:
            let useColor = color == .always || (color == .auto && isatty(1) == 1 && getenv("NO_COLOR") == nil)
            print(HitPrinter(color: useColor).render(hits), terminator: "")
            if hits.isEmpty { printNoHits(total: result["total"]?.intValue ?? 0, atLeast: result["total_is_lower_bound"] == .bool(true)) }
        }
        if hits.isEmpty { throw ExitCode(1) }
    }

    /// The directory as an absolute path without "." and ".." (symbolic links kept: searchd
    /// stores paths as it found them under its roots).
    private func absoluteDirectory(_ path: String) -> String? {
        var st = stat()
        guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR else { return nil }
        var parts: [Substring] = []
        if !path.hasPrefix("/") {
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX))
            guard getcwd(&buffer, buffer.count) != nil else { return nil }
            parts = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self).split(separator: "/")
        }
        for part in path.split(separator: "/") {
            switch part {
            case ".": continue
            case "..": _ = parts.popLast()
            default: parts.append(part)
            }
        }
        return "/" + parts.joined(separator: "/")
    }

    private func printNoHits(total: Int, atLeast: Bool) {
        var stderr = StandardError()
        print(total > 0 ? "no more hits (\(atLeast ? "at least " : "")\(total) in all)" : "no hits", to: &stderr)
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
            print("\(key.padding(to: 16)) \(Self.text(key, value))")
        }
    }

    /// A status value in words: sizes in MiB, times as dates and durations.
    static func text(_ key: String, _ value: JSON) -> String {
        switch (key, value) {
        case (_, .string(let s)): return s
        case (_, .array(let a)): return a.map { $0.stringValue ?? $0.serialized() }.joined(separator: ", ")
        case ("index_bytes", .number(let n)), ("memory_bytes", .number(let n)):
            return oneDecimal(n / 1_048_576) + " MiB"
        case ("uptime_s", .number(let n)): return duration(n)
        case ("last_commit", .number(let n)):
            var t = time_t(n)
            var tm = tm()
            gmtime_r(&t, &tm)
            var buffer = [CChar](repeating: 0, count: 32)
            strftime(&buffer, buffer.count, "%Y-%m-%d %H:%M:%S UTC", &tm)
            let ago = Double(time(nil)) - n
            return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) + " (\(duration(ago)) ago)"
        case ("last_update", let u):
            let n = { (k: String) in u[k]?.intValue ?? 0 }
            return "\(n("added")) added, \(n("deleted")) deleted, \(n("unchanged")) unchanged, \(n("skipped")) skipped in \(u["seconds"]?.doubleValue ?? 0) s"
        default: return value.serialized()
        }
    }

    static func oneDecimal(_ x: Double) -> String {
        let tenths = Int((x * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }

    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded(.down))
        if s < 60 { return oneDecimal(max(0, seconds)) + " s" }
        if s < 3600 { return "\(s / 60) min \(s % 60) s" }
        if s < 86_400 { return "\(s / 3600) h \(s % 3600 / 60) min" }
        return "\(s / 86_400) d \(s % 86_400 / 3600) h"
    }
}

struct Reload: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Make searchd reread its config file and synonyms (like SIGHUP).")

    @OptionGroup var client: ClientOptions

    func run() throws {
        let result = client.call(try client.connect(), "reload", [:])
        print("reloaded: \(result["synonyms"]?.intValue ?? 0) synonym rules")
        let restart = result["restart_needed"]?.arrayValue?.compactMap(\.stringValue) ?? []
        if !restart.isEmpty { print("restart searchd to apply: \(restart.joined(separator: ", "))") }
    }
}

extension String {
    func padding(to width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
}

import SearchCore
import SearchProtocol
import TOMLKit

/// searchd's settings: built-in defaults, overridden by a TOML file, overridden by flags.
/// config/searchd.toml documents every key with its default.
public struct Config: Sendable, Equatable {
    /// The Unix socket searchd listens on.
    public var socket: String
    /// Where the index is kept.
    public var dataDirectory: String
    /// Directories to index, or JSON Lines files of documents ({"id", "title", "text", ...}
    /// per line). Relative paths are relative to the directory searchd starts in.
    public var sources: [String]
    /// File name patterns to index.
    public var include: [String]
    /// File and directory name patterns never to index or watch (editors' temporary files).
    public var exclude: [String]
    /// Whether to watch the sources with inotify and index changes as they happen.
    public var watch: Bool
    /// Group allowed to connect besides searchd's own user (system mode: socket 0660); nil
    /// in user mode (socket 0600, searchd's user only).
    public var socketGroup: String?
    /// Seconds a client may take to finish a request line it started, or to read the
    /// responses it asked for, before it is disconnected.
    public var clientTimeout: Double
    /// Seconds one search may run; after that it returns the hits found so far, marked.
    public var requestTimeout: Double
    /// Seconds after a request during which idle CPUs are kept from sleeping (`WakeLatency`);
    /// 0: never.
    public var lowLatencyHold: Double
    /// Bytes above which a file, or a JSON Lines line, is skipped.
    public var maxFileSize: Int
    /// Longest request line accepted, in bytes.
    public var maxLineLength: Int
    /// Most hits one search may return.
    public var maxResults: Int
    /// trace, debug, info, notice, warning, error or critical.
    public var logLevel: String
    /// The indexing buffers: their memory and the stored text they have written as they go
    /// (a segment is written when they fill up).
    public var indexBufferBytes: Int
    /// Threads that read, extract and analyse documents while indexing.
    public var indexThreads: Int
    /// Seconds between commits while a long update runs (a crash loses at most that much work).
    public var commitInterval: Double
    /// Synonyms file (Solr format). Nil: config/synonyms.txt if it exists; "": none.
    public var synonyms: String?

    /// The synonyms file to read, and whether its absence is an error.
    public var synonymsFile: (path: String, required: Bool)? {
        switch synonyms {
        case nil: ("config/synonyms.txt", false)
        case ""?: nil
        case let path?: (path, true)
        }
    }

    public init(environment: [String: String] = DefaultPaths.environ()) {
        socket = DefaultPaths.socket(environment: environment)
        dataDirectory = DefaultPaths.dataDirectory(environment: environment)
        sources = ["seeds"]
        include = ["*.txt", "*.md", "*.markdown", "*.html", "*.htm"]
        exclude = ["*~", "#*#", "*.swp", "*.swx", "*.tmp", "*.part", "4913", "node_modules"]
        watch = true
        socketGroup = nil
        clientTimeout = 10
        requestTimeout = 5
        lowLatencyHold = 0.2
        maxFileSize = 16 << 20
        maxLineLength = 1 << 20
        maxResults = 1000
        logLevel = "info"
        indexBufferBytes = 256 << 20
        indexThreads = Cores.available
        commitInterval = 5
        synonyms = nil
    }

    /// Reads a config file over the defaults. Unknown keys and wrong types are errors, so a
    /// typo never silently falls back to a default.
    public static func load(path: String, environment: [String: String] = DefaultPaths.environ()) throws(ConfigError) -> Config {
        let text: String
        do {
            text = try readTextFile(path)
        } catch {
            throw ConfigError(path: path, message: "\(error)")
        }
        return try parse(text, path: path, environment: environment)
    }

    public static func parse(_ text: String, path: String = "<config>",
                             environment: [String: String] = DefaultPaths.environ()) throws(ConfigError) -> Config {
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let e as TOMLParseError {
            throw ConfigError(path: path, message: "line \(e.source.begin.line), column \(e.source.begin.column): \(e.description)")
        } catch {
            throw ConfigError(path: path, message: "\(error)")
        }
        var config = Config(environment: environment)
        let expand = { (s: String) in Self.expandHome(s, environment: environment) }
        for key in table.keys {
            let value = table[key]!
            func string() throws(ConfigError) -> String {
                guard let s = value.string else { throw ConfigError(path: path, message: "\(key) must be a string") }
                return s
            }
            func strings() throws(ConfigError) -> [String] {
                guard let a = value.array else { throw ConfigError(path: path, message: "\(key) must be an array of strings") }
                var out: [String] = []
                for item in a {
                    guard let s = item.string else { throw ConfigError(path: path, message: "\(key) must be an array of strings") }
                    out.append(s)
                }
                return out
            }
            func seconds() throws(ConfigError) -> Double {
                guard let v = value.double ?? value.int.map(Double.init), v >= 0 else {
                    throw ConfigError(path: path, message: "\(key) must be a number of seconds")
                }
                return v
            }
            func positive() throws(ConfigError) -> Int {
                guard let n = value.int, n > 0 else { throw ConfigError(path: path, message: "\(key) must be a positive integer") }
                return n
            }
            switch key {
            case "socket": config.socket = expand(try string())
            case "data_dir": config.dataDirectory = expand(try string())
            case "sources": config.sources = try strings().map(expand)
            case "include": config.include = try strings()
            case "exclude": config.exclude = try strings()
            case "watch":
                guard let b = value.bool else { throw ConfigError(path: path, message: "watch must be true or false") }
                config.watch = b
            case "socket_group":
                let group = try string()
                config.socketGroup = group.isEmpty ? nil : group
            case "client_timeout": config.clientTimeout = try seconds()
            case "request_timeout": config.requestTimeout = try seconds()
            case "low_latency_hold": config.lowLatencyHold = try seconds()
            case "max_file_size": config.maxFileSize = try positive()
            case "max_line_length": config.maxLineLength = try positive()
            case "max_results": config.maxResults = try positive()
            case "synonyms": config.synonyms = expand(try string())
            case "index_buffer_mb": config.indexBufferBytes = try positive() << 20
            case "index_threads": config.indexThreads = try positive()
            case "commit_interval": config.commitInterval = try seconds()
            case "log_level":
                let level = try string()
                guard Self.logLevels.contains(level) else {
                    throw ConfigError(path: path, message: "log_level must be one of \(Self.logLevels.joined(separator: ", "))")
                }
                config.logLevel = level
            default:
                throw ConfigError(path: path, message: "unknown key \(key)")
            }
        }
        return config
    }

    public static let logLevels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]

    /// "~/x" → "$HOME/x".
    static func expandHome(_ path: String, environment: [String: String]) -> String {
        guard path == "~" || path.hasPrefix("~/"), let home = environment["HOME"] else { return path }
        return home + path.dropFirst()
    }
}

/// A config file that cannot be used, and why.
public struct ConfigError: Error, CustomStringConvertible {
    public var path: String
    public var message: String

    public var description: String { "\(path): \(message)" }
}

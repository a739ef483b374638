import ArgumentParser
import Logging
import SearchCore
import SearchProtocol
import SearchServer

#if canImport(Glibc)
import Glibc
#endif

@main
struct Searchd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "searchd",
        abstract: "Full-text search daemon: indexes directories and answers searches on a Unix socket.",
        discussion: """
            Without a subcommand, searchd serves. It reads --config, else \
            $XDG_CONFIG_HOME/searchd/searchd.toml if it exists, else runs on built-in defaults \
            (index ./seeds, socket $XDG_RUNTIME_DIR/searchd.sock).
            """,
        version: Version.searchd,
        subcommands: [Serve.self, Index.self, Check.self],
        defaultSubcommand: Serve.self)
}

/// Options shared by the subcommands that read the config.
struct ConfigOptions: ParsableArguments {
    @Option(help: "Config file (TOML). Default: $XDG_CONFIG_HOME/searchd/searchd.toml when it exists.")
    var config: String?

    @Option(help: "Unix socket to listen on (overrides the config).")
    var socket: String?

    @Option(name: .customLong("data-dir"), help: "Directory of the index (overrides the config).")
    var dataDir: String?

    @Option(name: .customLong("source"), help: "Directory to index; repeat for several (overrides the config's sources).")
    var sources: [String] = []

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: String?

    func load() throws -> Config {
        var config: Config
        let fallback = DefaultPaths.configFile()
        if let path = self.config {
            config = try Config.load(path: path)
        } else if access(fallback, F_OK) == 0 {
            config = try Config.load(path: fallback)
        } else {
            config = Config()
        }
        if let socket { config.socket = socket }
        if let dataDir { config.dataDirectory = dataDir }
        if !sources.isEmpty { config.sources = sources }
        if let logLevel {
            guard Config.logLevels.contains(logLevel) else { throw ValidationError("--log-level must be one of \(Config.logLevels.joined(separator: ", "))") }
            config.logLevel = logLevel
        }
        return config
    }

    func logger(_ config: Config) -> Logger {
        let level = Logger.Level(rawValue: config.logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        return Logger(label: "searchd")
    }
}

struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Index the sources and answer searches on the socket (the default).")

    @OptionGroup var options: ConfigOptions

    func run() throws {
        Analyzer.prepareTablesInBackground()
        let config = try options.load()
        let logger = options.logger(config)
        do {
            let options = self.options
            try Daemon(config: config, logger: logger, loadConfig: { try options.load() }).run()
        } catch {
            logger.critical("\(error)")
            throw ExitCode.failure
        }
    }
}

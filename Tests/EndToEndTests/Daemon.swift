import Foundation
import SearchProtocol
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The built binaries: the tests run the real `searchd` and `search`, never ones from PATH
/// (Debian's sphinxsearch installs its own /usr/bin/searchd).
enum Binaries {
    static let directory: URL = {
        if let dir = ProcessInfo.processInfo.environment["SEARCHD_BIN_DIR"] { return URL(fileURLWithPath: dir) }
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        // .build/<triple>/debug/searchdPackageTests.xctest → .build/<triple>/debug
        while url.path != "/" && !FileManager.default.isExecutableFile(atPath: url.appendingPathComponent("searchd").path) {
            url.deleteLastPathComponent()
        }
        return url
    }()
    static var searchd: String { directory.appendingPathComponent("searchd").path }
    static var search: String { directory.appendingPathComponent("search").path }
    static var repository: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }
    static var seeds: String { repository.appendingPathComponent("seeds").path }
}

/// A real searchd on a temporary socket and data directory, stopped when released.
final class RunningDaemon {
    let directory: URL
    let socket: String
    let process: ChildProcess
    let log: URL
    /// Whether the temporary directory is this object's to remove.
    private let ownsDirectory: Bool

    /// A searchd over `sources` with a config written for it (plus `extraConfig` lines), in a
    /// new temporary directory. See the designated initializer for the other parameters.
    convenience init(sources: [String] = [Binaries.seeds], extraConfig: String = "", launcher: [String] = [],
                     environment: [String: String]? = nil, waitForReady: Bool = true) throws {
        let directory = try temporaryDirectory("searchd-e2e")
        let socket = directory.appendingPathComponent("searchd.sock").path
        let config = try writeConfig(in: directory, socket: socket, sources: sources, extra: extraConfig)
        try self.init(configFile: config, socket: socket, owning: true, launcher: launcher,
                      environment: environment, waitForReady: waitForReady)
    }

    /// A searchd on an existing config file. `launcher` runs it (systemd-socket-activate,
    /// setpriv: their arguments, searchd's path follows); `environment` replaces the inherited one.
    init(configFile: URL, socket: String, owning: Bool = false, launcher: [String] = [],
         environment: [String: String]? = nil, waitForReady: Bool = true) throws {
        directory = configFile.deletingLastPathComponent()
        self.socket = socket
        ownsDirectory = owning
        log = directory.appendingPathComponent("searchd-\(UUID().uuidString.prefix(4)).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        chmod(log.path, 0o666)  // searchd may run as another user (setpriv)
        process = try ChildProcess(launcher + [Binaries.searchd, "--config", configFile.path],
                                   environment: environment, stderrPath: log.path)
        if waitForReady { try waitUntilReady() }
    }

    /// Sends a signal to searchd.
    func signal(_ sig: Int32) { kill(process.processIdentifier, sig) }

    /// Waits for searchd to exit; nil if it is still running after `timeout` seconds.
    func waitForExit(timeout: Double = 20) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        return process.isRunning ? nil : process.terminationStatus
    }

    /// The ids a query finds, through the real client.
    func ids(_ query: String, _ extra: [String] = []) throws -> [String] {
        try search(["--json", "--limit", "100"] + extra + [query]).stdout.split(separator: "\n")
            .compactMap { try JSON.parse(String($0))["id"]?.stringValue }
    }

    deinit {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        if ownsDirectory { try? FileManager.default.removeItem(at: directory) }
    }

    private func waitUntilReady(timeout: Double = 60) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let c = try? Connection(path: socket, timeout: 5), let r = try? c.call("status"),
               case .success(let status) = r.outcome, status["state"] == "ready" { return }
            guard process.isRunning else { throw DaemonError("searchd exited early: \(logText)") }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw DaemonError("searchd did not answer within \(timeout) s: \(logText)")
    }

    var logText: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

    /// Runs the real `search` client against this daemon.
    func search(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        try run(Binaries.search, arguments + ["--socket", socket])
    }
}

/// A new empty directory under the temporary directory.
func temporaryDirectory(_ prefix: String) throws -> URL {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    return directory
}

extension String {
    /// Saves the text as an editor does: into a hidden file beside the target (sources skip
    /// hidden files), renamed over it, so a watcher never reads half a file. (Foundation's
    /// `write(to:atomically: true)` does the same, but on Linux leaves an empty directory in
    /// /tmp behind at every call.)
    func save(to url: URL) throws {
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString.prefix(8))")
        try write(to: temporary, atomically: false, encoding: .utf8)
        guard rename(temporary.path, url.path) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
    }
}

/// Writes searchd.toml for a test daemon and returns its URL.
func writeConfig(in directory: URL, socket: String, sources: [String], extra: String = "") throws -> URL {
    let config = directory.appendingPathComponent("searchd.toml")
    let list = sources.map { "\"\($0)\"" }.joined(separator: ", ")
    try """
        socket = "\(socket)"
        data_dir = "\(directory.appendingPathComponent("data").path)"
        sources = [\(list)]
        \(extra)
        """.save(to: config)
    return config
}

/// Polls `condition` until it holds or `timeout` seconds pass; returns the seconds it took.
@discardableResult
func eventually(timeout: Double = 10, _ what: String, _ condition: () throws -> Bool) throws -> Double {
    let start = Date()
    while Date().timeIntervalSince(start) < timeout {
        if try condition() { return Date().timeIntervalSince(start) }
        Thread.sleep(forTimeInterval: 0.02)
    }
    throw DaemonError("not within \(timeout) s: \(what)")
}

struct DaemonError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

/// Runs a program to completion and returns its exit status and output.
func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) throws -> (status: Int32, stdout: String, stderr: String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: executable)
    p.arguments = arguments
    if let environment { p.environment = environment }
    let out = Pipe(), err = Pipe()
    p.standardOutput = out
    p.standardError = err
    try p.run()
    let o = out.fileHandleForReading.readDataToEndOfFile()
    let e = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
}

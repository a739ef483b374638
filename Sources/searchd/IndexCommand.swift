import ArgumentParser
import Logging
import SearchCore
import SearchServer
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

struct Index: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Build or update the index offline, then exit.",
        discussion: """
            Reads only the files whose size, modification time or content changed since the last \
            commit, and deletes documents whose files are gone. Shows a progress bar on a terminal, \
            log lines otherwise. Refuses to run while a searchd serves the same data directory.
            """)

    @OptionGroup var options: ConfigOptions

    func run() throws {
        Analyzer.prepareTablesInBackground()
        let config = try options.load()
        let logger = options.logger(config)
        let service = IndexService(config: config, logger: logger, searches: false)
        do {
            _ = try service.loadSynonyms()
            try service.open()
            let bar = ProgressBar(terminal: isatty(2) == 1)
            let started = ProgressBar.now()
            let report = try service.update(merging: false) { bar.show($0) }
            bar.finish()
            // after a build, one merge of everything (side by side for a large index), not the
            // tiered ones first; after a small change, only the tiered ones
            try service.optimize(after: report) { segments, target in
                bar.note("merging \(segments) segments into \(target)")
            }
            let mb = Double(report.bytes) / 1e6
            let seconds = ProgressBar.now() - started
            logger.info("""
                index up to date: \(report.documents) documents (\(report.added) added, \(report.deleted) deleted, \
                \(report.unchanged) unchanged, \(report.skipped) skipped), \(Self.format(mb)) MB in \
                \(Self.format(seconds)) s (\(Self.format(seconds > 0 ? mb / seconds : 0)) MB/s; \
                reading and indexing \(Self.format(report.seconds)) s)
                """)
            // Everything is committed. The writer's tables (a million ids at 1 GB) would be
            // freed one by one on the way out, 0.2 s; the system takes them back at once.
            Glibc.exit(0)
        } catch let error as FormatError {
            // a segment found damaged (by a merge's checksums): what was indexed is committed
            logger.critical("\(error); the index in \(service.indexPath) is damaged: `searchd check` names what; delete it and run `searchd index` again to rebuild it from the sources")
            throw ExitCode.failure
        } catch {
            logger.critical("\(error)")
            throw ExitCode.failure
        }
    }

    static func format(_ x: Double) -> String {
        let scaled = Int((x * 10).rounded())
        return "\(scaled / 10).\(abs(scaled % 10))"
    }
}

/// Progress of an update on stderr: a bar redrawn in place on a terminal (files, MB, MB/s,
/// ETA), a plain line every few seconds otherwise (a log, a pipe, journald).
final class ProgressBar: Sendable {
    let terminal: Bool
    private let state = Mutex((last: 0.0, started: 0.0))

    init(terminal: Bool) {
        self.terminal = terminal
        state.withLock { $0.started = Self.now() }
    }

    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    func show(_ p: IndexService.Progress) {
        let now = Self.now()
        let (due, elapsed) = state.withLock { s -> (Bool, Double) in
            let interval = terminal ? 0.1 : 2.0
            let done = p.filesDone == p.filesTotal
            guard now - s.last >= interval || done else { return (false, 0) }
            s.last = now
            return (true, now - s.started)
        }
        guard due else { return }
        let mb = Double(p.bytesDone) / 1e6, total = Double(p.bytesTotal) / 1e6
        let rate = elapsed > 0 ? mb / elapsed : 0
        let eta = rate > 0 ? (total - mb) / rate : 0
        let numbers = "\(p.filesDone)/\(p.filesTotal) files  \(Index.format(mb))/\(Index.format(total)) MB  \(Index.format(rate)) MB/s  ETA \(Int(eta.rounded())) s"
        if terminal {
            let width = 30
            let filled = p.filesTotal > 0 ? width * p.filesDone / p.filesTotal : width
            write("\r[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "] " + numbers + "\u{1B}[K")
        } else {
            write("indexing: " + numbers + "\n")
        }
    }

    func finish() {
        if terminal { write("\n") }
    }

    /// A line about what follows the reading (on a terminal, below the finished bar).
    func note(_ line: String) {
        write((terminal ? "" : "indexing: ") + line + "\n")
    }

    private func write(_ s: String) {
        var bytes = Array(s.utf8)
        bytes.withUnsafeMutableBytes { _ = Glibc.write(2, $0.baseAddress, $0.count) }
    }
}

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Verify the index: every checksum and structure. Exits 1 on damage, naming the file.")

    @OptionGroup var options: ConfigOptions

    func run() throws {
        let config = try options.load()
        let path = config.dataDirectory + "/index"
        do {
            let report = try IndexChecker.check(try FileSystemDirectory(path))
            print("ok: \(path): \(report.documents) documents in \(report.segments) segments, \(report.terms) terms, commit \(report.generation)")
        } catch {
            var stderr = StandardError()
            print("searchd check: damaged index in \(path): \(error)", to: &stderr)
            throw ExitCode.failure
        }
    }
}

struct StandardError: TextOutputStream {
    mutating func write(_ string: String) {
        var bytes = Array(string.utf8)
        bytes.withUnsafeMutableBytes { _ = Glibc.write(2, $0.baseAddress, $0.count) }
    }
}

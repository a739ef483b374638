import ArgumentParser
import Logging
import SearchCore
import SearchServer

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
            let decimal = IndexService.Progress.decimal
            logger.info("""
                index up to date: \(report.documents) documents (\(report.added) added, \(report.deleted) deleted, \
                \(report.unchanged) unchanged, \(report.skipped) skipped), \(decimal(mb)) MB in \
                \(decimal(seconds)) s (\(decimal(seconds > 0 ? mb / seconds : 0)) MB/s; \
                reading and indexing \(decimal(report.seconds)) s)
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
}

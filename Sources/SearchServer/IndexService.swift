import Dispatch
import Logging
import SearchCore
import SearchProtocol
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Owns the index in the data directory: opens it (rebuilding it when it is damaged or of
/// another format version), brings it up to date with the sources — reading only files whose
/// size, modification time or content changed since the last commit, deleting documents
/// whose files are gone — commits, merges, and publishes the snapshots that requests search.
/// Searches never wait: they use the last published snapshot. All index writes happen on one
/// serial queue.
public final class IndexService: Sendable {
    let logger: Logger
    let state: Mutex<State>
    let queue = DispatchQueue(label: "searchd.index")
    let writerBox = WriterBox()

    struct State {
        var config: Config
        var snapshot: Snapshot?
        var synonyms = Synonyms.empty
        var indexing = false
        var lastUpdate: UpdateReport?
        var lastCommit: Double?
        /// Changes and pushed documents waiting for the index queue (see `submit`).
        var work: [Work] = []
        /// Set when searchd stops: long updates end at their next batch.
        var stopping = false
        /// The last commit failed (a full disk?): changes wait in memory for a retry.
        var commitError: String?
        /// Updates that failed in a row (the retry delay doubles with each).
        var failures = 0
    }

    /// The writer, touched only on `queue`.
    final class WriterBox: @unchecked Sendable {
        var writer: IndexWriter?
        /// Between `openForSearches` and `openWriter`: the directory, its write lock and the
        /// commit being searched.
        var opening: (directory: FileSystemDirectory, lock: AnyObject, snapshot: Snapshot?)?
    }

    /// What one update did.
    public struct UpdateReport: Sendable {
        public var documents: Int
        public var added: Int
        public var deleted: Int
        public var unchanged: Int
        public var skipped: Int
        public var bytes: Int
        public var seconds: Double
    }

    /// Progress of an update: files done of files to read, and their bytes.
    public struct Progress: Sendable {
        public var filesDone: Int
        public var filesTotal: Int
        public var bytesDone: Int
        public var bytesTotal: Int

        /// "files  MB  MB/s  ETA" after `elapsed` seconds. The time left is given once a second
        /// and a hundredth of the bytes have passed, or all of them (from the first file, it
        /// said hours).
        public func summary(elapsed: Double) -> String {
            let mb = Double(bytesDone) / 1e6, total = Double(bytesTotal) / 1e6
            let rate = elapsed > 0 ? mb / elapsed : 0
            let known = bytesDone >= bytesTotal || (elapsed >= 1 && bytesDone * 100 >= bytesTotal)
            let eta = known && rate > 0 ? "ETA " + Self.duration((total - mb) / rate) : "ETA -"
            return "\(filesDone)/\(filesTotal) files  \(Self.decimal(mb))/\(Self.decimal(total)) MB  \(Self.decimal(rate)) MB/s  \(eta)"
        }

        /// How much is done, 0 to 1: by bytes (a JSON Lines source is one file of many
        /// documents: counted by files, a bar stood still until its end), by files when no
        /// bytes are to be read.
        public var fraction: Double {
            let (done, total) = bytesTotal > 0 ? (bytesDone, bytesTotal) : (filesDone, filesTotal)
            return total > 0 ? min(1, Double(done) / Double(total)) : 1
        }

        /// One decimal: 12.3.
        public static func decimal(_ x: Double) -> String {
            let scaled = Int((x * 10).rounded())
            return "\(scaled / 10).\(abs(scaled % 10))"
        }

        /// Whole seconds, minutes and seconds, or hours and minutes: "42 s", "3 min 05 s", "2 h 07 min".
        static func duration(_ seconds: Double) -> String {
            let s = max(0, Int(seconds.rounded()))
            func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
            if s < 60 { return "\(s) s" }
            if s < 3600 { return "\(s / 60) min \(two(s % 60)) s" }
            return "\(s / 3600) h \(two(s / 60 % 60)) min"
        }
    }

    /// Whether searches are served: each snapshot published then builds its segments' typo
    /// indexes in the background, ahead of the first search (`searchd index` serves none).
    let searches: Bool

    public init(config: Config, logger: Logger, searches: Bool = true) {
        self.logger = logger
        self.searches = searches
        state = Mutex(State(config: config))
    }

    /// The settings in force (SIGHUP replaces them, see `reload(config:)`).
    public var config: Config { state.withLock { $0.config } }

    /// Where the index files are.
    public var indexPath: String { config.dataDirectory + "/index" }

    /// The current snapshot, or nil before the index is open.
    public var snapshot: Snapshot? { state.withLock { $0.snapshot } }

    /// The synonyms queries are expanded with (see `loadSynonyms`).
    public var synonyms: Synonyms { state.withLock { $0.synonyms } }

    public var isIndexing: Bool { state.withLock { $0.indexing } }

    public var lastUpdate: UpdateReport? { state.withLock { $0.lastUpdate } }

    /// Seconds since the epoch of the last commit.
    public var lastCommit: Double? { state.withLock { $0.lastCommit } }

    /// Changes and pushes not yet applied.
    public var pendingChanges: Int { state.withLock { $0.work.reduce(0) { $0 + $1.count } } }

    /// Why the last commit failed, while it has not been retried successfully.
    public var commitError: String? { state.withLock { $0.commitError } }

    // MARK: Opening

    /// Opens the index for writing (creating it if needed) and publishes its last commit. An
    /// index of another format version, or one that cannot be read, is set aside and rebuilt
    /// from the sources: the sources are the truth, the index a cache of them.
    public func open() throws {
        try openForSearches()
        try openWriter()
    }

    /// The first half of `open`, what searches need: takes the write lock (a second writer is
    /// refused here) and publishes the last commit at once — opening segments maps their
    /// files and reads none. The daemon listens after this, and opens the writer after.
    public func openForSearches() throws {
        try queue.sync {
            let directory = try FileSystemDirectory(indexPath)
            let lock = try directory.lock()
            let opened = try? Snapshot.open(directory)
            writerBox.opening = (directory, lock, opened)
            if let opened { publish(opened) }
        }
    }

    /// The second half of `open`: the writer, which reads every document id (a second or two
    /// per million documents). It takes the segments searches already use as they are.
    public func openWriter() throws {
        try queue.sync { try openWriterOnQueue() }
    }

    /// `openWriter` on `queue` (also the first push's, when it comes before).
    func openWriterOnQueue() throws {
        guard let (directory, lock, opened) = writerBox.opening else { return }
        writerBox.opening = nil
        let writer: IndexWriter
        do {
            writer = try IndexWriter(directory: directory, options: writerOptions, lock: lock, opened: opened)
        } catch {
            logger.error("cannot open the index in \(indexPath): \(error); rebuilding it from the sources")
            try Self.clear(directory)
            writer = try IndexWriter(directory: directory, options: writerOptions, lock: lock)
        }
        writerBox.writer = writer
        publish(writer.snapshot)
    }

    private var writerOptions: IndexWriter.Options {
        IndexWriter.Options(bufferBytes: config.indexBufferBytes, threads: config.indexThreads)
    }

    /// Deletes the index's files (and only them) from its directory.
    static func clear(_ directory: FileSystemDirectory) throws {
        for name in try directory.list() where name.hasPrefix("manifest_") || name.hasPrefix("pending_manifest_")
            || name.hasPrefix("s") && name.contains(".") {
            try directory.delete(name)
        }
    }

    func publish(_ snapshot: Snapshot) {
        state.withLock {
            $0.snapshot = snapshot
            $0.lastCommit = snapshot.manifest.map { _ in Self.now() }
        }
        if searches { snapshot.prepareInBackground() }
    }

    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    // MARK: Updating

    /// What the offline `searchd index` does after `update(merging: false)`. After a build, or
    /// a change of a tenth of the index or more: merges the whole index into one segment (a
    /// static index is then searched with one segment's costs) — or, for an index that
    /// searches split across the cores anyway (`Searcher.partDocuments`), into one segment per
    /// core, merged side by side. After a smaller change: the tiered merges the daemon does,
    /// which leave the large segments alone instead of rewriting the whole index.
    /// `merging(segments, into)` is called before a merge of the whole index (it may take a
    /// while: about a tenth of a large build). No search runs meanwhile (see
    /// `IndexWriter.forceMerge(unsearched:)`).
    public func optimize(after report: UpdateReport, merging: ((_ segments: Int, _ into: Int) -> Void)? = nil) throws {
        try queue.sync {
            guard let writer = writerBox.writer, report.added + report.deleted > 0 else { return }
            let documents = writer.snapshot.documentCount
            guard (report.added + report.deleted) * 10 >= documents else {
                if try writer.merge() > 0 { publish(writer.snapshot) }
                return
            }
            let large = documents >= 2 * Searcher.partDocuments
            let target = large ? Cores.available : 1
            if writer.snapshot.segmentCount > target { merging?(writer.snapshot.segmentCount, target) }
            guard try writer.forceMerge(into: target, unsearched: true) else { return }
            publish(writer.snapshot)
        }
    }

    /// Brings the index up to date with the sources, committing along the way (a crash loses
    /// at most one batch of work), then merges by the tiered policy unless `merging` is false
    /// (`searchd index`, which merges the whole index side by side afterwards: see `optimize`).
    /// `progress` is called from the indexing threads as files are read.
    @discardableResult
    public func update(merging: Bool = true, progress: (@Sendable (Progress) -> Void)? = nil) throws -> UpdateReport {
        try queue.sync {
            guard let writer = writerBox.writer else { throw SystemError("the index is not open", code: EBADF) }
            state.withLock { $0.indexing = true }
            defer { state.withLock { $0.indexing = false } }
            let report = try update(writer, progress: progress)
            if writer.hasChanges { publish(try writer.commit()) }
            if merging { mergeSegments(writer) }
            state.withLock { $0.lastUpdate = report }
            return report
        }
    }

    /// The tiered merges after a commit: housekeeping, which never fails the commit before it.
    /// A merge that fails (a full disk, a segment found damaged on disk) leaves the segments
    /// as they were committed, with an error in the log; the next commit's merges try again.
    func mergeSegments(_ writer: IndexWriter) {
        do {
            let merges = try writer.merge()
            guard merges > 0 else { return }
            logger.debug("\(merges) merges")
            publish(writer.snapshot)
        } catch {
            logger.error("cannot merge segments, the index stays as committed: \(error)")
        }
    }

    /// Files handed to the indexing threads at once; after each such batch, a commit if
    /// `commit_interval` has passed since the last one.
    static let batchFiles = 256
    static let batchBytes = 32 << 20

    func update(_ writer: IndexWriter, progress: (@Sendable (Progress) -> Void)?) throws -> UpdateReport {
        let logger = self.logger
        let config = self.config
        let clock = ContinuousClock()
        let start = clock.now
        let known = writer.stamps()
        var seen = Set<String>()
        var toRead: [SourceCrawler.Found] = []
        var unchanged = 0
        let crawler = SourceCrawler(config)
        // A file's id is its path under its root: under other roots, the same id may be
        // another file. When the roots change, every file is read again (and the documents
        // get their new paths); the commit records the roots.
        let roots = "roots\n" + crawler.roots.sorted().joined(separator: "\n")
        let compared = writer.committedUserData == roots ? known : [:]
        writer.stageUserData(roots)
        // A JSON Lines file stamps its documents with its own size and time: when the file is
        // untouched, its documents are known by that, without a pass over each of them.
        var filesAsKnown: Set<SourceStamp.FileTime>?
        var untouchedFiles = Set<SourceStamp.FileTime>()
        for file in crawler.crawl(problem: { logger.warning("\($0)") }) {
            if SourceCrawler.isJSONLines(file.path) {
                if filesAsKnown == nil { filesAsKnown = Set(compared.values.lazy.map(\.fileTime)) }
                if let stamp = file.stamp, filesAsKnown?.contains(stamp.fileTime) == true {
                    untouchedFiles.insert(stamp.fileTime)
                    unchanged += 1
                } else {
                    toRead.append(file)
                }
                continue
            }
            seen.insert(file.id)
            if let old = compared[file.id], let stamp = file.stamp, old.sameFile(stamp) {
                unchanged += 1
            } else {
                toRead.append(file)
            }
        }

        // Everything to read, for the progress: files, and JSON Lines files as their bytes.
        let counters = Counters(total: toRead.count, bytesTotal: toRead.reduce(0) { $0 + $1.size })
        let commitInterval = Duration.milliseconds(Int(config.commitInterval * 1000))
        var lastCommit = clock.now
        func commitIfDue() throws {
            guard clock.now - lastCommit >= commitInterval else { return }
            if writer.hasChanges { publish(try writer.commit()) }
            lastCommit = clock.now
        }
        /// Adds batch after batch from `next` (nil: no more) until a commit is due or searchd
        /// is stopping: the indexing threads go from one batch to the next without waiting
        /// for each other (see `IndexWriter.add(batches:)`); then commits if due. At least one
        /// batch per call, whatever the time (`commit_interval = 0`: a commit after each).
        /// Returns whether to go on.
        func addBatches(_ next: @escaping @Sendable () throws -> DocumentBatch?) throws -> Bool {
            let due = lastCommit + commitInterval
            let outcome = Mutex<(batches: Int, ended: Bool, error: (any Error)?)>((0, false, nil))
            try writer.add(batches: {
                guard outcome.withLock({ $0.batches == 0 }) || clock.now < due, !self.state.withLock({ $0.stopping }) else {
                    return nil
                }
                do {
                    if let batch = try next() {
                        outcome.withLock { $0.batches += 1 }
                        return batch
                    }
                    outcome.withLock { $0.ended = true }
                } catch {
                    outcome.withLock { $0.ended = true; $0.error = error }
                }
                return nil
            })
            let (_, ended, error) = outcome.withLock { $0 }
            if let error { throw error }
            if !ended { try commitIfDue() }
            return !ended && !state.withLock { $0.stopping }
        }

        // JSON Lines files: a batch of lines at a time, parsed on the indexing threads.
        var jsonDocuments = 0
        var skipped = 0
        let jsonFiles = toRead.filter { SourceCrawler.isJSONLines($0.path) }
        toRead.removeAll { SourceCrawler.isJSONLines($0.path) }
        for file in jsonFiles {
            // its documents carry the file's size and time: an untouched file is not read again
            let stamp = SourceStamp(size: UInt64(file.size), modified: file.stamp?.modified ?? 0, hash: 0)
            let problems = Mutex<[(Int, String)]>([])
            // the ids only tell which known documents are still there (a first build knows
            // none: collecting a million into a set was 0.6 s with a core idle)
            let ids = Mutex<[String]>([])
            let documents = Atomic<Int>(0)
            do {
                // a line is a document: as large as a file may be
                let maxLineBytes = config.maxFileSize
                let feed = try JSONLinesSource.BatchFeed(path: file.path, batchBytes: Self.batchBytes, maxLineBytes: maxLineBytes)
                // a batch's bytes count as done once the next is asked for (all of it taken),
                // or once the file is done
                let taken = Mutex(0)
                @Sendable func reportTaken() {
                    let bytes = taken.withLock { b in defer { b = 0 }; return b }
                    if let progress, bytes > 0 { progress(counters.done(files: 0, bytes: bytes)) }
                }
                while try addBatches({
                    reportTaken()
                    guard let batch = try feed.next() else { return nil }
                    taken.withLock { $0 = batch.bytes }
                    if !batch.overlong.isEmpty {
                        let message = "longer than max_file_size (\(maxLineBytes) bytes): skipped"
                        problems.withLock { p in p += batch.overlong.map { ($0, message) } }
                    }
                    let (lines, firstLine) = (UncheckedSendableBox(batch.lines), batch.firstLine)
                    return DocumentBatch(count: batch.lines.count) { k in
                        do throws(JSONLinesSource.LineError) {
                            guard var doc = try JSONLinesSource.document(lines.value[k]) else { return nil }
                            doc.stamp = stamp
                            documents.add(1, ordering: .relaxed)
                            if !known.isEmpty { ids.withLock { $0.append(doc.id) } }
                            return doc
                        } catch {
                            problems.withLock { $0.append((firstLine + k, error.message)) }
                            return nil
                        }
                    }
                }) {}
                reportTaken()
            } catch let error as SystemError {
                logger.warning("skipped \(file.path): \(error)")
            }
            for (line, message) in problems.withLock({ $0 }).sorted(by: { $0.0 < $1.0 }) {
                logger.warning("\(file.path):\(line): \(message)")
            }
            for id in ids.withLock({ $0 }) where known[id] != nil { seen.insert(id) }
            jsonDocuments += documents.load(ordering: .relaxed)
            skipped += problems.withLock { $0.count }
            counters.read(bytes: file.size)
            if let progress { progress(counters.done(bytes: 0)) }
        }

        // Files: read, compared by content hash, extracted and indexed on the indexing threads.
        let files = UncheckedSendableBox(toRead)
        let nextFile = Mutex(0)
        while try addBatches({
            nextFile.withLock { batchStart -> DocumentBatch? in
                var batchEnd = batchStart, batchBytes = 0
                while batchEnd < files.value.count && batchEnd - batchStart < Self.batchFiles && batchBytes < Self.batchBytes {
                    batchBytes += files.value[batchEnd].size
                    batchEnd += 1
                }
                guard batchEnd > batchStart else { return nil }
                defer { batchStart = batchEnd }
                return DocumentBatch(count: batchEnd - batchStart) { [base = batchStart] k in
                    let file = files.value[base + k]
                    defer { if let progress { progress(counters.done(bytes: file.size)) } }
                    switch Self.read(file, known: compared[file.id], maxSize: config.maxFileSize) {
                    case .document(let doc):
                        counters.added(bytes: Int(doc.stamp?.size ?? 0))
                        return doc
                    case .unchanged:
                        counters.unchanged()
                    case .skipped(let reason):
                        counters.skipped(file.id)
                        logger.warning("skipped \(file.path): \(reason)")
                    }
                    return nil
                }
            }
        }) {}
        // Files skipped this time (now binary, too large, unreadable) and files gone: deleted.
        var deleted = 0
        let failed = counters.snapshot.skippedIDs
        for (id, stamp) in known where !(seen.contains(id) || untouchedFiles.contains(stamp.fileTime)) || failed.contains(id) {
            if writer.delete(id: id) { deleted += 1 }
        }
        let c = counters.snapshot
        return UpdateReport(documents: writer.documentCount, added: jsonDocuments + c.added, deleted: deleted,
                            unchanged: unchanged + c.unchanged, skipped: skipped + c.skipped, bytes: c.bytes,
                            seconds: (clock.now - start) / .seconds(1))
    }

    /// What reading a source file gave.
    enum ReadOutcome {
        case document(Document)
        /// The content is what the index has (the file was only touched).
        case unchanged
        /// Not indexable (binary, too large, unreadable, vanished), and why.
        case skipped(String)
    }

    /// Reads and extracts one file (on an indexing thread). `known` is the stamp the index
    /// has for its id: same content hash, nothing to do.
    static func read(_ file: SourceCrawler.Found, known: SourceStamp?, maxSize: Int) -> ReadOutcome {
        do {
            let data = try readFile(file.path, limit: maxSize)
            let stamp = SourceStamp(size: UInt64(data.count), modified: file.stamp?.modified ?? 0, hash: SourceStamp.hash(data))
            if let known, known.hash == stamp.hash { return .unchanged }
            guard let format = DocumentFormat(path: file.path) else { return .skipped("not a known document format") }
            var doc = try TextExtractor.extract(id: file.id, path: file.path, bytes: data, format: format)
            doc.stamp = stamp
            return .document(doc)
        } catch {
            return .skipped("\(error)")
        }
    }

    /// Thread-safe tallies of an update.
    private final class Counters: Sendable {
        struct Values {
            var done = 0, bytesDone = 0, added = 0, unchanged = 0, skipped = 0, bytes = 0
            var skippedIDs: Set<String> = []
        }
        private let values = Mutex(Values())
        let total: Int
        let bytesTotal: Int

        init(total: Int, bytesTotal: Int) {
            self.total = total
            self.bytesTotal = bytesTotal
        }

        func done(files: Int = 1, bytes: Int) -> Progress {
            values.withLock {
                $0.done += files
                $0.bytesDone += bytes
                return Progress(filesDone: $0.done, filesTotal: total, bytesDone: $0.bytesDone, bytesTotal: bytesTotal)
            }
        }
        func added(bytes: Int) { values.withLock { $0.added += 1; $0.bytes += bytes } }
        func read(bytes: Int) { values.withLock { $0.bytes += bytes } }
        func unchanged() { values.withLock { $0.unchanged += 1 } }
        func skipped(_ id: String) { values.withLock { $0.skipped += 1; $0.skippedIDs.insert(id) } }
        var snapshot: Values { values.withLock { $0 } }
    }

    // MARK: Synonyms

    /// Reads the synonyms file, if any, and uses it for the queries from now on. A missing
    /// default file means no synonyms; a missing configured one is an error.
    @discardableResult
    public func loadSynonyms() throws -> Int {
        guard let (path, required) = config.synonymsFile else {
            state.withLock { $0.synonyms = .empty }
            return 0
        }
        let text: String
        switch Result(catching: { () throws(SystemError) -> String in try readTextFile(path) }) {
        case .success(let t):
            text = t
        case .failure(let error):
            guard !required && error.code == ENOENT else { throw error }
            state.withLock { $0.synonyms = .empty }
            return 0
        }
        let synonyms: Synonyms
        do {
            synonyms = try Synonyms.parse(text)
        } catch {
            throw ConfigError(path: path, message: "\(error)")
        }
        state.withLock { $0.synonyms = synonyms }
        return synonyms.ruleCount
    }
}

/// A value read-only threads may share.
struct UncheckedSendableBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

extension Duration {
    static func / (a: Duration, b: Duration) -> Double {
        let x = a.components, y = b.components
        return (Double(x.seconds) + Double(x.attoseconds) * 1e-18) / (Double(y.seconds) + Double(y.attoseconds) * 1e-18)
    }
}

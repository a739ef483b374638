import Dispatch
import SearchCore
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Live changes: what the file watcher saw and what clients push, applied on the index queue
/// in the order they came, several at once with one commit (a burst of saves, or of pushes
/// from many editors, costs one fsync). A push is answered once its commit is durable.
extension IndexService {
    /// One unit of work for the index queue.
    enum Work {
        case changes([Watcher.Change])
        /// Add or replace a document pushed by a client; `reply` gets the commit's outcome.
        case add(Document, reply: @Sendable (Result<Bool, any Error>) -> Void)
        /// Delete a document by id; `reply` gets whether it existed, once committed.
        case delete(String, reply: @Sendable (Result<Bool, any Error>) -> Void)

        var count: Int {
            if case .changes(let c) = self { return c.count }
            return 1
        }
    }

    /// Seconds before a failed update (a full disk, say) is tried again; the delay doubles
    /// while it keeps failing, up to `maxRetryDelay`.
    static let retryDelay = 5.0
    static let maxRetryDelay = 300.0

    /// Queues work; the index queue applies everything queued at once.
    func submit(_ work: Work) {
        let stopping = state.withLock { $0.stopping }
        if stopping {
            Self.reply(work, .failure(RPCFailure.stopping))
            return
        }
        let first = state.withLock { s -> Bool in
            s.work.append(work)
            return s.work.count == 1
        }
        if first { queue.async { self.drain() } }
    }

    /// The watcher's report.
    func filesChanged(_ changes: [Watcher.Change]) { submit(.changes(changes)) }

    /// Adds or replaces a document that is not a file (an editor's unsaved buffer).
    public func push(_ document: Document, reply: @escaping @Sendable (Result<Bool, any Error>) -> Void) {
        submit(.add(document, reply: reply))
    }

    /// Deletes a document by id; `reply` gets whether there was one.
    public func remove(id: String, reply: @escaping @Sendable (Result<Bool, any Error>) -> Void) {
        submit(.delete(id, reply: reply))
    }

    /// Applies everything queued, commits once, answers the pushes, then merges. Runs on `queue`.
    func drain() {
        let work = state.withLock { s -> [Work] in
            defer { s.work.removeAll() }
            return s.work
        }
        do {
            try openWriterOnQueue()  // a push right after the start comes before the daemon opens it
        } catch {
            logger.error("cannot open the index for writing: \(error)")
        }
        guard let writer = writerBox.writer else {
            for w in work { Self.reply(w, .failure(RPCFailure.notOpen)) }
            return
        }
        let crawler = SourceCrawler(config)
        var files: [SourceCrawler.Found] = []
        var rescan = false
        var results: [Result<Bool, any Error>] = []
        var committed = false
        do {
            for item in work {
                switch item {
                case .changes(let changes):
                    for change in changes {
                        switch change {
                        case .rescan: rescan = true
                        case .tree(let path): deleteTree(path, crawler: crawler, writer: writer)
                        case .file(let path):
                            if let file = classify(path, crawler: crawler, writer: writer, rescan: &rescan) { files.append(file) }
                        }
                    }
                    results.append(.success(true))
                case .add(let document, _):
                    try read(&files, into: writer)  // earlier file changes first: order matters for equal ids
                    try writer.add([document])
                    results.append(.success(true))
                case .delete(let id, _):
                    try read(&files, into: writer)
                    results.append(.success(writer.delete(id: id)))
                }
            }
            try read(&files, into: writer)
            if rescan {
                let report = try update(writer, progress: nil)
                logger.info("rescanned the sources: \(report.added) added, \(report.deleted) deleted")
            }
            if writer.hasChanges { publish(try writer.commit()) }
            state.withLock {
                $0.commitError = nil
                $0.failures = 0
            }
            committed = true
        } catch {
            // Nothing is lost: documents already added stay buffered in the writer for the
            // retry, and a rescan compares every file with the index again.
            let delay = state.withLock { s -> Double in
                s.commitError = "\(error)"
                s.failures += 1
                return min(Self.maxRetryDelay, Self.retryDelay * Double(1 << min(s.failures - 1, 10)))
            }
            logger.error("cannot update the index: \(error); retrying in \(Int(delay)) s")
            results = work.map { _ in .failure(RPCFailure.notCommitted("\(error)")) }
            queue.asyncAfter(deadline: .now() + delay) { [self] in submit(.changes([.rescan])) }
        }
        for (w, r) in zip(work, results) { Self.reply(w, r) }
        // after the answers: a merge may take a while
        if committed && !work.isEmpty { mergeSegments(writer) }
    }

    private static func reply(_ work: Work, _ result: Result<Bool, any Error>) {
        switch work {
        case .changes: break
        case .add(_, let reply), .delete(_, let reply): reply(result)
        }
    }

    /// A changed path: the file to read, or nil when it is not indexed (deleted, excluded,
    /// outside the roots), deleting its document if there was one.
    private func classify(_ path: String, crawler: SourceCrawler, writer: IndexWriter, rescan: inout Bool) -> SourceCrawler.Found? {
        if SourceCrawler.isJSONLines(path) && (crawler.roots.contains(path) || crawler.locate(path) != nil) {
            rescan = true  // a file of many documents: compared as a whole by the rescan
            return nil
        }
        guard let id = crawler.id(forPath: path), crawler.matches(String(path.split(separator: "/").last ?? "")) else { return nil }
        var st = stat()
        guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else {
            if writer.delete(id: id) { logger.debug("deleted \(id)") }
            return nil
        }
        return SourceCrawler.Found(path: path, id: id, size: Int(st.st_size), stamp: SourceCrawler.stamp(st))
    }

    /// Reads and indexes changed files (on the indexing threads); files that cannot be
    /// indexed any more lose their documents.
    private func read(_ files: inout [SourceCrawler.Found], into writer: IndexWriter) throws {
        guard !files.isEmpty else { return }
        let batch = UncheckedSendableBox(files.map { ($0, writer.stamp(of: $0.id)) })
        files.removeAll()
        let maxSize = config.maxFileSize
        let logger = self.logger
        let skipped = Mutex<[String]>([])
        try writer.add(count: batch.value.count) { i in
            let (file, known) = batch.value[i]
            switch Self.read(file, known: known, maxSize: maxSize) {
            case .document(let doc):
                logger.debug("indexed \(file.id)")
                return doc
            case .unchanged:
                return nil
            case .skipped(let reason):
                logger.warning("skipped \(file.path): \(reason)")
                skipped.withLock { $0.append(file.id) }
                return nil
            }
        }
        for id in skipped.withLock({ $0 }) { writer.delete(id: id) }
    }

    /// A directory deleted or moved out of a root: its documents go, except those whose ids
    /// another root still backs with a file.
    private func deleteTree(_ path: String, crawler: SourceCrawler, writer: IndexWriter) {
        guard let (root, relative) = crawler.locate(path) else { return }
        let prefixes = [relative + "/", SourceCrawler.name(of: crawler.roots[root]) + "/" + relative + "/"]
        var count = 0
        for prefix in prefixes {
            for id in writer.ids(withPrefix: prefix) where !crawler.hasFile(forID: id) {
                if writer.delete(id: id) { count += 1 }
            }
        }
        if count > 0 { logger.debug("deleted \(count) documents under \(path)") }
    }

    // MARK: Stopping and reloading

    /// Stops taking work, applies what is queued and commits it (SIGTERM). Long updates end
    /// at their next batch.
    public func shutdown() {
        state.withLock { $0.stopping = true }
        queue.sync {
            drain()
            guard let writer = writerBox.writer, writer.hasChanges else { return }
            do {
                publish(try writer.commit())
            } catch {
                logger.error("cannot commit before stopping: \(error); the sources will be read again on the next start")
            }
        }
    }

    /// Takes a new config (SIGHUP): sources, patterns, limits and synonyms apply at once (a
    /// rescan follows when what is indexed changed). Returns the keys that need a restart.
    public func reload(_ new: Config) throws -> [String] {
        let old = config
        var restart: [String] = []
        var next = new
        func keep<T: Equatable>(_ key: String, _ path: WritableKeyPath<Config, T>) {
            guard new[keyPath: path] != old[keyPath: path] else { return }
            restart.append(key)
            next[keyPath: path] = old[keyPath: path]
        }
        keep("socket", \.socket)
        keep("data_dir", \.dataDirectory)
        keep("socket_group", \.socketGroup)
        keep("index_buffer_mb", \.indexBufferBytes)
        keep("index_threads", \.indexThreads)
        keep("log_level", \.logLevel)
        keep("low_latency_hold", \.lowLatencyHold)
        let previous = state.withLock { s -> Config in
            defer { s.config = next }
            return s.config
        }
        do {
            try loadSynonyms()
        } catch {
            state.withLock { $0.config = previous }
            throw error
        }
        if next.sources != old.sources || next.include != old.include || next.exclude != old.exclude || next.maxFileSize != old.maxFileSize {
            submit(.changes([.rescan]))
        }
        return restart
    }
}

/// Why a push was not applied.
enum RPCFailure: Error, CustomStringConvertible {
    case stopping
    case notOpen
    case notCommitted(String)

    var description: String {
        switch self {
        case .stopping: "searchd is stopping"
        case .notOpen: "the index is not open yet"
        case .notCommitted(let why): "not committed: \(why) (searchd retries, so it may still be; send it again to be sure)"
        }
    }
}

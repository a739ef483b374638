import Logging
import SearchCore
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Owns the index: builds it from the configured sources and publishes snapshots that
/// requests search. Searches never wait for indexing: they use the last published snapshot.
public final class IndexService: Sendable {
    let config: Config
    let logger: Logger
    private let state = Mutex(State())

    struct State {
        var snapshot: Snapshot?
        var synonyms = Synonyms.empty
        var indexing = false
        var lastBuild: BuildReport?
    }

    /// What one build did.
    public struct BuildReport: Sendable {
        public var documents: Int
        public var skipped: Int
        public var bytes: Int
        public var seconds: Double
    }

    public init(config: Config, logger: Logger) {
        self.config = config
        self.logger = logger
    }

    /// The current snapshot, or nil before the first build finished.
    public var snapshot: Snapshot? { state.withLock { $0.snapshot } }

    /// The synonyms queries are expanded with (see `loadSynonyms`).
    public var synonyms: Synonyms { state.withLock { $0.synonyms } }

    public var isIndexing: Bool { state.withLock { $0.indexing } }

    public var lastBuild: BuildReport? { state.withLock { $0.lastBuild } }

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

    /// Reads every source file and publishes a new snapshot of them.
    @discardableResult
    public func build() throws -> BuildReport {
        state.withLock { $0.indexing = true }
        defer { state.withLock { $0.indexing = false } }
        let clock = ContinuousClock()
        let start = clock.now
        let crawler = SourceCrawler(roots: config.sources, include: config.include)
        let files = crawler.crawl { logger.warning("\($0)") }
        var documents: [Document] = []
        var skipped = 0
        var bytes = 0
        for file in files {
            do {
                if SourceCrawler.isJSONLines(file.path) {
                    let data = try readFile(file.path)
                    documents += JSONLinesSource.documents(data) { line, message in
                        skipped += 1
                        logger.warning("\(file.path):\(line): \(message)")
                    }
                    bytes += data.count
                    continue
                }
                let data = try readFile(file.path, limit: config.maxFileSize)
                guard let format = DocumentFormat(path: file.path) else { continue }
                documents.append(try TextExtractor.extract(id: file.id, path: file.path, bytes: data, format: format))
                bytes += data.count
            } catch {
                skipped += 1
                logger.warning("skipped \(file.path): \(error)")
            }
        }
        let snapshot = try Snapshot.build(documents)
        let seconds = (clock.now - start) / .seconds(1)
        let report = BuildReport(documents: documents.count, skipped: skipped, bytes: bytes, seconds: seconds)
        state.withLock {
            $0.snapshot = snapshot
            $0.lastBuild = report
        }
        return report
    }
}

extension Duration {
    static func / (a: Duration, b: Duration) -> Double {
        let x = a.components, y = b.components
        return (Double(x.seconds) + Double(x.attoseconds) * 1e-18) / (Double(y.seconds) + Double(y.attoseconds) * 1e-18)
    }
}

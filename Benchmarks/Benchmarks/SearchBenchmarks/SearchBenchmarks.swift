import Benchmark
import Foundation
import SearchCore

/// The corpus: the real mixed-language one when it has been built, else the seeds.
let corpus: [Document] = {
    let dir = ProcessInfo.processInfo.environment["SEARCHD_BENCH_CORPUS"] ?? "/tmp/search-corpus"
    if let data = FileManager.default.contents(atPath: dir + "/corpus.jsonl") {
        return data.split(separator: UInt8(ascii: "\n")).compactMap { line in
            guard let o = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any],
                  let id = o["id"] as? String, let text = o["text"] as? String else { return nil }
            return Document(id: id, title: o["title"] as? String ?? id, body: text)
        }
    }
    let seeds = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("seeds")
    let names = (try? FileManager.default.contentsOfDirectory(atPath: seeds.path)) ?? []
    return names.sorted().compactMap { name in
        guard let bytes = FileManager.default.contents(atPath: seeds.appendingPathComponent(name).path) else { return nil }
        return try? TextExtractor.extract(id: name, bytes: Array(bytes), format: .text)
    }
}()

/// The corpus cut into slices of about 1 MB of text: one slice per benchmark iteration, so
/// that iterations per second read as MB/s.
let slices: [[Document]] = {
    var out: [[Document]] = [[]]
    var size = 0
    for d in corpus {
        out[out.count - 1].append(d)
        size += d.body.utf8.count + d.title.utf8.count
        if size >= 1_000_000 {
            out.append([])
            size = 0
        }
    }
    return out.filter { !$0.isEmpty }
}()

/// Files as `searchd index` reads a directory: the corpus builder's tree (`docs/`: man pages
/// as .txt, the handbook as .html) when it has been built, else the seeds; cut into groups of
/// about 1 MB, one per benchmark iteration.
let fileSlices: [[(id: String, bytes: [UInt8], format: DocumentFormat)]] = {
    let dir = (ProcessInfo.processInfo.environment["SEARCHD_BENCH_CORPUS"] ?? "/tmp/search-corpus") + "/docs"
    let seeds = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("seeds").path
    let root = FileManager.default.fileExists(atPath: dir) ? dir : seeds
    var out: [[(id: String, bytes: [UInt8], format: DocumentFormat)]] = [[]]
    var size = 0
    for path in ((FileManager.default.enumerator(atPath: root)?.allObjects as? [String]) ?? []).sorted() {
        guard let format = DocumentFormat(path: path), let data = FileManager.default.contents(atPath: root + "/" + path) else { continue }
        out[out.count - 1].append((path, Array(data), format))
        size += data.count
        if size >= 1_000_000 {
            out.append([])
            size = 0
        }
    }
    return out.filter { !$0.isEmpty }
}()

/// The queries of the peer benchmark (bench/queries/perf.tsv), else a few of our own.
let queries: [String] = {
    let path = ProcessInfo.processInfo.environment["SEARCHD_BENCH_QUERIES"] ?? "/work/shared/bench/queries/perf.tsv"
    if let text = try? String(contentsOfFile: path, encoding: .utf8) {
        return text.split(separator: "\n").compactMap { l in l.hasPrefix("#") ? nil : l.split(separator: "\t", maxSplits: 1).last.map(String.init) }
    }
    return ["钱凯港", "Boluarte", "Chancay port", "管理员", "installation", "\"Great Hall\""]
}()

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .throughput, .peakMemoryResident], maxDuration: .seconds(10))

    // Tokenizer: one iteration analyses about 1 MB of corpus text (iterations/s ≈ MB/s).
    Benchmark("Tokenizer MB/s (1 MB per iteration)") { benchmark in
        let analyzer = Analyzer()
        var i = 0
        for _ in benchmark.scaledIterations {
            var tokens = 0
            for d in slices[i % slices.count] { tokens += analyzer.countTokens(d.body) }
            blackHole(tokens)
            i += 1
        }
    }

    // Extraction: one iteration makes documents of about 1 MB of files (iterations/s ≈ MB/s).
    Benchmark("Extraction MB/s (1 MB of files per iteration)") { benchmark in
        var i = 0
        for _ in benchmark.scaledIterations {
            for f in fileSlices[i % fileSlices.count] { blackHole(try? TextExtractor.extract(id: f.id, bytes: f.bytes, format: f.format)) }
            i += 1
        }
    }

    // Indexing: one iteration indexes about 1 MB into a fresh in-memory index and commits.
    Benchmark("Indexing MB/s (1 MB per iteration)", configuration: .init(maxDuration: .seconds(20))) { benchmark in
        var i = 0
        for _ in benchmark.scaledIterations {
            let writer = try IndexWriter(directory: MemoryDirectory())
            try writer.add(slices[i % slices.count])
            blackHole(try writer.commit())
            i += 1
        }
    }

    // Query latency: one iteration runs the next query of the peer set, in process, on an
    // index of the whole corpus (top 10, no snippets: what the peer benchmark asks).
    Benchmark("Query latency (perf.tsv, top 10)", configuration: .init(metrics: [.wallClock], maxIterations: 3000)) { (benchmark: Benchmark, snapshot: Snapshot) in
        let searcher = snapshot.searcher()
        var i = 0
        for _ in benchmark.scaledIterations {
            let q = queries[i % queries.count]
            i += 1
            blackHole(try? searcher.search(QueryParser.parse(q), options: SearchOptions(limit: 10, snippets: false)))
        }
    } setup: { () throws -> Snapshot in
        let writer = try IndexWriter(directory: MemoryDirectory())
        try writer.add(corpus)
        try writer.commit()
        try writer.merge()
        return writer.snapshot
    }
}

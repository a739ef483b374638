// A plain loop over one part of searchd's core, for profilers (perf, valgrind): the
// benchmark harness runs in a plugin that is awkward to attach to.
//   swift build -c release --product searchd-profile
//   perf record -g .build/release/searchd-profile tokenize|extract|index|merge|query|request [SECONDS]
import Foundation
import SearchCore
import SearchServer
import SearchProtocol
import Logging

let args = CommandLine.arguments
let what = args.count > 1 ? args[1] : "tokenize"
let seconds = args.count > 2 ? Double(args[2]) ?? 10 : 10
let dir = ProcessInfo.processInfo.environment["SEARCHD_BENCH_CORPUS"] ?? "/tmp/search-corpus"
guard let data = FileManager.default.contents(atPath: dir + "/corpus.jsonl") else {
    print("no \(dir)/corpus.jsonl")
    exit(1)
}
let documents: [Document] = data.split(separator: UInt8(ascii: "\n")).compactMap { line in
    guard let o = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any],
          let id = o["id"] as? String, let text = o["text"] as? String else { return nil }
    return Document(id: id, title: o["title"] as? String ?? id, body: text)
}
// SEARCHD_PROFILE_QUERIES: another file of the kit's form (category-n TAB query), e.g. one category
let queriesFile = ProcessInfo.processInfo.environment["SEARCHD_PROFILE_QUERIES"]
    ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../shared/bench/queries/perf.tsv").path
let bytes = documents.reduce(0) { $0 + $1.body.utf8.count + $1.title.utf8.count }
/// CPU seconds of every thread so far: what a loop costs on a shared, noisy machine.
func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(Int32(RUSAGE_SELF.rawValue), &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}
let start = Date()
let startCPU = cpuSeconds()
/// SEARCHD_ROUNDS: `query` and `request` run exactly this many rounds, whatever the time:
/// instruction counts of two builds then compare (the first round also builds caches).
let fixedRounds = ProcessInfo.processInfo.environment["SEARCHD_ROUNDS"].flatMap(Int.init)
func another(round: Int, since t0: Date) -> Bool {
    if let fixedRounds { return round < fixedRounds }
    return Date().timeIntervalSince(t0) < seconds
}
var rounds = 0
switch what {
case "tokenize":
    let analyzer = Analyzer()
    var tokens = 0
    while Date().timeIntervalSince(start) < seconds {
        for d in documents { tokens += analyzer.countTokens(d.body) + analyzer.countTokens(d.title) }
        rounds += 1
    }
    print("tokens \(tokens)")
case "extract":
    // the files of CORPUS/docs (the corpus builder's tree: man pages as .txt, the handbook
    // as .html) made into documents, as `searchd index` reads a directory; read once first
    var files: [(id: String, bytes: [UInt8], format: DocumentFormat)] = []
    let root = dir + "/docs"
    for case let path as String in FileManager.default.enumerator(atPath: root)! {
        guard let format = DocumentFormat(path: path), let data = FileManager.default.contents(atPath: root + "/" + path) else { continue }
        files.append((path, Array(data), format))
    }
    let fileBytes = files.reduce(0) { $0 + $1.bytes.count }
    let t0 = Date(), c0 = cpuSeconds()
    var kept = 0
    while Date().timeIntervalSince(t0) < seconds {
        for f in files { kept += (try? TextExtractor.extract(id: f.id, bytes: f.bytes, format: f.format)) == nil ? 0 : 1 }
        rounds += 1
    }
    let cpu = (cpuSeconds() - c0) / Double(rounds)
    print("extract: \(rounds) rounds of \(files.count) files (\(fileBytes / 1_000_000) MB, \(kept / rounds) documents): \(Double(fileBytes) / cpu / 1e6) MB/s, \((cpu * 1000).rounded() / 1000) CPU s per round")
    exit(0)
case "request":
    // the daemon's request path without the socket: line in, line out
    var config = Config()
    config.sources = [dir + "/corpus.jsonl"]
    config.dataDirectory = ProcessInfo.processInfo.environment["SEARCHD_PROFILE_DATA"] ?? "/tmp/ix/data"
    // the project's synonyms, as the daemon and the benchmark adapter use them
    config.synonyms = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../config/synonyms.txt").path
    let service = IndexService(config: config, logger: Logger(label: "profile"))
    _ = try service.loadSynonyms()
    try service.open()
    let handler = RequestHandler(service: service)
    let queries = args.count > 3 ? [args[3]] : (try String(contentsOfFile: queriesFile, encoding: .utf8))
        .split(separator: "\n").compactMap { $0.split(separator: "\t", maxSplits: 1).last.map(String.init) }
    let lines = queries.map { Array(Request(id: 1, method: "search", params: ["query": .string($0), "snippets": false]).line.utf8) }
    var all: [Double] = []
    while another(round: rounds, since: start) {
        rounds += 1
        for l in lines {
            let s = DispatchTime.now().uptimeNanoseconds
            _ = handler.respond(to: l, later: { _ in })  // bytes, as the daemon writes them
            all.append(Double(DispatchTime.now().uptimeNanoseconds - s) / 1000)
        }
    }
    all.sort()
    print("\(all.count) requests: p50 \(Int(all[all.count / 2])) µs, p90 \(Int(all[all.count * 9 / 10])) µs")
    exit(0)
case "index":
    while Date().timeIntervalSince(start) < seconds {
        let writer = try IndexWriter(directory: MemoryDirectory())
        try writer.add(documents)
        try writer.commit()
        rounds += 1
    }
case "merge":
    // a merge of two segments into one (each commit writes one segment)
    while Date().timeIntervalSince(start) < seconds {
        let writer = try IndexWriter(directory: MemoryDirectory())
        for half in [documents[..<(documents.count / 2)], documents[(documents.count / 2)...]] {
            try writer.add(Array(half))
            try writer.commit()
        }
        let t0 = Date(), c0 = cpuSeconds()
        try writer.forceMerge(into: 1)
        print("merged \(writer.snapshot.documentCount) documents into one segment in \(Int(Date().timeIntervalSince(t0) * 1000)) ms, \(Int((cpuSeconds() - c0) * 1000)) ms of CPU")
        rounds += 1
    }
    exit(0)
case "force-merge":
    // what `searchd index` does last: the index at SEARCHD_PROFILE_INDEX (a copy: it is
    // changed) merged into one segment per core, the old segments released
    guard let dir = ProcessInfo.processInfo.environment["SEARCHD_PROFILE_INDEX"] else { print("SEARCHD_PROFILE_INDEX?"); exit(1) }
    let t0 = Date(), c0 = cpuSeconds()
    let writer = try IndexWriter(directory: try FileSystemDirectory(dir))
    let segments = writer.snapshot.segmentCount
    _ = try writer.forceMerge(into: Cores.available)
    print("merged \(segments) segments into \(writer.snapshot.segmentCount) in \(Int(Date().timeIntervalSince(t0) * 1000)) ms, \(Int((cpuSeconds() - c0) * 1000)) ms of CPU")
    exit(0)
default:
    let writer: IndexWriter
    if let dir = ProcessInfo.processInfo.environment["SEARCHD_PROFILE_INDEX"] {
        writer = try IndexWriter(directory: try FileSystemDirectory(dir))  // an index searchd built
    } else {
        writer = try IndexWriter(directory: MemoryDirectory())
        try writer.add(documents)
        try writer.commit()
        try writer.merge()
    }
    print("\(writer.snapshot.segmentCount) segments")
    let queries = args.count > 3 ? [args[3]] : (try String(contentsOfFile: queriesFile, encoding: .utf8))
        .split(separator: "\n").compactMap { $0.split(separator: "\t", maxSplits: 1).last.map(String.init) }
    let searcher = writer.snapshot.searcher()
    var options = SearchOptions(limit: 10, snippets: false)
    // SEARCHD_COUNT_LIMIT: count every match (a large value) to compare with the default
    if let limit = ProcessInfo.processInfo.environment["SEARCHD_COUNT_LIMIT"].flatMap(Int.init) { options.countLimit = limit }
    if queries.count == 1, let r = try? searcher.search(QueryParser.parse(queries[0]), options: options) {
        print("total \(r.total)\(r.totalIsLowerBound ? "+" : "")")
    }
    // SEARCHD_PRINT_HITS=1: every query's hits and scores, to compare two builds' answers
    if ProcessInfo.processInfo.environment["SEARCHD_PRINT_HITS"] != nil {
        for q in queries {
            guard let r = try? searcher.search(QueryParser.parse(q), options: options) else { print("\(q)\terror"); continue }
            print("\(q)\t" + r.hits.map { "\($0.id) \($0.score)" }.joined(separator: "\t"))
        }
        exit(0)
    }
    // SEARCHD_PAUSE_US: idle between queries, as a daemon is between its clients' requests
    // (the threads that search a large index's parts go to sleep)
    let pause = ProcessInfo.processInfo.environment["SEARCHD_PAUSE_US"].flatMap(UInt32.init) ?? 0
    let t0 = Date()
    var times = [[Double]](repeating: [], count: queries.count)
    while another(round: rounds, since: t0) {
        for (i, q) in queries.enumerated() {
            if pause > 0 { usleep(pause) }
            let s = DispatchTime.now().uptimeNanoseconds
            _ = try? searcher.search(QueryParser.parse(q), options: options)
            times[i].append(Double(DispatchTime.now().uptimeNanoseconds - s) / 1000)
        }
        rounds += 1
    }
    let all = times.flatMap { $0 }.sorted()
    print("\(all.count) queries: p50 \(Int(all[all.count / 2])) µs, p90 \(Int(all[all.count * 9 / 10])) µs, p99 \(Int(all[all.count * 99 / 100])) µs")
    let medians = times.enumerated().map { (queries[$0.offset], $0.element.sorted()[$0.element.count / 2]) }.sorted { $0.1 > $1.1 }
    // SEARCHD_ALL_QUERIES=1: every query's median, slowest first
    let shown = ProcessInfo.processInfo.environment["SEARCHD_ALL_QUERIES"] == nil ? 12 : medians.count
    for (q, t) in medians.prefix(shown) { print("  \(Int(t)) µs  \(q)") }
    exit(0)
}
let elapsed = Date().timeIntervalSince(start)
let cpu = (cpuSeconds() - startCPU) / Double(max(rounds, 1))
print("\(what): \(rounds) rounds of \(bytes / 1_000_000) MB in \(Int(elapsed)) s: \(Double(rounds * bytes) / elapsed / 1e6) MB/s, \((cpu * 1000).rounded() / 1000) CPU s per round")

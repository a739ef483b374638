// A plain loop over one part of searchd's core, for profilers (perf, valgrind): the
// benchmark harness runs in a plugin that is awkward to attach to.
//   swift build -c release --product searchd-profile
//   perf record -g .build/release/searchd-profile tokenize|index|query [SECONDS]
import Foundation
import SearchCore

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
let bytes = documents.reduce(0) { $0 + $1.body.utf8.count + $1.title.utf8.count }
let start = Date()
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
case "index":
    while Date().timeIntervalSince(start) < seconds {
        let writer = try IndexWriter(directory: MemoryDirectory())
        try writer.add(documents)
        try writer.commit()
        rounds += 1
    }
default:
    let writer = try IndexWriter(directory: MemoryDirectory())
    try writer.add(documents)
    try writer.commit()
    try writer.merge()
    let queries = (try String(contentsOfFile: "/work/shared/bench/queries/perf.tsv", encoding: .utf8))
        .split(separator: "\n").compactMap { $0.split(separator: "\t", maxSplits: 1).last.map(String.init) }
    let searcher = writer.snapshot.searcher()
    let t0 = Date()
    while Date().timeIntervalSince(t0) < seconds {
        for q in queries { _ = try? searcher.search(QueryParser.parse(q), options: SearchOptions(limit: 10, snippets: false)) }
        rounds += 1
    }
    let elapsed = Date().timeIntervalSince(t0)
    print("\(rounds * queries.count) queries, \(Int(elapsed / Double(rounds * queries.count) * 1e6)) µs each")
    exit(0)
}
let elapsed = Date().timeIntervalSince(start)
print("\(what): \(rounds) rounds of \(bytes / 1_000_000) MB in \(Int(elapsed)) s: \(Double(rounds * bytes) / elapsed / 1e6) MB/s")

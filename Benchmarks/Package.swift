// swift-tools-version:6.1
import PackageDescription

// Benchmarks of searchd's core, kept out of the main package so that `swift build` and
// `swift test` there never build the benchmark framework. Run from this directory:
//   swift package --allow-writing-to-package-directory benchmark
// The corpus is $SEARCHD_BENCH_CORPUS/corpus.jsonl (default /tmp/search-corpus, which
// ../../shared/bench/corpus/build.py makes); without it, the seeds.
let package = Package(
    name: "SearchBenchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark.git", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "SearchBenchmarks",
            dependencies: [
                .product(name: "SearchCore", package: "main"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/SearchBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // A plain loop for profilers: searchd-profile tokenize|index|query [SECONDS]
        .executableTarget(
            name: "searchd-profile",
            dependencies: [
                .product(name: "SearchCore", package: "main"),
                .product(name: "SearchServer", package: "main"),
                .product(name: "SearchProtocol", package: "main"),
            ],
            path: "Profile"
        ),
    ]
)

// swift-tools-version:6.0
import PackageDescription

// Layers, bottom to top (see Docs/ARCHITECTURE.md):
//   CICU, CPrefetch, CChecksum, CLinux → SearchCore → SearchProtocol → SearchServer → searchd / search
let package = Package(
    name: "searchd",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "searchd", targets: ["searchd"]),
        .executable(name: "search", targets: ["search"]),
        .library(name: "SearchCore", targets: ["SearchCore"]),
        .library(name: "SearchProtocol", targets: ["SearchProtocol"]),
        .library(name: "SearchServer", targets: ["SearchServer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/LebJe/TOMLKit.git", from: "0.6.0"),
    ],
    targets: [
        // The only code that includes <unicode/*.h>: Swift sees plain C types (see Docs/ARCHITECTURE.md).
        .target(
            name: "CICU",
            linkerSettings: [.linkedLibrary("icuuc"), .linkedLibrary("icui18n"), .linkedLibrary("icudata")]
        ),
        // A prefetch hint for the indexer's hash tables (Swift has no way to say it).
        .target(name: "CPrefetch"),
        // CRC-32 by carry-less multiplication (the index files' checksums).
        .target(name: "CChecksum"),
        // Linux calls Swift's Glibc leaves out (sync_file_range).
        .target(name: "CLinux"),
        .target(name: "SearchCore", dependencies: ["CICU", "CPrefetch", "CChecksum", "CLinux"]),
        .target(name: "SearchProtocol"),
        .target(
            name: "SearchServer",
            dependencies: [
                "SearchCore", "SearchProtocol",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "TOMLKit", package: "TOMLKit"),
            ]
        ),
        .executableTarget(
            name: "searchd",
            dependencies: [
                "SearchServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "search",
            dependencies: [
                "SearchProtocol",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "SearchCoreTests", dependencies: ["SearchCore"], exclude: ["bm25_reference.py"]),
        .testTarget(name: "SearchProtocolTests", dependencies: ["SearchProtocol"]),
        .testTarget(name: "SearchServerTests", dependencies: ["SearchServer"]),
        // Runs the built searchd and search binaries (they are dependencies so that they are built).
        .testTarget(name: "EndToEndTests", dependencies: ["SearchProtocol", "searchd", "search"]),
    ],
    swiftLanguageModes: [.v6]
)

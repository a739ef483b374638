import Foundation
import Testing
@testable import SearchServer

/// The crawl: files in name order, directories entered where they stand, hidden names, other
/// extensions and dangling links left out — the same for a directory large enough to have
/// its entries looked at on several cores.
struct SourceCrawlerTests {
    @Test(arguments: [10, 700])
    func aDirectoryIsCrawledInNameOrder(files: Int) throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("searchd-crawl-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/m-sub", withIntermediateDirectories: true)
        var expected: [String] = []
        for i in 0..<files {
            let name = String(format: "f%04d.txt", i)
            try "file \(i)".write(toFile: root + "/" + name, atomically: false, encoding: .utf8)
            expected.append(name)
        }
        try "inside".write(toFile: root + "/m-sub/a.md", atomically: false, encoding: .utf8)
        try "hidden".write(toFile: root + "/.hidden.txt", atomically: false, encoding: .utf8)
        try "other".write(toFile: root + "/data.bin", atomically: false, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: root + "/gone.txt", withDestinationPath: root + "/nowhere.txt")
        expected.append("m-sub/a.md")  // "m-sub" sorts after the files

        let crawler = SourceCrawler(roots: [root], include: ["*.txt", "*.md"])
        let found = crawler.crawl { Issue.record("\($0)") }
        #expect(found.map(\.id) == expected)
        // each file with its own status (a file's size is its text's)
        for file in found {
            let text = try String(contentsOfFile: file.path, encoding: .utf8)
            #expect(file.path == root + "/" + file.id && file.size == text.utf8.count && file.stamp != nil)
        }
    }
}

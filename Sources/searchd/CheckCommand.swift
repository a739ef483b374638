import ArgumentParser
import SearchCore

#if canImport(Glibc)
import Glibc
#endif

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Verify the index: every checksum and structure. Exits 1 on damage, naming the file.")

    @OptionGroup var options: ConfigOptions

    func run() throws {
        let config = try options.load()
        let path = config.dataDirectory + "/index"
        do {
            let report = try IndexChecker.check(try FileSystemDirectory(path))
            print("ok: \(path): \(report.documents) documents in \(report.segments) segments, \(report.terms) terms, commit \(report.generation)")
        } catch {
            var stderr = StandardError()
            print("searchd check: damaged index in \(path): \(error)", to: &stderr)
            throw ExitCode.failure
        }
    }
}

struct StandardError: TextOutputStream {
    mutating func write(_ string: String) {
        var bytes = Array(string.utf8)
        bytes.withUnsafeMutableBytes { _ = Glibc.write(2, $0.baseAddress, $0.count) }
    }
}

import Foundation
import SearchProtocol
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Live updates: files saved, replaced, deleted, moved and excluded under a watched root
/// become searchable (or disappear) while searchd runs. Every change is waited for with a
/// bound; the time it took is printed (Docs/OPERATIONS.md quotes the measured latency).
struct WatchTests {
    /// A daemon over a fresh, empty source directory.
    final class Fixture {
        let root: URL
        let daemon: RunningDaemon

        init(extraConfig: String = "", extraSources: [String] = []) throws {
            let directory = try temporaryDirectory("searchd-watch")
            root = directory.appendingPathComponent("notes")
            try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
            let socket = directory.appendingPathComponent("searchd.sock").path
            let config = try writeConfig(in: directory, socket: socket, sources: [root.path] + extraSources, extra: extraConfig)
            daemon = try RunningDaemon(configFile: config, socket: socket, owning: true)
        }

        func write(_ text: String, to relative: String) throws {
            let url = root.appendingPathComponent(relative)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)  // not atomic: an in-place save
        }

        /// Waits until `query` finds exactly `ids`; returns the seconds it took.
        @discardableResult
        func expect(_ query: String, _ ids: [String], _ what: String) throws -> Double {
            let seconds = try eventually(timeout: 5, "\(what): \(query) → \(ids)") { try daemon.ids(query).sorted() == ids.sorted() }
            print("\(what): \(Int(seconds * 1000)) ms")
            return seconds
        }
    }

    @Test func savedFilesAreSearchableAndDeletedOnesDisappear() throws {
        let f = try Fixture()
        try f.write("The axolotl regrows its limbs.", to: "axolotl.md")
        try f.expect("axolotl", ["axolotl.md"], "new file")
        try f.write("The axolotl is a salamander.", to: "axolotl.md")
        try f.expect("salamander", ["axolotl.md"], "edited in place")
        #expect(try f.daemon.ids("regrows").isEmpty)

        // an editor's save: write a temporary file, rename it over the original
        let temporary = f.root.appendingPathComponent(".axolotl.md.swp")
        try Data("The axolotl lives in Xochimilco.".utf8).write(to: temporary)
        #expect(rename(temporary.path, f.root.appendingPathComponent("axolotl.md").path) == 0)
        try f.expect("Xochimilco", ["axolotl.md"], "saved by rename")
        #expect(try f.daemon.ids("salamander").isEmpty)

        try FileManager.default.removeItem(at: f.root.appendingPathComponent("axolotl.md"))
        try f.expect("axolotl", [], "deleted")
    }

    @Test func directoriesCreatedMovedAndRenamed() throws {
        let f = try Fixture()
        try f.write("A note about the pangolin.", to: "zoo/mammals/pangolin.txt")
        try f.expect("pangolin", ["zoo/mammals/pangolin.txt"], "new nested directory")

        // renamed: old ids go, new ones come
        #expect(rename(f.root.appendingPathComponent("zoo").path, f.root.appendingPathComponent("park").path) == 0)
        try f.expect("pangolin", ["park/mammals/pangolin.txt"], "directory renamed")

        // moved out of the root, then back in from outside
        let outside = f.root.deletingLastPathComponent().appendingPathComponent("outside")
        #expect(rename(f.root.appendingPathComponent("park").path, outside.path) == 0)
        try f.expect("pangolin", [], "directory moved out")
        #expect(rename(outside.path, f.root.appendingPathComponent("back").path) == 0)
        try f.expect("pangolin", ["back/mammals/pangolin.txt"], "directory moved in")
        // a file added to the moved-in directory: it is watched too
        try f.write("The pangolin's cousin, the aardvark.", to: "back/mammals/aardvark.txt")
        try f.expect("aardvark", ["back/mammals/aardvark.txt"], "file in a moved-in directory")

        try FileManager.default.removeItem(at: f.root.appendingPathComponent("back"))
        try f.expect("pangolin", [], "directory deleted")
    }

    @Test func excludedHiddenBinaryAndLargeFilesAreSkipped() throws {
        let f = try Fixture(extraConfig: "max_file_size = 4096")
        try f.write("okapi kept", to: "okapi.md")
        try f.write("okapi backup", to: "okapi.md~")
        try f.write("okapi swap", to: "okapi.swp")
        try f.write("okapi hidden", to: ".okapi.md")
        try f.write("okapi wrong kind", to: "okapi.bin")
        try f.write("okapi in a hidden directory", to: ".git/okapi.md")
        try f.write("okapi in node_modules", to: "node_modules/okapi.md")
        try f.expect("okapi", ["okapi.md"], "only the included file")

        try f.write("okapi\u{0}\u{1}\u{2} binary", to: "blob.txt")
        try eventually("binary file logged") { f.daemon.logText.contains("blob.txt") && f.daemon.logText.contains("binary") }
        try f.write(String(repeating: "okapi large ", count: 1000), to: "large.txt")
        try eventually("large file logged") { f.daemon.logText.contains("large.txt") && f.daemon.logText.contains("over the limit") }
        #expect(try f.daemon.ids("okapi") == ["okapi.md"])
        // a file that grows over the limit loses its document
        try f.write(String(repeating: "okapi grown ", count: 1000), to: "okapi.md")
        try f.expect("okapi", [], "grown over the limit")
    }

    /// A file saved in Latin-1 (Windows-1252) or in UTF-16 with a byte-order mark is found
    /// by its words, accents and Han characters included.
    @Test func latin1AndUTF16FilesAreFoundByTheirWords() throws {
        let f = try Fixture()
        let latin1 = Array("Dina Boluarte visita el puerto de Chancay en el Per".utf8) + [0xFA, 0x2E, 0x0A]
        try Data(latin1).write(to: f.root.appendingPathComponent("latin1.txt"))
        let utf16: [UInt8] = [0xFF, 0xFE] + "内核对所有的进程 Unicode text.\n".utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        try Data(utf16).write(to: f.root.appendingPathComponent("utf16.txt"))
        try f.expect("Perú", ["latin1.txt"], "Latin-1 file")
        try f.expect("进程", ["utf16.txt"], "UTF-16 file")
    }

    @Test func symlinkLoopsVanishedRootsAndJSONLines() throws {
        let directory = try temporaryDirectory("searchd-watch-extra")
        defer { try? FileManager.default.removeItem(at: directory) }
        let second = directory.appendingPathComponent("second")
        try FileManager.default.createDirectory(at: second, withIntermediateDirectories: true)
        try "The tapir of the second root.".save(to: second.appendingPathComponent("tapir.txt"))
        let jsonl = directory.appendingPathComponent("docs.jsonl")
        try #"{"id":"j1","title":"Capybara","text":"The capybara is calm."}"#.save(to: jsonl)
        let f = try Fixture(extraSources: [second.path, jsonl.path])
        try f.write("A loop lives here: lemur.", to: "loop/lemur.txt")
        #expect(symlink("..", f.root.appendingPathComponent("loop/again").path) == 0)
        try f.expect("lemur", ["loop/lemur.txt"], "file beside a symlink loop")
        #expect(try f.daemon.ids("tapir") == ["tapir.txt"])
        #expect(try f.daemon.ids("capybara") == ["j1"])

        // a root that vanishes: its documents go, searchd keeps serving, and it is watched
        // again when it comes back
        try FileManager.default.removeItem(at: second)
        try f.expect("tapir", [], "root removed")
        #expect(f.daemon.process.isRunning)
        try FileManager.default.createDirectory(at: second, withIntermediateDirectories: true)
        try "The tapir is back.".save(to: second.appendingPathComponent("tapir2.txt"))
        try f.expect("tapir", ["tapir2.txt"], "root back")
        try "The tapir again.".write(to: second.appendingPathComponent("tapir3.txt"), atomically: false, encoding: .utf8)
        try f.expect("tapir", ["tapir2.txt", "tapir3.txt"], "file in the returned root")

        // a JSON Lines source rewritten (by rename, as most tools do)
        try #"{"id":"j2","title":"Capybara","text":"The capybara swims."}"#.save(to: jsonl)
        try f.expect("capybara", ["j2"], "JSON Lines source rewritten")
    }

    @Test func unreadableFileIsSkippedWithALogLine() throws {
        let directory = try temporaryDirectory("searchd-unreadable")
        defer { try? FileManager.default.removeItem(at: directory) }
        let root = directory.appendingPathComponent("src")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try "The wombat is readable.".save(to: root.appendingPathComponent("ok.txt"))
        try "The wombat is secret.".save(to: root.appendingPathComponent("secret.txt"))
        chmod(root.appendingPathComponent("secret.txt").path, 0o000)
        // root reads every file: run searchd as nobody, who cannot read the secret
        var launcher: [String] = []
        if getuid() == 0 {
            chmod(directory.path, 0o777)
            chmod(root.path, 0o755)
            launcher = ["/usr/bin/setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"]
        }
        let socket = directory.appendingPathComponent("searchd.sock").path
        let config = try writeConfig(in: directory, socket: socket, sources: [root.path])
        let daemon = try RunningDaemon(configFile: config, socket: socket, launcher: launcher)
        #expect(try daemon.ids("wombat") == ["ok.txt"])
        #expect(daemon.logText.contains("skipped \(root.path)/secret.txt"))
        #expect(daemon.logText.contains("Permission denied"))
    }
}

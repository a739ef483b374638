import Foundation
import SearchCore
import Testing

/// Directory listing reads each name where readdir left it; records of every length (a name of
/// 1 to 255 bytes, multibyte ones too) come back whole and sorted.
struct FileSystemDirectoryTests {
    @Test func namesOfEveryLengthAreListedWhole() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("searchd-names-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: base) }
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        var expected: [String] = []
        for length in 1...255 {
            expected.append(String(repeating: "a", count: length - 1) + "z")
        }
        for count in [1, 42, 85] {  // 3-byte characters: names of 3, 126 and 255 bytes
            expected.append(String(repeating: "港", count: count))
        }
        for name in expected {
            #expect(FileManager.default.createFile(atPath: base + "/" + name, contents: nil))
        }
        #expect(FileSystemDirectory.names(in: base) == expected.sorted())
        #expect(try FileSystemDirectory(base).list() == expected.sorted())
        #expect(FileSystemDirectory.names(in: base + "/missing") == nil)
    }

    /// A write that fails on a full disk after writing part of its bytes leaves the file as it
    /// was: written again once there is room, the bytes are in the file once (a stored-records
    /// file that a writer fills while it indexes is retried so). A 1 MiB tmpfs (mounting needs root).
    @Test(.enabled(if: getuid() == 0, "a full disk is simulated with a tmpfs, which needs root to mount"))
    func aWriteThatFailsOnAFullDiskCanBeMadeAgain() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("searchd-full-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        func command(_ path: String, _ arguments: [String]) throws -> Int32 {
            let p = try Process.run(URL(fileURLWithPath: path), arguments: arguments)
            p.waitUntilExit()
            return p.terminationStatus
        }
        try #require(try command("/bin/mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", base]) == 0)
        defer {
            _ = try? command("/bin/umount", ["-l", base])
            try? FileManager.default.removeItem(atPath: base)
        }
        #expect(FileManager.default.createFile(atPath: base + "/filler", contents: Data(count: 600 << 10)))
        let directory = try FileSystemDirectory(base)
        let output = try directory.create("a")
        let bytes = (0..<(700 << 10)).map { UInt8(truncatingIfNeeded: $0 * 7 + $0 >> 12) }
        #expect(throws: StoreError.self) { try bytes.withUnsafeBytes { try output.write($0) } }
        try directory.delete("filler")
        try bytes.withUnsafeBytes { try output.write($0) }
        try output.close()
        let file = try directory.open("a")
        #expect(withExtendedLifetime(file) { Array(file.buffer) } == bytes)
    }

    /// A link is a second name for the same bytes: it reads as the file, outlives the first
    /// name, and is refused over an existing name or from a missing file.
    @Test func aLinkNamesTheSameBytes() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("searchd-link-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: base) }
        let directory = try FileSystemDirectory(base)
        let output = try directory.create("a")
        let bytes = (0..<10_000).map { UInt8(truncatingIfNeeded: $0 * 7) }
        try bytes.withUnsafeBytes { try output.write($0) }
        try output.close()
        try directory.link("a", to: "b")
        try directory.delete("a")
        try directory.syncDirectory()
        #expect(try directory.list() == ["b"])
        let linked = try directory.open("b")
        #expect(withExtendedLifetime(linked) { Array(linked.buffer) } == bytes)
        try directory.link("b", to: "c")
        #expect { try directory.link("c", to: "b") } throws: { ($0 as? StoreError)?.kind == .exists }
        #expect { try directory.link("missing", to: "d") } throws: { ($0 as? StoreError)?.kind == .notFound }
    }

    /// A file sent to disk as it grows (`FileOutput.writeBack(every:)`, what a merge asks)
    /// reads back whole, the bytes after the last step included.
    @Test func aFileWrittenBackAsItGrowsReadsWhole() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("searchd-writeback-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: base) }
        let directory = try FileSystemDirectory(base)
        let output = try directory.create("f")
        output.writeBack(every: 1 << 16)
        var expected: [UInt8] = []
        for k in 0..<50 {
            let piece = (0..<(9_000 + 997 * k)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ k) }
            try piece.withUnsafeBytes { try output.write($0) }
            expected += piece
        }
        try output.close()
        try directory.sync(["f"])
        let file = try directory.open("f")
        #expect(withExtendedLifetime(file) { Array(file.buffer) } == expected)
    }

    /// One writer at a time: a second lock is refused (after asking again for a second, as a
    /// lock just released may still be held by a process being started); once the first is
    /// released, the lock is taken, also when another holder lets it go a moment later.
    @Test func theWriteLockIsTakenOnceAndWaitsForACopyLetGo() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("searchd-lock-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: base) }
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        let directory = try FileSystemDirectory(base)
        do {
            let first = try directory.lock()
            #expect(throws: StoreError.self) { try directory.lock() }
            withExtendedLifetime(first) {}
        }
        // another holder of the lock (as a child process holds its parent's descriptor until
        // it executes), which lets go 0.2 s later: the next lock waits for it instead of failing.
        // It lets go on a thread of its own: the dispatch pool, busy with the tests running
        // beside this one, once ran it after the second of waiting (a CI failure). Close on
        // exec: a process another test starts meanwhile would keep the lock for its lifetime
        // (a CI failure: "another searchd is writing the index").
        let fd = open(base + "/write.lock", O_RDWR | O_CLOEXEC)
        #expect(flock(fd, LOCK_EX | LOCK_NB) == 0)
        Thread {
            usleep(200_000)
            close(fd)
        }.start()
        let second = try directory.lock()
        withExtendedLifetime(second) {}
    }
}

import Synchronization
@testable import SearchCore

/// A directory that models what a crash keeps (Lucene's MockDirectoryWrapper): a file's bytes
/// survive only once synced, a creation, link, rename or deletion only once the directory is synced.
/// `crash()` throws away everything else. It can also fail the Nth write, sync or rename with
/// an I/O error or a full disk, to test every error path of a commit.
final class CrashingDirectory: Directory, @unchecked Sendable {
    private struct State {
        var names: [String: Int] = [:]          // name → inode, as the process sees it
        var durableNames: [String: Int] = [:]   // as a crash would leave it
        var content: [Int: [UInt8]] = [:]
        var durableContent: [Int: [UInt8]] = [:]
        var nextInode = 1
        var operations = 0
        var failAt: Int? = nil
        var failure = StoreError.Kind.io
        var locked = false
    }

    private let state = Mutex(State())

    /// Makes operation number `n` from now on (writes, syncs, links, renames, deletes) fail.
    func failAfter(_ n: Int, with kind: StoreError.Kind = .io) {
        state.withLock {
            $0.failAt = $0.operations + n
            $0.failure = kind
        }
    }

    /// Operations done so far.
    var operations: Int { state.withLock { $0.operations } }

    /// What survives a crash: durable names with their durable bytes.
    func crash() {
        state.withLock { s in
            s.names = s.durableNames
            for (_, inode) in s.names { s.content[inode] = s.durableContent[inode] ?? [] }
            s.failAt = nil
            s.locked = false
        }
    }

    private func step(_ what: String) throws(StoreError) {
        let failing = state.withLock { s -> StoreError.Kind? in
            s.operations += 1
            if let at = s.failAt, s.operations >= at { return s.failure }
            return nil
        }
        if let kind = failing { throw StoreError(kind, "injected \(kind) failure: \(what)") }
    }

    func list() throws(StoreError) -> [String] { state.withLock { $0.names.keys.sorted() } }

    func create(_ name: String) throws(StoreError) -> FileOutput {
        try step("create \(name)")
        let inode = try state.withLock { s throws(StoreError) -> Int in
            guard s.names[name] == nil else { throw StoreError(.exists, "\(name) exists") }
            defer { s.nextInode += 1 }
            s.names[name] = s.nextInode
            s.content[s.nextInode] = []
            return s.nextInode
        }
        return Output(directory: self, inode: inode, name: name)
    }

    private final class Output: FileOutput {
        let directory: CrashingDirectory
        let inode: Int
        let name: String
        init(directory: CrashingDirectory, inode: Int, name: String) {
            self.directory = directory
            self.inode = inode
            self.name = name
        }
        func write(_ bytes: UnsafeRawBufferPointer) throws(StoreError) {
            try directory.step("write \(name)")
            let copy = Array(bytes)
            directory.state.withLock { $0.content[inode, default: []].append(contentsOf: copy) }
        }
        func close() throws(StoreError) {}
    }

    func open(_ name: String) throws(StoreError) -> FileBytes {
        let bytes = try state.withLock { s throws(StoreError) -> [UInt8] in
            guard let inode = s.names[name] else { throw StoreError(.notFound, "\(name) not found") }
            return s.content[inode] ?? []
        }
        return FileBytes(copying: bytes)
    }

    func sync(_ names: [String]) throws(StoreError) {
        for name in names {
            try step("sync \(name)")
            state.withLock { s in if let inode = s.names[name] { s.durableContent[inode] = s.content[inode] } }
        }
    }

    func rename(_ from: String, to: String) throws(StoreError) {
        try step("rename \(from)")
        try state.withLock { s throws(StoreError) in
            guard let inode = s.names.removeValue(forKey: from) else { throw StoreError(.notFound, "\(from) not found") }
            s.names[to] = inode
        }
    }

    func link(_ from: String, to: String) throws(StoreError) {
        try step("link \(from)")
        try state.withLock { s throws(StoreError) in
            guard let inode = s.names[from] else { throw StoreError(.notFound, "\(from) not found") }
            guard s.names[to] == nil else { throw StoreError(.exists, "\(to) exists") }
            s.names[to] = inode
        }
    }

    func syncDirectory() throws(StoreError) {
        try step("sync directory")
        state.withLock { $0.durableNames = $0.names }
    }

    func delete(_ name: String) throws(StoreError) {
        try step("delete \(name)")
        _ = state.withLock { $0.names.removeValue(forKey: name) }
    }

    func lock() throws(StoreError) -> AnyObject {
        let ok = state.withLock { s -> Bool in
            if s.locked { return false }
            s.locked = true
            return true
        }
        guard ok else { throw StoreError(.locked, "locked") }
        return Release(self)
    }

    private final class Release {
        let directory: CrashingDirectory
        init(_ d: CrashingDirectory) { directory = d }
        deinit { directory.state.withLock { $0.locked = false } }
    }
}

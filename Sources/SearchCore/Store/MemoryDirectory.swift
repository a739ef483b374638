import Synchronization

/// A `Directory` in memory: for indexes that need no disk (tests, one-off searches).
/// Everything is "durable" at once.
public final class MemoryDirectory: Directory {
    private let files = Mutex<[String: [UInt8]]>([:])
    private let locked = Mutex(false)

    public init() {}

    public func list() throws(StoreError) -> [String] { files.withLock { $0.keys.sorted() } }

    public func create(_ name: String) throws(StoreError) -> FileOutput {
        let exists = files.withLock { files in
            if files[name] != nil { return true }
            files[name] = []
            return false
        }
        if exists { throw StoreError(.exists, "\(name) exists") }
        return Output(directory: self, name: name)
    }

    private final class Output: FileOutput {
        let directory: MemoryDirectory
        let name: String
        init(directory: MemoryDirectory, name: String) {
            self.directory = directory
            self.name = name
        }
        func write(_ bytes: UnsafeRawBufferPointer) throws(StoreError) {
            directory.files.withLock { $0[name, default: []].append(contentsOf: bytes) }
        }
        func close() throws(StoreError) {}
    }

    public func open(_ name: String) throws(StoreError) -> FileBytes {
        guard let bytes = files.withLock({ $0[name] }) else { throw StoreError(.notFound, "\(name) not found") }
        return FileBytes(copying: bytes)
    }

    /// Removes a file and returns its bytes (without copying them).
    func take(_ name: String) -> [UInt8]? { files.withLock { $0.removeValue(forKey: name) } }

    public func sync(_ names: [String]) throws(StoreError) {}

    public func rename(_ from: String, to: String) throws(StoreError) {
        try files.withLock { files throws(StoreError) in
            guard let bytes = files.removeValue(forKey: from) else { throw StoreError(.notFound, "\(from) not found") }
            files[to] = bytes
        }
    }

    public func link(_ from: String, to: String) throws(StoreError) {
        try files.withLock { files throws(StoreError) in
            guard let bytes = files[from] else { throw StoreError(.notFound, "\(from) not found") }
            guard files[to] == nil else { throw StoreError(.exists, "\(to) exists") }
            files[to] = bytes
        }
    }

    public func syncDirectory() throws(StoreError) {}

    public func delete(_ name: String) throws(StoreError) { _ = files.withLock { $0.removeValue(forKey: name) } }

    public func lock() throws(StoreError) -> AnyObject {
        let taken = locked.withLock { l in
            if l { return false }
            l = true
            return true
        }
        guard taken else { throw StoreError(.locked, "the index is locked by another writer") }
        return Release(self)
    }

    private final class Release {
        let directory: MemoryDirectory
        init(_ d: MemoryDirectory) { directory = d }
        deinit { directory.locked.withLock { $0 = false } }
    }
}

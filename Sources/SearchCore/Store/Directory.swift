/// A flat directory of write-once files: what the index is stored in (Lucene's Directory).
/// Nothing above this layer touches the file system.
///
/// Durability contract, as POSIX gives it: a file's bytes are durable once `sync` names it;
/// a creation, link, rename or deletion is durable once `syncDirectory` returns. A commit
/// therefore writes and syncs its files, writes the manifest under a temporary name, syncs
/// it, renames it into place and syncs the directory: a crash at any instant leaves either
/// the previous commit or the new one.
public protocol Directory: AnyObject, Sendable {
    /// The names of the files.
    func list() throws(StoreError) -> [String]
    /// Creates a new file; it is an error if it exists.
    func create(_ name: String) throws(StoreError) -> FileOutput
    /// The whole content of a file, in place (a memory map) or as a copy.
    func open(_ name: String) throws(StoreError) -> FileBytes
    /// Makes the content of these files durable.
    func sync(_ names: [String]) throws(StoreError)
    /// Atomically gives file `from` the name `to`, replacing any file of that name.
    func rename(_ from: String, to: String) throws(StoreError)
    /// Gives file `from` a second name `to` (a new name; an error if it exists), both naming
    /// the same bytes: a merge keeps a source's stored records without writing them again.
    /// Its content is as durable as `from`'s; the name is durable as a creation is.
    func link(_ from: String, to: String) throws(StoreError)
    /// Makes creations, links, renames and deletions durable.
    func syncDirectory() throws(StoreError)
    func delete(_ name: String) throws(StoreError)
    /// Takes the directory's write lock (one writer at a time, across processes); released
    /// when the returned object is.
    func lock() throws(StoreError) -> AnyObject
}

/// A file being written, in order.
public protocol FileOutput: AnyObject {
    /// Appends the bytes whole, or throws and leaves the file as if never called: a failed
    /// write (a full disk) can be made again.
    func write(_ bytes: UnsafeRawBufferPointer) throws(StoreError)
    /// Closes the file (its content is not durable until `Directory.sync`).
    func close() throws(StoreError)
    /// Asks for the file's bytes to be sent to disk as it grows, every `bytes`, not only once
    /// it is closed (where the directory can): the sync of a large file written over seconds
    /// then waits for its last bytes only.
    func writeBack(every bytes: Int)
}

extension FileOutput {
    public func writeBack(every bytes: Int) {}
}

/// A failed storage operation: which file, and why.
public struct StoreError: Error, Equatable, CustomStringConvertible {
    public enum Kind: Equatable, Sendable {
        case notFound, exists, noSpace, locked, io
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}

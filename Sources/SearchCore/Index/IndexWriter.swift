import Dispatch
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The one writer of an index directory: adds, replaces and deletes documents by id, flushes
/// in-memory buffers into segments, commits atomically, merges segments, and publishes a new
/// `Snapshot` after each commit. Searches never wait for it: they use the last snapshot.
///
/// Indexing runs on several threads, each with its own `SegmentWriter` (analysis and
/// inversion in parallel); a buffer that outgrows its share of `bufferBytes` is written out
/// as a segment, so memory is bounded by the budget, not by the corpus. Not thread-safe
/// itself: callers serialise their calls (the daemon does so on one queue).
public final class IndexWriter {
    public struct Options: Sendable {
        /// The budget of the in-memory buffers, over all threads: a thread's buffer becomes a
        /// segment when its memory and its stored records (written as they come) pass its share.
        public var bufferBytes: Int
        /// Indexing threads.
        public var threads: Int
        /// Segments allowed per size tier before they are merged.
        public var segmentsPerTier: Int

        /// A merge links its sources' stored-fields files of at least this many bytes instead of
        /// copying them (see `SegmentMerger.writeStoredFields`); smaller ones, a daemon's small
        /// segments, are gathered into one file (a segment of many small files would cost a
        /// map each, and its merges more).
        public var linkedStoredBytes: Int

        /// A buffer writes its stored records to their file this many bytes at a time.
        public var storedChunkBytes: Int

        public init(bufferBytes: Int = 256 << 20, threads: Int = Cores.available, segmentsPerTier: Int = 8,
                    linkedStoredBytes: Int = 1 << 20, storedChunkBytes: Int = 1 << 20) {
            self.bufferBytes = bufferBytes
            self.threads = threads
            self.segmentsPerTier = segmentsPerTier
            self.linkedStoredBytes = linkedStoredBytes
            self.storedChunkBytes = storedChunkBytes
        }
    }

    public let directory: Directory
    public let options: Options
    private let writeLock: AnyObject
    private var manifest: Manifest
    /// The segments, committed or flushed since, in order.
    private var entries: [Entry] = []
    private var buffers: [Buffer?]
    /// Buffers whose segment could not be written (a full disk): sealed, they take no more
    /// documents, and the next flush tries them again.
    private var unflushed: [Buffer] = []
    /// Where each live document is: its container (a buffer or a segment) and doc number, or
    /// where it was before its container moved (`resolve`).
    private let locations = LocationTable<Location>()
    private var containers: [Int: Container] = [:]
    /// Documents of the containers that moved and are still looked through (see `forward`).
    private var forwardedDocs = 0
    private let containerIDs = Counter(0)
    private let names: Counter
    private(set) public var snapshot: Snapshot = .empty

    private struct Entry {
        var segment: Segment
        var info: SegmentInfo
        var deletes: Deletes
        var container: Int
        /// Deletes changed since the last commit.
        var deletesDirty = false
    }

    private final class Buffer {
        let writer: SegmentWriter
        let container: Int
        var deletedDocs: [UInt32] = []

        /// `number`: a segment number of its own, which names its stored records' file
        /// (`SegmentWriter.storedName`: "w" and the number, so that no segment's files share
        /// its name's start).
        init(container: Int, number: UInt64, in directory: Directory, options: Options) {
            self.container = container
            writer = SegmentWriter(directory: directory, storedName: "w" + IndexWriter.segmentName(number).dropFirst() + ".sto",
                                   storedChunk: options.storedChunkBytes)
        }
    }

    private enum Container {
        case buffer(Buffer)
        case segment(name: String)
        /// Flushed or merged into container `to`: document d is now number `docs[d]` there
        /// (nil: it was deleted, and the move dropped it).
        case moved(to: Int, docs: [UInt32?])
        case gone
    }

    private struct Location {
        var container: Int
        var doc: UInt32
    }

    /// Where a location's document is now: through the moves of its container.
    private func resolve(_ location: Location) -> Location? {
        var l = location
        while case .moved(let to, let docs)? = containers[l.container] {
            guard let d = docs[Int(l.doc)] else { return nil }
            l = Location(container: to, doc: d)
        }
        return l
    }

    /// Records that a container's documents moved: their locations are left as they are and
    /// resolved when read (updating each had cost a hash of its id; the merge that ends a
    /// 1 GB build moved a million, 0.5 s). Once the moved documents outnumber the live ones
    /// twice, every location is resolved in place, in one pass without hashing, and the moves
    /// are forgotten: a daemon's merges never pile up, and a build's final merge (every
    /// document moved once, some twice) leaves them.
    private func forward(_ container: Int, to new: Int, docs: [UInt32?]) {
        containers[container] = .moved(to: new, docs: docs)
        forwardedDocs += docs.count
        guard forwardedDocs > 2 * locations.count else { return }
        locations.changeValues(resolve)
        for (c, value) in containers {
            if case .moved = value { containers[c] = .gone }
        }
        forwardedDocs = 0
    }

    /// Opens the index in `directory` (empty if there is none) for writing: takes the write
    /// lock, opens the last commit and removes files no commit refers to (a crash's leftovers).
    /// `lock`: the directory's write lock when the caller took it already; `opened`: a snapshot
    /// of the directory's last commit that searches use already, whose segments are taken as
    /// they are (with what they have built and cached).
    public init(directory: Directory, options: Options = Options(), lock: AnyObject? = nil, opened: Snapshot? = nil) throws {
        self.directory = directory
        self.options = options
        writeLock = try lock ?? directory.lock()
        manifest = try Manifest.latest(in: directory) ?? Manifest(generation: 0, nextSegment: 1, segments: [], userData: "")
        names = Counter(manifest.nextSegment)
        buffers = Array(repeating: nil, count: options.threads)
        locations.reserve(adding: manifest.segments.reduce(0) { $0 + $1.docCount - $1.deletedCount })
        for info in manifest.segments {
            let segment = try opened?.segments.first { $0.info == info } ?? Segment(directory, info)
            var deletes = Deletes(docCount: info.docCount)
            if let file = info.deletesFile {
                let bytes = try directory.open(file)
                deletes = try Deletes(try Footer.payload(of: bytes.buffer, file: file, verifyChecksum: false), docCount: info.docCount)
            }
            let container = containerIDs.nextID()
            containers[container] = .segment(name: info.name)
            let entry = Entry(segment: segment, info: info, deletes: deletes, container: container)
            segment.ids.forEach { e in
                if !deletes.contains(e.doc) { locations[e.id] = Location(container: entry.container, doc: e.doc) }
                return true
            }
            entries.append(entry)
        }
        snapshot = Snapshot(segments: entries.map(\.segment), deletes: entries.map(\.deletes), manifest: manifest)
        try removeUnreferencedFiles()
    }

    // MARK: Documents

    /// The number of live documents, buffered ones included.
    public var documentCount: Int { locations.count }

    /// Whether a document with this id is in the index (committed or not).
    public func contains(_ id: String) -> Bool { locations[id] != nil }

    /// The stamp of every committed document that came from a file, by id.
    public func stamps() -> [String: SourceStamp] {
        var result: [String: SourceStamp] = [:]
        result.reserveCapacity(entries.reduce(0) { $0 + $1.info.docCount - $1.deletes.count })
        for entry in entries {
            entry.segment.ids.forEach { e in
                if let stamp = e.stamp, !entry.deletes.contains(e.doc) { result[e.id] = stamp }
                return true
            }
        }
        return result
    }

    /// The stamp of one document written to a segment (nil while it is only buffered: the
    /// caller then reads its file again, which is always safe).
    public func stamp(of id: String) -> SourceStamp? {
        guard let location = locations[id].flatMap(resolve),
              let entry = entries.first(where: { $0.container == location.container }),
              let found = entry.segment.ids.lookup(id), found.doc == location.doc else { return nil }
        return found.stamp
    }

    /// The ids of live documents that start with `prefix` (a directory's documents).
    public func ids(withPrefix prefix: String) -> [String] { locations.ids(withPrefix: prefix) }

    /// Adds documents, replacing those with the same ids. `produce(i)` makes document i (for
    /// i in 0..<count) and runs on the indexing threads: reading and extracting files there
    /// makes them parallel too. A nil document is skipped (the producer reports why).
    public func add(count: Int, produce: @Sendable (Int) -> Document?) throws {
        guard count > 0 else { return }
        try withoutActuallyEscaping(produce) { produce in
            let once = Mutex(Optional(DocumentBatch(count: count, produce: produce)))
            try add(batches: { once.withLock { b in defer { b = nil }; return b } })
        }
    }

    /// Adds the documents of batch after batch (see `add(count:produce:)`). `next()` gives
    /// the next batch, or nil to end the call; it is called for the first batch on the
    /// caller's thread, then on an indexing thread, one call at a time, once the batch before
    /// is all taken: a thread goes on with the next batch without waiting for the other to
    /// finish this one (at each of a 1 GB build's 34 batch ends, a thread flushing its buffer
    /// had held the other idle).
    public func add(batches next: @Sendable () -> DocumentBatch?) throws {
        guard let first = next() else { return }
        let threads = min(options.threads, max(1, first.count))
        let perThreadBudget = max(1 << 20, options.bufferBytes / options.threads)
        for t in 0..<threads where buffers[t] == nil { buffers[t] = newBuffer() }
        let shared = AddState(buffers: buffers, first: first)
        let directory = self.directory, names = self.names, containerIDs = self.containerIDs, options = self.options
        DispatchQueue.concurrentPerform(iterations: threads) { t in
            var local: [(Int, Int, String, Location)] = []
            defer { shared.add(results: local) }
            // documents are taken one at a time rather than dealt out in turns: their costs
            // differ (dealt in turns, one thread of a 21 MB build got 15% more of the bytes and
            // finished 0.3 s after the other)
            var batch = shared.batch(after: -1, next: next)
            while let current = batch {
                let i = current.take()
                guard i < current.batch.count else {
                    batch = shared.batch(after: current.number, next: next)
                    continue
                }
                guard !shared.failed else { return }
                guard let doc = current.batch.produce(i) else { continue }
                let buffer = shared.buffer(t)
                let d = buffer.writer.add(doc)
                local.append((current.number, i, doc.id, Location(container: buffer.container, doc: d)))
                if buffer.writer.budgetBytes > perThreadBudget {
                    let name = Self.segmentName(names.next())
                    do {
                        let info = try buffer.writer.finish(name: name)
                        buffer.writer.dropDocuments()
                        shared.add(flushed: (buffer, info))
                    } catch {
                        Self.deleteFiles(of: name, in: directory)
                        shared.fail(error, unflushed: buffer)
                    }
                    shared.replace(t, with: Buffer(container: containerIDs.nextID(), number: names.next(), in: directory, options: options))
                }
            }
        }
        buffers = shared.buffers
        unflushed += shared.unflushed
        for b in buffers.compactMap({ $0 }) + shared.unflushed + shared.flushed.map(\.0) { containers[b.container] = .buffer(b) }
        // In the callers' order: a later document with the same id replaces an earlier one.
        // Also after a failure: every document in a buffer is added, and must be findable.
        let results = shared.results
        locations.reserve(adding: results.reduce(0) { $0 + $1.count })
        for old in locations.update({ put in Self.inOrder(results, put) }) { markDeleted(old) }
        for (buffer, info) in shared.flushed { try adopt([buffer], info) }
        if let error = shared.failure { throw error }
    }

    /// The threads' results in the callers' order (batch, then document): each thread's are in
    /// that order already, so they are merged, not sorted (a sort moved every id string).
    private static func inOrder(_ lists: [[(Int, Int, String, Location)]], _ body: (String, Location) -> Void) {
        var heads = [Int](repeating: 0, count: lists.count)
        while true {
            var k = -1
            for j in lists.indices where heads[j] < lists[j].count {
                if k < 0 || (lists[j][heads[j]].0, lists[j][heads[j]].1) < (lists[k][heads[k]].0, lists[k][heads[k]].1) { k = j }
            }
            guard k >= 0 else { return }
            body(lists[k][heads[k]].2, lists[k][heads[k]].3)
            heads[k] += 1
        }
    }

    /// What the indexing threads share during `add`: thread t only ever touches buffer slot t.
    private final class AddState: @unchecked Sendable {
        private(set) var buffers: [Buffer?]
        private let lock = Mutex(())
        /// Each thread's (batch, document, id, location), in its order.
        private(set) var results: [[(Int, Int, String, Location)]] = []
        private(set) var flushed: [(Buffer, SegmentInfo)] = []
        private(set) var unflushed: [Buffer] = []
        private(set) var failure: Error?
        /// The newest batch handed out (the ones before it are all taken), and whether the
        /// caller has said there is none after it.
        private var latest: Taken
        private var ended = false

        /// A batch and how many of its documents are taken.
        final class Taken: Sendable {
            let batch: DocumentBatch
            let number: Int
            private let taken = Atomic<Int>(0)

            init(_ batch: DocumentBatch, number: Int) {
                self.batch = batch
                self.number = number
            }

            /// The next document to add.
            func take() -> Int { taken.add(1, ordering: .relaxed).oldValue }
        }

        init(buffers: [Buffer?], first: DocumentBatch) {
            self.buffers = buffers
            latest = Taken(first, number: 0)
        }

        /// The batch to go on with after batch `number` is all taken: a newer one handed out
        /// already, or the caller's next; nil at the end.
        func batch(after number: Int, next: () -> DocumentBatch?) -> Taken? {
            lock.withLock { _ in
                if latest.number > number { return latest }
                guard !ended, let b = next() else {
                    ended = true
                    return nil
                }
                latest = Taken(b, number: latest.number + 1)
                return latest
            }
        }

        func buffer(_ t: Int) -> Buffer { buffers[t]! }
        func replace(_ t: Int, with b: Buffer) { buffers[t] = b }
        func add(results r: [(Int, Int, String, Location)]) { lock.withLock { _ in results.append(r) } }
        func add(flushed f: (Buffer, SegmentInfo)) { lock.withLock { _ in flushed.append(f) } }
        func fail(_ error: Error, unflushed b: Buffer) {
            lock.withLock { _ in
                if failure == nil { failure = error }
                unflushed.append(b)
            }
        }
        var failed: Bool { lock.withLock { _ in failure != nil } }
    }

    /// Adds (or replaces) documents already in memory.
    public func add(_ documents: [Document]) throws {
        try add(count: documents.count) { documents[$0] }
    }

    /// Deletes the document with this id; false if there is none.
    @discardableResult
    public func delete(id: String) -> Bool {
        guard let old = locations.removeValue(forKey: id) else { return false }
        markDeleted(old)
        return true
    }

    private func markDeleted(_ location: Location) {
        guard let location = resolve(location) else { return }
        switch containers[location.container] ?? .gone {
        case .buffer(let b):
            b.deletedDocs.append(location.doc)
        case .segment:
            if let i = entries.firstIndex(where: { $0.container == location.container }) { delete(location.doc, entry: i) }
        case .moved, .gone:
            break
        }
    }

    private func delete(_ doc: UInt32, entry i: Int) {
        if entries[i].deletes.insert(doc) {
            entries[i].info.deletedCount = entries[i].deletes.count
            entries[i].deletesDirty = true
        }
    }

    // MARK: Buffers and segments

    private func newBuffer() -> Buffer {
        let id = containerIDs.nextID()
        let buffer = Buffer(container: id, number: names.next(), in: directory, options: options)
        containers[id] = .buffer(buffer)
        return buffer
    }

    static func segmentName(_ n: UInt64) -> String {
        let hex = String(n, radix: 16)
        return "s" + String(repeating: "0", count: max(0, 8 - hex.count)) + hex
    }

    /// Flushed buffers become a segment (uncommitted until the next commit): their documents
    /// are numbered in order, each buffer's after those of the buffers before it.
    private func adopt(_ flushed: [Buffer], _ info: SegmentInfo) throws {
        var info = info
        var deletes = Deletes(docCount: info.docCount)
        var bases: [UInt32] = []
        var base: UInt32 = 0
        for buffer in flushed {
            bases.append(base)
            for d in buffer.deletedDocs { deletes.insert(base + d) }
            base += buffer.writer.docCount
        }
        info.deletedCount = deletes.count
        let segment = try Segment(directory, info, written: true)  // before anything moves: it may fail
        let container = flushed.count == 1 ? flushed[0].container : containerIDs.nextID()
        for (buffer, base) in zip(flushed, bases) where buffer.container != container {
            forward(buffer.container, to: container, docs: (0..<buffer.writer.docCount).map { base + $0 })
        }
        containers[container] = .segment(name: info.name)
        entries.append(Entry(segment: segment, info: info, deletes: deletes, container: container, deletesDirty: deletes.count > 0))
    }

    /// Writes every buffer out, all into one segment: the threads' buffers would otherwise be
    /// a segment each, to be searched one after the other or merged. A failed write keeps the
    /// buffers, sealed, for the next attempt.
    private func flushBuffers() throws {
        let pending = unflushed + buffers.compactMap { $0 }.filter { $0.writer.docCount > 0 }
        guard !pending.isEmpty else { return }
        for t in buffers.indices where buffers[t].map({ $0.writer.docCount > 0 }) == true { buffers[t] = nil }
        unflushed = []
        let name = Self.segmentName(names.next())
        do {
            let info = try SegmentWriter.finish(pending.map(\.writer), name: name, parts: Cores.available)
            try adopt(pending, info)
        } catch {
            Self.deleteFiles(of: name, in: directory)
            unflushed = pending
            throw error
        }
    }

    /// Removes what a failed segment write or merge left (its stored-fields files are as many
    /// as it got to).
    static func deleteFiles(of name: String, in directory: Directory) {
        for file in (try? directory.list()) ?? [] where file.hasPrefix(name + ".") { try? directory.delete(file) }
    }

    // MARK: Commit

    /// Makes every change so far durable and visible: flushes the buffers, writes the deletes,
    /// syncs the new files, then the manifest (see `Manifest.commit`), and publishes a new
    /// snapshot. If it throws (a full disk), the previous commit stays the index and the
    /// changes stay pending: a later commit can still succeed.
    @discardableResult
    public func commit(userData: String? = nil) throws -> Snapshot {
        let userData = userData ?? stagedUserData
        try flushBuffers()
        var newFiles: [String] = []
        let committed = manifest.files
        for i in entries.indices {
            for f in entries[i].info.files where !committed.contains(f) { newFiles.append(f) }
            guard entries[i].deletesDirty else { continue }
            let generation = entries[i].info.deletesGeneration + 1
            let name = SegmentInfo.deletesFile(entries[i].info.name, generation)
            try? directory.delete(name)  // left by a commit that failed after writing it
            try entries[i].deletes.write(to: try FileWriter(directory, name), docCount: entries[i].info.docCount)
            entries[i].info.deletesGeneration = generation
            newFiles.append(name)
        }
        try directory.sync(newFiles)
        let next = Manifest(generation: manifest.generation + 1, nextSegment: names.current,
                            segments: entries.map(\.info), userData: userData ?? manifest.userData)
        try next.commit(to: directory)
        manifest = next
        stagedUserData = nil
        for i in entries.indices { entries[i].deletesDirty = false }
        snapshot = Snapshot(segments: entries.map(\.segment), deletes: entries.map(\.deletes), manifest: manifest)
        try? removeUnreferencedFiles()
        return snapshot
    }

    /// Whether anything changed since the last commit.
    public var hasChanges: Bool {
        !unflushed.isEmpty || buffers.contains { ($0?.writer.docCount ?? 0) > 0 } || entries.contains { $0.deletesDirty }
            || entries.map(\.info.name) != manifest.segments.map(\.name) || stagedUserData != nil
    }

    /// The user data of the last commit.
    public var committedUserData: String { manifest.userData }

    /// User data for the next commit, whoever makes it (and a reason to make one).
    public func stageUserData(_ data: String) {
        stagedUserData = data == manifest.userData ? nil : data
    }

    private var stagedUserData: String?

    /// Deletes every file that neither the last commit nor a pending segment uses.
    private func removeUnreferencedFiles() throws {
        var keep = manifest.files
        keep.insert("write.lock")
        for b in buffers.compactMap({ $0 }) + unflushed { keep.insert(b.writer.storedName) }
        for e in entries {
            keep.formUnion(e.info.files)
            if let d = e.info.deletesFile { keep.insert(d) }
        }
        for name in try directory.list() where !keep.contains(name) {
            try directory.delete(name)
        }
    }

    // MARK: Merging

    /// Merges segments while the policy finds some to merge, committing each merge. Returns
    /// the number of merges done.
    @discardableResult
    public func merge(policy: MergePolicy? = nil) throws -> Int {
        let policy = policy ?? TieredMergePolicy(segmentsPerTier: options.segmentsPerTier)
        var merges = 0
        if hasChanges { try commit() }
        while let chosen = policy.select(entries.map(\.info)), chosen.count > 1 {
            try merge(chosen)
            merges += 1
        }
        return merges
    }

    /// Merges the index into at most `count` segments of about equal size, the merges running
    /// side by side, then commits (after a bulk build: a search then visits one segment, or
    /// one per core, each on its own thread). Returns whether it merged anything.
    /// `unsearched`: no search reads the index meanwhile (`searchd index`), so the pages the
    /// merges have read can leave the page cache too (`SegmentMerger.evictReadPages`).
    @discardableResult
    public func forceMerge(into count: Int = 1, unsearched: Bool = false) throws -> Bool {
        if hasChanges { try commit() }
        let groups = Self.balancedGroups(entries.map(\.info.docCount), count: count)
            .filter { $0.count > 1 || entries[$0[0]].info.deletedCount > 0 }
        guard !groups.isEmpty else { return false }
        let sources = groups.map { g in g.map { (entries[$0].segment, entries[$0].deletes) } }
        let names = groups.map { _ in Self.segmentName(self.names.next()) }
        // each merge reads its own segments and writes its own files; the cores left over
        // split the terms of a merge small enough to hold its postings in memory (counted
        // without the stored text, which a merge links: counted with it, a build of 100 MB of
        // files ended in a merge on one core)
        let parts = sources.map { s in
            s.reduce(0) { $0 + $1.0.postingsByteCount } <= Self.partedMergeBytes ? max(1, Cores.available / groups.count) : 1
        }
        let merged = Cores.map(groups.count) { i in
            Result {
                try SegmentMerger(sources: sources[i], linkBytes: options.linkedStoredBytes, evictReadPages: unsearched)
                    .merge(into: directory, name: names[i], parts: parts[i])
            }
        }
        // all or nothing: after a failure the index stays as it was (the next commit deletes
        // the files of the merges that did finish)
        let results = try merged.map { try $0.get() }
        // the last group first: the indices of the earlier ones stay valid
        for (group, ((info, mapping), name)) in zip(groups, zip(results, names)).reversed() {
            try install(info, name: name, replacing: group, mapping: mapping)
        }
        try commit()
        return true
    }

    /// Largest merge (its sources' postings bytes) whose terms `forceMerge` splits across the cores.
    static let partedMergeBytes = 128 << 20

    /// Consecutive runs of indices into `sizes`, at most `count`, of about equal total size.
    static func balancedGroups(_ sizes: [Int], count: Int) -> [[Int]] {
        guard !sizes.isEmpty else { return [] }
        let total = max(1, sizes.reduce(0, +))
        var groups: [[Int]] = [[]]
        var done = 0
        for (i, size) in sizes.enumerated() {
            // start the next group when this size's middle would pass the group's share: a group
            // is then off by at most half a size (the merges side by side end together)
            if !groups[groups.count - 1].isEmpty && groups.count < count && (2 * done + size) * count >= 2 * groups.count * total {
                groups.append([])
            }
            groups[groups.count - 1].append(i)
            done += size
        }
        return groups
    }

    /// Merges the segments at these indices into one (dropping deleted documents) and commits.
    private func merge(_ indices: [Int]) throws {
        let sources = indices.map { (entries[$0].segment, entries[$0].deletes) }
        let name = Self.segmentName(names.next())
        let (info, mapping) = try SegmentMerger(sources: sources, linkBytes: options.linkedStoredBytes).merge(into: directory, name: name)
        try install(info, name: name, replacing: indices, mapping: mapping)
        try commit()
    }

    /// Puts a merged segment in place of its sources (not committed yet): documents move to
    /// their new numbers.
    private func install(_ info: SegmentInfo, name: String, replacing indices: [Int], mapping: [[UInt32?]]) throws {
        let segment = try Segment(directory, info, written: true)
        let container = containerIDs.nextID()
        containers[container] = .segment(name: name)
        for (k, i) in indices.enumerated() {
            forward(entries[i].container, to: container, docs: mapping[k])
        }
        let first = indices.min()!
        let merged = Entry(segment: segment, info: info, deletes: Deletes(docCount: info.docCount), container: container)
        for i in indices.sorted(by: >) { entries.remove(at: i) }
        entries.insert(merged, at: first)
    }
}

/// A thread-safe counter: segment names and container ids.
private final class Counter: Sendable {
    private let value: Mutex<UInt64>
    init(_ start: UInt64) { value = Mutex(start) }
    func next() -> UInt64 { value.withLock { v in defer { v += 1 }; return v } }
    func nextID() -> Int { Int(next()) }
    var current: UInt64 { value.withLock { $0 } }
}

/// Documents to add: `count` of them, document i made by `produce(i)` on an indexing thread
/// (nil: skipped; the producer reports why).
public struct DocumentBatch: Sendable {
    public let count: Int
    public let produce: @Sendable (Int) -> Document?

    public init(count: Int, produce: @escaping @Sendable (Int) -> Document?) {
        self.count = count
        self.produce = produce
    }
}

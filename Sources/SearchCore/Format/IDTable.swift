/// Each document's id, sorted, with its doc number and source stamp: replacing or deleting a
/// document by id, and telling on restart which files changed.
///
/// Layout: blocks of up to 64 entries (varint id length, id bytes, varint doc, varint size,
/// varint modified, u64 hash), then a u64 offset per block, then u64 offset of that block
/// index, u32 block count, u32 entry count.
enum IDTableFormat {
    static let blockSize = 64

    /// Appends the entries given in id order, then the block index and the footer.
    struct EntryWriter {
        let file: FileWriter
        private var offsets: [UInt64] = []
        private var count = 0

        init(_ file: FileWriter) { self.file = file }

        mutating func add(id: some Collection<UInt8>, doc: UInt32, size: UInt64, modified: UInt64, hash: UInt64) throws(StoreError) {
            if count % IDTableFormat.blockSize == 0 { offsets.append(UInt64(file.count)) }
            count += 1
            try file.write { out in
                out.blob(id)
                out.varint(doc)
                out.varint(size)
                out.varint(modified)
                out.u64(hash)
            }
        }

        func finish() throws(StoreError) {
            try BlockIndex.finish(file, blockOffsets: offsets, entries: count)
        }
    }

    /// The entries of several tables as one, in id order, their documents renumbered by each
    /// source's mapping (nil: the document is dropped); of equal ids, the earlier source's
    /// first, as a stable sort would put them. Each source is in order already: merged as
    /// they are read, without a string per entry or a sort (together 8% of a large merge).
    static func merge(_ sources: [(table: IDTable, mapping: [UInt32?])], to file: FileWriter) throws(StoreError) {
        var cursors = sources.map { IDTable.Cursor($0.table) }
        var live = cursors.indices.filter { cursors[$0].next() }
        var writer = EntryWriter(file)
        while !live.isEmpty {
            var smallest = live[0]
            for k in live.dropFirst() where TermDictionary.compare(cursors[k].id, cursors[smallest].id) < 0 { smallest = k }
            let c = cursors[smallest], mapping = sources[smallest].mapping
            if Int(c.doc) < mapping.count, let new = mapping[Int(c.doc)] {
                try writer.add(id: c.id, doc: new, size: c.size, modified: c.modified, hash: c.hash)
            }
            if !cursors[smallest].next() { live.removeAll { $0 == smallest } }
        }
        try writer.finish()
    }
}

struct IDTableWriter {
    private var entries: [(id: String, doc: UInt32, stamp: SourceStamp?)] = []

    var memoryBytes: Int { entries.count * 48 }

    mutating func add(id: String, doc: UInt32, stamp: SourceStamp?) {
        entries.append((id, doc, stamp))
    }

    /// Adds another writer's entries, their documents numbered from `docOffset`.
    mutating func append(_ other: IDTableWriter, docOffset: UInt32) {
        entries.append(contentsOf: other.entries.map { ($0.id, $0.doc + docOffset, $0.stamp) })
    }

    func finish(to file: FileWriter) throws(StoreError) {
        // by UTF-8 bytes, compared with memcmp (the generic comparison over `utf8` went byte
        // by byte: 3% of a 1 GB build's final merges)
        let sorted = entries.sorted { a, b in
            var (x, y) = (a.id, b.id)
            return x.withUTF8 { x in y.withUTF8 { y in TermDictionary.compare(x, y) < 0 } }
        }
        var writer = IDTableFormat.EntryWriter(file)
        for e in sorted {
            try writer.add(id: e.id.utf8, doc: e.doc, size: e.stamp?.size ?? 0, modified: e.stamp?.modified ?? 0, hash: e.stamp?.hash ?? 0)
        }
        try writer.finish()
    }
}

struct IDTable {
    struct Entry: Equatable {
        var id: String
        var doc: UInt32
        /// Nil for a document that came from no file.
        var stamp: SourceStamp?
    }

    private let data: UnsafeRawBufferPointer
    private let indexOffset: Int
    let blockCount: Int
    let count: Int

    init(_ data: UnsafeRawBufferPointer) throws(FormatError) {
        self.data = data
        guard data.count >= 16 else { throw .truncated }
        var r = ByteReader(data, offset: data.count - 16)
        guard let indexOffset = Int(exactly: try r.u64()), indexOffset <= data.count else { throw .corrupt("id table index offset") }
        self.indexOffset = indexOffset
        blockCount = Int(try r.u32())
        count = Int(try r.u32())
        guard indexOffset + blockCount * 8 + 16 == data.count else { throw .corrupt("id table index") }
    }

    func lookup(_ id: String) -> Entry? {
        let key = Array(id.utf8)
        var lo = 0, hi = blockCount - 1, block = -1
        while lo <= hi {
            let mid = (lo + hi) / 2
            var r = ByteReader(data, offset: blockOffset(mid))
            guard let first = try? r.blob() else { return nil }
            if first.lexicographicallyPrecedes(key) || first.elementsEqual(key) {
                block = mid
                lo = mid + 1
            } else {
                hi = mid - 1
            }
        }
        guard block >= 0 else { return nil }
        var found: Entry?
        scan(block: block) { e in
            if e.id == id { found = e }
            return !(found != nil || key.lexicographicallyPrecedes(Array(e.id.utf8)))
        }
        return found
    }

    /// Every entry, in id order, until `body` returns false.
    func forEach(_ body: (Entry) -> Bool) {
        var going = true
        for b in 0..<blockCount where going {
            scan(block: b) { e in
                going = body(e)
                return going
            }
        }
    }

    private func blockOffset(_ b: Int) -> Int {
        let raw = UInt64(littleEndian: data.loadUnaligned(fromByteOffset: indexOffset + b * 8, as: UInt64.self))
        return raw < UInt64(indexOffset) ? Int(raw) : indexOffset
    }

    /// The entries in id order, read in place (see `IDTableFormat.merge`).
    struct Cursor {
        private var reader: ByteReader
        private let end: Int
        private(set) var id = UnsafeBufferPointer<UInt8>(start: nil, count: 0)
        private(set) var doc: UInt32 = 0
        private(set) var size: UInt64 = 0
        private(set) var modified: UInt64 = 0
        private(set) var hash: UInt64 = 0

        init(_ table: IDTable) {
            reader = ByteReader(table.data, offset: table.blockOffset(0))
            end = table.indexOffset
        }

        /// Moves to the next entry; false at the end (or where the table is damaged).
        mutating func next() -> Bool {
            guard reader.offset < end, let id = try? reader.blob(), let doc = try? reader.varint32(), let size = try? reader.varint(),
                  let modified = try? reader.varint(), let hash = try? reader.u64() else { return false }
            (self.id, self.doc, self.size, self.modified, self.hash) = (id.assumingMemoryBound(to: UInt8.self), doc, size, modified, hash)
            return true
        }
    }

    private func scan(block b: Int, _ body: (Entry) -> Bool) {
        var r = ByteReader(data, offset: blockOffset(b))
        let end = b + 1 < blockCount ? blockOffset(b + 1) : indexOffset
        while r.offset < end {
            guard let id = try? r.string(), let doc = try? r.varint32(), let size = try? r.varint(),
                  let modified = try? r.varint(), let hash = try? r.u64() else { return }
            let stamp = size == 0 && modified == 0 && hash == 0 ? nil : SourceStamp(size: size, modified: modified, hash: hash)
            if !body(Entry(id: id, doc: doc, stamp: stamp)) { return }
        }
    }
}

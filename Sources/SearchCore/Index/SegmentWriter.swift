import CPrefetch

/// Builds one segment in memory: analyses documents, inverts them into per-term postings
/// streams, and encodes the segment's files when finished. One per indexing thread.
final class SegmentWriter {
    private let analyzer = Analyzer()
    private var inversion = Inversion()
    private var lengths: [[UInt32]] = Field.text.map { _ in [] }
    private var dates: [String?] = []
    private var stored = StoredFieldsWriter()
    private var ids = IDTableWriter()
    private(set) var docCount: UInt32 = 0
    /// The last documents' frequencies are in the streams (finish may be called again after a
    /// failed write).
    private var sealed = false

    init() {}

    deinit { inversion.free() }

    /// Bytes held by the buffers: flush the segment when this passes the configured budget.
    var memoryBytes: Int { inversion.memoryBytes + stored.memoryBytes + ids.memoryBytes + Int(docCount) * 8 }

    /// Adds a document and returns its id in the segment.
    @discardableResult
    func add(_ document: Document) -> UInt32 {
        let doc = docCount
        // The inversion state is a value of pointers: the sink owns it for the document, so
        // the hot loop runs without the class's exclusivity checks.
        var sink = Inverter(state: inversion, field: 0, doc: doc)
        defer { inversion = sink.state }
        for field in Field.text {
            var text = field == .title ? document.title : document.body
            sink.field = field.rawValue
            let end = text.withUTF8 { analyzer.analyze($0, into: &sink) }
            lengths[Int(field.rawValue)].append(end.position)
        }
        addKeywords(document, into: &sink)
        dates.append(document.date)
        stored.add(document)
        ids.add(id: document.id, doc: doc, stamp: document.stamp)
        docCount += 1
        return doc
    }

    /// The path field: every directory prefix of the path and of the id (path:/abs/dir,
    /// path:sub/dir), and the words of the path (path:word); the lang field: the language code.
    private func addKeywords(_ document: Document, into sink: inout Inverter) {
        var prefixes: [String] = []
        for p in [document.path, document.id].compactMap({ $0 }) {
            let parts = p.split(separator: "/", omittingEmptySubsequences: true)
            var prefix = p.hasPrefix("/") ? "" : nil as String?
            for part in parts {
                prefix = prefix.map { $0 + "/" + part } ?? String(part)
                prefixes.append(prefix!)
            }
        }
        for (i, prefix) in Set(prefixes).sorted().enumerated() {
            Array(prefix.utf8).withUnsafeBufferPointer {
                sink.state.record($0, namespace: TermKey.pathPrefixNamespace, field: Field.path.rawValue, doc: sink.doc, position: UInt32(i))
            }
        }
        sink.field = Field.path.rawValue
        var path = document.path ?? document.id
        path.withUTF8 { _ = analyzer.analyze($0, into: &sink) }
        if let lang = document.lang, !lang.isEmpty {
            Array(lang.utf8).withUnsafeBufferPointer {
                sink.state.record($0, namespace: nil, field: Field.lang.rawValue, doc: sink.doc, position: 0)
            }
        }
    }

    /// Feeds the tokens of one field of one document into the inversion.
    private struct Inverter: TokenSink {
        var state: Inversion
        var field: UInt8
        let doc: UInt32

        @inline(__always)
        mutating func token(_ term: UnsafeBufferPointer<UInt8>, kind: TokenKind, position: UInt32,
                            start: Int, end: Int, group: UInt32) {
            state.record(term, namespace: kind.namespace, field: field, doc: doc, position: position)
        }
    }

    /// Writes the segment's files into `directory` (not yet durable: the commit syncs them).
    /// No document may be added afterwards; after a failure it may be called again (with
    /// another name: the caller deletes the failed attempt's files).
    func finish(to directory: Directory, name: String) throws(StoreError) -> SegmentInfo {
        if !sealed {
            inversion.seal()
            sealed = true
        }
        let inversion = self.inversion
        let file = { (ext: String) throws(StoreError) -> FileWriter in try FileWriter(directory, "\(name).\(ext)") }
        var postings = PostingsWriter(docs: try file("doc"), positions: try file("pos"))
        var dictionary = TermDictionaryWriter(try file("tdx"))
        var docBytes: [UInt8] = [], posBytes: [UInt8] = []
        let order = inversion.terms.sortedIDs()
        for i in order.indices {
            inversion.prefetchForEncoding(order, at: i)
            let id = order[i]
            let state = inversion.states[Int(id)]
            let key = inversion.terms.key(Int(id))
            let field = Int(key[0])
            let fieldLengths = field < lengths.count ? lengths[field] : nil
            postings.startTerm()
            inversion.pool.withBytes(of: state.docs, scratch: &docBytes) { docBuffer in
                inversion.pool.withBytes(of: state.positions, scratch: &posBytes) { p in
                    let d = UnsafeRawBufferPointer(docBuffer)
                    var dOffset = 0, pOffset = 0
                    var doc: UInt32 = 0
                    var first = true
                    let raw = UnsafeRawBufferPointer(p)
                    while dOffset < d.count {
                        let delta = readVarint(d, &dOffset)!
                        let freq = readVarint(d, &dOffset)!
                        doc = first ? delta : doc + delta
                        first = false
                        let start = pOffset
                        for _ in 0..<freq { _ = readVarint(raw, &pOffset) }
                        postings.add(doc: doc, freq: freq, positionDeltas: UnsafeBufferPointer(rebasing: p[start..<pOffset]),
                                     norm: fieldLengths?[Int(doc)] ?? 0)
                    }
                }
            }
            let info = try postings.finishTerm()
            try dictionary.add(key, info)
        }
        try dictionary.finish()
        try postings.docs.finish()
        try postings.positions.finish()
        let norms = try file("nrm")
        try norms.write(FieldNorms.encode(lengths))
        try norms.finish()
        let datesFile = try file("dts")
        try datesFile.write(DocumentDates.encode(dates))
        try datesFile.finish()
        try stored.finish(to: try file("sto"))
        try ids.finish(to: try file("ids"))
        return SegmentInfo(name: name, docCount: Int(docCount),
                           fieldLengthSums: lengths.map { $0.reduce(UInt64(0)) { $0 + UInt64($1) } },
                           deletesGeneration: 0, deletedCount: 0)
    }
}

/// A segment's terms and their postings streams while documents are added: every structure a
/// value of pointers, so that the per-token work is plain memory access.
///
/// Occurrences wait in a small batch before they are recorded: the hash-table slots, then the
/// term states, of a whole batch are fetched from memory together instead of one cache miss
/// after another (past a few thousand terms both tables outgrow the CPU caches, and those
/// misses were most of the indexing time).
struct Inversion {
    var terms = TermTable()
    var states = RawBuffer<TermState>(capacity: 1 << 12)
    var pool = ByteSlicePool()
    private var batch = Batch()

    /// The postings being accumulated for one term.
    struct TermState {
        /// Pairs (doc delta, frequency); the frequency of the last doc is written when it ends.
        var docs: ByteSlicePool.Stream
        /// Position deltas, from 0 in each document.
        var positions: ByteSlicePool.Stream
        var lastDoc: UInt32 = .max
        var freq: UInt32 = 0
        var lastPosition: UInt32 = 0
    }

    /// Occurrences of one document not recorded yet: their keys end to end, and per occurrence
    /// the key's end, its hash, its position and (once interned) its term id.
    private struct Batch {
        static let capacity = 32
        var doc: UInt32 = 0
        var keys = RawBuffer<UInt8>(capacity: 2048)
        var ends = RawBuffer<Int32>(capacity: Batch.capacity)
        var hashes = RawBuffer<UInt64>(capacity: Batch.capacity)
        var positions = RawBuffer<UInt32>(capacity: Batch.capacity)
        var ids = RawBuffer<Int32>(capacity: Batch.capacity)

        var count: Int { ends.count }

        func key(_ k: Int) -> UnsafeBufferPointer<UInt8> {
            let start = k == 0 ? 0 : Int(ends[k - 1])
            return UnsafeBufferPointer(start: keys.base + start, count: Int(ends[k]) - start)
        }

        mutating func removeAll() {
            keys.removeAll()
            ends.removeAll()
            hashes.removeAll()
            positions.removeAll()
            ids.removeAll()
        }

        func free() {
            keys.free()
            ends.free()
            hashes.free()
            positions.free()
            ids.free()
        }
    }

    func free() {
        terms.free()
        states.free()
        pool.free()
        batch.free()
    }

    var memoryBytes: Int { pool.memoryBytes + terms.memoryBytes + states.capacity * MemoryLayout<TermState>.stride }

    /// One occurrence of a term (recorded with its batch).
    @inline(__always)
    mutating func record(_ term: UnsafeBufferPointer<UInt8>, namespace: UInt8?, field: UInt8, doc: UInt32, position: UInt32) {
        if batch.count > 0 && batch.doc != doc { flush() }
        batch.doc = doc
        let start = batch.keys.count
        batch.keys.append(field)
        if let namespace { batch.keys.append(namespace) }
        if let base = term.baseAddress { batch.keys.append(base, count: term.count) }
        let key = UnsafeBufferPointer(start: batch.keys.base + start, count: batch.keys.count - start)
        let hash = TermTable.hash(key)
        terms.prefetch(hash: hash)
        batch.ends.append(Int32(batch.keys.count))
        batch.hashes.append(hash)
        batch.positions.append(position)
        if batch.count == Batch.capacity { flush() }
    }

    /// Records the batch: first every occurrence's term id (prefetching its state), then where
    /// its position goes (prefetching that), then the occurrences in order.
    private mutating func flush() {
        let n = batch.count
        for k in 0..<n {
            let id = Int(terms.intern(batch.key(k), hash: batch.hashes[k]))
            if id == states.count { states.append(TermState(docs: pool.makeStream(), positions: pool.makeStream())) }
            sd_prefetch(states.base + id)
            batch.ids.append(Int32(id))
        }
        for k in 0..<n { pool.prefetch(states[Int(batch.ids[k])].positions) }
        let doc = batch.doc
        for k in 0..<n {
            let id = Int(batch.ids[k])
            let position = batch.positions[k]
            var s = states[id]
            if s.lastDoc != doc {
                if s.lastDoc != .max { pool.appendVarint(s.freq, to: &s.docs) }
                pool.appendVarint(s.lastDoc == .max ? doc : doc - s.lastDoc, to: &s.docs)
                s.lastDoc = doc
                s.freq = 0
                s.lastPosition = 0
            }
            pool.appendVarint(position >= s.lastPosition ? position - s.lastPosition : 0, to: &s.positions)
            s.lastPosition = position
            s.freq += 1
            states[id] = s
        }
        batch.removeAll()
    }

    /// Terms are encoded in key order but were created, and their states and streams laid out,
    /// in order of appearance: each one is a few cache misses away. Fetching the states and
    /// key entries 16 terms ahead, then the keys and streams 8 ahead, overlaps those misses.
    @inline(__always)
    func prefetchForEncoding(_ ids: [Int32], at i: Int) {
        if i + 16 < ids.count {
            let id = Int(ids[i + 16])
            sd_prefetch(states.base + id)
            terms.prefetchEntry(id)
        }
        if i + 8 < ids.count {
            let id = Int(ids[i + 8])
            pool.prefetchStart(states[id].docs)
            pool.prefetchStart(states[id].positions)
            terms.prefetchKey(id)
        }
    }

    /// Records what waits, then writes the pending frequency of every term's last document.
    mutating func seal() {
        flush()
        for i in 0..<states.count where states[i].lastDoc != .max {
            var s = states[i]
            pool.appendVarint(s.freq, to: &s.docs)
            states[i] = s
        }
    }
}

import CPrefetch

/// One indexing thread's buffer: analyses documents, inverts them into per-term postings
/// streams, and encodes them as a segment when finished — alone, or with the other threads'
/// buffers as one segment (`finish(_:name:parts:)`). Its documents' stored records go to
/// their own file as they come (`storedName`), which becomes one of the segment's
/// stored-fields files: the buffer's memory holds postings, not text.
final class SegmentWriter {
    /// Keeps 16 K runs' ICU words (2.6 MB): over the benchmark corpus, runs found in it hold
    /// 25.5% of the Han characters, against 20.5% with a query analyser's 2 K slots (31.5%
    /// are in runs met before: a cache without limit).
    private let analyzer = Analyzer(wordCacheSlots: 1 << 14)
    private var inversion = Inversion()
    private var lengths: [[UInt32]] = Field.text.map { _ in [] }
    private var dates: [String?] = []
    private let directory: Directory
    /// The file of the stored records (created when their first chunk is written, or by `finish`);
    /// `finish` gives it the segment's name for it too (`Directory.link`), and the writer's
    /// owner deletes this name once the segment is committed.
    let storedName: String
    private var stored = StoredFieldsWriter()
    private var storedFile: FileWriter?
    private var storedFinished = false
    private var ids = IDTableWriter()
    private(set) var docCount: UInt32 = 0
    /// The last documents' frequencies are in the streams (finish may be called again after a
    /// failed write).
    private var sealed = false

    /// Stored records are written this many bytes at a time (`IndexWriter.Options.storedChunkBytes`).
    private let storedChunk: Int

    init(directory: Directory, storedName: String, storedChunk: Int) {
        self.directory = directory
        self.storedName = storedName
        self.storedChunk = storedChunk
    }

    deinit { inversion.free() }

    /// Frees the documents once `finish` has written them: a buffer flushed during
    /// `IndexWriter.add` waits for the call's end to become a segment, and until then only its
    /// document count is read (kept whole, two such buffers took a 1 GB build to 1.3 GB).
    func dropDocuments() {
        inversion.free()
        inversion = Inversion()
        lengths = Field.text.map { _ in [] }
        dates = []
        stored = StoredFieldsWriter()
        ids = IDTableWriter()
    }

    /// The buffer's size, flushed as a segment when it passes the configured budget: the
    /// memory it uses, and its stored records whether written or waiting (so a segment is as
    /// large as when they were all kept in memory, at less memory: budgets that made larger
    /// segments were no faster).
    var budgetBytes: Int { inversion.memoryBytes + stored.memoryBytes + stored.writtenBytes + ids.memoryBytes + Int(docCount) * 8 }

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
        // A failed write (a full disk) keeps the records, in the file's buffer: the next write
        // tries again, and `finish` reports the error if it persists.
        if stored.waitingBytes >= storedChunk { try? writeStored() }
        ids.add(id: document.id, doc: doc, stamp: document.stamp)
        docCount += 1
        return doc
    }

    private func writeStored() throws(StoreError) {
        try stored.flush(to: try storedOutput())
    }

    /// Writes the stored records' file to its end (after a failure, again: it goes on where
    /// it stopped; once done, never again).
    private func finishStored() throws(StoreError) {
        guard !storedFinished else { return }
        try stored.finish(to: try storedOutput())
        storedFinished = true
    }

    /// The stored records' file, created when first needed.
    private func storedOutput() throws(StoreError) -> FileWriter {
        if let storedFile { return storedFile }
        let file = try FileWriter(directory, storedName)
        storedFile = file
        return file
    }

    /// The path field: every directory prefix of the path and of the id (path:/abs/dir,
    /// path:sub/dir), and the words of the path (path:word); the lang field: the language code.
    private func addKeywords(_ document: Document, into sink: inout Inverter) {
        // The prefixes of the path and of the id, in byte order, each once. A string's prefixes
        // are each a prefix of the next, so the two lists merge as sorted lists (through a Set
        // of arrays, sorted, this function was 3.9% of a 1 GB build of short documents).
        let (path, id) = (Self.directoryPrefixes(document.path), Self.directoryPrefixes(document.id))
        var (i, j, position): (Int, Int, UInt32) = (0, 0, 0)
        path.bytes.withUnsafeBufferPointer { pathBytes in
            id.bytes.withUnsafeBufferPointer { idBytes in
                while i < path.ends.count || j < id.ends.count {
                    let a = i < path.ends.count ? UnsafeBufferPointer(rebasing: pathBytes[..<path.ends[i]]) : nil
                    let b = j < id.ends.count ? UnsafeBufferPointer(rebasing: idBytes[..<id.ends[j]]) : nil
                    let prefix: UnsafeBufferPointer<UInt8>
                    if let a, let b, a.elementsEqual(b) {
                        (prefix, i, j) = (a, i + 1, j + 1)
                    } else if let a, b.map({ TermTable.less(a, $0) }) ?? true {
                        (prefix, i) = (a, i + 1)
                    } else {
                        (prefix, j) = (b!, j + 1)
                    }
                    guard prefix.count <= TermKey.maxKeywordBytes else { continue }
                    sink.state.record(prefix, namespace: TermKey.pathPrefixNamespace, field: Field.path.rawValue, doc: sink.doc,
                                      position: position)
                    position += 1
                }
            }
        }
        sink.field = Field.path.rawValue
        var words = document.path ?? document.id
        words.withUTF8 { _ = analyzer.analyze($0, into: &sink) }
        if var lang = document.lang, !lang.isEmpty, lang.utf8.count <= TermKey.maxKeywordBytes {
            lang.withUTF8 { sink.state.record($0, namespace: nil, field: Field.lang.rawValue, doc: sink.doc, position: 0) }
        }
    }

    /// Every directory prefix of a path (path:/abs/dir, path:sub/dir, then the whole): its
    /// parts joined by single slashes, and where each prefix ends.
    static func directoryPrefixes(_ path: String?) -> (bytes: [UInt8], ends: [Int]) {
        guard let path else { return ([], []) }
        let slash = UInt8(ascii: "/")
        let absolute = path.utf8.first == slash
        var bytes: [UInt8] = [], ends: [Int] = []
        bytes.reserveCapacity(path.utf8.count + 1)
        var inPart = false
        for c in path.utf8 {
            if c == slash {
                if inPart { ends.append(bytes.count) }
                inPart = false
            } else {
                if !inPart && (absolute || !bytes.isEmpty) { bytes.append(slash) }
                inPart = true
                bytes.append(c)
            }
        }
        if inPart { ends.append(bytes.count) }
        return (bytes, ends)
    }

    /// Feeds the tokens of one field of one document into the inversion.
    private struct Inverter: TokenSink {
        var state: Inversion
        var field: UInt8
        let doc: UInt32

        @inline(__always)
        mutating func token(_ term: UnsafeBufferPointer<UInt8>, kind: TokenKind, position: UInt32,
                            start: Int, end: Int, group: UInt32, boundaries: UInt8) {
            let stored = kind.marksBoundaries ? WordBoundaries.stored(position, boundaries) : position
            state.record(term, namespace: kind.namespace, field: field, doc: doc, position: stored)
        }
    }

    /// Writes the segment's files into the writer's directory (not yet durable: the commit
    /// syncs them).
    /// No document may be added afterwards; after a failure it may be called again (with
    /// another name: the caller deletes the failed attempt's files).
    func finish(name: String) throws -> SegmentInfo {
        try Self.finish([self], name: name)
    }

    /// Writes one segment of the documents of several writers, in order: writer k's
    /// documents are numbered after those of the writers before it, its stored records are
    /// the segment's next stored-fields file. With `parts` > 1 the terms are encoded in key
    /// ranges on that many threads, beside the per-document files (a commit's flush of every
    /// thread's buffer: one segment to search, and no merge of one segment per thread afterwards).
    static func finish(_ writers: [SegmentWriter], name: String, parts: Int = 1) throws -> SegmentInfo {
        let directory = writers[0].directory
        precondition(writers.allSatisfy { $0.directory === directory }, "the writers of one segment write into one directory")
        // every writer with documents a stored-fields file (one, if none has any)
        let storing = writers.contains { $0.docCount > 0 } ? writers.filter { $0.docCount > 0 } : Array(writers.prefix(1))
        for w in storing { try w.finishStored() }
        var bases: [UInt32] = []
        var docCount: UInt32 = 0
        for w in writers {
            bases.append(docCount)
            docCount += w.docCount
        }
        let lengths = Field.text.map { f in writers.flatMap { $0.lengths[Int(f.rawValue)] } }
        let file = { (ext: String) throws(StoreError) -> FileWriter in try FileWriter(directory, "\(name).\(ext)") }
        let docs = try file("doc"), positions = try file("pos")
        var dictionary = TermDictionaryWriter(try file("tdx"))
        let sorted = Cores.map(writers.count) { w in
            if !writers[w].sealed {
                writers[w].inversion.seal()
                writers[w].sealed = true
            }
            return writers[w].inversion.terms.sortedIDs()
        }
        let terms = TermMerge(inversions: writers.map(\.inversion), orders: sorted.map(\.ids), prefixes: sorted.map(\.prefixes),
                              bases: bases, lengths: lengths)
        if parts <= 1 {
            try writeDocumentFiles(writers, lengths: lengths, file: file)
            var postings = PostingsWriter(docs: docs, positions: positions)
            try terms.encode(terms.all, into: &postings) { t, info throws(StoreError) in try dictionary.add(t, info) }
        } else {
            let ranges = terms.split(TermRange.count(threads: parts))
            try TermRange.write(ranges.count, with: { try writeDocumentFiles(writers, lengths: lengths, file: file) }) { k in
                try TermRange.encode { postings, add throws in try terms.encode(ranges[k], into: &postings, add) }
            } append: { try $0.append(docs: docs, positions: positions, dictionary: &dictionary) }
        }
        try dictionary.finish()
        try docs.finish()
        try positions.finish()
        // last: a failed attempt's files are deleted by the segment's name, and the records
        // must stay for the next
        for (k, w) in storing.enumerated() { try directory.link(w.storedName, to: SegmentInfo.storedFile(name, k)) }
        return SegmentInfo(name: name, docCount: Int(docCount),
                           fieldLengthSums: lengths.map { $0.reduce(UInt64(0)) { $0 + UInt64($1) } },
                           deletesGeneration: 0, deletedCount: 0, storedParts: storing.map { Int($0.docCount) })
    }

    /// Norms, dates and ids of the writers' documents, in order.
    private static func writeDocumentFiles(_ writers: [SegmentWriter], lengths: [[UInt32]],
                                           file: (String) throws(StoreError) -> FileWriter) throws(StoreError) {
        let norms = try file("nrm")
        try norms.write(FieldNorms.encode(lengths))
        try norms.finish()
        let datesFile = try file("dts")
        try datesFile.write(DocumentDates.encode(writers.flatMap(\.dates)))
        try datesFile.finish()
        var ids = IDTableWriter()
        var base: UInt32 = 0
        for w in writers {
            ids.append(w.ids, docOffset: base)
            base += w.docCount
        }
        try ids.finish(to: try file("ids"))
    }

    /// The writers' terms in key order, each with the postings of every writer holding it.
    private struct TermMerge {
        /// The writers' inversions (values of pointers: read here without the class's
        /// exclusivity checks, a few per term).
        let inversions: [Inversion]
        /// Per writer, its term ids in key order, and their keys' first 8 bytes: most keys of
        /// two writers are told apart by these alone, without a cache miss on the keys.
        let orders: [[Int32]]
        let prefixes: [[UInt64]]
        let bases: [UInt32]
        let lengths: [[UInt32]]

        /// Per writer, a range of its `orders`.
        typealias Ranges = [Range<Int>]

        var all: Ranges { orders.map { $0.indices } }

        func key(_ w: Int, _ i: Int) -> UnsafeBufferPointer<UInt8> { inversions[w].terms.key(Int(orders[w][i])) }

        /// Whether writer v's i-th key orders before writer w's j-th.
        @inline(__always)
        func less(_ v: Int, _ i: Int, _ w: Int, _ j: Int) -> Bool {
            let (a, b) = (prefixes[v][i], prefixes[w][j])
            return a != b ? a < b : TermTable.less(key(v, i), key(w, j))
        }

        /// Whether writer v's i-th key equals writer w's j-th.
        @inline(__always)
        func equal(_ v: Int, _ i: Int, _ w: Int, _ j: Int) -> Bool {
            prefixes[v][i] == prefixes[w][j] && key(v, i).elementsEqual(key(w, j))
        }

        /// `count` ranges of about equal numbers of terms, split at keys of the writer with most.
        func split(_ count: Int) -> [Ranges] {
            guard let largest = orders.indices.max(by: { orders[$0].count < orders[$1].count }) else { return [all] }
            var cuts: [[Int]] = [orders.map { _ in 0 }]
            for p in 1..<count {
                let pivot = key(largest, orders[largest].count * p / count)
                // per writer, its first term not below the pivot
                cuts.append(orders.indices.map { w in
                    var lo = 0, hi = orders[w].count
                    while lo < hi {
                        let mid = (lo + hi) / 2
                        if TermTable.less(key(w, mid), pivot) { lo = mid + 1 } else { hi = mid }
                    }
                    return lo
                })
            }
            cuts.append(orders.map(\.count))
            return (0..<count).map { p in orders.indices.map { w in cuts[p][w]..<max(cuts[p][w], cuts[p + 1][w]) } }
        }

        /// Encodes the terms in `ranges`, each with its postings from every writer holding it.
        func encode(_ ranges: Ranges, into postings: inout PostingsWriter,
                    _ add: (UnsafeBufferPointer<UInt8>, TermInfo) throws(StoreError) -> Void) throws(StoreError) {
            var at = ranges.map(\.lowerBound)
            var field = -1
            while true {
                // the smallest key among the writers' next terms
                var first = -1
                for w in inversions.indices where at[w] < ranges[w].upperBound {
                    if first < 0 || less(w, at[w], first, at[first]) { first = w }
                }
                guard first >= 0 else { return }
                let (term, termAt) = (key(first, at[first]), at[first])
                if Int(term[0]) != field {
                    field = Int(term[0])
                    postings.useLengths(field < lengths.count ? lengths[field] : nil)
                }
                postings.startTerm()
                for w in first..<inversions.count where at[w] < ranges[w].upperBound && (w == first || equal(w, at[w], first, termAt)) {
                    let inversion = inversions[w]
                    inversion.prefetchForEncoding(orders[w], at: at[w])
                    inversion.appendPostings(of: Int(orders[w][at[w]]), base: bases[w], into: &postings)
                    at[w] += 1
                }
                try add(term, try postings.finishTerm())
            }
        }
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
    /// Where each term's streams start (docs, then positions): read only when encoding.
    var starts = RawBuffer<UInt32>(capacity: 1 << 13)
    var pool = ByteSlicePool()
    private var batch = Batch()

    /// The postings being accumulated for one term: 20 bytes, what each occurrence touches.
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
    /// where its key ends, its position, the key's hash and first 8 bytes and (once interned)
    /// its term id.
    private struct Batch {
        static let capacity = 32
        var doc: UInt32 = 0
        var keys = RawBuffer<UInt8>(capacity: 2048)
        var occurrences = RawBuffer<Occurrence>(capacity: Batch.capacity)

        struct Occurrence {
            var end: Int32
            var position: UInt32
            var hash: UInt64
            var prefix: UInt64
            var id: Int32 = 0
        }

        var count: Int { occurrences.count }

        func key(_ k: Int) -> UnsafeBufferPointer<UInt8> {
            let start = k == 0 ? 0 : Int(occurrences[k - 1].end)
            return UnsafeBufferPointer(start: keys.base + start, count: Int(occurrences[k].end) - start)
        }

        mutating func removeAll() {
            keys.removeAll()
            occurrences.removeAll()
        }

        func free() {
            keys.free()
            occurrences.free()
        }
    }

    func free() {
        terms.free()
        states.free()
        starts.free()
        pool.free()
        batch.free()
    }

    var memoryBytes: Int {
        pool.memoryBytes + terms.memoryBytes + states.count * MemoryLayout<TermState>.stride + starts.count * 4
    }

    /// One occurrence of a term (recorded with its batch).
    @inline(__always)
    mutating func record(_ term: UnsafeBufferPointer<UInt8>, namespace: UInt8?, field: UInt8, doc: UInt32, position: UInt32) {
        if batch.count > 0 && batch.doc != doc { flush() }
        batch.doc = doc
        let start = batch.keys.count
        let length = (namespace == nil ? 1 : 2) + term.count
        batch.keys.reserveCapacity(start + length + 8)
        // written through a pointer: one capacity check per key, not one per byte
        var p = batch.keys.base + start
        p.pointee = field
        p += 1
        if let namespace {
            p.pointee = namespace
            p += 1
        }
        if let base = term.baseAddress {
            if term.count <= 16 {
                for k in 0..<term.count { p[k] = base[k] }
            } else {
                p.update(from: base, count: term.count)
            }
        }
        // 8 zero bytes after the key (the next key overwrites them): every key can be read
        // a word at a time
        UnsafeMutableRawPointer(batch.keys.base + start + length).storeBytes(of: 0, as: UInt64.self)
        batch.keys.setCount(start + length)
        let key = UnsafeBufferPointer(start: batch.keys.base + start, count: length)
        let (hash, prefix) = TermTable.hashAndPrefix(padded: key)
        terms.prefetch(hash: hash)
        batch.occurrences.append(Batch.Occurrence(end: Int32(start + length), position: position, hash: hash, prefix: prefix))
        if batch.count == Batch.capacity { flush() }
    }

    /// Records the batch: first every occurrence's term id (prefetching its state), then where
    /// its position goes (prefetching that), then the occurrences in order.
    private mutating func flush() {
        let n = batch.count
        let doc = batch.doc
        let occurrences = batch.occurrences.base
        for k in 0..<n {
            let id = Int(terms.intern(batch.key(k), hash: occurrences[k].hash, prefix: occurrences[k].prefix))
            if id == states.count {
                let docs = pool.makeStream(), positions = pool.makeStream()
                states.append(TermState(docs: docs.stream, positions: positions.stream))
                starts.append(docs.start)
                starts.append(positions.start)
            }
            // a state is 20 bytes: some straddle two cache lines
            sd_prefetch(states.base + id)
            sd_prefetch(UnsafeRawPointer(states.base + id) + (MemoryLayout<TermState>.size - 1))
            occurrences[k].id = Int32(id)
        }
        // the states are changed in place (a copy in and out was 104 bytes moved per occurrence)
        for k in 0..<n {
            let s = states.base + Int(occurrences[k].id)
            pool.prefetch(s.pointee.positions)
            if s.pointee.lastDoc != doc { pool.prefetch(s.pointee.docs) }
        }
        for k in 0..<n {
            let s = states.base + Int(occurrences[k].id)
            let position = occurrences[k].position
            if s.pointee.lastDoc != doc {
                let last = s.pointee.lastDoc
                if last != .max { pool.appendVarint(s.pointee.freq, to: &s.pointee.docs) }
                pool.appendVarint(last == .max ? doc : doc - last, to: &s.pointee.docs)
                s.pointee.lastDoc = doc
                s.pointee.freq = 0
                s.pointee.lastPosition = 0
            }
            let lastPosition = s.pointee.lastPosition
            pool.appendVarint(position >= lastPosition ? position - lastPosition : 0, to: &s.pointee.positions)
            s.pointee.lastPosition = position
            s.pointee.freq += 1
        }
        batch.removeAll()
    }

    /// Adds the postings of term `id` to the current term of `postings`, its documents
    /// numbered from `base`.
    /// The streams are read where they lie; the positions, already in the file's format, are
    /// copied slice by slice into the positions file's buffer first, and measured there as a
    /// `PostingsWriter.PositionsRun` (in one piece, a word of varints at a time: measured
    /// across the stream's slices, a byte at a time, it was a seventh of this function).
    func appendPostings(of id: Int, base: UInt32, into postings: inout PostingsWriter) {
        let state = states[id]
        var docs = pool.reader(start: starts[2 * id], state.docs)
        let positions = postings.positions
        let start = positions.buffer.count
        pool.forEachPiece(start: starts[2 * id + 1], of: state.positions) { postings.appendPositions($0) }
        let end = positions.buffer.count
        var doc: UInt32 = 0
        var first = true
        positions.buffer.bytes.withUnsafeBytes { written in
            var run = PostingsWriter.PositionsRun(data: written, measured: start)
            while !docs.isAtEnd {
                let (delta, freq) = docs.varintPair()
                doc = first ? delta : doc + delta
                first = false
                postings.add(doc: base + doc, freq: freq, in: &run)
            }
            _ = postings.endRun(&run, at: end)
        }
    }

    /// Terms are encoded in key order but were created, and their states and streams laid out,
    /// in order of appearance: each one is a few cache misses away. Fetching the states, stream
    /// starts and key entries 16 terms ahead, then the keys and streams 8 ahead, then the
    /// streams' second slices 4 ahead, overlaps those misses.
    @inline(__always)
    func prefetchForEncoding(_ ids: [Int32], at i: Int) {
        if i + 16 < ids.count {
            let id = Int(ids[i + 16])
            sd_prefetch(states.base + id)
            sd_prefetch(starts.base + 2 * id)
            terms.prefetchEntry(id)
        }
        if i + 8 < ids.count {
            let id = Int(ids[i + 8])
            pool.prefetchStart(starts[2 * id])
            pool.prefetchStart(starts[2 * id + 1])
            terms.prefetchKey(id)
        }
        if i + 4 < ids.count {
            let id = Int(ids[i + 4])
            pool.prefetchSecondSlice(start: starts[2 * id], of: states[id].docs)
            pool.prefetchSecondSlice(start: starts[2 * id + 1], of: states[id].positions)
        }
    }

    /// Records what waits, then writes the pending frequency of every term's last document
    /// (each where its stream ends, a cache miss away: fetched 16 terms ahead).
    mutating func seal() {
        flush()
        for i in 0..<states.count {
            if i + 16 < states.count { pool.prefetch(states[i + 16].docs) }
            let s = states.base + i
            guard s.pointee.lastDoc != .max else { continue }
            pool.appendVarint(s.pointee.freq, to: &s.pointee.docs)
        }
    }
}

/// Builds one segment in memory: analyses documents, inverts them into per-term postings
/// streams, and encodes the segment's files when finished. One per indexing thread.
final class SegmentWriter {
    private let analyzer = Analyzer()
    private let pool = ByteSlicePool()
    private var terms = TermTable()
    private var states: [TermState] = []
    private var lengths: [[UInt32]] = Field.text.map { _ in [] }
    private var dates: [String?] = []
    private var stored = StoredFieldsWriter()
    private var ids = IDTableWriter()
    private var key: [UInt8] = []
    private(set) var docCount: UInt32 = 0
    /// The last documents' frequencies are in the streams (finish may be called again after a
    /// failed write).
    private var sealed = false

    /// The postings being accumulated for one term.
    private struct TermState {
        /// Pairs (doc delta, frequency); the frequency of the last doc is written when it ends.
        var docs: ByteSlicePool.Stream
        /// Position deltas, from 0 in each document.
        var positions: ByteSlicePool.Stream
        var lastDoc: UInt32 = .max
        var freq: UInt32 = 0
        var lastPosition: UInt32 = 0
    }

    init() {}

    /// Bytes held by the buffers: flush the segment when this passes the configured budget.
    var memoryBytes: Int { pool.memoryBytes + terms.memoryBytes + states.count * 40 + stored.memoryBytes + ids.memoryBytes + Int(docCount) * 8 }

    /// Adds a document and returns its id in the segment.
    @discardableResult
    func add(_ document: Document) -> UInt32 {
        let doc = docCount
        for field in Field.text {
            var text = field == .title ? document.title : document.body
            var inverter = Inverter(writer: self, field: field.rawValue, doc: doc)
            let end = text.withUTF8 { analyzer.analyze($0, into: &inverter) }
            lengths[Int(field.rawValue)].append(end.position)
        }
        addKeywords(document, doc: doc)
        dates.append(document.date)
        stored.add(document)
        ids.add(id: document.id, doc: doc, stamp: document.stamp)
        docCount += 1
        return doc
    }

    /// The path field: every directory prefix of the path and of the id (path:/abs/dir,
    /// path:sub/dir), and the words of the path (path:word); the lang field: the language code.
    private func addKeywords(_ document: Document, doc: UInt32) {
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
            Array(prefix.utf8).withUnsafeBufferPointer { record($0, namespace: TermKey.pathPrefixNamespace, field: Field.path.rawValue, doc: doc, position: UInt32(i)) }
        }
        var words = Inverter(writer: self, field: Field.path.rawValue, doc: doc)
        var path = document.path ?? document.id
        path.withUTF8 { _ = analyzer.analyze($0, into: &words) }
        if let lang = document.lang, !lang.isEmpty {
            Array(lang.utf8).withUnsafeBufferPointer { record($0, namespace: nil, field: Field.lang.rawValue, doc: doc, position: 0) }
        }
    }

    private struct Inverter: TokenSink {
        unowned let writer: SegmentWriter
        let field: UInt8
        let doc: UInt32

        @inline(__always)
        mutating func token(_ term: UnsafeBufferPointer<UInt8>, kind: TokenKind, position: UInt32,
                            start: Int, end: Int, group: UInt32) {
            writer.record(term, namespace: kind.namespace, field: field, doc: doc, position: position)
        }
    }

    @inline(__always)
    private func record(_ term: UnsafeBufferPointer<UInt8>, namespace: UInt8?, field: UInt8, doc: UInt32, position: UInt32) {
        key.removeAll(keepingCapacity: true)
        key.append(field)
        if let namespace { key.append(namespace) }
        key.append(contentsOf: term)
        let id = Int(key.withUnsafeBufferPointer { terms.intern($0) })
        if id == states.count { states.append(TermState(docs: pool.makeStream(), positions: pool.makeStream())) }
        states.withUnsafeMutableBufferPointer { all in
            let pool = self.pool
            if all[id].lastDoc != doc {
                if all[id].lastDoc != .max { pool.appendVarint(all[id].freq, to: &all[id].docs) }
                pool.appendVarint(all[id].lastDoc == .max ? doc : doc - all[id].lastDoc, to: &all[id].docs)
                all[id].lastDoc = doc
                all[id].freq = 0
                all[id].lastPosition = 0
            }
            let delta = position >= all[id].lastPosition ? position - all[id].lastPosition : 0
            pool.appendVarint(delta, to: &all[id].positions)
            all[id].lastPosition = position
            all[id].freq += 1
        }
    }

    /// Writes the segment's files into `directory` (not yet durable: the commit syncs them).
    /// No document may be added afterwards; after a failure it may be called again (with
    /// another name: the caller deletes the failed attempt's files).
    func finish(to directory: Directory, name: String) throws(StoreError) -> SegmentInfo {
        if !sealed {
            for i in states.indices where states[i].lastDoc != .max {
                pool.appendVarint(states[i].freq, to: &states[i].docs)
            }
            sealed = true
        }
        let file = { (ext: String) throws(StoreError) -> FileWriter in try FileWriter(directory, "\(name).\(ext)") }
        var postings = PostingsWriter(docs: try file("doc"), positions: try file("pos"))
        var dictionary = TermDictionaryWriter(try file("tdx"))
        var docBytes: [UInt8] = [], posBytes: [UInt8] = []
        for id in terms.sortedIDs() {
            let state = states[Int(id)]
            let field = Int(terms.key(Int(id)).first!)
            let fieldLengths = field < lengths.count ? lengths[field] : nil
            docBytes.removeAll(keepingCapacity: true)
            posBytes.removeAll(keepingCapacity: true)
            pool.forEachPiece(of: state.docs) { docBytes.append(contentsOf: $0) }
            pool.forEachPiece(of: state.positions) { posBytes.append(contentsOf: $0) }
            postings.startTerm()
            docBytes.withUnsafeBytes { d in
                posBytes.withUnsafeBufferPointer { p in
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
            let key = terms.key(Int(id))
            let added: Result<Void, StoreError> = key.withUnsafeBufferPointer { k in Result { () throws(StoreError) in try dictionary.add(k, info) } }
            try added.get()
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

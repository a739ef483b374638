import CPrefetch

/// The stored form of each document: what a hit shows and what snippets and source
/// locations are computed from.
///
/// Layout: one record per document (strings as varint length + UTF-8: id, title, date, lang,
/// path; the anchor count and per anchor the varints body offset delta, line, column; then
/// the body, last, so a hit's summary is read without it), then a u64 offset per record,
/// then u64 offset of that table and u32 doc count.
///
/// The records wait in memory until `flush` writes them (a segment writer's a megabyte at a
/// time, as they come: its memory holds postings, not text). A failed write keeps them, and
/// the next `flush` or `finish` tries again into the same file.
struct StoredFieldsWriter {
    private var out = ByteWriter()
    private var offsets: [UInt64] = []
    private var written = 0
    /// The offset table is in the file's buffer (a failed `finish` must not add it twice).
    private var tableAppended = false

    /// Bytes of records waiting, and of their offsets.
    var memoryBytes: Int { out.count + offsets.count * 8 }

    /// Bytes of records waiting to be written.
    var waitingBytes: Int { out.count }

    /// Bytes of records passed to the file (there, or in its buffer).
    var writtenBytes: Int { written }

    /// Adds a document's record to the buffer; `flush` moves buffered records to the file.
    mutating func add(_ doc: Document) {
        offsets.append(UInt64(written + out.count))
        out.string(doc.id)
        out.string(doc.title)
        out.string(doc.date ?? "")
        out.string(doc.lang ?? "")
        out.string(doc.path ?? "")
        out.varint(doc.anchors.count)
        var previous: UInt32 = 0
        for a in doc.anchors {
            out.varint(a.bodyOffset - previous)
            out.varint(a.line)
            out.varint(a.column)
            previous = a.bodyOffset
        }
        out.string(doc.body)
    }

    /// Writes records of another segment after the buffered ones (`records`, one run of them,
    /// and where each starts in it): straight from that segment's map to the file, not
    /// through the buffer (a merge's stored text, most of the index's bytes, was copied once
    /// more that way).
    mutating func copy(records: UnsafeRawBufferPointer, starts: [Int], to file: FileWriter) throws(StoreError) {
        try flush(to: file)
        try file.write(records)
        for s in starts { offsets.append(UInt64(written + s)) }
        written += records.count
    }

    /// Writes the buffered records to the file. They are in the file's buffer first, even if
    /// its write fails: tried again, the file writes them, never twice.
    mutating func flush(to file: FileWriter) throws(StoreError) {
        guard out.count > 0 else { return }
        out.bytes.withUnsafeBufferPointer { file.append($0) }
        written += out.count
        out.bytes.removeAll(keepingCapacity: true)
        try file.flush()
    }

    /// Writes what is buffered, the offset table and the footer. After a failure it may be
    /// called again, with the same file.
    mutating func finish(to file: FileWriter) throws(StoreError) {
        try flush(to: file)
        if !tableAppended {
            tableAppended = true
            try file.write { w in
                for o in offsets { w.u64(o) }
                w.u64(UInt64(written))
                w.u32(UInt32(offsets.count))
            }
        }
        try file.finish()
    }
}

struct StoredFields {
    private let data: UnsafeRawBufferPointer
    private let tableOffset: Int
    let count: Int

    init(_ data: UnsafeRawBufferPointer) throws(FormatError) {
        self.data = data
        guard data.count >= 12 else { throw .truncated }
        var r = ByteReader(data, offset: data.count - 12)
        guard let tableOffset = Int(exactly: try r.u64()), tableOffset <= data.count else { throw .corrupt("stored fields table offset") }
        self.tableOffset = tableOffset
        count = Int(try r.u32())
        guard tableOffset + count * 8 + 12 == data.count else { throw .corrupt("stored fields table") }
    }

    /// Where a document's record starts in the file (records are in document order).
    func offset(of doc: Int) -> Int {
        guard doc < count else { return tableOffset }
        return Int(UInt64(littleEndian: data.loadUnaligned(fromByteOffset: tableOffset + doc * 8, as: UInt64.self)))
    }

    /// The records of `docs` as one run of bytes, and where each starts in it (for copying
    /// them into a merged segment at once).
    func records(_ docs: Range<Int>) throws(FormatError) -> (bytes: UnsafeRawBufferPointer, starts: [Int]) {
        guard docs.upperBound <= count else { throw .corrupt("document \(docs.upperBound - 1) out of range") }
        let first = offset(of: docs.lowerBound)
        var starts: [Int] = []
        starts.reserveCapacity(docs.count)
        var previous = first
        for doc in docs.dropFirst() {
            let o = offset(of: doc)
            guard o >= previous else { throw .corrupt("stored document offset") }
            starts.append(previous - first)
            previous = o
        }
        starts.append(previous - first)
        let end = offset(of: docs.upperBound)
        guard first >= 0, previous <= end, end <= tableOffset else { throw .corrupt("stored document offset") }
        return (UnsafeRawBufferPointer(rebasing: data[first..<end]), starts)
    }

    /// Asks for the start of a document's record ahead of `document`: a search fetches its
    /// hits' records together, so their cache misses (two each, the table's entry and the
    /// record, in a file larger than the caches) overlap instead of following one another.
    func prefetch(_ doc: Int) {
        let o = offset(of: doc)
        guard o < tableOffset, let base = data.baseAddress else { return }
        sd_prefetch_read(base + o)
    }

    /// A document with its body (for snippets) or without (an empty body: for a hit's summary).
    func document(_ doc: Int, body: Bool = true) throws(FormatError) -> Document {
        guard doc < count else { throw .corrupt("document \(doc) out of range") }
        let raw = UInt64(littleEndian: data.loadUnaligned(fromByteOffset: tableOffset + doc * 8, as: UInt64.self))
        guard raw < UInt64(tableOffset) else { throw .corrupt("stored document offset") }
        var r = ByteReader(UnsafeRawBufferPointer(rebasing: data[..<tableOffset]), offset: Int(raw))
        let id = try r.string()
        let title = try r.string()
        let date = try r.string()
        let lang = try r.string()
        let path = try r.string()
        var document = Document(id: id, title: title, body: "", date: date.isEmpty ? nil : date, lang: lang.isEmpty ? nil : lang,
                                path: path.isEmpty ? nil : path)
        // the anchors and the text follow: a hit without a snippet needs neither (a long
        // page has an anchor per line)
        guard body else { return document }
        let anchorCount = try r.int()
        guard anchorCount <= tableOffset else { throw .corrupt("anchor count") }
        document.anchors.reserveCapacity(anchorCount)
        var offset: UInt32 = 0
        for _ in 0..<anchorCount {
            offset += try r.varint32()
            let line = try r.varint32(), column = try r.varint32()
            document.anchors.append(SourceAnchor(bodyOffset: offset, line: line, column: column))
        }
        document.body = try r.string()
        return document
    }
}

/// A segment's stored fields over its files (`SegmentInfo.storedParts`, each file a
/// `StoredFields`), its documents numbered across them in order.
struct StoredFieldsParts {
    let parts: [StoredFields]
    /// The first document of each part.
    let firsts: [Int]
    let count: Int

    init(_ parts: [StoredFields]) {
        self.parts = parts
        var firsts: [Int] = []
        var count = 0
        for part in parts {
            firsts.append(count)
            count += part.count
        }
        self.firsts = firsts
        self.count = count
    }

    /// The part holding document `doc` (the last part for one past the end), and its number there.
    func locate(_ doc: Int) -> (part: Int, doc: Int) {
        guard parts.count > 1 else { return (0, doc) }
        var low = 0, high = parts.count - 1
        while low < high {
            let mid = (low + high + 1) / 2
            if firsts[mid] <= doc { low = mid } else { high = mid - 1 }
        }
        return (low, doc - firsts[low])
    }

    /// See `StoredFields.prefetch`.
    func prefetch(_ doc: Int) {
        let (part, local) = locate(doc)
        parts[part].prefetch(local)
    }

    /// See `StoredFields.document`.
    func document(_ doc: Int, body: Bool = true) throws(FormatError) -> Document {
        guard doc >= 0, doc < count else { throw .corrupt("document \(doc) out of range") }
        let (part, local) = locate(doc)
        return try parts[part].document(local, body: body)
    }
}

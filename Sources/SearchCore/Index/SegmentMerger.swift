/// Writes one segment holding the live documents of several: their terms merged in order,
/// postings re-numbered (deleted documents dropped), stored records, ids, lengths and dates
/// copied as they are — no document is analysed again.
struct SegmentMerger {
    let sources: [(segment: Segment, deletes: Deletes)]
    /// Stored-fields files at least this large are linked, not copied (see `writeStoredFields`);
    /// by default none.
    var linkBytes = Int.max
    /// Whether the pages it has read leave the page cache too (`FileBytes.dropPages(evict:)`):
    /// only when no search reads the sources meanwhile.
    var evictReadPages = false

    /// The new segment's info, and for each source its old → new document numbers (nil for a
    /// deleted document).
    ///
    /// `parts` > 1 merges the terms in key ranges on that many threads, each range into
    /// memory first: for merges whose postings fit in memory (`IndexWriter.forceMerge`).
    func merge(into directory: Directory, name: String, parts: Int = 1) throws -> (SegmentInfo, [[UInt32?]]) {
        for (segment, _) in sources { try segment.verifyMergedFiles() }
        // New numbers: the sources' live documents, in order.
        var mapping: [[UInt32?]] = []
        var next: UInt32 = 0
        for (segment, deletes) in sources {
            mapping.append((0..<UInt32(segment.docCount)).map { d in
                if deletes.contains(d) { return nil }
                defer { next += 1 }
                return next
            })
        }
        let docCount = Int(next)
        let file = { (ext: String) throws(StoreError) -> FileWriter in try Self.output(directory, "\(name).\(ext)") }

        // Field lengths in new order: the postings need them for their block bounds.
        var lengths = Field.text.map { _ in [UInt32](repeating: 0, count: docCount) }
        for (k, (segment, _)) in sources.enumerated() {
            for old in 0..<segment.docCount {
                guard let new = mapping[k][old] else { continue }
                for f in Field.text { lengths[Int(f.rawValue)][Int(new)] = segment.norms.length(UInt32(old), f) }
            }
        }

        // Terms: a k-way merge of the sorted dictionaries, in ranges side by side when asked
        // (each range into memory, then copied into the files in order), beside the
        // per-document files; else in one pass that streams into the files.
        let docs = try file("doc"), positions = try file("pos")
        var dictionary = TermDictionaryWriter(try file("tdx"))
        let splits = sources.max { $0.segment.dictionary.termCount < $1.segment.dictionary.termCount }?
            .segment.dictionary.splitTerms(TermRange.count(threads: parts)) ?? []
        var storedParts: [Int] = []
        if splits.isEmpty {
            storedParts = try writeDocumentFiles(mapping: mapping, lengths: lengths, directory: directory, name: name, file: file)
            var postings = PostingsWriter(docs: docs, positions: positions)
            try mergeTerms(from: nil, to: nil, mapping: mapping, lengths: lengths, into: &postings, dropPages: true) { t, info throws(StoreError) in
                try dictionary.add(t, info)
            }
        } else {
            let bounds = [nil] + splits.map { Optional($0) } + [nil]
            try TermRange.write(bounds.count - 1, with: {
                storedParts = try writeDocumentFiles(mapping: mapping, lengths: lengths, directory: directory, name: name, file: file)
            }) { k in
                try mergeRange(from: bounds[k], to: bounds[k + 1], mapping: mapping, lengths: lengths)
            } append: { try $0.append(docs: docs, positions: positions, dictionary: &dictionary) }
        }
        try dictionary.finish()
        try docs.finish()
        try positions.finish()
        let info = SegmentInfo(name: name, docCount: docCount,
                               fieldLengthSums: lengths.map { $0.reduce(UInt64(0)) { $0 + UInt64($1) } },
                               storedParts: storedParts)
        return (info, mapping)
    }

    /// The stored records, ids, field lengths and dates of the live documents, in new order.
    /// Returns the documents of each stored-fields file (see `writeStoredFields`).
    private func writeDocumentFiles(mapping: [[UInt32?]], lengths: [[UInt32]], directory: Directory, name: String,
                                    file: (String) throws(StoreError) -> FileWriter) throws -> [Int] {
        let storedParts = try writeStoredFields(mapping: mapping, directory: directory, name: name)
        var dates = ByteWriter()
        for (k, (segment, _)) in sources.enumerated() {
            for old in 0..<segment.docCount where mapping[k][old] != nil {
                let (low, high) = segment.dates.raw(UInt32(old))
                dates.u32(low)
                dates.u32(high)
            }
        }
        try IDTableFormat.merge(sources.indices.map { (sources[$0].segment.ids, mapping[$0]) }, to: try file("ids"))
        for (segment, _) in sources { segment.dropMergedPages(postingsBefore: 0, positionsBefore: 0, documentFiles: true, evict: evictReadPages) }
        let norms = try file("nrm")
        try norms.write(FieldNorms.encode(lengths))
        try norms.finish()
        let datesFile = try file("dts")
        try datesFile.write(dates.bytes)
        try datesFile.finish()
        return storedParts
    }

    /// The stored records of the live documents, in new order, in one or more files: a
    /// source's stored-fields file of at least `linkBytes` without deleted documents becomes
    /// a file of the new segment as it is, under a second name (`Directory.link`: not a byte
    /// written; it was most of a large merge's writes), when both segments are in `directory`.
    /// The other records are copied, into one new file per run between linked ones. At most
    /// `maxStoredParts` files: past that, records are copied. Returns the documents of each file.
    private func writeStoredFields(mapping: [[UInt32?]], directory: Directory, name: String) throws -> [Int] {
        var parts: [Int] = []
        var output: (file: FileWriter, writer: StoredFieldsWriter, docs: Int)? = nil
        func startOutput() throws(StoreError) {
            output = (try Self.output(directory, SegmentInfo.storedFile(name, parts.count)), StoredFieldsWriter(), 0)
        }
        func finishOutput() throws(StoreError) {
            guard var o = output else { return }
            try o.writer.finish(to: o.file)
            parts.append(o.docs)
            output = nil
        }
        for (k, (segment, _)) in sources.enumerated() {
            for (p, part) in segment.stored.parts.enumerated() {
                let kept = mapping[k][segment.stored.firsts[p]...].prefix(part.count)
                if part.count > 0, segment.directory === directory, segment.storedBytes(ofPart: p) >= linkBytes, !kept.contains(nil),
                   parts.count + 2 <= Self.maxStoredParts {
                    try finishOutput()
                    try directory.link(segment.info.storedFile(p), to: SegmentInfo.storedFile(name, parts.count))
                    parts.append(part.count)
                    continue
                }
                var old = 0
                while old < part.count {
                    guard kept[kept.startIndex + old] != nil else {
                        old += 1
                        continue
                    }
                    // a run of kept documents, whose records are copied in one write (pieces of
                    // about 4 MiB, whose pages are dropped after)
                    let start = part.offset(of: old)
                    var end = old + 1
                    while end < part.count, kept[kept.startIndex + end] != nil, part.offset(of: end) - start < 4 << 20 { end += 1 }
                    if output == nil { try startOutput() }
                    let run = try part.records(old..<end)
                    try output!.writer.copy(records: run.bytes, starts: run.starts, to: output!.file)
                    output!.docs += end - old
                    segment.dropStoredPages(ofPart: p, before: end, evict: evictReadPages)
                    old = end
                }
            }
        }
        if parts.isEmpty && output == nil { try startOutput() }  // no live document
        try finishOutput()
        return parts
    }

    /// Most stored-fields files of a merged segment (each is a file and a map).
    static let maxStoredParts = 64

    /// A new file of the merged segment, sent to disk as it grows: a large merge writes for
    /// seconds, and closes its files only at its end.
    private static func output(_ directory: Directory, _ name: String) throws(StoreError) -> FileWriter {
        try FileWriter(directory, name, writeBackEvery: 8 << 20)
    }

    private func mergeRange(from: [UInt8]?, to: [UInt8]?, mapping: [[UInt32?]], lengths: [[UInt32]]) throws -> TermRange {
        try TermRange.encode { postings, add throws in
            try mergeTerms(from: from, to: to, mapping: mapping, lengths: lengths, into: &postings, dropPages: false) { t, info in add(t, info) }
        }
    }

    /// Whether `key` comes before `end` (nil: the end of the dictionary).
    private static func precedes(_ key: RawBuffer<UInt8>, _ end: RawBuffer<UInt8>?) -> Bool {
        guard let end else { return true }
        return TermDictionary.compare(key.buffer, end.buffer) < 0
    }

    /// Merges the postings of the terms in [from, to) (nil: unbounded) into `postings`, and
    /// hands each term with the information of its merged postings to `add`, in order.
    private func mergeTerms(from: [UInt8]?, to: [UInt8]?, mapping: [[UInt32?]], lengths: [[UInt32]],
                            into postings: inout PostingsWriter, dropPages: Bool,
                            add: (UnsafeBufferPointer<UInt8>, TermInfo) throws(StoreError) -> Void) throws(StoreError) {
        var iterators = sources.map { TermDictionary.Iterator($0.segment.dictionary) }
        // each source's current term, copied out of its iterator as it moves on: the terms are
        // compared (in a large merge, each with every other source's) as plain bytes — a term
        // read from an iterator was a copy of its array, retained and released around memcmp
        var keys = iterators.map { _ in RawBuffer<UInt8>(capacity: 64) }
        defer { for key in keys { key.free() } }
        let end = to.map { RawBuffer<UInt8>.copy(of: $0) }
        defer { end?.free() }
        var live: [Int] = []
        for k in iterators.indices {
            let found = if let from { iterators[k].seek(atLeast: from) } else { iterators[k].next() }
            guard found else { continue }
            keys[k].set(iterators[k].term)
            if Self.precedes(keys[k], end) { live.append(k) }
        }
        // a source without deletions keeps its documents' order: its new numbers are its old
        // ones plus where it starts, without a look into `mapping` per posting (a cache miss
        // each for the rare terms of a large merge)
        let starts: [UInt32?] = sources.indices.map { k in
            guard sources[k].deletes.count == 0 else { return nil }
            return mapping[k].isEmpty ? 0 : mapping[k][0]
        }
        // per term, no allocation: the sources holding it, and one cursor per source
        var holders: [Int] = []
        var lengthsField = -1  // the field whose lengths `postings` uses
        let cursors = sources.map { $0.segment.postings(TermInfo(docFreq: 0, totalFreq: 0, postingsOffset: 0, positionsOffset: 0)) }
        var terms = 0
        while !live.isEmpty {
            terms += 1
            if dropPages && terms % 8192 == 0 {
                // postings are read in term order: what lies before each source's next term is done
                for k in live {
                    let next = iterators[k].info
                    sources[k].segment.dropMergedPages(postingsBefore: next.postingsOffset, positionsBefore: next.positionsOffset, documentFiles: false,
                                                       evict: evictReadPages)
                }
            }
            // the sources at the smallest term, in one pass of byte comparisons
            var smallest = live[0]
            holders.removeAll(keepingCapacity: true)
            holders.append(smallest)
            for k in live.dropFirst() {
                let order = TermDictionary.compare(keys[k].buffer, keys[smallest].buffer)
                if order < 0 {
                    smallest = k
                    holders.removeAll(keepingCapacity: true)
                }
                if order <= 0 { holders.append(k) }
            }
            let field = Int(keys[smallest][0])
            if field != lengthsField {
                lengthsField = field
                postings.useLengths(field < lengths.count ? lengths[field] : nil)
            }
            postings.startTerm()
            for k in holders {
                let cursor = cursors[k]
                cursor.reset(iterators[k].info)
                if let start = starts[k] {
                    postings.append(cursor, base: start)
                    continue
                }
                mapping[k].withUnsafeBufferPointer { mapping in
                    while cursor.next() != PostingsCursor.end {
                        guard let new = mapping[Int(cursor.doc)] else { continue }
                        postings.add(doc: new, freq: cursor.freq, positionDeltas: cursor.rawPositions().assumingMemoryBound(to: UInt8.self))
                    }
                }
            }
            let info = try postings.finishTerm()
            if info.docFreq > 0 {
                try add(keys[smallest].buffer, info)
            }
            // the holders move on; those at the end, or past `to`, leave
            var kept = 0
            for i in live.indices {
                let k = live[i]
                if holders.contains(k) {
                    guard iterators[k].next() else { continue }
                    keys[k].set(iterators[k].term)
                    guard Self.precedes(keys[k], end) else { continue }
                }
                live[kept] = k
                kept += 1
            }
            live.removeLast(live.count - kept)
        }
    }
}

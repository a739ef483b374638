import Synchronization

/// A searchable, immutable segment: term dictionary, postings, norms and stored fields.
/// Safe to share between threads; cursors it hands out are not.
final class Segment: @unchecked Sendable {
    let docCount: Int
    let fieldLengthSums: [UInt64]
    let dictionary: TermDictionary
    let norms: FieldNorms
    let dates: DocumentDates
    let stored: StoredFieldsParts
    /// Built on the first typo-tolerant lookup.
    private let fuzzyIndex = Mutex<FuzzyIndex?>(nil)
    private let files: [FileBytes]
    private let postingsData: UnsafeRawBufferPointer
    private let positionsData: UnsafeRawBufferPointer

    let info: SegmentInfo
    let ids: IDTable
    /// Where its files are.
    let directory: Directory

    /// Whether a merge is to check the checksums of its files first (`verifyMergedFiles`):
    /// not once checked, nor when this process wrote them (summing every byte as it went).
    private let unchecked: Atomic<Bool>
    /// What the check found wrong: each later merge of the segment fails at once with it
    /// (a daemon's merges come after every commit; the damaged files are not read again).
    private let damage = Mutex<FormatError?>(nil)

    /// Opens a segment's files (memory maps on disk), checking each file's footer. With
    /// `verifyChecksums`, every byte is read and checked (what `searchd check` does).
    /// `written`: the segment was written by this process.
    init(_ directory: Directory, _ info: SegmentInfo, verifyChecksums: Bool = false, written: Bool = false) throws {
        unchecked = Atomic(!verifyChecksums && !written)
        self.info = info
        self.directory = directory
        docCount = info.docCount
        fieldLengthSums = info.fieldLengthSums
        var files: [FileBytes] = []
        func open(_ name: String) throws -> UnsafeRawBufferPointer {
            let bytes = try directory.open(name)
            files.append(bytes)
            return try Footer.payload(of: bytes.buffer, file: name, verifyChecksum: verifyChecksums)
        }
        func open(ext: String) throws -> UnsafeRawBufferPointer { try open("\(info.name).\(ext)") }
        dictionary = try TermDictionary(try open(ext: "tdx"))
        postingsData = try open(ext: "doc")
        positionsData = try open(ext: "pos")
        norms = try FieldNorms(try open(ext: "nrm"), docCount: docCount)
        dates = try DocumentDates(try open(ext: "dts"), docCount: docCount)
        ids = try IDTable(try open(ext: "ids"))
        var parts: [StoredFields] = []
        for (k, docs) in info.storedParts.enumerated() {
            let file = info.storedFile(k)
            let part = try StoredFields(try open(file))
            guard part.count == docs else { throw FormatError.corrupt("\(file) holds \(part.count) documents, expected \(docs)") }
            parts.append(part)
        }
        stored = StoredFieldsParts(parts)
        self.files = files
        guard stored.count == docCount else { throw FormatError.corrupt("\(info.name)'s stored fields hold \(stored.count) documents, expected \(docCount)") }
        guard ids.count == docCount else { throw FormatError.corrupt("\(info.name).ids holds \(ids.count) documents, expected \(docCount)") }
    }

    /// Bytes of all its files.
    var byteCount: Int { files.reduce(0) { $0 + $1.buffer.count } }

    /// Bytes of its term dictionary, postings and positions (files tdx, doc, pos: the order
    /// of init): what a merge rewrites, where stored fields are mostly linked.
    var postingsByteCount: Int { files[0..<3].reduce(0) { $0 + $1.buffer.count } }

    /// Bytes of its stored-fields part `k`.
    func storedBytes(ofPart k: Int) -> Int { files[Self.firstStoredFile + k].buffer.count }

    /// For a merge that has read the postings and positions before these offsets, and every
    /// per-document file but the stored fields (`dropStoredPages`: a linked file is not read,
    /// and its pages serve the merged segment): their pages can leave memory (see
    /// `FileBytes.dropPages`).
    func dropMergedPages(postingsBefore postings: UInt64, positionsBefore positions: UInt64, documentFiles: Bool, evict: Bool) {
        // files: tdx, doc, pos, nrm, dts, ids, the stored parts (the order of init)
        files[1].dropPages(before: Int(postings), evict: evict)
        files[2].dropPages(before: Int(positions), evict: evict)
        if documentFiles { for f in files[3..<Self.firstStoredFile] { f.dropPages(before: f.buffer.count, evict: evict) } }
    }

    /// For a merge that has copied the stored records of stored-fields part `k` before its
    /// document `doc`: a segment's stored text is about the size of its corpus, too much to
    /// keep mapped.
    func dropStoredPages(ofPart k: Int, before doc: Int, evict: Bool) {
        files[Self.firstStoredFile + k].dropPages(before: stored.parts[k].offset(of: doc), evict: evict)
    }

    private static let firstStoredFile = 6

    /// Reads every byte of the files a merge decodes (all but the stored fields, whose records
    /// it copies or links as they are) and checks their checksums, once: a segment found on
    /// disk is opened without (in milliseconds), and a merge that trusted a damaged one could
    /// build a damaged segment or trap on it. (Lucene checks its merges' sources the same way.)
    func verifyMergedFiles() throws(FormatError) {
        guard unchecked.load(ordering: .acquiring) else { return }
        if let found = damage.withLock({ $0 }) { throw found }
        for (k, ext) in ["tdx", "doc", "pos", "nrm", "dts", "ids"].enumerated() {  // the order of init
            do {
                try Footer.verify(files[k], name: "\(info.name).\(ext)")
            } catch {
                damage.withLock { $0 = error }
                throw error
            }
        }
        unchecked.store(false, ordering: .releasing)
    }

    /// The postings information of a term, through a bounded cache: a query looks up each of
    /// its words in both fields, with its synonyms and pinyin (typo variants come with their
    /// lookup, `fuzzyTerms`), and users and editors repeat and refine queries.
    func termInfo(_ key: [UInt8]) -> TermInfo? {
        if let hit = termCache.withLock({ $0[key] }) { return hit.info }
        let info = dictionary.lookup(key)
        termCache.withLock { cache in
            if cache.count >= Self.termCacheSize { cache.removeAll(keepingCapacity: true) }
            cache[key] = CachedTerm(info: info)
        }
        return info
    }

    private struct CachedTerm {
        var info: TermInfo?
    }

    private static let termCacheSize = 1 << 16
    private let termCache = Mutex<[[UInt8]: CachedTerm]>([:])

    func postings(_ info: TermInfo) -> PostingsCursor {
        PostingsCursor(info: info, docData: postingsData, posData: positionsData)
    }

    /// The Latin words within `maxEdits` of `text`, with their postings information.
    func fuzzyTerms(_ text: [UInt8], maxEdits: Int) -> [FuzzyIndex.Match] {
        fuzzy.lookup(text, maxEdits: maxEdits) { term in Field.text.map { dictionary.lookup(TermKey(field: $0, kind: .word, utf8: term).bytes) } }
    }

    /// The segment's Latin words for typo-tolerant lookup (built once, on first use).
    var fuzzy: FuzzyIndex {
        fuzzyIndex.withLock { index in
            if let index { return index }
            let built = FuzzyIndex(self)
            index = built
            return built
        }
    }

    /// See `StoredFields.prefetch`.
    func prefetchDocument(_ doc: UInt32) { stored.prefetch(Int(doc)) }

    func document(_ doc: UInt32, body: Bool = true) throws(FormatError) -> Document {
        try stored.document(Int(doc), body: body)
    }
}

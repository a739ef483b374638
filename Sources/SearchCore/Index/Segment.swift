import Synchronization

/// Bytes that stay at one address for the life of the object: an owned copy or a memory map.
final class FileBytes: @unchecked Sendable {
    let buffer: UnsafeRawBufferPointer
    private let release: (@Sendable (UnsafeRawBufferPointer) -> Void)?

    init(copying bytes: [UInt8]) {
        let b = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 1), alignment: 16)
        bytes.withUnsafeBytes { b.copyMemory(from: $0) }
        buffer = UnsafeRawBufferPointer(rebasing: b[..<bytes.count])
        release = { UnsafeMutableRawBufferPointer(mutating: $0).deallocate() }
    }

    init(mapped buffer: UnsafeRawBufferPointer, release: @escaping @Sendable (UnsafeRawBufferPointer) -> Void) {
        self.buffer = buffer
        self.release = release
    }

    deinit { release?(buffer) }
}

/// A searchable, immutable segment: term dictionary, postings, norms and stored fields.
/// Safe to share between threads; cursors it hands out are not.
final class Segment: @unchecked Sendable {
    let docCount: Int
    let fieldLengthSums: [UInt64]
    let dictionary: TermDictionary
    let norms: FieldNorms
    let dates: DocumentDates
    let stored: StoredFields
    /// Built on the first typo-tolerant lookup.
    private let fuzzyIndex = Mutex<FuzzyIndex?>(nil)
    private let files: [FileBytes]
    private let postingsData: UnsafeRawBufferPointer
    private let positionsData: UnsafeRawBufferPointer

    init(docCount: Int, fieldLengthSums: [UInt64], terms: FileBytes, postings: FileBytes, positions: FileBytes,
         norms: FileBytes, dates: FileBytes, stored: FileBytes) throws(FormatError) {
        self.docCount = docCount
        self.fieldLengthSums = fieldLengthSums
        self.files = [terms, postings, positions, norms, dates, stored]
        self.dictionary = try TermDictionary(terms.buffer)
        self.norms = try FieldNorms(norms.buffer, docCount: docCount)
        self.dates = try DocumentDates(dates.buffer, docCount: docCount)
        self.stored = try StoredFields(stored.buffer)
        self.postingsData = postings.buffer
        self.positionsData = positions.buffer
        guard self.stored.count == docCount else { throw .corrupt("stored fields hold \(self.stored.count) documents, expected \(docCount)") }
    }

    /// A segment over freshly encoded files, kept in memory.
    convenience init(_ files: SegmentFiles) throws(FormatError) {
        try self.init(docCount: files.docCount, fieldLengthSums: files.fieldLengthSums,
                      terms: FileBytes(copying: files.terms), postings: FileBytes(copying: files.postings),
                      positions: FileBytes(copying: files.positions), norms: FileBytes(copying: files.norms),
                      dates: FileBytes(copying: files.dates), stored: FileBytes(copying: files.stored))
    }

    /// Bytes of all its files.
    var byteCount: Int { files.reduce(0) { $0 + $1.buffer.count } }

    func termInfo(_ key: [UInt8]) -> TermInfo? { dictionary.lookup(key) }

    func postings(_ info: TermInfo) -> PostingsCursor {
        PostingsCursor(info: info, docData: postingsData, posData: positionsData)
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

    func document(_ doc: UInt32, body: Bool = true) throws(FormatError) -> Document {
        try stored.document(Int(doc), body: body)
    }
}

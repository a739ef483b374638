/// The commit point: the live segments, their deletions, and the writer's own data. A commit
/// writes `pending_manifest_N`, syncs it and renames it to `manifest_N`; the highest
/// generation whose checksum holds is the index.
///
/// Layout: u64 generation, u64 next segment number, varint segment count, per segment (string
/// name, varints document count, title and body length sums, deletes generation, deleted
/// count, stored-fields file count and each file's document count), string user data (JSON),
/// then the footer.
public struct Manifest: Equatable, Sendable {
    public var generation: UInt64
    public var nextSegment: UInt64
    public var segments: [SegmentInfo]
    /// What the writer wants to remember with the commit (searchd: the sources indexed).
    public var userData: String

    static let prefix = "manifest_"
    static let pendingPrefix = "pending_manifest_"

    static func fileName(_ generation: UInt64) -> String { prefix + padded(generation) }
    static func pendingName(_ generation: UInt64) -> String { pendingPrefix + padded(generation) }

    private static func padded(_ n: UInt64) -> String {
        let s = String(n)
        return String(repeating: "0", count: max(0, 12 - s.count)) + s
    }

    func encode() -> ByteWriter {
        var w = ByteWriter()
        w.u64(generation)
        w.u64(nextSegment)
        w.varint(segments.count)
        for s in segments {
            w.string(s.name)
            w.varint(s.docCount)
            w.varint(s.fieldLengthSums.count > 0 ? s.fieldLengthSums[0] : 0)
            w.varint(s.fieldLengthSums.count > 1 ? s.fieldLengthSums[1] : 0)
            w.varint(s.deletesGeneration)
            w.varint(s.deletedCount)
            w.varint(s.storedParts.count)
            for docs in s.storedParts { w.varint(docs) }
        }
        w.string(userData)
        return w
    }

    static func decode(_ data: UnsafeRawBufferPointer) throws(FormatError) -> Manifest {
        var r = ByteReader(data)
        let generation = try r.u64()
        let next = try r.u64()
        let count = try r.int()
        guard count <= data.count else { throw .corrupt("manifest segment count") }
        var segments: [SegmentInfo] = []
        for _ in 0..<count {
            let name = try r.string()
            let docs = try r.int()
            let title = try r.varint(), body = try r.varint()
            let deletesGeneration = try r.int(), deleted = try r.int()
            guard deleted <= docs else { throw .corrupt("manifest deleted count") }
            let partCount = try r.int()
            guard partCount >= 1, partCount <= max(docs, 1) else { throw .corrupt("manifest stored part count") }
            var parts: [Int] = []
            for _ in 0..<partCount { parts.append(try r.int()) }
            // every part holds documents, and together all of them (an empty segment: one empty part)
            guard parts.reduce(0, +) == docs, partCount == 1 || !parts.contains(0) else { throw .corrupt("manifest stored parts") }
            segments.append(SegmentInfo(name: name, docCount: docs, fieldLengthSums: [title, body],
                                        deletesGeneration: deletesGeneration, deletedCount: deleted, storedParts: parts))
        }
        let userData = try r.string()
        return Manifest(generation: generation, nextSegment: next, segments: segments, userData: userData)
    }

    /// Writes this manifest as the new commit point: pending file, sync, rename, sync directory.
    func commit(to directory: Directory) throws(StoreError) {
        let pending = Self.pendingName(generation)
        try? directory.delete(pending)  // left by an attempt that failed
        let file = try FileWriter(directory, pending)
        try file.write(encode().bytes)
        try file.finish()
        try directory.sync([pending])
        try directory.rename(pending, to: Self.fileName(generation))
        try directory.syncDirectory()
    }

    /// The newest manifest whose checksum holds, or nil for an empty directory. A newer one
    /// that is damaged is skipped (a commit is only acknowledged once its rename is durable,
    /// so only a failing disk gets there).
    static func latest(in directory: Directory) throws -> Manifest? {
        let generations = try directory.list().compactMap { name -> UInt64? in
            name.hasPrefix(prefix) ? UInt64(name.dropFirst(prefix.count)) : nil
        }.sorted(by: >)
        var firstError: Error?
        for g in generations {
            do {
                let bytes = try directory.open(fileName(g))
                let manifest = try decode(try Footer.payload(of: bytes.buffer, file: fileName(g), verifyChecksum: true))
                guard manifest.generation == g else { throw FormatError.corrupt("\(fileName(g)) holds generation \(manifest.generation)") }
                return manifest
            } catch let error as FormatError {
                if case .version = error { throw error }  // a foreign format: never fall back past it
                firstError = firstError ?? error
            }
        }
        if let firstError { throw firstError }
        return nil
    }

    /// Every file this commit needs.
    var files: Set<String> {
        var names: Set<String> = [Self.fileName(generation)]
        for s in segments {
            names.formUnion(s.files)
            if let d = s.deletesFile { names.insert(d) }
        }
        return names
    }
}

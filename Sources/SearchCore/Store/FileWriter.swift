/// Writes one index file through a `FileOutput`: buffered, with the running length and
/// checksum, ending in the `Footer`. The format writers append to it like to a `ByteWriter`.
///
/// A write that fails (a full disk) may be tried again: the bytes stay in the buffer, and
/// neither the length nor the checksum counts them until they are written (the output
/// starts again where its last whole write ended).
final class FileWriter {
    let name: String
    private let output: FileOutput
    /// Not checked for overlapping accesses at run time (each write paid a check, two per
    /// term of a segment): a writer is used by one thread, and no access to the buffer calls
    /// back into the writer.
    @exclusivity(unchecked) private(set) var buffer = ByteWriter()
    private var flushed = 0
    private var crc = CRC32()
    private static let flushThreshold = 1 << 20

    /// `writeBackEvery`: see `FileOutput.writeBack(every:)`.
    init(_ directory: Directory, _ name: String, writeBackEvery: Int? = nil) throws(StoreError) {
        self.name = name
        output = try directory.create(name)
        if let bytes = writeBackEvery { output.writeBack(every: bytes) }
    }

    /// Bytes written so far (the offset of the next byte).
    var count: Int { flushed + buffer.count }

    /// After `finish()`: the CRC-32 of the file's bytes before its footer.
    var payloadChecksum: UInt32 { crc.value }

    /// Appends through the buffer; flushes when it is large.
    func write(_ body: (inout ByteWriter) -> Void) throws(StoreError) {
        body(&buffer)
        try flushIfLarge()
    }

    /// Appends bytes to the buffer only (for callers that cannot throw): `flushIfLarge`, any
    /// write or `finish` passes them on.
    func append(_ bytes: UnsafeBufferPointer<UInt8>) { buffer.raw(bytes) }

    /// Writes the buffer out when it is large.
    func flushIfLarge() throws(StoreError) {
        if buffer.count >= Self.flushThreshold { try flush() }
    }

    /// Appends bytes; a large array goes to the file as it is, not copied through the buffer.
    func write(_ bytes: [UInt8]) throws(StoreError) {
        try bytes.withUnsafeBytes { raw in Result { () throws(StoreError) in try write(raw) } }.get()
    }

    /// Appends bytes (an array's, or another file's map); large ones go to the file as they
    /// are, not copied through the buffer.
    func write(_ raw: UnsafeRawBufferPointer) throws(StoreError) {
        guard raw.count >= Self.flushThreshold else { return try write { $0.raw(raw) } }
        try flush()
        try output.write(raw)
        crc.update(raw)
        flushed += raw.count
    }

    /// Appends bytes whose CRC-32 is already known (computed on another thread).
    func write(_ bytes: [UInt8], crc bytesCRC: UInt32) throws(StoreError) {
        try flush()
        crc.append(crc: bytesCRC, length: bytes.count)
        try writeFlushed(bytes)
    }

    /// Writes `bytes` (counted in the CRC already) after what was flushed.
    private func writeFlushed(_ bytes: [UInt8]) throws(StoreError) {
        try output.write(bytes: bytes)
        flushed += bytes.count
    }

    /// Writes the buffer out now.
    func flush() throws(StoreError) {
        guard !buffer.bytes.isEmpty else { return }
        try output.write(bytes: buffer.bytes)
        buffer.bytes.withUnsafeBytes { crc.update($0) }
        flushed += buffer.count
        buffer.bytes.removeAll(keepingCapacity: true)
    }

    /// Writes the footer and closes the file.
    func finish() throws(StoreError) {
        try flush()
        let footer = Footer.encode(length: UInt64(flushed), crc: crc.value)
        try output.write(bytes: footer)
        try output.close()
    }
}

extension FileOutput {
    /// Writes an array (typed throws cannot cross `withUnsafeBytes`).
    func write(bytes: [UInt8]) throws(StoreError) {
        let result: Result<Void, StoreError> = bytes.withUnsafeBytes { raw in
            Result { () throws(StoreError) in try write(raw) }
        }
        try result.get()
    }
}

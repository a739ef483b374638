/// The last 24 bytes of every index file: u32 magic "SDX1", u32 format version, u64 length of
/// the bytes before the footer, u32 CRC-32 of those bytes, u32 zero. Opening a file checks
/// magic, version and length (cheap); `searchd check` also recomputes every checksum.
enum Footer {
    static let size = 24
    static let magic: UInt32 = 0x3158_4453  // "SDX1" little-endian
    /// The index format this searchd writes and reads. Any change to a byte layout bumps it.
    static let formatVersion: UInt32 = 7

    static func encode(length: UInt64, crc: UInt32) -> [UInt8] {
        var w = ByteWriter()
        w.u32(magic)
        w.u32(formatVersion)
        w.u64(length)
        w.u32(crc)
        w.u32(0)
        return w.bytes
    }

    /// The bytes before the footer, after checking the footer (and, if asked, the checksum).
    static func payload(of bytes: UnsafeRawBufferPointer, file: String, verifyChecksum: Bool) throws(FormatError) -> UnsafeRawBufferPointer {
        let (payload, crc) = try read(bytes, file: file)
        if verifyChecksum && CRC32.checksum(payload) != crc { throw .checksum(file: file) }
        return payload
    }

    /// Checks a file's footer and checksum reading it in steps, each step's pages let go of
    /// once read (`FileBytes.releasePages`): a large file checked whole would otherwise stay
    /// in the process's resident memory.
    static func verify(_ file: FileBytes, name: String) throws(FormatError) {
        let (payload, crc) = try read(file.buffer, file: name)
        var sum = CRC32()
        var at = 0
        while at < payload.count {
            let end = min(at + FileBytes.dropStep * 8, payload.count)
            sum.update(UnsafeRawBufferPointer(rebasing: payload[at..<end]))
            file.releasePages(at..<end)
            at = end
        }
        guard sum.value == crc else { throw .checksum(file: name) }
    }

    /// The bytes before the footer and the checksum the footer gives them, after checking
    /// magic, version and length.
    private static func read(_ bytes: UnsafeRawBufferPointer, file: String) throws(FormatError) -> (UnsafeRawBufferPointer, UInt32) {
        guard bytes.count >= size else { throw .corrupt("\(file) is too short to be an index file") }
        var r = ByteReader(bytes, offset: bytes.count - size)
        guard try r.u32() == magic else { throw .corrupt("\(file) is not a searchd index file (bad magic)") }
        let version = try r.u32()
        guard version == formatVersion else { throw .version(file: file, found: version, supported: formatVersion) }
        let length = try r.u64()
        guard length == UInt64(bytes.count - size) else { throw .corrupt("\(file) has the wrong length (truncated?)") }
        let crc = try r.u32()
        return (UnsafeRawBufferPointer(rebasing: bytes[..<(bytes.count - size)]), crc)
    }
}

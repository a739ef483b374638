/// Appends little-endian integers, LEB128 variable-length integers and byte strings.
struct ByteWriter {
    var bytes: [UInt8] = []

    var count: Int { bytes.count }

    @inline(__always)
    mutating func varint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    @inline(__always)
    mutating func varint(_ value: UInt32) { varint(UInt64(value)) }

    @inline(__always)
    mutating func varint(_ value: Int) { varint(UInt64(value)) }

    mutating func u8(_ value: UInt8) { bytes.append(value) }

    mutating func u32(_ value: UInt32) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func u64(_ value: UInt64) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// A length-prefixed byte string.
    mutating func blob<C: Collection>(_ value: C) where C.Element == UInt8 {
        varint(value.count)
        bytes.append(contentsOf: value)
    }

    mutating func string(_ value: String) { blob(value.utf8) }

    mutating func raw<C: Collection>(_ value: C) where C.Element == UInt8 { bytes.append(contentsOf: value) }
}

/// Reads what `ByteWriter` wrote, from any contiguous bytes (an array or a memory map).
/// Reads past the end throw `FormatError.truncated` instead of trapping, so a damaged file
/// is reported, never a crash.
struct ByteReader {
    let base: UnsafeRawBufferPointer
    var offset: Int

    init(_ base: UnsafeRawBufferPointer, offset: Int = 0) {
        self.base = base
        self.offset = offset
    }

    var isAtEnd: Bool { offset >= base.count }

    @inline(__always)
    mutating func varint() throws(FormatError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard offset < base.count, shift < 64 else { throw .truncated }
            let b = base[offset]
            offset += 1
            result |= UInt64(b & 0x7F) << shift
            if b < 0x80 { return result }
            shift += 7
        }
    }

    @inline(__always)
    mutating func varint32() throws(FormatError) -> UInt32 {
        let v = try varint()
        guard v <= UInt32.max else { throw .corrupt("integer out of range") }
        return UInt32(v)
    }

    @inline(__always)
    mutating func int() throws(FormatError) -> Int {
        let v = try varint()
        guard v <= UInt64(Int.max) else { throw .corrupt("integer out of range") }
        return Int(v)
    }

    mutating func u8() throws(FormatError) -> UInt8 {
        guard offset < base.count else { throw .truncated }
        defer { offset += 1 }
        return base[offset]
    }

    mutating func u32() throws(FormatError) -> UInt32 {
        guard offset + 4 <= base.count else { throw .truncated }
        defer { offset += 4 }
        return UInt32(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    mutating func u64() throws(FormatError) -> UInt64 {
        guard offset + 8 <= base.count else { throw .truncated }
        defer { offset += 8 }
        return UInt64(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    mutating func blob() throws(FormatError) -> UnsafeRawBufferPointer {
        let n = try int()
        guard n <= base.count - offset else { throw .truncated }
        defer { offset += n }
        return UnsafeRawBufferPointer(rebasing: base[offset..<offset + n])
    }

    mutating func string() throws(FormatError) -> String {
        String(decoding: try blob(), as: UTF8.self)
    }
}

/// A damaged or foreign index file.
public enum FormatError: Error, Equatable, CustomStringConvertible {
    case truncated
    case corrupt(String)
    case checksum(file: String)
    case version(file: String, found: UInt32, supported: UInt32)

    public var description: String {
        switch self {
        case .truncated: "index file is truncated"
        case let .corrupt(what): "index file is corrupt: \(what)"
        case let .checksum(file): "checksum mismatch in \(file): the file is damaged"
        case let .version(file, found, supported):
            "\(file) has format version \(found); this searchd reads version \(supported): rebuild the index"
        }
    }
}

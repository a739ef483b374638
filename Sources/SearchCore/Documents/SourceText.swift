/// A file's bytes as text. UTF-8 (a byte-order mark dropped) is the rule; a file that starts
/// with a UTF-16 byte-order mark is UTF-16 (Windows' "Unicode" text); a file whose bytes
/// beyond ASCII are none of them UTF-8 is Windows-1252, the superset of Latin-1 that older
/// Spanish and English text was saved in ("Per\u{FA}" is "Perú", where UTF-8 read "Per\u{FFFD}" and
/// a search for Perú missed it). A file of UTF-8 with a few bad bytes keeps its UTF-8, each bad
/// byte replaced by U+FFFD.
enum SourceText {
    static func decode(_ bytes: [UInt8]) throws(ExtractionError) -> String {
        if let text = utf16(bytes) {
            guard !text.utf8.prefix(8192).contains(0) else { throw .binary }
            return text
        }
        // a NUL byte in the first 8 KiB marks a binary file, as git and grep decide
        guard !bytes.prefix(8192).contains(0) else { throw .binary }
        // validated once (for a whole file no slower than `String(decoding:)`, which repairs)
        var text = String(validating: bytes, as: UTF8.self)
            ?? (hasUTF8Sequence(bytes) ? String(decoding: bytes, as: UTF8.self) : windows1252(bytes))
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        return text
    }

    /// The text of a file that starts with a UTF-16 byte-order mark (FF FE: little-endian,
    /// FE FF: big-endian), nil for any other.
    private static func utf16(_ bytes: [UInt8]) -> String? {
        guard bytes.count >= 2 else { return nil }
        let little: Bool
        switch (bytes[0], bytes[1]) {
        case (0xFF, 0xFE): little = true
        case (0xFE, 0xFF): little = false
        default: return nil
        }
        let units = stride(from: 2, to: bytes.count - 1, by: 2).map { i in
            little ? UInt16(bytes[i]) | UInt16(bytes[i + 1]) << 8 : UInt16(bytes[i]) << 8 | UInt16(bytes[i + 1])
        }
        return String(decoding: units, as: UTF16.self)
    }

    /// Whether the bytes hold at least one valid UTF-8 sequence of two bytes or more.
    private static func hasUTF8Sequence(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBufferPointer { text in
            var i = 0
            while i < text.count {
                guard text[i] >= 0x80 else { i += 1; continue }
                let (_, length) = Analyzer.decode(text, at: i)
                if length > 1 { return true }
                i += 1
            }
            return false
        }
    }

    /// Windows-1252: Latin-1 but for 0x80–0x9F, which hold typographic characters (the five
    /// bytes it leaves undefined stand for the C1 controls of their value, as browsers read them).
    private static func windows1252(_ bytes: [UInt8]) -> String {
        var scalars = String.UnicodeScalarView()
        scalars.reserveCapacity(bytes.count)
        for b in bytes {
            let value = b >= 0x80 && b < 0xA0 ? c1[Int(b - 0x80)] : UInt32(b)
            scalars.append(Unicode.Scalar(value) ?? "\u{FFFD}")
        }
        return String(scalars)
    }

    private static let c1: [UInt32] = [
        0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8D, 0x017D, 0x8F,
        0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D, 0x017E, 0x0178,
    ]
}

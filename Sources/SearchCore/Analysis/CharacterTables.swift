import CICU

/// Per-code-point lookup tables built once from ICU: the tokenizer class and the folded UTF-8
/// form of every code point of the first two planes (beyond them, ICU is asked directly).
///
/// Folding runs per code point, so it is context-free: the same character folds the same way
/// in a document and in a query, whatever surrounds it.
final class CharacterTables: @unchecked Sendable {
    /// Code points covered by the tables: the Basic and Supplementary Multilingual Planes.
    static let tableLimit: UInt32 = 0x20000

    /// Built on first use, shared by every thread.
    static let shared = CharacterTables()

    // The tables live as long as the process (allocated once, never freed), so the analyzer
    // reads them through plain pointers: no reference counting, no bounds checks.

    /// SD_CLASS_* of each code point below tableLimit.
    let classes: UnsafePointer<UInt8>
    /// Folded form with accents removed: offset << 8 | length into `bytes` (0: none).
    let folded: UnsafePointer<UInt32>
    /// Folded form with accents kept (case, width and script variants folded), same encoding.
    let foldedKeepingAccents: UnsafePointer<UInt32>
    /// UTF-8 of every folded form.
    let bytes: UnsafePointer<UInt8>

    private init() {
        let count = Int(Self.tableLimit)
        // The tables as one piece, from the cache (built from three cached ICU results, they
        // were a fifth of the instructions of `searchd index`'s start): the classes, the two
        // folded-form tables (little-endian), then the UTF-8 of the folded forms.
        let size = count * 9
        var piece = ICUCache.pieces(kind: "CharacterTables", inputs: []) { (Self.build(), []) }?.pieces ?? []
        if piece.count < size { piece = Self.build() }
        let classes = UnsafeMutablePointer<UInt8>.allocate(capacity: count)
        let folded = UnsafeMutablePointer<UInt32>.allocate(capacity: count)
        let keeping = UnsafeMutablePointer<UInt32>.allocate(capacity: count)
        let bytes = UnsafeMutablePointer<UInt8>.allocate(capacity: max(1, piece.count - size))
        piece.withUnsafeBytes { raw in
            for i in 0..<count {
                classes[i] = raw[i]
                folded[i] = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: count + 4 * i, as: UInt32.self))
                keeping[i] = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 5 * count + 4 * i, as: UInt32.self))
            }
            UnsafeMutableRawPointer(bytes).copyMemory(from: raw.baseAddress! + size, byteCount: raw.count - size)
        }
        // never freed: the tables live as long as the process
        self.classes = UnsafePointer(classes)
        self.folded = UnsafePointer(folded)
        self.foldedKeepingAccents = UnsafePointer(keeping)
        self.bytes = UnsafePointer(bytes)
    }

    /// The tables from ICU, as the piece `init` reads.
    private static func build() -> [UInt8] {
        let count = Int(tableLimit)
        let classes = (0..<tableLimit).map { cp in cp < 0xD800 || cp >= 0xE000 ? UInt8(truncatingIfNeeded: sd_char_class(cp)) : 0 }
        var folded = [UInt32](repeating: 0, count: count)
        var keeping = [UInt32](repeating: 0, count: count)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count * 3)

        /// Appends a folded form to `bytes`: its table entry.
        func intern(_ utf8: some Collection<UInt8>) -> UInt32 {
            let entry = UInt32(bytes.count) << 8 | UInt32(utf8.count)
            bytes.append(contentsOf: utf8)
            return entry
        }

        // ASCII folds by hand; every other term character goes through ICU in one batch.
        var foldable: [UInt32] = []
        for cp in 0..<tableLimit where cp < 0xD800 || cp >= 0xE000 {
            let cls = classes[Int(cp)]
            if cp < 0x80 {
                folded[Int(cp)] = intern(CollectionOfOne(UInt8(cp >= 0x41 && cp <= 0x5A ? cp + 0x20 : cp)))
                keeping[Int(cp)] = folded[Int(cp)]
            } else if cls != UInt8(SD_CLASS_OTHER) {
                foldable.append(cp)
            }
        }
        // Accents only ever come off Latin, Greek and Cyrillic letters: fold the rest once.
        let strippable = foldable.filter { sd_accents_strippable($0) != 0 }
        for (cps, stripAccents) in [(foldable, false), (strippable, true)] {
            // on an ICU failure, empty pieces: the characters stay unfolded
            let (pieces, ends) = foldWithICU(cps, stripAccents: stripAccents) ?? ([], [Int32](repeating: -1, count: cps.count))
            var start = 0
            for (i, cp) in cps.enumerated() {
                let end = Int(ends[i])
                let entry: UInt32
                if end >= start, end <= pieces.count {
                    entry = intern(pieces[start..<end])
                } else {
                    var utf8: [UInt8] = []
                    appendUTF8(cp, to: &utf8)  // ICU failed: keep the character as it is
                    entry = intern(utf8)
                }
                start = max(start, end)
                if stripAccents { folded[Int(cp)] = entry } else { keeping[Int(cp)] = entry; folded[Int(cp)] = entry }
            }
        }
        var piece = classes
        piece.reserveCapacity(count * 9 + bytes.count)
        for table in [folded, keeping] {
            for entry in table { withUnsafeBytes(of: entry.littleEndian) { piece.append(contentsOf: $0) } }
        }
        return piece + bytes
    }

    static func foldWithICU(_ cps: [UInt32], stripAccents: Bool) -> (pieces: [UInt8], ends: [Int32])? {
        ICUCache.call(cps, bytesPerInput: 4) { sd_fold_many($0, $1, stripAccents ? 1 : 0, $2, $3, $4) }
    }

    /// The tokenizer class (SD_CLASS_*) of a code point.
    @inline(__always)
    func charClass(_ cp: UInt32) -> Int32 {
        if cp < Self.tableLimit { return Int32(classes[Int(cp)]) }
        if cp < 0x40000 { return Int32(SD_CLASS_CJK) }  // CJK extensions B to H
        return sd_char_class(cp)
    }
}

/// Appends the UTF-8 encoding of a code point (an invalid one becomes U+FFFD).
func appendUTF8(_ cp: UInt32, to bytes: inout [UInt8]) {
    switch cp {
    case 0..<0x80:
        bytes.append(UInt8(cp))
    case 0x80..<0x800:
        bytes.append(UInt8(0xC0 | cp >> 6))
        bytes.append(UInt8(0x80 | cp & 0x3F))
    case 0x800..<0xD800, 0xE000..<0x10000:
        bytes.append(UInt8(0xE0 | cp >> 12))
        bytes.append(UInt8(0x80 | cp >> 6 & 0x3F))
        bytes.append(UInt8(0x80 | cp & 0x3F))
    case 0x10000..<0x110000:
        bytes.append(UInt8(0xF0 | cp >> 18))
        bytes.append(UInt8(0x80 | cp >> 12 & 0x3F))
        bytes.append(UInt8(0x80 | cp >> 6 & 0x3F))
        bytes.append(UInt8(0x80 | cp & 0x3F))
    default:
        appendUTF8(0xFFFD, to: &bytes)
    }
}

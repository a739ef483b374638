import CICU

/// The pinyin (toneless ASCII, ICU's "Han-Latin; Latin-ASCII") of every Han character of the
/// Basic Multilingual Plane, the other readings of common polyphones, and the set of valid
/// syllables. It links Chinese names to their Latin spellings: 苏州 ⇔ Suzhou, 李强 ⇔ Li Qiang.
/// Built once, on first use; read through plain pointers (it is never freed).
final class Pinyin: @unchecked Sendable {
    static let shared = Pinyin()

    /// The first code point of the table and how many it covers (CJK Extension A to the end
    /// of the Unified Ideographs block).
    private static let first: UInt32 = 0x3400
    private static let count = 0xA000 - 0x3400
    /// Set in a table entry when the character has other readings (see `polyphones`).
    private static let hasMore: UInt16 = 0x8000

    /// Per code point: 1 + the index of its syllable (0: none), | hasMore.
    private let table: UnsafePointer<UInt16>
    /// Every distinct syllable, ASCII.
    let syllables: [[UInt8]]
    /// Syllable bytes, flat: syllable i is data[offsets[i] ..< offsets[i + 1]].
    private let data: UnsafePointer<UInt8>
    private let offsets: UnsafePointer<UInt32>
    /// Other syllables of the polyphones, by code point.
    private let more: [UInt32: [UInt16]]
    /// The syllables packed into integers (one byte per letter), for splitting Latin words.
    private let valid: Set<UInt64>
    /// Longest syllable, in letters ("zhuang").
    let longest: Int

    /// Each code point's pinyin from ICU (the convention of `sd_fold_many`); nil on an error.
    private static func transliterate(_ cps: [UInt32]) -> (pieces: [UInt8], ends: [Int32])? {
        ICUCache.call(cps, bytesPerInput: 8) { sd_transliterate_many("Han-Latin; Latin-ASCII", $0, $1, $2, $3, $4) }
    }

    private init() {
        let cps = (0..<UInt32(Self.count)).map { Self.first + $0 }
        let (out, ends) = ICUCache.pieces(kind: "Han-Latin; Latin-ASCII", inputs: cps) { Self.transliterate(cps) }
            ?? ([], [Int32](repeating: -1, count: cps.count))
        var table = [UInt16](repeating: 0, count: Self.count)
        var syllables: [[UInt8]] = []
        // by packed letters: a lookup per character without building its bytes
        var index: [UInt64: UInt16] = [:]
        func id(_ packed: UInt64) -> UInt16 {
            if let known = index[packed] { return known }
            syllables.append(Self.unpack(packed))
            index[packed] = UInt16(syllables.count)
            return UInt16(syllables.count)
        }
        var start = 0
        for i in 0..<cps.count {
            let end = Int(ends[i])
            defer { start = max(start, end) }
            guard end > start else { continue }
            // a syllable is 1 to 6 ASCII letters (spaces dropped, lowercased); anything else
            // means ICU had no reading
            var packed: UInt64 = 0
            var letters = 0
            for b in out[start..<end] where b != 0x20 {
                let letter = b | 0x20
                guard letters < 6, letter >= 0x61 && letter <= 0x7A else {
                    letters = 0
                    break
                }
                packed = packed << 8 | UInt64(letter)
                letters += 1
            }
            if letters > 0 { table[i] = id(packed) }
        }
        var more: [UInt32: [UInt16]] = [:]
        for (c, readings) in Self.polyphones {
            let cp = c.unicodeScalars.first!.value
            guard cp >= Self.first, cp < Self.first + UInt32(Self.count), table[Int(cp - Self.first)] != 0 else { continue }
            let primary = table[Int(cp - Self.first)]
            let extra = readings.map { id(Self.pack($0.utf8)) }.filter { $0 != primary }
            guard !extra.isEmpty else { continue }
            more[cp] = extra
            table[Int(cp - Self.first)] |= Self.hasMore
        }
        var flat: [UInt8] = []
        var offsets: [UInt32] = [0]
        for s in syllables {
            flat += s
            offsets.append(UInt32(flat.count))
        }
        self.table = Self.immortal(table)
        self.data = Self.immortal(flat)
        self.offsets = Self.immortal(offsets)
        self.syllables = syllables
        self.more = more
        self.valid = Set(syllables.map(Self.pack))
        self.longest = syllables.map(\.count).max() ?? 0
    }

    private static func immortal<T>(_ array: [T]) -> UnsafePointer<T> {
        let p = UnsafeMutablePointer<T>.allocate(capacity: max(array.count, 1))
        array.withUnsafeBufferPointer { p.initialize(from: $0.baseAddress!, count: array.count) }
        return UnsafePointer(p)
    }

    /// The bytes of syllable `id` (1-based).
    @inline(__always)
    func bytes(_ id: UInt16) -> UnsafeBufferPointer<UInt8> {
        let i = Int(id) - 1
        return UnsafeBufferPointer(start: data + Int(offsets[i]), count: Int(offsets[i + 1] - offsets[i]))
    }

    /// The syllable id of a (folded) Han character (0: none), and whether it has more readings.
    @inline(__always)
    func syllableID(_ cp: UInt32) -> (id: UInt16, more: Bool) {
        guard cp >= Self.first, cp < Self.first + UInt32(Self.count) else { return (0, false) }
        let e = table[Int(cp - Self.first)]
        return (e & ~Self.hasMore, e & Self.hasMore != 0)
    }

    /// Calls `body` with every reading of a character, as syllable ids: ICU's, then the
    /// polyphone's others (without building an array: the indexer asks for each Han pair).
    @inline(__always)
    func forEachReading(_ cp: UInt32, _ body: (UInt16) -> Void) {
        let (id, hasMore) = syllableID(cp)
        guard id != 0 else { return }
        body(id)
        guard hasMore, let others = more[cp] else { return }
        for other in others { body(other) }
    }

    /// Other readings of characters common in names and places, which ICU's Han-Latin (one
    /// reading per character) does not give: 长安 is Chang'an, 重庆 Chongqing, 厦门 Xiamen.
    private static let polyphones: [Character: [String]] = [
        "长": ["chang"], "行": ["hang"], "重": ["chong"], "乐": ["yue"], "朝": ["chao", "zhao"],
        "都": ["du", "dou"], "藏": ["zang"], "曾": ["ceng"], "会": ["kuai"], "传": ["zhuan"],
        "单": ["shan", "chan"], "厦": ["xia", "sha"], "六": ["lu"], "解": ["xie"], "查": ["zha"],
        "区": ["ou"], "仇": ["qiu"], "朴": ["piao"], "盖": ["ge"], "华": ["hua"], "覃": ["qin"],
        "尉": ["yu"], "参": ["shen"], "蔚": ["yu"], "广": ["an"], "石": ["dan"], "大": ["dai"],
        "莘": ["shen", "xin"], "番": ["pan"], "洞": ["tong"], "秘": ["bi", "mi"], "宿": ["xiu"],
        "瑶": ["yao"], "薄": ["bo"], "员": ["yun"], "万": ["mo"], "阿": ["e", "a"], "沈": ["shen"],
    ]

    private static func pack<C: Collection>(_ letters: C) -> UInt64 where C.Element == UInt8 {
        letters.reduce(0) { $0 << 8 | UInt64($1) }
    }

    /// The letters of a packed syllable (at most 8; none is a zero byte).
    private static func unpack(_ packed: UInt64) -> [UInt8] {
        var letters: [UInt8] = []
        var rest = packed
        while rest != 0 {
            letters.insert(UInt8(truncatingIfNeeded: rest), at: 0)
            rest >>= 8
        }
        return letters
    }

    /// The ways a Latin word splits into valid syllables ("xian" → [xi, an] and [xian]),
    /// at most `limit` of them, fewest syllables first.
    func syllabify(_ word: String, limit: Int = 4) -> [[String]] {
        let letters = Array(word.utf8).map { $0 | 0x20 }
        guard !letters.isEmpty, letters.allSatisfy({ $0 >= 0x61 && $0 <= 0x7A }) else { return [] }
        var results: [[Range<Int>]] = []
        var path: [Range<Int>] = []
        func split(_ from: Int) {
            if results.count >= limit * 4 { return }
            if from == letters.count {
                results.append(path)
                return
            }
            for length in stride(from: min(longest, letters.count - from), through: 1, by: -1)
            where valid.contains(Self.pack(letters[from..<from + length])) {
                path.append(from..<from + length)
                split(from + length)
                path.removeLast()
            }
        }
        split(0)
        return results.sorted { $0.count < $1.count }.prefix(limit).map { ranges in
            ranges.map { String(decoding: letters[$0], as: UTF8.self) }
        }
    }
}

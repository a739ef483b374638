import CICU

/// The pinyin syllable (toneless ASCII, ICU's "Han-Latin; Latin-ASCII") of every Han character
/// of the Basic Multilingual Plane, and the set of valid syllables. It links Chinese names to
/// their Latin spellings: 苏州 ⇔ Suzhou, 李强 ⇔ Li Qiang. Built once, on first use.
final class Pinyin: Sendable {
    static let shared = Pinyin()

    /// The first code point of the table and the number it covers (CJK Extension A to the end
    /// of the Unified Ideographs block).
    private static let first: UInt32 = 0x3400
    private static let count = 0xA000 - 0x3400

    /// Per code point, 1 + the index of its syllable in `syllables` (0: none).
    private let table: [UInt16]
    /// Every distinct syllable, ASCII.
    let syllables: [[UInt8]]
    /// The syllables as a set of strings, for splitting Latin words into syllables.
    let valid: Set<String>
    /// Longest syllable, in letters ("zhuang").
    let longest: Int

    private init() {
        let cps = (0..<UInt32(Self.count)).map { Self.first + $0 }
        var out = [UInt8](repeating: 0, count: cps.count * 8)
        var ends = [Int32](repeating: -1, count: cps.count)
        var need: Int32 = 0
        while true {
            need = cps.withUnsafeBufferPointer { c in
                out.withUnsafeMutableBufferPointer { o in
                    ends.withUnsafeMutableBufferPointer { e in
                        sd_transliterate_many("Han-Latin; Latin-ASCII", c.baseAddress, Int32(c.count), o.baseAddress, Int32(o.count), e.baseAddress)
                    }
                }
            }
            if need < 0 || Int(need) <= out.count { break }
            out = [UInt8](repeating: 0, count: Int(need))
        }
        var table = [UInt16](repeating: 0, count: Self.count)
        var syllables: [[UInt8]] = []
        var index: [[UInt8]: UInt16] = [:]
        if need >= 0 {
            var start = 0
            for i in 0..<cps.count {
                let end = Int(ends[i])
                defer { start = max(start, end) }
                guard end > start else { continue }
                let piece = out[start..<end].filter { $0 != 0x20 }.map { $0 | 0x20 }
                // a syllable is 1 to 6 ASCII letters; anything else means ICU had no reading
                guard (1...6).contains(piece.count), piece.allSatisfy({ $0 >= 0x61 && $0 <= 0x7A }) else { continue }
                if let known = index[piece] {
                    table[i] = known
                } else {
                    syllables.append(piece)
                    index[piece] = UInt16(syllables.count)
                    table[i] = UInt16(syllables.count)
                }
            }
        }
        self.table = table
        self.syllables = syllables
        self.valid = Set(syllables.map { String(decoding: $0, as: UTF8.self) })
        self.longest = syllables.map(\.count).max() ?? 0
    }

    /// The syllable of a (folded) Han character, if it has one.
    @inline(__always)
    func syllable(_ cp: UInt32) -> [UInt8]? {
        guard cp >= Self.first, cp < Self.first + UInt32(Self.count) else { return nil }
        let s = table[Int(cp - Self.first)]
        return s == 0 ? nil : syllables[Int(s) - 1]
    }

    /// Every reading of a character: ICU's, then the other readings of common polyphones.
    func readings(_ cp: UInt32) -> [[UInt8]] {
        guard let first = syllable(cp) else { return [] }
        guard let scalar = Unicode.Scalar(cp), let more = Self.polyphones[Character(scalar)] else { return [first] }
        return [first] + more.map { Array($0.utf8) }.filter { $0 != first }
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

    /// The ways a Latin word splits into valid syllables ("xian" → [xi, an] and [xian]),
    /// at most `limit` of them, fewest syllables first.
    func syllabify(_ word: String, limit: Int = 4) -> [[String]] {
        let letters = Array(word.lowercased())
        guard !letters.isEmpty, letters.allSatisfy({ $0.isASCII && $0.isLetter }) else { return [] }
        var results: [[String]] = []
        func split(_ from: Int, _ acc: [String]) {
            if results.count >= limit * 4 { return }
            if from == letters.count {
                results.append(acc)
                return
            }
            for length in stride(from: min(longest, letters.count - from), through: 1, by: -1) {
                let s = String(letters[from..<from + length])
                if valid.contains(s) { split(from + length, acc + [s]) }
            }
        }
        split(0, [])
        return Array(results.sorted { $0.count < $1.count }.prefix(limit))
    }
}

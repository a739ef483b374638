import Testing
@testable import SearchCore

/// Text → tokens, as tables. Each case lists the primary terms (words and CJK characters) in
/// position order, then the overlays expected among the rest.
struct AnalyzerTests {
    let analyzer = Analyzer()

    func primary(_ text: String) -> [String] {
        analyzer.tokens(text).filter { $0.kind == .word || $0.kind == .cjkChar }.sorted { $0.position < $1.position }.map(\.term)
    }

    func terms(_ text: String, _ kind: TokenKind) -> [String] {
        analyzer.tokens(text).filter { $0.kind == kind }.map(\.term)
    }

    @Test(arguments: [
        ("Andrés Alencastre", ["andres", "alencastre"]),
        ("ZEGARRA Ñandú ÇA", ["zegarra", "nandu", "ca"]),
        ("ＡＰＥＣ ２０２４", ["apec", "2024"]),
        ("apt-cache U.S. 2024-06-28", ["apt", "cache", "u", "s", "2024", "06", "28"]),
        ("l'homme O’Brien snake_case", ["l", "homme", "o", "brien", "snake", "case"]),
        ("1,000 3.14 x86_64", ["1", "000", "3", "14", "x86", "64"]),
        ("Ελληνικά Русский", ["ελληνικα", "русскии"]),
        ("emoji 🎉 here", ["emoji", "here"]),
        ("ls - 列出目录内容", ["ls", "列", "出", "目", "录", "内", "容"]),
        ("錢凱港 管理員", ["钱", "凯", "港", "管", "理", "员"]),
        ("BYD比亚迪", ["byd", "比", "亚", "迪"]),
        ("カタカナとひらがな", ["カ", "タ", "カ", "ナ", "と", "ひ", "ら", "が", "な"]),
        ("สวัสดีครับ", ["สวัสดี", "ครับ"]),
    ])
    func primaryTerms(text: String, expected: [String]) {
        #expect(primary(text) == expected)
    }

    /// ICU's words, read back from the boundaries on the characters.
    func words(_ text: String) -> [String] {
        var words: [String] = []
        for t in analyzer.tokens(text) where t.kind == .cjkChar {
            if t.boundaries & 1 != 0 || words.isEmpty { words.append("") }
            words[words.count - 1] += t.term
        }
        return words
    }

    /// A run of one ideograph is its own word without asking ICU (ICU's answer too); a word of
    /// one character has no term of its own, its boundaries say it.
    @Test func loneIdeographIsItsOwnWord() {
        let tokens = analyzer.tokens("港，的。a 㐀!")
        let chars = tokens.filter { $0.kind == .cjkChar }
        #expect(chars.map(\.term) == ["港", "的", "㐀"])
        #expect(chars.allSatisfy { $0.boundaries == 0b11 })
        #expect(!tokens.contains { $0.kind == .cjkWord })
    }

    /// Every character and bigram knows where ICU's words start and end around it: 目录 is a
    /// word in 列出目录内容 and across two in 项目录入 (项目 / 录入).
    @Test func charactersAndBigramsCarryICUWordBoundaries() {
        #expect(words("列出目录内容") == ["列出", "目录", "内容"])
        #expect(words("这个项目录入了数据") == ["这个", "项目", "录", "入", "了", "数据"])
        let bigram = { (text: String, term: String) in
            self.analyzer.tokens(text).first { $0.kind == .cjkBigram && $0.term == term }?.boundaries
        }
        #expect(bigram("列出目录内容", "目录") == 0b101)   // a word starts before 目 and after 录
        #expect(bigram("这个项目录入了数据", "目录") == 0b110)  // one ends between them, 录 is one
        #expect(bigram("这个项目录入了数据", "个项") == 0b010)
        // across the white space between two runs: the runs are words apart
        #expect(bigram("列出目录  内容", "录内") == 0b010)
        // characters that no word covers are words of their own; so is the end of the text
        #expect(analyzer.tokens("钱凯港").filter { $0.kind == .cjkChar }.map(\.boundaries) == [0b11, 0b11, 0b11])
    }

    @Test func hanRunGivesCharactersAndBigrams() {
        let tokens = analyzer.tokens("盼钱凯港成为")
        #expect(tokens.filter { $0.kind == .cjkBigram }.map(\.term) == ["盼钱", "钱凯", "凯港", "港成", "成为"])
        #expect(words("盼钱凯港成为").last == "成为")
        // a word of two characters or more is also a term, on its first character
        #expect(tokens.filter { $0.kind == .cjkWord }.map { "\($0.term)@\($0.position)" } == ["成为@4"])
        // one position per character; a bigram sits on its first character
        #expect(tokens.first { $0.kind == .cjkBigram && $0.term == "凯港" }?.position == 2)
        // all of a run is one group
        #expect(Set(tokens.map(\.group)).count == 1)
    }

    /// Words' ASCII parts are lowercased 8 bytes at a time: every ASCII byte at every offset
    /// comes out as the byte-by-byte rule has it, and long words lowercase whole, before and
    /// after an accented letter.
    @Test func asciiLowercasesAWordAtATime() {
        for offset in 0..<8 {
            var bytes = [UInt8](repeating: 0x61, count: offset) + (0..<128).map { UInt8($0) } + [0x41, 0x5A, 0x40, 0x5B]
            let expected = bytes.map { $0 &+ ($0 >= 0x41 && $0 <= 0x5A ? 0x20 : 0) }
            bytes.withUnsafeMutableBufferPointer { AnalysisState.lowercaseASCII($0.baseAddress!, count: $0.count) }
            #expect(bytes == expected, "offset \(offset)")
        }
        #expect(primary("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 MiXeD ÉCOLE Straße") ==
                ["abcdefghijklmnopqrstuvwxyz0123456789", "mixed", "ecole", "strasse"])
        #expect(terms("NAÏVEMENT Zegarra", .accented) == ["naïvement"])
    }

    @Test func accentedWordsGetAnExactOverlay() {
        #expect(terms("Andrés Andres", .accented) == ["andrés"])
        #expect(terms("ÑANDÚ", .accented) == ["ñandú"])
    }

    @Test func compoundPartsShareAGroupButWordsDoNot() {
        let t = analyzer.tokens("apt-cache policy")
        #expect(t[0].group == t[1].group)
        #expect(t[1].group != t[2].group)
    }

    @Test func offsetsPointIntoTheUTF8() {
        let text = "Peru 钱凯港"
        let t = analyzer.tokens(text).filter { $0.kind == .cjkChar }
        let bytes = Array(text.utf8)
        #expect(t.map { String(decoding: bytes[$0.start..<$0.end], as: UTF8.self) } == ["钱", "凯", "港"])
    }

    @Test func overlongTermsAreDroppedButKeepTheirPosition() {
        let long = String(repeating: "a", count: Analyzer.maxTermBytes + 1)
        let t = analyzer.tokens("x \(long) y").filter { $0.kind == .word }
        #expect(t.map(\.term) == ["x", "y"])
        #expect(t.map(\.position) == [0, 2])
    }

    @Test func invalidUTF8NeverStopsAnalysis() {
        let bytes: [UInt8] = Array("ab ".utf8) + [0xFF, 0xC3, 0x28, 0xE2, 0x82] + Array(" cd 港".utf8)
        var sink = TokenCollector()
        bytes.withUnsafeBufferPointer { _ = analyzer.analyze($0, into: &sink) }
        #expect(sink.tokens.filter { $0.kind == .word || $0.kind == .cjkChar }.map(\.term) == ["ab", "cd", "港"])
    }

    /// ICU's words of a run come from the cache the second time: the same tokens, whatever
    /// else went through the analyzer in between.
    @Test func repeatedRunsGiveTheSameWords() {
        let texts = ["钱凯港是秘鲁的港口。秘鲁总统博鲁阿尔特访问钱凯港", "中华人民共和国国务院", "钱凯港", "ภาษาไทยง่ายนิดเดียว",
                     "秘鲁总统博鲁阿尔特访问钱凯港"]
        let fresh = texts.map { Analyzer().tokens($0) }
        let analyzer = Analyzer()
        for _ in 0..<2 {
            #expect(texts.map { analyzer.tokens($0) } == fresh)
        }
    }

    /// A slot keeps the last run that landed in it; a run that only shares its slot is a miss.
    @Test func wordBreakCacheKeepsRunsApart() {
        let cache = WordBreakCache(slots: 1)
        defer { cache.free() }
        var words = RawBuffer<Int32>()
        defer { words.free() }
        let a = Array("钱凯港".utf8), b = Array("钱凯".utf8)
        a.withUnsafeBufferPointer { run in
            words.append(10)
            words.append(19)
            cache.store(run, start: 10, words: words)
            words.removeAll()
            #expect(cache.lookup(run, start: 100, into: &words))
            #expect(Array(words.buffer) == [100, 109])
        }
        b.withUnsafeBufferPointer { run in
            words.removeAll()
            #expect(!cache.lookup(run, start: 0, into: &words))
            #expect(words.isEmpty)
        }
        let long = Array(String(repeating: "港", count: WordBreakCache.maxRunBytes / 3 + 1).utf8)  // longer than a slot holds
        long.withUnsafeBufferPointer { run in
            cache.store(run, start: 0, words: words)
            #expect(!cache.lookup(run, start: 0, into: &words))
        }
    }
}

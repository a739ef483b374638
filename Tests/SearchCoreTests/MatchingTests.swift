import Testing
@testable import SearchCore

/// The matching and ranking rules, as tables of query → expected ids over a small corpus
/// written for them (each document isolates one case).
struct MatchingTests {
    static let documents: [Document] = [
        // Chinese
        Document(id: "zh-name", title: "新闻", body: "秘鲁总统博鲁阿尔特访问钱凯港。"),
        Document(id: "zh-harbour", title: "港口", body: "香港是一个港口城市，港口很多。"),
        Document(id: "zh-scattered", title: "杂记", body: "钱包在桌上，凯旋门很远，港湾很美。"),
        Document(id: "zh-word", title: "目录", body: "使用 ls 命令列出目录内容。"),
        Document(id: "zh-split", title: "项目", body: "这个项目录入了数据。"),
        Document(id: "zh-because", title: "天气", body: "他说是因为下雨。"),
        Document(id: "zh-always", title: "天气", body: "总是因为下雨，总是因为天气。"),
        Document(id: "zh-tw", title: "管理員手冊", body: "軟體套件的管理員。"),
        Document(id: "zh-wrapped", title: "手册", body: "内核  对  所有的进程\n维护了一个结构"),
        Document(id: "zh-place", title: "旅行", body: "我们去了苏州和深圳。"),
        Document(id: "en-place", title: "Travel", body: "We visited Suzhou and Shenzhen last June."),
        Document(id: "zh-person", title: "会见", body: "国务院总理李强会见了客人。"),
        Document(id: "zh-hall", title: "会议", body: "会议在人民大会堂举行。"),
        Document(id: "zh-poet", title: "诗", body: "李白的诗很有名。"),
        Document(id: "zh-soundalike", title: "白沙堤", body: "最爱湖东行不足，绿杨阴里白沙堤。"),
        Document(id: "zh-city", title: "古都", body: "唐朝的都城是长安。"),
        Document(id: "zh-mail", title: "邮件", body: "配置邮件服务器的方法。"),
        Document(id: "en-person", title: "Meeting", body: "Premier Li Qiang met the guests."),
        Document(id: "en-leader", title: "Visit", body: "President Xi Jinping arrived."),
        // Latin
        Document(id: "accent-exact", title: "Ministro", body: "El ministro Andrés Alencastre habló."),
        Document(id: "accent-plain", title: "Minister", body: "Minister Andres Alencastre spoke, Andres said."),
        Document(id: "nanduti", title: "Ñandutí", body: "ÑANDUTÍ es un tejido."),
        Document(id: "compound", title: "Tools", body: "Run apt-cache policy on 2024-06-28 in the U.S. today."),
        Document(id: "apt-separate", title: "Words", body: "The apt tool has a cache."),
        Document(id: "numbers", title: "Release", body: "Version 12 was released in 2023 with 1,000 fixes."),
        Document(id: "typo-source", title: "Visit", body: "President Dina Boluarte Zegarra visited."),
        Document(id: "typo-doc", title: "Visita", body: "Presidente Boruarte Zegara llegó."),
        Document(id: "long-word", title: "Docs", body: "The configuration of the installation."),
        Document(id: "fullwidth", title: "Summit", body: "The APEC summit."),
        Document(id: "titled", title: "Chancay port", body: "A port in Peru."),
        Document(id: "body-only", title: "Peru", body: "The new port of Chancay opens."),
        Document(id: "dated", title: "Dated", body: "An old report about ports.", date: "2023-11-17", lang: "en", path: "/srv/notes/2023/report.md"),
    ]

    let searcher: Searcher

    init() throws {
        let synonyms = try Synonyms.parse("""
            钱凯港, Chancay
            colour => color
            Great Hall of the People, 人民大会堂
            """)
        searcher = try Snapshot.build(Self.documents).searcher(synonyms: synonyms)
    }

    func ids(_ query: String, all: Bool = false) throws -> [String] {
        try searcher.search(QueryParser.parse(query), options: SearchOptions(limit: 50, requireAll: all)).hits.map(\.id)
    }

    // MARK: Chinese

    @Test(arguments: [
        ("钱凯港", ["zh-name"]),                 // a name ICU splits into single characters
        ("博鲁阿尔特", ["zh-name"]),
        ("鲁阿尔", ["zh-name"]),                 // any contiguous part of a run
        ("錢凱港", ["zh-name"]),                 // Traditional finds Simplified
        ("管理员", ["zh-tw"]),                   // Simplified finds Traditional
        ("对所有的进程", ["zh-wrapped"]),         // across the spaces and line breaks of wrapped text
        ("维护了", ["zh-wrapped"]),
    ])
    func chineseRunsMatchContiguously(query: String, expected: [String]) throws {
        let hits = try ids(query)
        #expect(Array(hits.prefix(expected.count)) == expected)
        #expect(!hits.contains("zh-scattered"))  // never the characters apart
        #expect(!hits.contains("zh-harbour"))
    }

    @Test func aLoneCharacterMatchesEveryOccurrence() throws {
        #expect(Set(try ids("港")) == ["zh-name", "zh-harbour", "zh-scattered"])
        #expect(try ids("钱港").isEmpty)  // not contiguous anywhere
    }

    @Test func wholeWordsRankFirst() throws {
        // 目录 is a word in zh-word (列出/目录/内容) but split across words in zh-split (项目/录入)
        let hits = try ids("目录")
        #expect(hits.first == "zh-word")
        #expect(hits.contains("zh-split"))
        // 是因为 is two words (是|因为), as in zh-because; zh-always has it twice, inside 总是|因为
        #expect(try ids("是因为") == ["zh-because", "zh-always"])
        // ICU splits 个数 alone into 个|数, as in 按个数计算, not 一个数 (一个|数)
        #expect(try Snapshot.build([Document(id: "a", title: "", body: "一个数，一个数。"), Document(id: "b", title: "", body: "按个数计算。")])
            .searcher().search(QueryParser.parse("个数")).hits.map(\.id) == ["b", "a"])
    }

    @Test func fullWidthFolds() throws {
        #expect(try ids("ＡＰＥＣ") == ["fullwidth"])
    }

    // MARK: Latin

    @Test(arguments: [
        ("andres", ["accent-exact", "accent-plain"]),
        ("ZEGARRA", ["typo-source", "typo-doc"]),
        ("ñandutí", ["nanduti"]),
        ("NANDUTI", ["nanduti"]),
    ])
    func caseAndAccentsFold(query: String, expected: [String]) throws {
        #expect(Set(try ids(query)) == Set(expected))
    }

    @Test func exactAccentsRankAboveFolded() throws {
        #expect(try ids("Andrés").first == "accent-exact")
        #expect(try ids("Andrés Alencastre").first == "accent-exact")
    }

    @Test(arguments: [
        ("apt-cache", ["compound"]),            // whole
        ("cache", ["compound", "apt-separate"]), // a part
        ("apt cache", ["compound", "apt-separate"]),
        ("2024-06-28", ["compound"]),
        ("U.S.", ["compound"]),
        ("1,000", ["numbers"]),
        ("2023", ["numbers"]),  // the date of "dated" is not in its text
    ])
    func compoundsWholeAndByParts(query: String, expected: [String]) throws {
        #expect(Set(try ids(query)) == Set(expected))
    }

    // MARK: Typos

    @Test func typoToleranceBothWaysExactFirst() throws {
        #expect(try ids("Boruarte") == ["typo-doc", "typo-source"])   // a typo in the query…
        #expect(try ids("Boluarte") == ["typo-source", "typo-doc"])   // …and in the document
        #expect(try ids("Zegara") == ["typo-doc", "typo-source"])     // one letter missing
        #expect(try ids("Boulrate").contains("typo-source") == false) // two edits in 8 letters: too many
        #expect(try ids("Boluatre").contains("typo-source"))          // a transposition is one edit
    }

    @Test func typoVariantsAddNothingToTheWordAsTyped() throws {
        // ranked by the word as typed: its typo variants count only where it is missing
        let searcher = try Snapshot.build([
            Document(id: "typed-twice", title: "a", body: "machines machines and other words"),
            Document(id: "variant-heavy", title: "b", body: "machines machine machine machine machine"),
            Document(id: "variant-only", title: "c", body: "machine machine"),
        ]).searcher()
        let ids = try searcher.search(QueryParser.parse("machines")).hits.map(\.id)
        #expect(ids == ["typed-twice", "variant-heavy", "variant-only"])
    }

    @Test func typoLimitsByLength() throws {
        #expect(try ids("Peri").isEmpty)                               // 4 letters: exact only
        #expect(try ids("Xoluarte").contains("typo-source"))           // a typo in the first letter costs the same
        #expect(try ids("configuraton").contains("long-word"))         // 12 letters, 1 edit
        #expect(try ids("confgiuratoin").contains("long-word"))        // 2 edits from 9 letters
        #expect(try ids("instalatoin").contains("long-word"))
        #expect(try ids("\"Boruarte\"") == ["typo-doc"])               // quotes: exactly as written
        #expect(try ids("Boruarte~0") == ["typo-doc"])
        #expect(try ids("Peri~1").contains("titled"))                   // explicit fuzziness on a short word
    }

    // MARK: Synonyms and other scripts

    @Test func synonymsBothWays() throws {
        #expect(try ids("钱凯港") == ["zh-name", "titled", "body-only"])  // as written first, then the synonym
        let chancay = try ids("Chancay")
        #expect(chancay.last == "zh-name")
        #expect(Set(chancay) == ["titled", "body-only", "zh-name"])
        // a phrase of several words stands for its synonym as a whole
        let hall = try searcher.search(QueryParser.parse("Great Hall of the People"), options: SearchOptions(limit: 5)).hits
        #expect(hall.first?.id == "zh-hall")
        #expect(hall.first?.matched == 5)
        let zh = try ids("钱凯港 港口")
        #expect(zh.contains("titled"))
        #expect(try ids("colour").isEmpty == true)  // rewritten to color, which no document has
    }

    @Test func pinyinCrossScriptRankedBelowSameScript() throws {
        #expect(try ids("苏州") == ["zh-place", "en-place"])
        #expect(try ids("Suzhou") == ["en-place", "zh-place"])
        #expect(try ids("深圳") == ["zh-place", "en-place"])
        #expect(try ids("Shenzhen") == ["en-place", "zh-place"])
        #expect(try ids("李强") == ["zh-person", "en-person"])
        #expect(try ids("Li Qiang") == ["en-person", "zh-person"])
        // one character, or one syllable, never expands to the other script
        #expect(!(try ids("港")).contains("titled"))
        #expect(try ids("Li").isEmpty || !(try ids("Li")).contains("zh-person"))
    }

    @Test(arguments: [false, true])
    func typoWordsOverSeveralSegmentsAsInOne(inParts: Bool) throws {
        // a typo-tolerant word over several segments (each walked, their terms merged), with
        // and without the search split in parts: the hits of one segment
        let writer = try IndexWriter(directory: MemoryDirectory(), options: IndexWriter.Options(threads: 1))
        for chunk in stride(from: 0, to: Self.documents.count, by: 8) {
            try writer.add(Array(Self.documents[chunk..<min(chunk + 8, Self.documents.count)]))
            _ = try writer.commit()
        }
        let split = try writer.commit().searcher(synonyms: Synonyms())
        if inParts { (split.partDocuments, split.maxParts, split.partPostings) = (4, 2, 0) }
        #expect(split.segments.count > 1)
        for query in ["Boruarte", "Zegara", "Boluarte Zegarra", "Alencastre"] {
            let found = try split.search(QueryParser.parse(query), options: SearchOptions(limit: 50)).hits.map(\.id)
            #expect(found == (try ids(query)), "\(query)")
        }
    }

    @Test func pinyinSpellingsGroupSyllables() throws {
        // 习近平: "xi jinping" is the grouping xi | jin+ping, neither all apart nor all joined
        #expect(try ids("习近平") == ["en-leader"])
        #expect(QueryPlanner.groupings(3) == [[0..<3], [0..<1, 1..<3], [0..<2, 2..<3], [0..<1, 1..<2, 2..<3]])
        #expect(QueryPlanner.groupings(1) == [[0..<1]])
    }

    @Test func pinyinStaysInsideWords() throws {
        #expect(try ids("Li Bai").first == "zh-poet")
        #expect(!(try ids("Li Bai")).contains("zh-soundalike"))  // 里|白 across two words is not "li bai"
        #expect(try ids("Chang'an") == ["zh-city"])  // apostrophe-separated syllables
        #expect(try ids("Changan") == ["zh-city"])
    }

    @Test func synonymsInsideAChineseRun() throws {
        let synonyms = try Synonyms.parse("伺服器, 服务器")
        let s = try Snapshot.build(Self.documents).searcher(synonyms: synonyms)
        #expect(try s.search(QueryParser.parse("郵件伺服器")).hits.map(\.id) == ["zh-mail"])
    }

    @Test func mixedScriptsInOneQuery() throws {
        let hits = try searcher.search(QueryParser.parse("Chancay 博鲁阿尔特"), options: SearchOptions(limit: 10)).hits
        #expect(hits.first?.id == "zh-name")
        #expect(hits.first?.matched == 2)
    }

    // MARK: Query language

    @Test(arguments: [
        ("Suzhou OR Qiang", ["en-place", "zh-place", "en-person"]),  // one syllable alone never goes cross-script
        ("port -Chancay", []),
        ("port NOT Peru", []),
        ("(port OR ports) -Chancay", ["dated"]),
        ("title:Chancay", ["titled"]),
        ("title:port", ["titled"]),
        ("date:2023-11", ["dated"]),
        ("date:2023-01..2023-12 report", ["dated"]),
        ("date:2024", []),
        ("lang:en report", ["dated"]),
        ("path:/srv/notes", ["dated"]),
        ("path:notes", ["dated"]),
        ("instal*", ["long-word"]),
        ("\"port of Chancay\"", ["body-only"]),
    ])
    func queryLanguage(query: String, expected: [String]) throws {
        #expect(Set(try ids(query)) == Set(expected), "\(query)")
    }

    /// What `path:` matches: every directory prefix, slashes collapsed, as the words of the
    /// path split it (a trailing slash or a doubled one adds nothing).
    @Test(arguments: [
        ("/srv/notes/a.txt", ["/srv", "/srv/notes", "/srv/notes/a.txt"]),
        ("notes//a.txt/", ["notes", "notes/a.txt"]),
        ("a", ["a"]),
        ("/", []),
        ("", []),
    ])
    func directoryPrefixes(path: String, expected: [String]) {
        let (bytes, ends) = SegmentWriter.directoryPrefixes(path)
        #expect(ends.map { String(decoding: bytes[..<$0], as: UTF8.self) } == expected)
    }

    @Test func titleMatchesRankAboveBodyMatches() throws {
        #expect(try ids("Chancay port").first == "titled")
    }

    @Test func totalCountsEveryMatch() throws {
        let r = try searcher.search(QueryParser.parse("港"), options: SearchOptions(limit: 1))
        #expect(r.total == 3 && r.hits.count == 1)
    }

    // MARK: Snippets

    @Test func snippetsHighlightEveryMatchedForm() throws {
        let hit = try #require(try searcher.search(QueryParser.parse("Boruarte"), options: SearchOptions(limit: 5)).hits.first { $0.id == "typo-source" })
        let snippet = try #require(hit.snippet)
        let marked = snippet.highlights.map { String(decoding: Array(snippet.text.utf8)[$0], as: UTF8.self) }
        #expect(marked == ["Boluarte"])  // the fuzzy match is highlighted
    }

    @Test func cjkSnippetsAreMeasuredInCharactersAndNeverCutUTF8() throws {
        let body = String(repeating: "中国的快速发展和科技进步。", count: 60) + "钱凯港" + String(repeating: "很多未来可以拓展合作的领域。", count: 60)
        let s = try Snapshot.build([Document(id: "long", title: "t", body: body)]).searcher()
        let snippet = try #require(try s.search(QueryParser.parse("钱凯港")).hits.first?.snippet)
        #expect(snippet.text.contains("钱凯港"))
        #expect(snippet.text.count < 100)  // about 160 display columns: 80 wide characters
        #expect(String(validating: Array(snippet.text.utf8), as: UTF8.self) != nil)
        #expect(snippet.highlights.count == 1)
    }
}

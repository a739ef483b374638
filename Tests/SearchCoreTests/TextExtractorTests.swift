import Foundation
import Testing
@testable import SearchCore

func seedsDirectory() -> URL {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("seeds")
}

func seedDocuments() throws -> [Document] {
    let dir = seedsDirectory()
    return try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted().map { name in
        let bytes = try [UInt8](Data(contentsOf: dir.appendingPathComponent(name)))
        return try TextExtractor.extract(id: name, path: dir.appendingPathComponent(name).path, bytes: bytes,
                                         format: DocumentFormat(path: name)!)
    }
}

struct TextExtractorTests {
    @Test func seedTitlesDatesAndLanguages() throws {
        let docs = try seedDocuments()
        #expect(docs.map(\.title) == [
            "State visit by Dina Boluarte to China",
            "China ready to advance comprehensive strategic partnership with Peru to new heights: Xi",
            "Chinese Premier meets with Peruvian president in Beijing",
            "Xi Jinping Meets with President of Peru Dina Ercilia Boluarte Zegarra",
            "习近平会见秘鲁总统：盼钱凯港成为中拉陆海新通道",
        ])
        #expect(docs.map(\.date) == ["2024-06", nil, "2024-06-29", "2023-11-17", "2024-06-29"])
        #expect(docs.map(\.lang) == ["en", "en", "en", "en", "zh"])
    }

    @Test func seed004IndexesNoMarkupURLOrAttribute() throws {
        let body = try seedDocuments()[4].body
        for junk in ["<", ">", "img", "figure-media", "zaobao.com", "https", "lazyload", "referrerpolicy", "layout:", "1719622317000"] {
            #expect(!body.contains(junk), "body contains \(junk)")
        }
        #expect(body.contains("双方要确保钱凯港如期建成"))
        #expect(body.contains("图为习近平在签署仪式上"))  // figcaption text is visible text
    }

    @Test func htmlTitleScriptsStylesAndEntities() throws {
        let html = """
            <!DOCTYPE html><html><head><title>Caf&eacute; &amp; Bar</title><style>p { color: red }</style>
            <script>var secret = "x";</script></head><body><h1>Heading</h1><p>Fish &amp; chips&nbsp;&#8364;5 &#x263A;</p>
            <a href="http://example.com/hidden" title="tooltip">link text</a><!-- a comment --></body></html>
            """
        let doc = try TextExtractor.extract(id: "a.html", bytes: Array(html.utf8), format: .html)
        #expect(doc.title == "Café & Bar")
        #expect(doc.body.contains("Fish & chips €5 ☺"))
        #expect(doc.body.contains("link text"))
        for hidden in ["color", "secret", "example.com", "tooltip", "comment", "Café"] { #expect(!doc.body.contains(hidden)) }
    }

    @Test func markdownFrontMatterAndLinks() throws {
        let md = "---\ntitle: \"Notes: día\"\ndate: 2024-06-29T00:51:57.000Z\nlang: es\n---\n# Heading\nSee [the docs](https://x.org/a_(b)) and ![img](pic.png).\n\n[ref]: http://ref.example\n"
        let doc = try TextExtractor.extract(id: "n.md", bytes: Array(md.utf8), format: .markdown)
        #expect(doc.title == "Notes: día")
        #expect(doc.date == "2024-06-29")
        #expect(doc.lang == "es")
        #expect(doc.body.contains("See [the docs] and ![img]."))
        #expect(!doc.body.contains("x.org") && !doc.body.contains("pic.png") && !doc.body.contains("ref.example"))
    }

    /// Without a title in its front matter, a Markdown file's title is its first "# " line,
    /// CRLF line ends included.
    @Test func markdownHeadingIsTheTitle() throws {
        let md = "---\ndate: 2024-01-02\n---\r\nSome words first.\r\n\r\n# Guide to  ports #\r\nText.\r\n# Second\r\n"
        let doc = try TextExtractor.extract(id: "g.md", bytes: Array(md.utf8), format: .markdown)
        #expect(doc.title == "Guide to ports")
        #expect(doc.date == "2024-01-02")
    }

    /// A title is read from a line's first 4 KiB, cut where a character starts: a one-line
    /// file of megabytes is not collapsed whole.
    @Test func aTitleIsReadFromALinesFirst4KiB() throws {
        let text = String(repeating: " ", count: 4001) + String(repeating: "钱凯港", count: 100_000)  // 900 KB on one line
        let doc = try TextExtractor.extract(id: "long.txt", bytes: Array(text.utf8), format: .text)
        #expect(doc.title == String(String(repeating: "钱凯港", count: 11).prefix(31)))  // 95 bytes: 31 characters and a part
        #expect(doc.body.utf8.count == text.utf8.count)
    }

    @Test func binaryFilesAreRefused() {
        #expect(throws: ExtractionError.binary) {
            try TextExtractor.extract(id: "b.txt", bytes: [0x50, 0x4B, 0x03, 0x04, 0x00, 0x00], format: .text)
        }
    }

    /// UTF-8 with a stray byte keeps its UTF-8, the byte replaced.
    @Test func invalidUTF8IsReplacedNotLost() throws {
        let doc = try TextExtractor.extract(id: "x.txt", bytes: Array("día caf".utf8) + [0xE9] + Array(" ok\nmore".utf8), format: .text)
        #expect(doc.body == "día caf\u{FFFD} ok\nmore")
    }

    /// Bytes beyond ASCII none of which are UTF-8: Windows-1252 (Latin-1 with typographic
    /// characters at 0x80–0x9F), so a Spanish file saved in Latin-1 is found by its words.
    @Test func latin1FilesAreReadAsWindows1252() throws {
        let bytes = Array("Dina Boluarte, presidenta del Per".utf8) + [0xFA, 0x2C, 0x20, 0x93] + Array("Chancay".utf8)
            + [0x94, 0x20, 0x80, 0x20, 0x81, 0x0A]
        let doc = try TextExtractor.extract(id: "l.txt", bytes: bytes, format: .text)
        #expect(doc.body == "Dina Boluarte, presidenta del Perú, “Chancay” € \u{81}\n")
        #expect(doc.title == "Dina Boluarte, presidenta del Perú, “Chancay” € \u{81}")
        let html = try TextExtractor.extract(id: "l.html", bytes: Array("<p>a&amp;b ".utf8) + [0xF1, 0x61], format: .html)
        #expect(html.body == "a&b ña")
    }

    /// A file that starts with a UTF-16 byte-order mark is UTF-16, either byte order; NUL
    /// characters in it mark it binary as NUL bytes do.
    @Test func utf16FilesWithAByteOrderMark() throws {
        let text = "Chancay 钱凯港\nel puerto 🚢"
        let units = Array(text.utf16)
        let little: [UInt8] = [0xFF, 0xFE] + units.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        let big: [UInt8] = [0xFE, 0xFF] + units.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        for bytes in [little, big] {
            let doc = try TextExtractor.extract(id: "u.txt", bytes: bytes, format: .text)
            #expect(doc.body == text)
            #expect(doc.title == "Chancay 钱凯港")
        }
        #expect(throws: ExtractionError.binary) {
            try TextExtractor.extract(id: "b.txt", bytes: [0xFF, 0xFE, 0x41, 0x00, 0x00, 0x00, 0x42, 0x00], format: .text)
        }
    }

    @Test func sourceLocationsThroughMarkup() throws {
        let html = "<html><body>\n<p>first line</p>\n<p>the <b>target</b> word</p></body></html>"
        let doc = try TextExtractor.extract(id: "t.html", bytes: Array(html.utf8), format: .html)
        let target = Array(doc.body.utf8).firstRange(of: Array("target".utf8))!.lowerBound
        let loc = doc.sourceLocation(ofBodyOffset: target)
        #expect(loc.line == 3)
        #expect(loc.column == 11)  // "<p>the <b>" is 10 bytes
    }

    /// A tag's quoted values may hold ">" and "<"; a tag left open stops at the next "<"; a
    /// value whose quote never closes takes the rest of the file; in Markdown, `<https://...>`
    /// is a link, not a tag. Entities and tags at every offset of an 8-byte word.
    @Test func tagsWithQuotesAndUnclosedTags() throws {
        func text(_ html: String, _ format: DocumentFormat = .html) throws -> String {
            try TextExtractor.extract(id: "t", bytes: Array(html.utf8), format: format).body
        }
        #expect(try text(#"<p title="a > b" data-x='<i>'>one</p><p class=x>two &amp; three</p>"#) == "one\ntwo & three\n")
        #expect(try text("<p>open <b class=\"x\" <i>inner</i> after</p>") == "open inner after\n")
        #expect(try text("<p>before</p><a title=\"never closed>after") == "before\n")
        #expect(try text("See <https://x.org/a> and <b>bold</b>.", .markdown) == "See  and bold.")
        for pad in 0..<9 {
            let filler = String(repeating: "x", count: pad)
            #expect(try text(filler + "&lt;<b>t</b>&gt;" + filler) == filler + "<t>" + filler)
        }
    }

    /// After the title, the first lines are read for a date only where a year's four digits
    /// stand in a row; digits spread over a line are no year.
    @Test func aDateIsLookedForInTheLinesAfterTheTitle() throws {
        let text = "ACCT(5)   File Formats   ACCT(5)\n\nversion 1.2.3.4 of 12/05\n  \n- Date: 28 June 2024\nbody\n"
        let doc = try TextExtractor.extract(id: "a.txt", bytes: Array(text.utf8), format: .text)
        #expect(doc.title == "ACCT(5) File Formats ACCT(5)")
        #expect(doc.date == "2024-06-28")
        #expect(DateText.leadingDate("1 2 3 4 June") == nil)
        #expect(DateText.normalize("June 2 0 2 4") == nil)
    }

    /// Every anchor points at the same bytes in the source, its line and column checked
    /// against the source's line starts listed independently (the builder counts lines as
    /// the anchors go; a document's body and the file it came from both hold a verbatim span).
    @Test func everyAnchorIsWhereItsTextIsInTheSource() throws {
        let pieces = ["<html><head><title>T</title></head><body>\n", "<p>first line</p>\n", "<p>the <b>target</b> word</p>",
                      "\r\n<div>caf\u{E9} &amp; more</div>\n\n\n", "<script>x = '<p>'</script>", "<h1>head</h1>\n<p>last",
                      "---\ntitle: x\n---\n", "# Heading\n", "[link](http://x)\n", "plain\ttext 钱凯港\n"]
        var files: [(String, [UInt8], DocumentFormat)] = try FileManager.default.contentsOfDirectory(atPath: seedsDirectory().path).map {
            ($0, try [UInt8](Data(contentsOf: seedsDirectory().appendingPathComponent($0))), DocumentFormat(path: $0)!)
        }
        var random: UInt64 = 0x2545_F491_4F6C_DD1D
        for k in 0..<300 {
            let text = (0..<20).map { _ in
                random ^= random << 13; random ^= random >> 7; random ^= random << 17
                return pieces[Int(random % UInt64(pieces.count))]
            }.joined()
            files.append(("r\(k)", Array(text.utf8), [.html, .markdown, .text][k % 3]))
        }
        var checked = 0
        for (name, bytes, format) in files {
            let doc = try TextExtractor.extract(id: name, bytes: bytes, format: format)
            let lineStarts = [0] + bytes.indices.filter { bytes[$0] == UInt8(ascii: "\n") }.map { $0 + 1 }
            let body = Array(doc.body.utf8)
            for anchor in doc.anchors where Int(anchor.bodyOffset) < body.count {
                let offset = lineStarts[Int(anchor.line) - 1] + Int(anchor.column) - 1
                #expect(offset < bytes.count && (bytes[offset] == body[Int(anchor.bodyOffset)] || bytes[offset] == UInt8(ascii: "&")),
                        "\(name): anchor \(anchor)")
                checked += 1
            }
        }
        #expect(checked > 1000)
    }

    @Test(arguments: [
        ("2024-06-29T00:51:57.000Z", "2024-06-29"), ("2024/6/9", "2024-06-09"), ("June 2024", "2024-06"),
        ("June 28, 2024", "2024-06-28"), ("28 June 2024", "2024-06-28"), ("hello", nil), ("2024-13-01", nil),
    ] as [(String, String?)])
    func dates(text: String, expected: String?) {
        #expect(DateText.normalize(text) == expected)
    }
}

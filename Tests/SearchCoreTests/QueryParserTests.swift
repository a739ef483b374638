import Testing
@testable import SearchCore

struct QueryParserTests {
    /// Every kind of white space separates words: ASCII's by value, the others by property.
    @Test func whiteSpaceOfEveryKindSeparatesWords() throws {
        let words = ["a", "b", "c", "d", "e", "f", "g", "h"]
        let query = try QueryParser.parse("a\tb\nc\u{0B}d\u{0C}e\rf g\u{00A0}h")
        #expect(query == .any(words.map { .word($0) }))
        #expect(try QueryParser.parse("a\u{1F}b") == .word("a\u{1F}b"))  // a control character, not a space
    }

    @Test(arguments: [
        ("钱凯港", Query.word("钱凯港")),
        ("Boluarte Chancay", .any([.word("Boluarte"), .word("Chancay")])),
        ("\"Great Hall\" People", .any([.phrase("Great Hall"), .word("People")])),
        ("a OR b", .or([.word("a"), .word("b")])),
        ("a b OR c", .any([.word("a"), .or([.word("b"), .word("c")])])),
        ("a AND b", .all([.word("a"), .word("b")])),
        ("a -b", .any([.word("a"), .not(.word("b"))])),
        ("a NOT b", .any([.word("a"), .not(.word("b"))])),
        ("+a b", .any([.required(.word("a")), .word("b")])),
        ("(a OR b) c", .any([.or([.word("a"), .word("b")]), .word("c")])),
        ("title:China", .field(.title, .word("China"))),
        ("title:\"Great Hall\"", .field(.title, .phrase("Great Hall"))),
        ("path:docs/notes", .path("docs/notes")),
        ("lang:ZH", .lang("zh")),
        ("date:2024-06..2024-07", .date(20240601...20240731)),
        ("date:2024", .date(20240101...20241231)),
        ("date:..2023-12", .date(0...20231231)),
        ("date:2024-06-29", .date(20240629...20240629)),
        ("instal*", .prefix("instal")),
        ("Boruarte~", .word("Boruarte", .edits(1))),
        ("boluarte~2", .word("boluarte", .edits(2))),
        ("exact~0", .word("exact", .edits(0))),
        ("apt-cache", .word("apt-cache")),
        ("10:50 std::vector", .any([.word("10:50"), .word("std::vector")])),
        ("ls - list", .any([.word("ls"), .word("-"), .word("list")])),
        ("or and not", .any([.word("or"), .word("and"), .word("not")])),
        ("钱凯港“博鲁阿尔特”(a)", .any([.word("钱凯港"), .phrase("博鲁阿尔特"), .word("a")])),  // quotes and parentheses end a word
    ])
    func parses(text: String, expected: Query) throws {
        #expect(try QueryParser.parse(text) == expected)
    }

    @Test(arguments: [
        ("", "empty query", 0),
        ("   ", "empty query", 0),
        ("\"open", "unbalanced quote", 0),
        ("a \"b", "unbalanced quote", 2),
        ("(a b", "unbalanced parenthesis", 0),
        ("a b)", "unbalanced parenthesis", 3),
        ("()", "empty parentheses", 0),
        ("OR a", "OR needs a term before it", 0),
        ("a OR", "OR needs a term after it", 2),
        ("a AND", "AND needs a term after it", 2),
        ("a -", "'-' ", -1),
        ("title:", "title: needs a value", 0),
        ("x date:2024-13", "date: needs YYYY", 7),
        ("word~3", "fuzziness after ~ must be 0, 1 or 2", 4),
    ])
    func errorsNameThePosition(text: String, message: String, offset: Int) {
        do {
            let q = try QueryParser.parse(text)
            if offset >= 0 { Issue.record("parsed \(text) as \(q)") }
        } catch {
            #expect(error.message.contains(message), "\(error)")
            #expect(error.offset == offset, "\(error)")
        }
    }

    @Test func boundedSize() {
        let many = (0...QueryParser.maxTerms).map { "w\($0)" }.joined(separator: " ")
        #expect(throws: QueryError.self) { try QueryParser.parse(many) }
        let deep = String(repeating: "(", count: 100) + "a" + String(repeating: ")", count: 100)
        #expect(throws: QueryError.self) { try QueryParser.parse(deep) }
        let long = String(repeating: "a", count: QueryParser.maxLength + 1)
        #expect(throws: QueryError.self) { try QueryParser.parse(long) }
        // ten thousand terms: an error, quickly, never a crash
        let huge = (0..<10_000).map { "t\($0)" }.joined(separator: " OR ")
        #expect(throws: QueryError.self) { try QueryParser.parse(huge) }
    }
}

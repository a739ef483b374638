import Testing
@testable import SearchProtocol

struct JSONTests {
    @Test(arguments: [
        #"{"a":1,"b":[true,false,null],"c":"x\"y\\z\n","d":-1.5,"e":{}}"#,
        #"[]"#, #""钱凯港""#, #"123"#, #"1e+300"#,
    ])
    func roundTrips(text: String) throws {
        let value = try JSON.parse(text)
        #expect(try JSON.parse(value.serialized()) == value)
    }

    @Test func keepsKeyOrderAndEscapes() throws {
        let value: JSON = ["z": 1, "a": "line\nbreak\u{1}", "m": [1.5, nil]]
        #expect(value.serialized() == #"{"z":1,"a":"line\nbreak\u0001","m":[1.5,null]}"#)
    }

    @Test func everyEscapeAndTheRunsBetween() {
        let value: JSON = .string("a\"b\\c\nd\re\tf\u{7F}g\u{1F}钱")
        #expect(value.serialized() == #""a\"b\\c\nd\re\tf\u007fg\u001f钱""#)
        #expect(JSON.string("").serialized() == #""""#)
        #expect(JSON.string("\n").serialized() == #""\n""#)
    }

    @Test func numbersAsDigitsOrSwiftPrintsThem() {
        let numbers: [Double] = [0, -0.0, 7, -42, 123_456_789_012_345, -999_999_999_999_999, 1e15, 0.5, -1.25, 12.3457, .infinity, .nan]
        let text = numbers.map { JSON.number($0).serialized() }
        #expect(text == ["0", "0", "7", "-42", "123456789012345", "-999999999999999", "1000000000000000.0", "0.5", "-1.25", "12.3457", "null", "null"])
    }

    /// Integers are read without Double's parser: the same values, and -0 stays negative.
    @Test func numbersReadAsSwiftReadsThem() throws {
        for text in ["0", "-0", "7", "-42", "007", "123456789012345", "-999999999999999", "1234567890123456",
                     "99999999999999999999", "1.5", "-2e3", "1E-2"] {
            let value = try JSON.parse(text)
            #expect(value == .number(Double(text)!), "\(text)")
            #expect(value.doubleValue?.sign == Double(text)!.sign)
        }
    }

    static let writerNumbers: [Double] = [0, -0.0, 1, 9, 10, 99, 100, 101, -3, -10, 7.8645, 999_999_999_999_999, -999_999_999_999_999,
                                          1e15, 1e20, .infinity, .nan, 0.5]

    /// The writer a search's response uses writes what the tree would.
    @Test func writerWritesWhatTheTreeWrites() {
        let strings = ["", "plain", "quote \" and \\ backslash", "line\nbreak\ttab\u{1}", "钱凯港 ünïcödé 🎉", String(repeating: "long ", count: 400)]
        var w = JSONWriter(capacity: 16)
        w.object { w in
            w.key("strings")
            w.array { w in for s in strings { w.string(s) } }
            w.key("numbers")
            w.array { w in for n in Self.writerNumbers { w.number(n) } }
            w.key("nested")
            w.object { w in
                w.key("empty")
                w.array { _ in }
                w.key("value")
                w.value(["a": true, "b": .null])
            }
        }
        let tree: JSON = ["strings": .array(strings.map { .string($0) }), "numbers": .array(Self.writerNumbers.map { .number($0) }),
                          "nested": ["empty": [], "value": ["a": true, "b": .null]]]
        #expect(w.text == tree.serialized())
    }

    /// A score's four decimals, written as digits, read as the rounded number printed by Swift.
    @Test func fixedDecimalsAreTheRoundedNumber() {
        var generator = SystemRandomNumberGenerator()
        var numbers: [Double] = [0, -0.0, 0.00004, -0.00004, 0.00005, 0.0001, -0.0001, 0.5, 1, 10, 12.34565, 99.99995,
                                 -7.25, 1e10 + 0.1234, 99_999_999_999.9999, 1e11, -1e11, 1e300, .infinity, .nan]
        for magnitude in [1e-4, 1e-2, 1, 100, 1e4, 1e8, 1e10] {
            numbers += (0..<500).map { _ in Double.random(in: -magnitude...magnitude, using: &generator) }
        }
        for n in numbers {
            for decimals in 0...4 {
                let scale = [1.0, 10, 100, 1000, 10_000][decimals]
                var fixed = JSONWriter(), printed = JSONWriter()
                fixed.number(n, decimals: decimals)
                printed.number((n * scale).rounded() / scale)
                #expect(fixed.text == printed.text, "\(n) to \(decimals) decimals")
            }
        }
    }

    /// Each byte that needs escaping, at every place of a string longer than the writer's
    /// eight-byte steps, is found (and written as the tree writes it).
    @Test func writerFindsEveryEscapeAnywhere() {
        for b: UInt8 in [0x00, 0x0A, 0x1F, 0x22, 0x5C, 0x7F] {
            for place in 0..<19 {
                var bytes = Array("plain text, 钱".utf8)  // 17 bytes
                bytes.insert(b, at: min(place, bytes.count))
                let s = String(decoding: bytes, as: UTF8.self)
                var w = JSONWriter()
                w.string(s)
                #expect(w.text == JSON.string(s).serialized())
                #expect(w.text.utf8.count > bytes.count + 2, "byte \(b) at \(place) escaped")
            }
        }
        for plain in ["", "a", "exactly8", "sixteen bytes!!!", "ünïcödé and 钱凯港 and more"] {
            var w = JSONWriter()
            w.string(plain)
            #expect(w.text == "\"" + plain + "\"")
        }
    }

    @Test func unicodeEscapesAndSurrogates() throws {
        #expect(try JSON.parse(#""\u94b1\ud83c\udf89""#) == .string("钱🎉"))
        #expect(throws: JSONError.self) { try JSON.parse(#""\ud83c""#) }
    }

    @Test(arguments: [
        Array(#"{"a":"#.utf8), Array(#"{"a" 1}"#.utf8), Array("[1,]".utf8), Array("tru".utf8), Array(#""a"b"#.utf8),
        Array(#"""#.utf8) + [0xFF] + Array(#"""#.utf8),  // invalid UTF-8
        Array(#"""#.utf8) + [0xC0, 0xAF] + Array(#"""#.utf8),  // overlong encoding
        Array(#"""#.utf8) + [0xED, 0xA0, 0x80] + Array(#"""#.utf8),  // UTF-8-encoded surrogate
        Array(String(repeating: "[", count: 100).utf8) + Array(String(repeating: "]", count: 100).utf8),
    ])
    func rejects(bytes: [UInt8]) {
        #expect(throws: JSONError.self) { try JSON.parse(bytes) }
    }

    /// Strings without escapes are taken in one piece, the others decoded from the first escape
    /// on: both give the same text and reject the same bytes at the same offset.
    @Test func stringsWithAndWithoutEscapes() throws {
        #expect(try JSON.parse(#""钱凯港 Chancay""#) == .string("钱凯港 Chancay"))
        #expect(try JSON.parse(#""钱凯 \"port\"\t港 \u00e9""#) == .string("钱凯 \"port\"\t港 é"))
        #expect(throws: JSONError(message: "control character in string", offset: 3)) { try JSON.parse(Array(#""ab"#.utf8) + [0x09, 0x22]) }
        #expect(throws: JSONError(message: "invalid UTF-8", offset: 3)) { try JSON.parse(Array(#""ab"#.utf8) + [0xFF, 0x22]) }
        #expect(throws: JSONError(message: "invalid UTF-8", offset: 4)) { try JSON.parse(Array(#""a\n"#.utf8) + [0xFF, 0x22]) }
        #expect(throws: JSONError(message: "invalid UTF-8", offset: 7)) { try JSON.parse(Array(#""钱凯"#.utf8) + [0xE6, 0xB8, 0x22]) }
        // the first error in byte order, whichever kind it is
        #expect(throws: JSONError(message: "invalid UTF-8", offset: 1)) { try JSON.parse([0x22, 0xFF] + Array(#"\x""#.utf8)) }
        #expect(throws: JSONError(message: "invalid escape", offset: 3)) { try JSON.parse(Array(#""\x"#.utf8) + [0xFF, 0x22]) }
        #expect(throws: JSONError(message: "invalid UTF-8", offset: 7)) { try JSON.parse(Array(#""\u00e9"#.utf8) + [0xFF, 0x22]) }
        #expect(throws: JSONError(message: "unterminated string", offset: 3)) { try JSON.parse(#""ab"#) }
    }

    /// Plain ASCII is skipped 8 bytes at a time: a quote, an escape, a control character or a
    /// non-ASCII character at any offset of a long string still ends it, is decoded or is
    /// rejected at its own offset.
    @Test func specialBytesAtEveryOffsetOfALongString() throws {
        for at in 0..<20 {
            let before = String(repeating: "a", count: at), after = String(repeating: "b", count: 19 - at)
            #expect(try JSON.parse("[\"\(before)\",\"\(after)\"]") == [.string(before), .string(after)])
            #expect(try JSON.parse("\"\(before)\\n\(after)\"") == .string(before + "\n" + after))
            #expect(try JSON.parse("\"\(before)é钱\(after)\"") == .string(before + "é钱" + after))
            #expect(throws: JSONError(message: "control character in string", offset: at + 1)) {
                try JSON.parse(Array("\"\(before)".utf8) + [0x01] + Array("\(after)\"".utf8))
            }
            #expect(throws: JSONError(message: "invalid UTF-8", offset: at + 1)) {
                try JSON.parse(Array("\"\(before)".utf8) + [0xFF] + Array("\(after)\"".utf8))
            }
        }
    }

    /// Escapes are decoded into room the size of the rest of the input: strings made of
    /// escapes only, ending the input, every kind side by side, in a slice of a larger array.
    @Test func escapesDecodeIntoTheirRoom() throws {
        let kinds: [(String, String)] = [(#"\n"#, "\n"), (#"\""#, "\""), (#"\\"#, "\\"), (#"\/"#, "/"), (#"\t"#, "\t"),
                                         (#"\u00e9"#, "é"), (#"\u94b1"#, "钱"), (#"\ud83c\udf89"#, "🎉")]
        for (escaped, text) in kinds {
            for count in [1, 2, 7, 100] {
                let input = "\"" + String(repeating: escaped, count: count) + "\""
                #expect(try JSON.parse(input) == .string(String(repeating: text, count: count)))
            }
        }
        let all = kinds.map(\.0).joined(), decoded = kinds.map(\.1).joined()
        #expect(try JSON.parse("[\"a\(all)b\",\"\(all)\"]") == [.string("a" + decoded + "b"), .string(decoded)])
        let line = Array("xx{\"text\":\"\(all)\"}yy".utf8)
        #expect(try JSON.parse(line[2..<(line.count - 2)])["text"] == .string(decoded))
    }

    @Test func errorsNameTheOffset() {
        #expect(throws: JSONError(message: "expected ':'", offset: 5)) { try JSON.parse(#"{"a" 1}"#) }
    }
}

struct LineFramerTests {
    @Test func splitsLinesAcrossChunksAndStripsCR() {
        var framer = LineFramer(maxLineLength: 100)
        #expect(framer.feed(Array("ab".utf8)) == [])
        #expect(framer.feed(Array("c\r\nde\nf".utf8)) == [.line(Array("abc".utf8)), .line(Array("de".utf8))])
        #expect(framer.pendingCount == 1)
    }

    @Test func anOverlongLineIsReportedOnceAndSkipped() {
        var framer = LineFramer(maxLineLength: 4)
        #expect(framer.feed(Array("123456789".utf8)) == [.tooLong])
        #expect(framer.feed(Array("more\nok\n".utf8)) == [.line(Array("ok".utf8))])
    }
}

struct MessageTests {
    @Test func decodesARequest() throws {
        let r = try Request.decode(Array(#"{"jsonrpc":"2.0","id":"a","method":"search","params":{"query":"x"}}"#.utf8)).get()
        #expect(r == Request(id: "a", method: "search", params: ["query": "x"]))
    }

    @Test(arguments: [
        (#"not json"#, JSON.null, RPCError.parseError),
        (#"[1,2]"#, JSON.null, RPCError.invalidRequest),
        (#"{"jsonrpc":"2.0","id":3}"#, JSON.number(3), RPCError.invalidRequest),
        (#"{"jsonrpc":"1.0","id":3,"method":"ping"}"#, JSON.number(3), RPCError.invalidRequest),
        (#"{"jsonrpc":"2.0","id":{},"method":"ping"}"#, JSON.null, RPCError.invalidRequest),
        (#"{"jsonrpc":"2.0","id":4,"method":"ping","params":"x"}"#, JSON.number(4), RPCError.invalidRequest),
    ])
    func invalidRequests(line: String, id: JSON, code: Int) {
        guard case .failure(let invalid) = Request.decode(Array(line.utf8)) else {
            Issue.record("accepted \(line)")
            return
        }
        #expect(invalid.id == id)
        #expect(invalid.error.code == code)
    }

    @Test func responseLinesRoundTrip() throws {
        let ok = Response(id: 1, result: ["total": 0])
        #expect(ok.line == #"{"jsonrpc":"2.0","id":1,"result":{"total":0}}"#)
        #expect(try Response.decode(Array(ok.line.utf8)) == ok)
        let bad = Response(id: .null, error: RPCError(code: -32700, message: "parse error"))
        #expect(try Response.decode(Array(bad.line.utf8)) == bad)
    }
}

#if canImport(Glibc)
import Glibc
#endif

/// A JSON value. Objects keep their keys in order, so what searchd writes is stable
/// (golden protocol tests compare lines byte for byte).
public enum JSON: Equatable, Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSON])
    case object([(String, JSON)])

    /// `bytes` as a String if they are valid UTF-8. `String(validating:as:)` takes a generic
    /// path that is not specialized (≈ 950 instructions for each short string of a request);
    /// `String(decoding:as:)` is the fast one but repairs what is invalid, so its bytes are
    /// compared with the input.
    static func string(validating bytes: UnsafeBufferPointer<UInt8>) -> String? {
        var text = String(decoding: bytes, as: UTF8.self)
        let exact = text.withUTF8 { utf8 in
            utf8.count == bytes.count && (bytes.isEmpty || memcmp(utf8.baseAddress!, bytes.baseAddress!, bytes.count) == 0)
        }
        return exact ? text : nil
    }

    public static func == (a: JSON, b: JSON) -> Bool {
        switch (a, b) {
        case (.null, .null): true
        case let (.bool(x), .bool(y)): x == y
        case let (.number(x), .number(y)): x == y
        case let (.string(x), .string(y)): x == y
        case let (.array(x), .array(y)): x == y
        case let (.object(x), .object(y)): x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: false
        }
    }

    /// The value of `key` in an object (nil for a missing key or a non-object).
    public subscript(key: String) -> JSON? {
        guard case .object(let pairs) = self else { return nil }
        return pairs.first { $0.0 == key }?.1
    }

    public var stringValue: String? { if case .string(let s) = self { s } else { nil } }
    public var doubleValue: Double? { if case .number(let n) = self { n } else { nil } }
    public var boolValue: Bool? { if case .bool(let b) = self { b } else { nil } }
    public var arrayValue: [JSON]? { if case .array(let a) = self { a } else { nil } }

    /// An integral number that fits an Int.
    public var intValue: Int? {
        guard case .number(let n) = self, n.rounded() == n, abs(n) < 9.007_199_254_740_992e15 else { return nil }
        return Int(n)
    }

    /// The JSON type's name, for error messages.
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }
}

extension JSON: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral, ExpressibleByFloatLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSON...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSON)...) { self = .object(elements) }
    public init(nilLiteral: ()) { self = .null }
}

// MARK: Writing

extension JSON {
    /// Compact JSON text on one line (no raw newlines ever: they are escaped in strings).
    public func serialized() -> String {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        write(to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    public func write(to out: inout [UInt8]) {
        switch self {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .number(let n): Self.writeNumber(n, to: &out)
        case .string(let s): Self.writeString(s, to: &out)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for i in items.indices {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                items[i].write(to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let pairs):
            out.append(UInt8(ascii: "{"))
            for i in pairs.indices {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                Self.writeString(pairs[i].0, to: &out)
                out.append(UInt8(ascii: ":"))
                pairs[i].1.write(to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// Integers as digits (without a String in between: a response has dozens), other
    /// numbers as Swift prints them (the shortest text that reads back the same).
    private static func writeNumber(_ n: Double, to out: inout [UInt8]) {
        guard n.isFinite else { return out.append(contentsOf: "null".utf8) }
        if withIntegerText(n, { out.append(contentsOf: $0) }) != nil { return }
        out.append(contentsOf: "\(n)".utf8)
    }

    /// Calls `body` with the text of `n` when JSON writes it as an integer (integral, below
    /// 10¹⁵): its sign and digits, on the stack. Nil for any other number.
    static func withIntegerText<R>(_ n: Double, _ body: (UnsafeRawBufferPointer) -> R) -> R? {
        guard n.isFinite, n.rounded() == n, abs(n) < 1e15 else { return nil }
        return withDigits(Int64(n), places: 0, body)
    }

    /// Calls `body` with the text of `value` / 10^`places` (`value` of at most 15 digits): its
    /// sign, its digits, and with places a point that many digits from the right, a digit at
    /// least before it; on the stack.
    static func withDigits<R>(_ value: Int64, places: Int, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        var v = value.magnitude
        var text: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes: a sign, 15 digits, a point, a leading 0
        return withUnsafeMutableBytes(of: &text) { d in
            var k = d.count
            var written = 0
            repeat {
                if places > 0 && written == places {
                    k -= 1
                    d[k] = UInt8(ascii: ".")
                }
                k -= 1
                d[k] = UInt8(ascii: "0") + UInt8(v % 10)
                v /= 10
                written += 1
            } while v > 0 || written <= places
            if value < 0 {
                k -= 1
                d[k] = UInt8(ascii: "-")
            }
            return body(UnsafeRawBufferPointer(rebasing: d[k...]))
        }
    }

    private static let hex = Array("0123456789abcdef".utf8)

    static func writeString(_ s: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var s = s
        // Runs of bytes that need no escaping (nearly all of them) are copied at once.
        s.withUTF8 { bytes in
            var run = 0
            for i in 0..<bytes.count where needsEscape(bytes[i]) {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run..<i]))
                writeEscaped(bytes[i], to: &out)
                run = i + 1
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run...]))
        }
        out.append(UInt8(ascii: "\""))
    }

    @inline(__always)
    static func needsEscape(_ b: UInt8) -> Bool {
        b < 0x20 || b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") || b == 0x7F
    }

    /// Whether any byte of `utf8` needs escaping, eight at a time (a response's ids and
    /// titles: byte by byte through a closure, ≈ 400 instructions a string).
    static func needsEscaping(_ utf8: UnsafeBufferPointer<UInt8>) -> Bool {
        let raw = UnsafeRawBufferPointer(utf8)
        var k = 0
        while k + 8 <= raw.count {
            let w = raw.loadUnaligned(fromByteOffset: k, as: UInt64.self)
            if anyByte(of: w, below: 0x20) || anyByte(of: w, equalTo: 0x22) || anyByte(of: w, equalTo: 0x5C) || anyByte(of: w, equalTo: 0x7F) {
                return true
            }
            k += 8
        }
        return utf8[k...].contains(where: needsEscape)
    }

    private static let ones: UInt64 = 0x0101_0101_0101_0101

    /// A byte of `x` below `n` (≤ 0x80). Exact for "any": only a true one borrows, and a
    /// byte of 0x80 or more is never below n.
    @inline(__always)
    static func anyByte(of x: UInt64, below n: UInt64) -> Bool { (x &- n &* ones) & ~x & (0x80 &* ones) != 0 }

    @inline(__always)
    static func anyByte(of x: UInt64, equalTo b: UInt64) -> Bool { anyByte(of: x ^ (b &* ones), below: 1) }

    private static func writeEscaped(_ b: UInt8, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\\"))
        switch b {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"): out.append(b)
        case 0x0A: out.append(UInt8(ascii: "n"))
        case 0x0D: out.append(UInt8(ascii: "r"))
        case 0x09: out.append(UInt8(ascii: "t"))
        default:
            out.append(contentsOf: "u00".utf8)
            out.append(hex[Int(b >> 4)])
            out.append(hex[Int(b & 0xF)])
        }
    }
}

// MARK: Reading

/// Why a line is not JSON: what was expected, at which byte.
public struct JSONError: Error, Equatable, CustomStringConvertible {
    public var message: String
    public var offset: Int

    public var description: String { "\(message) at byte \(offset)" }
}

extension JSON {
    /// Nesting deeper than this is refused (a request never needs it; recursion must stay bounded).
    public static let maxDepth = 64

    /// Parses one JSON text. Strings must be valid UTF-8; trailing bytes other than white
    /// space are an error.
    public static func parse<C: Collection>(_ bytes: C) throws(JSONError) -> JSON where C.Element == UInt8 {
        try Array(bytes).withUnsafeBufferPointer { parse(buffer: $0) }.get()
    }

    /// The same, for the byte sequences read from a socket or a JSON Lines file: parsed where
    /// they lie (the generic path's copy of each line, and its run-time type lookups, were a
    /// fifth of the parsing of a large JSON Lines file).
    public static func parse(_ bytes: ArraySlice<UInt8>) throws(JSONError) -> JSON {
        try bytes.withUnsafeBufferPointer { parse(buffer: $0) }.get()
    }

    public static func parse(_ bytes: [UInt8]) throws(JSONError) -> JSON {
        try bytes.withUnsafeBufferPointer { parse(buffer: $0) }.get()
    }

    public static func parse(_ text: String) throws(JSONError) -> JSON { try parse(Array(text.utf8)) }

    private static func parse(buffer: UnsafeBufferPointer<UInt8>) -> Result<JSON, JSONError> {
        Result { () throws(JSONError) -> JSON in
            var parser = Parser(bytes: buffer)
            let value = try parser.value(depth: 0)
            parser.skipSpace()
            guard parser.i == parser.bytes.count else { throw parser.error("unexpected data after the JSON value") }
            return value
        }
    }

    private struct Parser {
        let bytes: UnsafeBufferPointer<UInt8>
        var i = 0

        func error(_ message: String) -> JSONError { JSONError(message: message, offset: i) }

        mutating func skipSpace() {
            while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 }
        }

        mutating func value(depth: Int) throws(JSONError) -> JSON {
            guard depth < JSON.maxDepth else { throw error("JSON nested deeper than \(JSON.maxDepth) levels") }
            skipSpace()
            guard i < bytes.count else { throw error("unexpected end of input, expected a value") }
            switch bytes[i] {
            case UInt8(ascii: "{"): return try object(depth: depth)
            case UInt8(ascii: "["): return try array(depth: depth)
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"): try literal("true"); return .bool(true)
            case UInt8(ascii: "f"): try literal("false"); return .bool(false)
            case UInt8(ascii: "n"): try literal("null"); return .null
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
            default: throw error("unexpected character, expected a value")
            }
        }

        mutating func literal(_ word: StaticString) throws(JSONError) {
            let w = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
            guard i + w.count <= bytes.count, bytes[i..<i + w.count].elementsEqual(w) else { throw error("invalid literal") }
            i += w.count
        }

        mutating func object(depth: Int) throws(JSONError) -> JSON {
            i += 1
            var pairs: [(String, JSON)] = []
            skipSpace()
            if i < bytes.count && bytes[i] == UInt8(ascii: "}") { i += 1; return .object(pairs) }
            while true {
                skipSpace()
                guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw error("expected a string key") }
                let key = try string()
                skipSpace()
                guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw error("expected ':'") }
                i += 1
                pairs.append((key, try value(depth: depth + 1)))
                skipSpace()
                guard i < bytes.count else { throw error("unexpected end of input in an object") }
                if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                if bytes[i] == UInt8(ascii: "}") { i += 1; return .object(pairs) }
                throw error("expected ',' or '}'")
            }
        }

        mutating func array(depth: Int) throws(JSONError) -> JSON {
            i += 1
            var items: [JSON] = []
            skipSpace()
            if i < bytes.count && bytes[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
            while true {
                items.append(try value(depth: depth + 1))
                skipSpace()
                guard i < bytes.count else { throw error("unexpected end of input in an array") }
                if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                if bytes[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
                throw error("expected ',' or ']'")
            }
        }

        mutating func number() throws(JSONError) -> Double {
            let start = i
            if bytes[i] == UInt8(ascii: "-") { i += 1 }
            let digits = { (p: inout Parser) -> Int in
                let s = p.i
                while p.i < p.bytes.count, p.bytes[p.i] >= 0x30, p.bytes[p.i] <= 0x39 { p.i += 1 }
                return p.i - s
            }
            guard digits(&self) > 0 else { throw error("invalid number") }
            if i < bytes.count && bytes[i] == UInt8(ascii: ".") {
                i += 1
                guard digits(&self) > 0 else { throw error("invalid number") }
            }
            if i < bytes.count && (bytes[i] | 0x20) == UInt8(ascii: "e") {
                i += 1
                if i < bytes.count && (bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-")) { i += 1 }
                guard digits(&self) > 0 else { throw error("invalid number") }
            }
            // an integer of up to 15 digits (a request's id, a limit) is exact as a Double:
            // summed here, without a String for Double's parser
            if i - start <= 15, let n = integer(bytes[start..<i]) { return n }
            guard let n = Double(String(decoding: bytes[start..<i], as: UTF8.self)) else { throw error("invalid number") }
            return n
        }

        /// The value of an optional minus and digits only; nil for anything else.
        private func integer(_ text: Slice<UnsafeBufferPointer<UInt8>>) -> Double? {
            let digits = text.first == UInt8(ascii: "-") ? text.dropFirst() : text
            var v: Int64 = 0
            for d in digits {
                guard d >= 0x30 && d <= 0x39 else { return nil }
                v = v * 10 + Int64(d - 0x30)
            }
            return digits.count < text.count ? -Double(v) : Double(v)
        }

        mutating func string() throws(JSONError) -> String {
            i += 1
            // Runs of plain text are found 8 bytes at a time and copied whole, escapes decoded
            // between them; the UTF-8 is checked once, by String, at the end. An error names
            // the offset a reading byte by byte would have stopped at: invalid UTF-8 before it
            // comes first.
            let start = i
            func fail(_ message: String, at offset: Int) -> JSONError {
                if let bad = firstInvalidUTF8(from: start, to: offset) { return JSONError(message: "invalid UTF-8", offset: bad) }
                return JSONError(message: message, offset: offset)
            }
            // the text with its escapes decoded, once there is one, written through a pointer
            // into room for the rest of the input (decoding never lengthens it): an array
            // appended to at each escape cost a seventh of a JSON Lines file's parsing
            var out: UnsafeMutablePointer<UInt8>? = nil
            var n = 0
            defer { out?.deallocate() }
            var run = i
            while true {
                i = textEnd(from: i)
                guard i < bytes.count else { throw fail("unterminated string", at: i) }
                let b = bytes[i]
                if b < 0x20 { throw fail("control character in string", at: i) }
                if b == UInt8(ascii: "\"") {
                    let text: String?
                    if let out {
                        (out + n).update(from: bytes.baseAddress! + run, count: i - run)
                        n += i - run
                        text = JSON.string(validating: UnsafeBufferPointer(start: out, count: n))
                    } else {
                        text = JSON.string(validating: UnsafeBufferPointer(rebasing: bytes[run..<i]))
                    }
                    guard let text else { throw fail("invalid UTF-8", at: i) }
                    i += 1
                    return text
                }
                let buffer = out ?? .allocate(capacity: bytes.count - start)
                out = buffer
                (buffer + n).update(from: bytes.baseAddress! + run, count: i - run)
                n += i - run
                i += 1
                guard i < bytes.count else { throw fail("unterminated string", at: i) }
                let e = bytes[i]
                i += 1
                run = i
                let decoded: UInt8? = switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): e
                case UInt8(ascii: "b"): 0x08
                case UInt8(ascii: "f"): 0x0C
                case UInt8(ascii: "n"): 0x0A
                case UInt8(ascii: "r"): 0x0D
                case UInt8(ascii: "t"): 0x09
                case UInt8(ascii: "u"): nil
                default: throw fail("invalid escape", at: i)
                }
                if let decoded {
                    buffer[n] = decoded
                    n += 1
                    continue
                }
                do throws(JSONError) {
                    var cp = try hex4()
                    if cp >= 0xD800 && cp < 0xDC00 {
                        guard i + 1 < bytes.count, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") else {
                            throw error("unpaired surrogate in \\u escape")
                        }
                        i += 2
                        let low = try hex4()
                        guard low >= 0xDC00 && low < 0xE000 else { throw error("unpaired surrogate in \\u escape") }
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00)
                    } else if cp >= 0xDC00 && cp < 0xE000 {
                        throw error("unpaired surrogate in \\u escape")
                    }
                    for byte in UTF8.encode(Unicode.Scalar(cp)!)! {
                        buffer[n] = byte
                        n += 1
                    }
                } catch {
                    throw fail(error.message, at: error.offset)
                }
                run = i
            }
        }

        /// The offset of the first quote, backslash or control character from `start` on (the
        /// byte count if there is none): 8 bytes at a time, then one by one.
        func textEnd(from start: Int) -> Int {
            let raw = UnsafeRawBufferPointer(bytes)
            var k = start
            while k + 8 <= raw.count {
                let w = raw.loadUnaligned(fromByteOffset: k, as: UInt64.self)
                if JSON.anyByte(of: w, below: 0x20) || JSON.anyByte(of: w, equalTo: 0x22) || JSON.anyByte(of: w, equalTo: 0x5C) { break }
                k += 8
            }
            while k < bytes.count && bytes[k] != UInt8(ascii: "\"") && bytes[k] != UInt8(ascii: "\\") && bytes[k] >= 0x20 { k += 1 }
            return k
        }

        /// Length of the valid UTF-8 sequence at k (which holds a non-ASCII byte), nil if
        /// there is none.
        func utf8Length(at k: Int) -> Int? {
            let b0 = bytes[k]
            let n: Int
            let min: UInt32
            switch b0 {
            case 0xC2...0xDF: n = 2; min = 0x80
            case 0xE0...0xEF: n = 3; min = 0x800
            case 0xF0...0xF4: n = 4; min = 0x10000
            default: return nil
            }
            guard k + n <= bytes.count else { return nil }
            var cp = UInt32(b0) & (0xFF >> (n + 1))
            for j in 1..<n {
                let b = bytes[k + j]
                guard b & 0xC0 == 0x80 else { return nil }
                cp = cp << 6 | UInt32(b & 0x3F)
            }
            if cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp < 0xE000) { return nil }
            return n
        }

        /// Where the first byte in [from, to) that does not start a valid UTF-8 sequence is.
        func firstInvalidUTF8(from: Int, to: Int) -> Int? {
            var k = from
            while k < to {
                if bytes[k] < 0x80 {
                    k += 1
                } else if let n = utf8Length(at: k) {
                    k += n
                } else {
                    return k
                }
            }
            return nil
        }

        mutating func hex4() throws(JSONError) -> UInt32 {
            guard i + 4 <= bytes.count else { throw error("invalid \\u escape") }
            var v: UInt32 = 0
            for _ in 0..<4 {
                let c = bytes[i]
                let d: UInt32
                switch c {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(c - 0x30)
                case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt32(c - 0x61 + 10)
                case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt32(c - 0x41 + 10)
                default: throw error("invalid \\u escape")
                }
                v = v << 4 | d
                i += 1
            }
            return v
        }
    }
}

// MARK: Writing without a tree

/// Writes JSON text straight into bytes, for the one large response, a search's hits:
/// building the `JSON` tree, writing and freeing it cost 8% of a request's instructions
/// (Docs/BENCHMARKS.md; an array appended to a byte or a run at a time checks its uniqueness
/// and capacity each time, ≈ 300 instructions per string). The output is what the tree
/// would serialize to (a test checks). Keys are literals, written as they are.
public struct JSONWriter: ~Copyable {
    private var base: UnsafeMutablePointer<UInt8>
    private var count = 0
    private var capacity: Int
    /// A value was written at this level: the next one needs a comma.
    private var needsComma = false

    public init(capacity: Int = 1024) {
        self.capacity = max(capacity, 64)
        base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    /// The text written.
    public var text: String { String(decoding: UnsafeBufferPointer(start: base, count: count), as: UTF8.self) }

    /// The text written, as UTF-8 (valid: what is written comes from Strings and literals).
    public var bytes: [UInt8] { Array(UnsafeBufferPointer(start: base, count: count)) }

    public mutating func object(_ body: (inout JSONWriter) -> Void) { nested(UInt8(ascii: "{"), UInt8(ascii: "}"), body) }
    public mutating func array(_ body: (inout JSONWriter) -> Void) { nested(UInt8(ascii: "["), UInt8(ascii: "]"), body) }

    /// An object's key (a literal: written without escaping); its value follows.
    public mutating func key(_ key: StaticString) {
        let n = key.utf8CodeUnitCount
        reserve(n + 4)
        if needsComma { put(UInt8(ascii: ",")) }
        put(UInt8(ascii: "\""))
        (base + count).update(from: key.utf8Start, count: n)
        count += n
        put(UInt8(ascii: "\""))
        put(UInt8(ascii: ":"))
        needsComma = false
    }

    public mutating func value(_ value: JSON) {
        var out: [UInt8] = []
        value.write(to: &out)
        reserve(out.count + 1)
        if needsComma { put(UInt8(ascii: ",")) }
        out.withUnsafeBufferPointer { append($0) }
        needsComma = true
    }

    public mutating func string(_ s: String) {
        var s = s
        s.withUTF8 { utf8 in
            // most strings need no escaping: copied at once
            guard !JSON.needsEscaping(utf8) else { return value(.string(String(decoding: utf8, as: UTF8.self))) }
            reserve(utf8.count + 3)
            if needsComma { put(UInt8(ascii: ",")) }
            put(UInt8(ascii: "\""))
            append(utf8)
            put(UInt8(ascii: "\""))
            needsComma = true
        }
    }

    /// A number as `JSON.number` writes it: integers as their digits, written here (a
    /// response has dozens), others through the tree's writer.
    public mutating func number(_ n: Double) {
        guard JSON.withIntegerText(n, { write(number: $0) }) != nil else { return value(.number(n)) }
    }

    /// `n` rounded to `decimals` places (0–4), as `number` writes the rounded value: below
    /// 10¹¹ the shortest text that reads back the same is the rounded value's digits, trailing
    /// zeros dropped, written here (Swift's printing of a Double is ≈ 2000 instructions, and
    /// a response has a score per hit).
    public mutating func number(_ n: Double, decimals: Int) {
        precondition((0...4).contains(decimals), "Swift prints 0.00001 as 1e-05")
        let scale = [1.0, 10, 100, 1000, 10_000][decimals]
        let scaled = (n * scale).rounded()
        guard scaled.isFinite, abs(scaled) < 1e11 * scale else { return number(scaled / scale) }
        var v = Int64(scaled)
        var places = decimals
        while places > 0 && v % 10 == 0 && v != 0 {
            v /= 10
            places -= 1
        }
        if v == 0 { places = 0 }
        JSON.withDigits(v, places: places) { write(number: $0) }
    }

    /// A number's text, as a value.
    private mutating func write(number text: UnsafeRawBufferPointer) {
        reserve(text.count + 1)
        if needsComma { put(UInt8(ascii: ",")) }
        append(UnsafeBufferPointer(start: text.baseAddress?.assumingMemoryBound(to: UInt8.self), count: text.count))
        needsComma = true
    }

    private mutating func nested(_ open: UInt8, _ close: UInt8, _ body: (inout JSONWriter) -> Void) {
        reserve(2)
        if needsComma { put(UInt8(ascii: ",")) }
        put(open)
        needsComma = false
        body(&self)
        reserve(1)
        put(close)
        needsComma = true
    }

    /// Room for `n` more bytes.
    private mutating func reserve(_ n: Int) {
        guard count + n > capacity else { return }
        capacity = max(capacity * 2, count + n)
        let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        grown.initialize(from: base, count: count)
        base.deallocate()
        base = grown
    }

    /// One byte, room reserved.
    private mutating func put(_ byte: UInt8) {
        base[count] = byte
        count += 1
    }

    /// Bytes, room reserved.
    private mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let start = bytes.baseAddress else { return }
        (base + count).update(from: start, count: bytes.count)
        count += bytes.count
    }
}

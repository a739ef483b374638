/// Parses the text a user types into a `Query` (grammar and examples: Docs/QUERY.md).
///
///     query    := sequence                      words side by side: the default operator
///     sequence := orExpr*
///     orExpr   := andExpr ("OR" andExpr)*
///     andExpr  := unary ("AND" unary)*
///     unary    := "-" unary | "+" unary | "NOT" unary | primary
///     primary  := "(" sequence ")" | field ":" primary | "\"" phrase "\"" | word ["*"] ["~" [0-2]]
///
/// OR binds tighter than juxtaposition (`a b OR c` is a and (b or c)), as in web search.
/// Every error names the character position of the problem; sizes are bounded, so no query
/// can make the parser recurse or work without limit.
public struct QueryParser {
    /// Most words (and phrases) in one query.
    public static let maxTerms = 1024
    /// Deepest nesting of parentheses and operators.
    public static let maxDepth = 32
    /// Longest query text, in characters (Unicode code points: positions count them too).
    public static let maxLength = 65_536

    public static func parse(_ text: String) throws(QueryError) -> Query {
        var parser = QueryParser(text)
        return try parser.parseQuery()
    }

    // MARK: Lexing

    private enum Kind: Equatable {
        case word(String), quoted(String), open, close, minus, plus, or, and, not, field(String)
    }

    private struct Lexeme {
        var kind: Kind
        /// Position in the query text, in code points.
        var position: Int
    }

    private var lexemes: [Lexeme] = []
    private var index = 0
    private var terms = 0
    private let length: Int
    private var lexError: QueryError?

    private init(_ text: String) {
        // code points, not Characters: grapheme breaking cost more than the rest of the parse
        let chars = Array(text.unicodeScalars)
        length = chars.count
        guard chars.count <= Self.maxLength else {
            lexError = QueryError(message: "query longer than \(Self.maxLength) characters", offset: Self.maxLength)
            return
        }
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if Self.isSpace(c) { i += 1; continue }
            if c == "-" || c == "+", i + 1 < chars.count, !Self.isSpace(chars[i + 1]), chars[i + 1] != "-" {
                lexemes.append(Lexeme(kind: c == "-" ? .minus : .plus, position: i))
                i += 1
                continue
            }
            switch c {
            case "(": lexemes.append(Lexeme(kind: .open, position: i)); i += 1
            case ")": lexemes.append(Lexeme(kind: .close, position: i)); i += 1
            case "\"", "“", "”":
                var j = i + 1
                while j < chars.count && !(chars[j] == "\"" || chars[j] == "”" || chars[j] == "“") { j += 1 }
                guard j < chars.count else {
                    lexError = QueryError(message: "unbalanced quote", offset: i)
                    return
                }
                lexemes.append(Lexeme(kind: .quoted(Self.string(chars[(i + 1)..<j])), position: i))
                i = j + 1
            default:
                var j = i
                while j < chars.count, !Self.isSpace(chars[j]), !Self.endsWord(chars[j]) {
                    if chars[j] == ":", j > i, Self.fields.contains(Self.string(chars[i..<j]).lowercased()) { break }
                    j += 1
                }
                let word = Self.string(chars[i..<j])
                if j < chars.count, chars[j] == ":", Self.fields.contains(word.lowercased()) {
                    lexemes.append(Lexeme(kind: .field(word.lowercased()), position: i))
                    i = j + 1
                    continue
                }
                switch word {
                case "OR", "|", "||": lexemes.append(Lexeme(kind: .or, position: i))
                case "AND", "&&": lexemes.append(Lexeme(kind: .and, position: i))
                case "NOT": lexemes.append(Lexeme(kind: .not, position: i))
                default: lexemes.append(Lexeme(kind: .word(word), position: i))
                }
                i = j
            }
        }
    }

    private static let fields: Set<String> = ["title", "body", "path", "lang", "date"]

    private static func isSpace(_ c: Unicode.Scalar) -> Bool { Analyzer.isWhiteSpace(c.value) }

    /// (Through UTF-8 bytes: `String.unicodeScalars.append(contentsOf:)` took ≈ 6 K
    /// instructions for a word, 1.7% of a request.)
    private static func string(_ scalars: ArraySlice<Unicode.Scalar>) -> String {
        var utf8: [UInt8] = []
        utf8.reserveCapacity(scalars.count * 4)
        for c in scalars { UTF8.encode(c) { utf8.append($0) } }
        return String(decoding: utf8, as: UTF8.self)
    }

    /// Parentheses and quotes end a word (a switch: `String.contains` walks the string's
    /// characters for every character of the query).
    private static func endsWord(_ c: Unicode.Scalar) -> Bool {
        switch c {
        case "(", ")", "\"", "“", "”": true
        default: false
        }
    }

    // MARK: Parsing

    private mutating func parseQuery() throws(QueryError) -> Query {
        if let lexError { throw lexError }
        guard !lexemes.isEmpty else { throw QueryError(message: "empty query", offset: 0) }
        let q = try sequence(depth: 0)
        if index < lexemes.count {
            let l = lexemes[index]
            throw QueryError(message: l.kind == .close ? "unbalanced parenthesis" : "unexpected \(describe(l.kind))", offset: l.position)
        }
        guard let q else { throw QueryError(message: "the query has no word to search for", offset: 0) }
        return q
    }

    private var current: Lexeme? { index < lexemes.count ? lexemes[index] : nil }

    /// orExpr*, up to a ")" or the end. Nil when it holds nothing searchable.
    private mutating func sequence(depth: Int) throws(QueryError) -> Query? {
        var parts: [Query] = []
        while let l = current, l.kind != .close {
            if l.kind == .or || l.kind == .and {
                throw QueryError(message: "\(describe(l.kind)) needs a term before it", offset: l.position)
            }
            if let q = try orExpr(depth: depth) { parts.append(q) }
        }
        return parts.isEmpty ? nil : parts.count == 1 ? parts[0] : .any(parts)
    }

    private mutating func orExpr(depth: Int) throws(QueryError) -> Query? {
        var parts: [Query] = []
        if let q = try andExpr(depth: depth) { parts.append(q) }
        while let l = current, l.kind == .or {
            index += 1
            guard let next = current, next.kind != .close, next.kind != .or, next.kind != .and else {
                throw QueryError(message: "OR needs a term after it", offset: l.position)
            }
            if let q = try andExpr(depth: depth) { parts.append(q) }
        }
        return parts.isEmpty ? nil : parts.count == 1 ? parts[0] : .or(parts)
    }

    private mutating func andExpr(depth: Int) throws(QueryError) -> Query? {
        var parts: [Query] = []
        if let q = try unary(depth: depth) { parts.append(q) }
        while let l = current, l.kind == .and {
            index += 1
            guard let next = current, next.kind != .close, next.kind != .or, next.kind != .and else {
                throw QueryError(message: "AND needs a term after it", offset: l.position)
            }
            if let q = try unary(depth: depth) { parts.append(q) }
        }
        return parts.isEmpty ? nil : parts.count == 1 ? parts[0] : .all(parts)
    }

    private mutating func unary(depth: Int) throws(QueryError) -> Query? {
        guard let l = current else { return nil }
        guard depth < Self.maxDepth else { throw QueryError(message: "query nested deeper than \(Self.maxDepth) levels", offset: l.position) }
        switch l.kind {
        case .minus, .not, .plus:
            index += 1
            guard let next = current, next.kind != .close, next.kind != .or, next.kind != .and else {
                throw QueryError(message: "\(describe(l.kind)) needs a term after it", offset: l.position)
            }
            guard let inner = try unary(depth: depth + 1) else { return nil }
            return l.kind == .plus ? .required(inner) : .not(inner)
        default:
            return try primary(depth: depth)
        }
    }

    private mutating func primary(depth: Int) throws(QueryError) -> Query? {
        guard let l = current else { return nil }
        index += 1
        switch l.kind {
        case .open:
            let inner = try sequence(depth: depth + 1)
            guard let close = current, close.kind == .close else {
                throw QueryError(message: "unbalanced parenthesis", offset: l.position)
            }
            index += 1
            guard let inner else { throw QueryError(message: "empty parentheses", offset: l.position) }
            return inner
        case .quoted(let text):
            try countTerm(l)
            return text.allSatisfy({ $0.isWhitespace }) ? nil : .phrase(text)
        case .word(let text):
            return try word(text, l)
        case .field(let name):
            guard let value = current, value.kind != .close, value.kind != .or, value.kind != .and else {
                throw QueryError(message: "\(name): needs a value", offset: l.position)
            }
            return try field(name, l, depth: depth)
        default:
            throw QueryError(message: "unexpected \(describe(l.kind))", offset: l.position)
        }
    }

    private mutating func word(_ text: String, _ l: Lexeme) throws(QueryError) -> Query? {
        try countTerm(l)
        var w = Substring(text)
        var fuzziness = Fuzziness.automatic
        if let tilde = w.lastIndex(of: "~"), tilde != w.startIndex {
            let suffix = w[w.index(after: tilde)...]
            if suffix.isEmpty {
                fuzziness = .edits(max(1, Fuzziness.automatic.maxEdits(length: w[..<tilde].count)))
            } else if let n = Int(suffix), (0...2).contains(n) {
                fuzziness = .edits(n)
            } else {
                throw QueryError(message: "fuzziness after ~ must be 0, 1 or 2", offset: l.position + w[..<tilde].unicodeScalars.count)
            }
            w = w[..<tilde]
        }
        if w.hasSuffix("*") && w.count > 1 {
            let stem = w.dropLast()
            guard !stem.hasSuffix("*") else { return .prefix(String(stem.drop(while: { $0 == "*" }))) }
            return .prefix(String(stem))
        }
        return .word(String(w), fuzziness)
    }

    private mutating func field(_ name: String, _ l: Lexeme, depth: Int) throws(QueryError) -> Query? {
        switch name {
        case "title", "body":
            guard let inner = try primary(depth: depth + 1) else { return nil }
            return .field(name == "title" ? .title : .body, inner)
        default:
            // path, lang and date take the next lexeme as a literal value
            guard let value = current else { throw QueryError(message: "\(name): needs a value", offset: l.position) }
            index += 1
            let text: String
            switch value.kind {
            case .word(let w): text = w
            case .quoted(let q): text = q
            default: throw QueryError(message: "\(name): needs a value", offset: l.position)
            }
            try countTerm(value)
            switch name {
            case "path": return .path(text)
            case "lang": return .lang(text.lowercased())
            default:
                guard let range = DateRange.parse(text) else {
                    throw QueryError(message: "date: needs YYYY, YYYY-MM, YYYY-MM-DD or a range like 2024-06..2024-07", offset: value.position)
                }
                return .date(range)
            }
        }
    }

    private mutating func countTerm(_ l: Lexeme) throws(QueryError) {
        terms += 1
        if terms > Self.maxTerms {
            throw QueryError(message: "query has more than \(Self.maxTerms) terms", offset: l.position)
        }
    }

    private func describe(_ kind: Kind) -> String {
        switch kind {
        case .or: "OR"
        case .and: "AND"
        case .not: "NOT"
        case .minus: "-"
        case .plus: "+"
        case .open: "("
        case .close: ")"
        case .field(let f): "\(f):"
        case .word(let w): "'\(w)'"
        case .quoted(let q): "\"\(q)\""
        }
    }
}

/// Date ranges as the `date:` filter writes them, as inclusive yyyymmdd bounds.
public enum DateRange {
    /// "2024" → 20240101...20241231; "2024-06..2024-07" → 20240601...20240731; "..2024" and
    /// "2024.." are open on one side.
    public static func parse(_ text: String) -> ClosedRange<UInt32>? {
        let parts = text.components(separatedBy: "..")
        switch parts.count {
        case 1:
            guard let s = bounds(parts[0]) else { return nil }
            return s
        case 2:
            let low = parts[0].isEmpty ? 0 : bounds(parts[0])?.lowerBound
            let high = parts[1].isEmpty ? UInt32.max : bounds(parts[1])?.upperBound
            guard let low, let high, low <= high else { return nil }
            return low...high
        default:
            return nil
        }
    }

    /// The days a date (or partial date) covers: "2024-06" → 20240601...20240631.
    public static func bounds(_ date: String) -> ClosedRange<UInt32>? {
        let parts = date.split(separator: "-", omittingEmptySubsequences: false)
        guard (1...3).contains(parts.count), parts[0].count == 4, let y = UInt32(parts[0]) else { return nil }
        var low = y * 10_000 + 101, high = y * 10_000 + 1231
        if parts.count >= 2 {
            guard let m = UInt32(parts[1]), (1...12).contains(m), parts[1].count <= 2 else { return nil }
            low = y * 10_000 + m * 100 + 1
            high = y * 10_000 + m * 100 + 31
        }
        if parts.count == 3 {
            guard let d = UInt32(parts[2]), (1...31).contains(d), parts[2].count <= 2 else { return nil }
            low = low - 1 + d
            high = low
        }
        return low...high
    }
}

/// A query that cannot be parsed, with the character position of the problem.
public struct QueryError: Error, Equatable, CustomStringConvertible {
    public var message: String
    public var offset: Int

    public init(message: String, offset: Int) {
        self.message = message
        self.offset = offset
    }

    public var description: String { "\(message) at position \(offset)" }
}

extension String {
    /// Splits on a separator string (without Foundation).
    func components(separatedBy separator: String) -> [String] {
        var parts: [String] = []
        var rest = Substring(self)
        while let r = rest.firstRange(of: separator) {
            parts.append(String(rest[..<r.lowerBound]))
            rest = rest[r.upperBound...]
        }
        parts.append(String(rest))
        return parts
    }
}

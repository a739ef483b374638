/// Parses the text a user types into a `Query`.
public enum QueryParser {
    /// Free text: words separated by white space, "quoted phrases", and -word to exclude.
    /// Words combine with `any`: documents matching all of them rank first, then fewer.
    public static func parse(_ text: String) throws(QueryError) -> Query {
        var parts: [Query] = []
        var i = text.startIndex
        while i < text.endIndex {
            let c = text[i]
            if c.isWhitespace {
                i = text.index(after: i)
            } else if c == "\"" {
                let start = text.index(after: i)
                guard let close = text[start...].firstIndex(of: "\"") else {
                    throw QueryError(message: "unbalanced quote", offset: text.utf8.distance(from: text.startIndex, to: i))
                }
                parts.append(.phrase(String(text[start..<close])))
                i = text.index(after: close)
            } else {
                let end = text[i...].firstIndex(where: { $0.isWhitespace }) ?? text.endIndex
                let word = String(text[i..<end])
                if word.hasPrefix("-") && word.count > 1 {
                    parts.append(.not(.word(String(word.dropFirst()))))
                } else {
                    parts.append(.word(word))
                }
                i = end
            }
        }
        guard !parts.isEmpty else { throw QueryError(message: "empty query", offset: 0) }
        return parts.count == 1 ? parts[0] : .any(parts)
    }
}

/// A query that cannot be parsed, with the byte offset of the problem.
public struct QueryError: Error, Equatable, CustomStringConvertible {
    public var message: String
    public var offset: Int

    public init(message: String, offset: Int) {
        self.message = message
        self.offset = offset
    }

    public var description: String { "\(message) at position \(offset)" }
}

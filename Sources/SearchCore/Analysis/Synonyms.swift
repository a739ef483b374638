/// Query-time synonyms in Solr's format:
///
///     # comment
///     钱凯港, Chancay                 equivalent: each finds the others
///     Great Hall of the People, 人民大会堂
///     colour => color                 rewrite: colour is searched as color only
///
/// Phrases are analysed like documents, so matching ignores case, accents, width and
/// Traditional/Simplified differences. Applied to the words of a query, never to the index:
/// editing the file and reloading takes effect at once, without reindexing.
public struct Synonyms: Sendable {
    /// A phrase the query may contain, and what else to search for it.
    struct Entry: Sendable {
        /// The phrase's primary terms (folded words and CJK characters).
        var terms: [String]
        /// Phrases to search in addition (or, for a rewrite, instead).
        var alternatives: [String]
        var replaces: Bool
    }

    /// Entries by their first term.
    private(set) var entries: [String: [Entry]] = [:]
    /// Number of lines that define synonyms.
    public private(set) var ruleCount = 0
    /// The longest phrase, in terms (bounds the spans the planner tries). Kept, not computed:
    /// the planner asks for every query.
    private(set) var longestPhrase = 0

    public static let empty = Synonyms()

    public init() {}

    /// Parses a synonyms file. Errors name the line.
    public static func parse(_ text: String) throws(SynonymError) -> Synonyms {
        var result = Synonyms()
        let analyzer = Analyzer()
        func terms(_ phrase: String) -> [String] {
            analyzer.tokens(phrase).filter { $0.kind == .word || $0.kind == .cjkChar }.map(\.term)
        }
        for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: " \t\r")
            if line.isEmpty || line.hasPrefix("#") { continue }
            let sides = line.components(separatedBy: "=>")
            guard sides.count <= 2 else { throw SynonymError(line: n + 1, message: "more than one =>") }
            let left = split(sides[0])
            let right = sides.count == 2 ? split(sides[1]) : left
            guard !left.isEmpty, !right.isEmpty else { throw SynonymError(line: n + 1, message: "a rule needs phrases on both sides") }
            for phrase in left {
                let t = terms(phrase)
                guard !t.isEmpty else { throw SynonymError(line: n + 1, message: "\"\(phrase)\" has no word to match") }
                let others = right.filter { terms($0) != t }
                guard !others.isEmpty || sides.count == 2 else { continue }
                result.entries[t[0], default: []].append(Entry(terms: t, alternatives: others, replaces: sides.count == 2))
                result.longestPhrase = max(result.longestPhrase, t.count)
            }
            result.ruleCount += 1
        }
        return result
    }

    /// Comma-separated phrases; "\," is a literal comma.
    private static func split(_ side: String) -> [String] {
        var phrases: [String] = []
        var current = ""
        var escaped = false
        for c in side {
            if escaped {
                current.append(c)
                escaped = false
            } else if c == "\\" {
                escaped = true
            } else if c == "," {
                phrases.append(current)
                current = ""
            } else {
                current.append(c)
            }
        }
        phrases.append(current)
        return phrases.map { $0.trimmingCharacters(in: " \t") }.filter { !$0.isEmpty }
    }

    /// The entries whose phrase is exactly `terms`.
    func entries(matching terms: [String]) -> [Entry] {
        guard let first = terms.first else { return [] }
        return (entries[first] ?? []).filter { $0.terms == terms }
    }

    /// The entries whose phrase starts with `term`.
    func entries(startingWith term: String) -> [Entry] { entries[term] ?? [] }
}

/// A synonyms file that cannot be used: the line and what is wrong with it.
public struct SynonymError: Error, Equatable, CustomStringConvertible {
    public var line: Int
    public var message: String

    public var description: String { "line \(line): \(message)" }
}

/// How to run a search.
public struct SearchOptions: Sendable, Equatable {
    /// Hits to return, after skipping `offset` of them.
    public var limit: Int
    public var offset: Int
    /// Whether to build a snippet (and source line) for each hit.
    public var snippets: Bool
    /// Every word must match (the default ranks documents matching all words first, then fewer).
    public var requireAll: Bool
    /// When to stop looking and return what was found (a request timeout); nil: never.
    public var deadline: ContinuousClock.Instant?
    /// Matching documents are counted exactly up to this many (Lucene's total hits
    /// threshold); past it, runs of documents that cannot enter the top hits are skipped
    /// unseen and `total` becomes a lower bound.
    public var countLimit = SearchOptions.defaultCountLimit
    public static let defaultCountLimit = 1000

    public init(limit: Int = 10, offset: Int = 0, snippets: Bool = true, requireAll: Bool = false) {
        self.limit = limit
        self.offset = offset
        self.snippets = snippets
        self.requireAll = requireAll
    }
}

/// A passage of a document with the query's matches marked.
public struct Snippet: Sendable, Equatable {
    public var text: String
    /// Byte ranges of the matches in the UTF-8 of `text`.
    public var highlights: [Range<Int>]

    public init(text: String, highlights: [Range<Int>]) {
        self.text = text
        self.highlights = highlights
    }
}

public struct SearchHit: Sendable, Equatable {
    public var id: String
    public var title: String
    public var score: Double
    /// How many of the query's clauses (words, phrases, Han runs) the document matches.
    public var matched: Int
    public var path: String?
    public var date: String?
    public var lang: String?
    public var snippet: Snippet?
    /// Line and column (1-based, column in bytes) of the first match in the source file.
    public var line: Int?
    public var column: Int?
}

public struct SearchResults: Sendable, Equatable {
    /// Documents matching the query (all of them, not only those returned), or at least
    /// this many when `totalIsLowerBound`.
    public var total: Int
    public var hits: [SearchHit]
    /// Some documents past `SearchOptions.countLimit` were skipped without being counted.
    public var totalIsLowerBound = false
    /// The deadline passed: `total` and `hits` cover only the documents looked at.
    public var timedOut = false
}

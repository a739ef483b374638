/// A parsed query: what the user asked, before analysis. Words stay as typed; the planner
/// analyses them with the same `Analyzer` as the documents. Docs/QUERY.md is the user's guide.
public indirect enum Query: Equatable, Sendable {
    /// One word as typed (it may analyse into several tokens: apt-cache, 钱凯港).
    case word(String, Fuzziness)
    /// Words starting with this text (`instal*`).
    case prefix(String)
    /// An exact phrase: its words at consecutive positions, no typo tolerance.
    case phrase(String)
    /// Words side by side: documents matching all parts rank first, then fewer (the default
    /// operator). With `requireAll`, every part must match.
    case any([Query])
    /// `a OR b`: either; one clause for the ranking.
    case or([Query])
    /// `a AND b`: both.
    case all([Query])
    /// `+a`: must match.
    case required(Query)
    /// `-a`, `NOT a`: must not match.
    case not(Query)
    /// `title:a`: only in that field.
    case field(Field, Query)
    /// `path:dir/sub`, `path:/abs/dir` (a directory prefix) or `path:word` (a word of the path).
    case path(String)
    /// `lang:zh`.
    case lang(String)
    /// `date:2024-06..2024-07`: documents whose date falls in the range (days as yyyymmdd).
    case date(ClosedRange<UInt32>)

    /// Convenience: a word with automatic typo tolerance.
    public static func word(_ text: String) -> Query { .word(text, .automatic) }
}

/// How many typos a word tolerates.
public enum Fuzziness: Equatable, Sendable {
    /// By length: none below 5 letters, 1 edit from 5, 2 from 9 (Latin words only).
    case automatic
    /// Exactly this many edits at most (`word~2`); 0 means exact.
    case edits(Int)

    /// The edits allowed for a word of `length` letters.
    public func maxEdits(length: Int) -> Int {
        switch self {
        case .automatic: length >= 9 ? 2 : length >= 5 ? 1 : 0
        case .edits(let n): n
        }
    }
}

/// A parsed query: what the user asked, before analysis. Words stay as typed; the searcher
/// analyses them with the same `Analyzer` as the documents.
public indirect enum Query: Equatable, Sendable {
    /// One word as typed (may analyse into several tokens: apt-cache, 钱凯港).
    case word(String)
    /// An exact phrase: its words at consecutive positions.
    case phrase(String)
    /// Documents matching every part.
    case all([Query])
    /// Documents matching any part; the more parts a document matches, the higher it ranks.
    case any([Query])
    /// Excludes documents matching the query (inside `all` or `any`).
    case not(Query)
}

/// What the term dictionary knows of one term of a segment.
struct TermInfo: Equatable, Sendable {
    /// Documents of the segment that contain the term (deleted ones included).
    var docFreq: UInt32
    /// Occurrences in all of them.
    var totalFreq: UInt64
    /// Where the term's postings start in the .doc file and its positions in the .pos file.
    var postingsOffset: UInt64
    var positionsOffset: UInt64
}

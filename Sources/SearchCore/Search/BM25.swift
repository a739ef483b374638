#if canImport(Glibc)
import Glibc
#endif

/// Okapi BM25 as Lucene (≥ 8) and bm25s's "lucene" method compute it:
///
///     idf(t)      = ln(1 + (N − df + 0.5) / (df + 0.5))
///     score(t, d) = idf(t) · tf / (tf + k1 · (1 − b + b · dl / avgdl))
///
/// with N, df and avgdl taken over the whole index (every segment), so a document's score
/// does not depend on which segment holds it.
public enum BM25 {
    public static let k1 = 1.2
    public static let b = 0.75

    public static func idf(docFreq: Int, docCount: Int) -> Double {
        let n = Double(max(docCount, docFreq)), df = Double(docFreq)
        return log(1 + (n - df + 0.5) / (df + 0.5))
    }

    /// The term-frequency part, which saturates with tf and is normalised by document length.
    @inline(__always)
    public static func tfNorm(freq: Double, length: Double, averageLength: Double) -> Double {
        LengthNorm(averageLength: averageLength).tfNorm(freq: freq, length: length)
    }

    /// The term-frequency part for one field's avgdl, rearranged as
    /// tf / (tf + k1·(1 − b) + (k1·b / avgdl)·dl): one division per document scored instead of
    /// two (a scorer makes it once; the divisions were a third of a word's scoring, `perf`).
    struct LengthNorm {
        private let base: Double
        private let perUnit: Double

        init(averageLength: Double) {
            base = averageLength > 0 ? k1 * (1 - b) : k1
            perUnit = averageLength > 0 ? k1 * b / averageLength : 0
        }

        @inline(__always)
        func tfNorm(freq: Double, length: Double) -> Double { freq / (freq + base + perUnit * length) }
    }
}

import Testing
@testable import SearchCore

/// The trie walk against a brute-force optimal-string-alignment distance over a random vocabulary.
struct FuzzyIndexTests {
    static func distance(_ a: [UInt8], _ b: [UInt8]) -> Int {
        var d = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { d[i][0] = i }
        for j in 0...b.count { d[0][j] = j }
        for i in stride(from: 1, through: a.count, by: 1) {
            for j in stride(from: 1, through: b.count, by: 1) {
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
                if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] { d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1) }
            }
        }
        return d[a.count][b.count]
    }

    /// Five letters: most words are near each other; all 26: most children of a node are
    /// letters the query does not have in the band (the walk passes them by their row alone).
    @Test(arguments: ["abcde", "abcdefghijklmnopqrstuvwxyz"])
    func agreesWithBruteForce(alphabet: String) throws {
        var rng = SystemRandomNumberGenerator()
        let letters = Array(alphabet.utf8)
        func word(_ n: Int) -> String { String(decoding: (0..<n).map { _ in letters.randomElement(using: &rng)! }, as: UTF8.self) }
        let vocabulary = Set((0..<3000).map { _ in word(Int.random(in: 2...9, using: &rng)) })
        let segment = try Snapshot.build([Document(id: "v", title: "", body: vocabulary.joined(separator: " "))]).segments[0]
        let index = FuzzyIndex(segment)
        #expect(index.count == vocabulary.count)
        for _ in 0..<60 {
            let q = Array(word(Int.random(in: 3...9, using: &rng)).utf8)
            for edits in 1...2 {
                let got = Dictionary(uniqueKeysWithValues: index.lookup(q, maxEdits: edits, infos: { _ in [] }).map { (String(decoding: $0.term, as: UTF8.self), $0.distance) })
                var expected: [String: Int] = [:]
                for v in vocabulary {
                    let d = Self.distance(q, Array(v.utf8))
                    if d > 0 && d <= edits { expected[v] = d }
                }
                #expect(got == expected, "\(String(decoding: q, as: UTF8.self)) ~\(edits)")
            }
        }
    }
}

import Testing
@testable import SearchCore

/// A block's impacts, written with its postings, give its exact best BM25 part whatever avgdl
/// is: the same as scoring every document of the block. They are few: no pair beats another.
struct StoredImpactsTests {
    @Test func blockMaximaEqualABruteForceScan() throws {
        // 1000 documents: "port" 1 to 6 times among 0 to 40 other words, so that
        // frequencies and lengths vary independently across 8 blocks
        let writer = try IndexWriter(directory: MemoryDirectory())
        try writer.add((0..<1000).map { i in
            let port = Array(repeating: "port", count: 1 + (i * 7) % 6)
            let filler = Array(repeating: "harbour", count: (i * 13) % 41)
            return doc("d\(i)", (port + filler).joined(separator: " "))
        })
        try writer.commit()  // one segment, whatever the number of indexing threads
        let segment = try #require(writer.snapshot.segments.first)
        let info = try #require(segment.termInfo([Field.body.rawValue] + Array("port".utf8)))
        #expect(info.docFreq == 1000)
        for averageLength in [5.0, 20.0, 60.0] {
            let score = { (freq: UInt32, length: UInt32) in
                BM25.tfNorm(freq: Double(freq), length: Double(length), averageLength: averageLength)
            }
            var best: [Int: Double] = [:]
            let cursor = segment.postings(info)
            while cursor.next() != PostingsCursor.end {
                best[cursor.block, default: 0] = max(best[cursor.block, default: 0],
                                                     score(cursor.freq, segment.norms.length(cursor.doc, .body)))
            }
            #expect(best.count == 8)
            for (block, maximum) in best {
                var pairs: [(UInt32, UInt32)] = []
                cursor.forEachImpact(ofBlock: block) { pairs.append(($0, $1)) }
                #expect(pairs.map { score($0.0, $0.1) }.max() == maximum, "block \(block), avgdl \(averageLength)")
                // by frequency descending, each shorter than the ones before: none dominated
                #expect(zip(pairs, pairs.dropFirst()).allSatisfy { $0.0 > $1.0 && $0.1 > $1.1 })
            }
        }
    }

    /// Every path of the writer (frequency 1, below 64, 64 and over, in any order within a
    /// block) stores the impacts that `PostingsFormat.impacts` gives for the block's documents.
    @Test func impactsOfEveryFrequencyRangeMatchTheReference() throws {
        let frequencies = [1, 2, 3, 17, 63, 64, 65, 90, 200]
        let writer = try IndexWriter(directory: MemoryDirectory())
        try writer.add((0..<600).map { i in
            let port = Array(repeating: "port", count: frequencies[(i * 5) % frequencies.count])
            let filler = Array(repeating: "harbour", count: (i * 13) % 97)
            return doc("d\(i)", (port + filler).joined(separator: " "))
        })
        try writer.commit()
        let segment = try #require(writer.snapshot.segments.first)
        let info = try #require(segment.termInfo([Field.body.rawValue] + Array("port".utf8)))
        let cursor = segment.postings(info)
        var shortest: [Int: PostingsFormat.Shortest] = [:]
        while cursor.next() != PostingsCursor.end {
            PostingsFormat.note(freq: cursor.freq, length: segment.norms.length(cursor.doc, .body), in: &shortest[cursor.block, default: []])
        }
        #expect(shortest.count == 5)
        for (block, documents) in shortest {
            var stored: [[UInt32]] = []
            cursor.forEachImpact(ofBlock: block) { stored.append([$0, $1]) }
            #expect(stored == PostingsFormat.impacts(documents).map { [$0.freq, $0.length] }, "block \(block)")
            #expect(stored.contains { $0[0] >= 64 }, "block \(block)")
        }
    }

    /// A term of more than eight blocks also stores the impacts of each group of eight (the
    /// last group shorter): its exact maximum, the best of its documents' scores, and its last
    /// document, the last of its last block. A term of eight blocks or fewer has no groups.
    @Test func groupMaximaEqualABruteForceScan() throws {
        // 2500 documents: 20 blocks, groups of 8, 8 and 4
        let writer = try IndexWriter(directory: MemoryDirectory())
        try writer.add((0..<2500).map { i in
            let port = Array(repeating: "port", count: 1 + (i * 11) % 7)
            let filler = Array(repeating: "harbour", count: (i * 17) % 53)
            let rare = i < 1000 ? ["ship"] : []
            return doc("d\(i)", (port + filler + rare).joined(separator: " "))
        })
        try writer.commit()
        let segment = try #require(writer.snapshot.segments.first)
        let ship = try #require(segment.termInfo([Field.body.rawValue] + Array("ship".utf8)))
        #expect(segment.postings(ship).groupCount == 0)  // 8 blocks
        let info = try #require(segment.termInfo([Field.body.rawValue] + Array("port".utf8)))
        let cursor = segment.postings(info)
        #expect(cursor.groupCount == 3)
        var best: [Int: Double] = [:]
        var last: [Int: UInt32] = [:]
        let score = { (freq: UInt32, length: UInt32) in BM25.tfNorm(freq: Double(freq), length: Double(length), averageLength: 30) }
        while cursor.next() != PostingsCursor.end {
            let g = cursor.group(ofBlock: cursor.block)
            best[g] = max(best[g, default: 0], score(cursor.freq, segment.norms.length(cursor.doc, .body)))
            last[g] = cursor.doc
        }
        #expect(best.count == 3)
        for (g, maximum) in best {
            var pairs: [(UInt32, UInt32)] = []
            cursor.forEachImpact(ofGroup: g) { pairs.append(($0, $1)) }
            #expect(pairs.map { score($0.0, $0.1) }.max() == maximum, "group \(g)")
            #expect(zip(pairs, pairs.dropFirst()).allSatisfy { $0.0 > $1.0 && $0.1 > $1.1 })
            #expect(cursor.lastDoc(ofGroup: g) == last[g])
        }
        _ = try IndexChecker.check(writer.directory)
    }
}

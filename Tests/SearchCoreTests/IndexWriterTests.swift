import Foundation
import Testing
@testable import SearchCore

func temporaryDirectory() -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("searchd-index-\(UUID().uuidString.prefix(8))").path
    return path
}

func doc(_ id: String, _ body: String) -> Document { Document(id: id, title: id, body: body) }

/// A merged index finds what a fresh build of the same documents finds: the same totals, and
/// the same hits (in the same order when `ordered`; segments in another order may break ties
/// otherwise).
func expectSameHits(_ merged: Snapshot, _ reference: Snapshot, _ queries: [String], limit: Int, ordered: Bool) throws {
    for query in queries {
        let q = try QueryParser.parse(query)
        let got = try merged.searcher().search(q, options: SearchOptions(limit: limit, snippets: false))
        let expected = try reference.searcher().search(q, options: SearchOptions(limit: limit, snippets: false))
        #expect(got.total == expected.total, "\(query)")
        if ordered {
            #expect(got.hits.map(\.id) == expected.hits.map(\.id), "\(query)")
        } else {
            #expect(Set(got.hits.map(\.id)) == Set(expected.hits.map(\.id)), "\(query)")
        }
    }
}

func ids(_ snapshot: Snapshot, _ query: String) throws -> [String] {
    try snapshot.searcher().search(QueryParser.parse(query), options: SearchOptions(limit: 100, snippets: false)).hits.map(\.id)
}

/// Every live document id of a snapshot.
func allIDs(_ snapshot: Snapshot) -> Set<String> {
    var result = Set<String>()
    for (segment, deletes) in zip(snapshot.segments, snapshot.deletes) {
        segment.ids.forEach { e in
            if !deletes.contains(e.doc) { result.insert(e.id) }
            return true
        }
    }
    return result
}

struct IndexWriterTests {
    @Test func commitsPersistAndReopen() throws {
        let path = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            let writer = try IndexWriter(directory: try FileSystemDirectory(path))
            try writer.add([doc("a", "Boluarte visits 钱凯港"), doc("b", "Chancay port opens")])
            #expect(writer.snapshot.documentCount == 0)  // nothing visible before the commit
            try writer.commit()
            #expect(writer.snapshot.documentCount == 2)
        }
        let reopened = try IndexWriter(directory: try FileSystemDirectory(path))
        #expect(reopened.snapshot.documentCount == 2)
        #expect(try ids(reopened.snapshot, "钱凯港") == ["a"])
        #expect(try IndexChecker.check(try FileSystemDirectory(path)).documents == 2)
    }

    @Test func aSecondWriterIsRefused() throws {
        let path = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let first = try IndexWriter(directory: try FileSystemDirectory(path))
        #expect(throws: StoreError.self) { try IndexWriter(directory: try FileSystemDirectory(path)) }
        _ = first
    }

    @Test func replaceAndDeleteByID() throws {
        let writer = try IndexWriter(directory: MemoryDirectory())
        try writer.add([doc("a", "apple"), doc("b", "banana"), doc("c", "cherry")])
        try writer.commit()
        try writer.add([doc("a", "apricot")])  // replaces a
        #expect(writer.delete(id: "b"))
        #expect(!writer.delete(id: "nope"))
        let s = try writer.commit()
        #expect(allIDs(s) == ["a", "c"])
        #expect(try ids(s, "apple").isEmpty)
        #expect(try ids(s, "apricot") == ["a"])
        #expect(try ids(s, "banana").isEmpty)
        // the same id twice in one batch: the later wins
        try writer.add([doc("d", "first"), doc("d", "second")])
        let t = try writer.commit()
        #expect(try ids(t, "second") == ["d"] && (try ids(t, "first")).isEmpty)
    }

    /// Ids repeated across a call's documents, which the threads take in turns: for each id
    /// the caller's last document is the one kept (the threads' results are merged in order).
    @Test func theLastOfRepeatedIDsWinsAcrossThreads() throws {
        let writer = try IndexWriter(directory: MemoryDirectory(), options: .init(threads: 2))
        try writer.add((0..<400).map { i in doc("d\(i % 7)", "body \(i)") })
        let s = try writer.commit()
        var bodies: [String: String] = [:]
        for (segment, deletes) in zip(s.segments, s.deletes) {
            for d in 0..<segment.docCount where !deletes.contains(UInt32(d)) {
                let document = try segment.stored.document(d)
                bodies[document.id] = document.body
            }
        }
        let last = (0..<7).map { k in ("d\(k)", "body \((0..<400).last { $0 % 7 == k }!)") }
        #expect(bodies == Dictionary(uniqueKeysWithValues: last))
    }

    /// A JSON Lines id or lang can be any length: one of 70 000 bytes is indexed (its path
    /// prefixes past 4 KiB left out), not a trap in the term table, and found by id and text.
    @Test func aHugeIDOrLanguageIsIndexed() throws {
        let writer = try IndexWriter(directory: MemoryDirectory())
        let longID = "dir/" + String(repeating: "a", count: 70_000)
        var odd = doc("b", "lemur")
        odd.lang = String(repeating: "x", count: 70_000)
        try writer.add([doc(longID, "okapi"), odd])
        let s = try writer.commit()
        #expect(try ids(s, "okapi") == [longID])
        #expect(try ids(s, "lemur") == ["b"])
        #expect(try ids(s, "path:dir okapi") == [longID])
        #expect(writer.contains(longID))
    }

    /// The same documents give the same scores however they are split into segments and merged.
    @Test func scoresDoNotDependOnSegmentation() throws {
        let documents = try seedDocuments()
        let single = try Snapshot.build(documents)
        let writer = try IndexWriter(directory: MemoryDirectory(), options: IndexWriter.Options(threads: 2))
        for d in documents {
            try writer.add([d])
            try writer.commit()
        }
        let split = writer.snapshot
        #expect(split.segmentCount >= 5)
        let queries = ["钱凯港", "Boluarte", "China Peru", "\"Great Hall of the People\"", "习近平", "Zegara"]
        func scores(_ s: Snapshot) throws -> [[String: Double]] {
            try queries.map { q in
                Dictionary(uniqueKeysWithValues: try s.searcher().search(QueryParser.parse(q), options: SearchOptions(limit: 10, snippets: false)).hits.map { ($0.id, $0.score) })
            }
        }
        let expected = try scores(single)
        for (a, b) in zip(expected, try scores(split)) {
            #expect(a.keys.sorted() == b.keys.sorted())
            for (id, score) in a { #expect(abs(score - b[id]!) < 1e-9) }
        }
        #expect(try writer.merge(policy: TieredMergePolicy(segmentsPerTier: 2, floorDocuments: 1)) > 0)
        #expect(writer.snapshot.segmentCount < split.segmentCount)
        for (a, b) in zip(expected, try scores(writer.snapshot)) {
            for (id, score) in a { #expect(abs(score - b[id]!) < 1e-9) }
        }
    }

    @Test func mergesDropDeletedDocumentsAndKeepIDs() throws {
        let writer = try IndexWriter(directory: MemoryDirectory(), options: IndexWriter.Options(threads: 1))
        for i in 0..<20 {
            try writer.add([doc("d\(i)", "word\(i) common text")])
            try writer.commit()
        }
        for i in stride(from: 0, to: 20, by: 3) { writer.delete(id: "d\(i)") }
        try writer.commit()
        try writer.merge(policy: TieredMergePolicy(segmentsPerTier: 4, floorDocuments: 1))
        let s = writer.snapshot
        #expect(allIDs(s) == Set((0..<20).filter { $0 % 3 != 0 }.map { "d\($0)" }))
        #expect(try ids(s, "common").count == 13)
        #expect(try ids(s, "word7") == ["d7"])
        // replacing a merged document still works (its id was remapped)
        try writer.add([doc("d7", "replaced")])
        let t = try writer.commit()
        #expect(try ids(t, "word7").isEmpty && (try ids(t, "replaced")) == ["d7"])
        #expect(try IndexChecker.check(writer.directory).documents == 13)
    }

    @Test func aMergeOnDiskGivesTheSameResults() throws {
        // enough distinct terms that the merge lets go of the pages it has read, several times
        let documents = (0..<1200).map { i in
            doc("d\(i)", (0..<40).map { k in "w\((i * 37 + k * 101) % 30_000)" }.joined(separator: " ") + " common")
        }
        let path = "/tmp/searchd-merge-test-\(UInt64.random(in: 0...UInt64.max))"
        defer { _ = try? FileManager.default.removeItem(atPath: path) }
        let writer = try IndexWriter(directory: try FileSystemDirectory(path), options: IndexWriter.Options(threads: 1))  // ties keep insertion order
        for batch in stride(from: 0, to: documents.count, by: 300) {
            try writer.add(Array(documents[batch..<min(batch + 300, documents.count)]))
            try writer.commit()
        }
        #expect(try writer.forceMerge())
        #expect(writer.snapshot.segmentCount == 1)
        try expectSameHits(writer.snapshot, try Snapshot.build(documents), ["w1", "w777 w29999", "common", "\"w0 w101\""],
                           limit: 50, ordered: true)
        _ = try IndexChecker.check(writer.directory)
    }

    @Test func mergingIntoOneSegmentPerCoreSideBySide() throws {
        let documents = (0..<1000).map { i in doc("d\(i)", "w\(i % 97) w\(i % 13) common") }
        let path = "/tmp/searchd-merge-test-\(UInt64.random(in: 0...UInt64.max))"
        defer { _ = try? FileManager.default.removeItem(atPath: path) }
        let writer = try IndexWriter(directory: try FileSystemDirectory(path), options: IndexWriter.Options(threads: 1))
        for batch in stride(from: 0, to: documents.count, by: 125) {
            try writer.add(Array(documents[batch..<batch + 125]))
            try writer.commit()
        }
        for i in stride(from: 0, to: 1000, by: 9) { _ = writer.delete(id: "d\(i)") }
        try writer.commit()
        #expect(writer.snapshot.segmentCount == 8)
        #expect(IndexWriter.balancedGroups([5, 5, 5, 5], count: 2) == [[0, 1], [2, 3]])
        #expect(IndexWriter.balancedGroups([10, 1, 1, 1], count: 2) == [[0], [1, 2, 3]])
        // the fourth would take the first group to 56 of 100: it starts the second (49 / 51)
        #expect(IndexWriter.balancedGroups([16, 16, 17, 7, 16, 14, 14], count: 2) == [[0, 1, 2], [3, 4, 5, 6]])
        #expect(try writer.forceMerge(into: 2))
        #expect(writer.snapshot.segmentCount == 2)
        #expect(writer.snapshot.documentCount == 1000 - 112)
        // each merged id table: in byte order, every live document once, under its new number
        for segment in writer.snapshot.segments {
            var entries: [IDTable.Entry] = []
            segment.ids.forEach { entries.append($0); return true }
            #expect(entries.count == segment.docCount)
            #expect(zip(entries, entries.dropFirst()).allSatisfy { Array($0.id.utf8).lexicographicallyPrecedes(Array($1.id.utf8)) })
            #expect(try entries.allSatisfy { try segment.stored.document(Int($0.doc), body: false).id == $0.id })
        }
        let live = documents.enumerated().filter { $0.offset % 9 != 0 }.map(\.element)
        try expectSameHits(writer.snapshot, try Snapshot.build(live), ["w1", "w5 w7", "common", "\"w3 w3\""],
                           limit: 1000, ordered: false)
        // documents moved to their new numbers: replacing one leaves one copy
        try writer.add([doc("d1", "replaced")])
        try writer.commit()
        #expect(try ids(writer.snapshot, "replaced") == ["d1"])
        #expect(try !ids(writer.snapshot, "w1").contains("d1"))
        _ = try IndexChecker.check(writer.directory)
    }

    /// Every live document's stored record, by id, read through its segment's stored-fields files.
    static func storedBodies(_ snapshot: Snapshot) throws -> [String: String] {
        var bodies: [String: String] = [:]
        for (segment, deletes) in zip(snapshot.segments, snapshot.deletes) {
            for d in 0..<segment.docCount where !deletes.contains(UInt32(d)) {
                let document = try segment.document(UInt32(d))
                bodies[document.id] = document.body
            }
        }
        return bodies
    }

    /// A merge links its sources' stored-fields files that hold no deleted document (a second
    /// name for the same bytes) and copies the records of the others into a new file; a merge
    /// of merged segments does the same file by file. Every document reads back as written,
    /// from the writer and from the directory reopened, and the check passes.
    @Test func aMergeLinksTheStoredFieldsOfSourcesWithoutDeletions() throws {
        let path = temporaryDirectory()
        defer { _ = try? FileManager.default.removeItem(atPath: path) }
        let writer = try IndexWriter(directory: try FileSystemDirectory(path), options: IndexWriter.Options(threads: 1, linkedStoredBytes: 1))
        var expected: [String: String] = [:]
        func addBatch(_ b: Int, _ count: Int) throws {
            let batch = (0..<count).map { doc("b\(b)-\($0)", "batch \(b) note \($0) " + String(repeating: "x", count: $0 % 17)) }
            for d in batch { expected[d.id] = d.body }
            try writer.add(batch)
            try writer.commit()
        }
        for b in 0..<4 { try addBatch(b, 10 + b) }
        for i in [2, 5] {
            writer.delete(id: "b1-\(i)")
            expected["b1-\(i)"] = nil
        }
        try writer.commit()
        #expect(try writer.forceMerge())
        // batches 0, 2 and 3 linked; batch 1, with deletions, copied into a file of its own
        #expect(writer.snapshot.manifest?.segments.map(\.storedParts) == [[10, 9, 12, 13]])
        let name = try #require(writer.snapshot.manifest?.segments.first?.name)
        #expect(try FileSystemDirectory(path).list().filter { $0.hasSuffix(".sto") }.sorted()
                == ["\(name).1.sto", "\(name).2.sto", "\(name).3.sto", "\(name).sto"])
        #expect(try Self.storedBodies(writer.snapshot) == expected)
        // a merged segment's files are linked or copied one by one in the next merge
        try addBatch(4, 7)
        for i in [0, 11] {
            writer.delete(id: "b2-\(i)")
            expected["b2-\(i)"] = nil
        }
        try writer.commit()
        #expect(try writer.forceMerge())
        #expect(writer.snapshot.manifest?.segments.map(\.storedParts) == [[10, 9, 10, 13, 7]])
        #expect(try Self.storedBodies(writer.snapshot) == expected)
        #expect(try ids(writer.snapshot, "note").count == expected.count)
        #expect(try IndexChecker.check(writer.directory).documents == expected.count)
        #expect(try Self.storedBodies(try Snapshot.open(try FileSystemDirectory(path), verifyChecksums: true)) == expected)
        // a stored-fields file gone is an error that names it, not a crash
        let merged = try #require(writer.snapshot.manifest?.segments.first?.name)
        #expect(unlink(path + "/\(merged).3.sto") == 0)
        #expect { _ = try Snapshot.open(try FileSystemDirectory(path)) } throws: { "\($0)".contains("\(merged).3.sto") }
    }

    /// Past `SegmentMerger.maxStoredParts` files, a merge copies: a segment never has more.
    @Test func aMergedSegmentHasAtMostSoManyStoredFiles() throws {
        let writer = try IndexWriter(directory: MemoryDirectory(), options: IndexWriter.Options(threads: 1, linkedStoredBytes: 1))
        let count = SegmentMerger.maxStoredParts + 6
        for i in 0..<count {
            try writer.add([doc("d\(i)", "note \(i)")])
            try writer.commit()
        }
        #expect(try writer.forceMerge())
        let parts = try #require(writer.snapshot.manifest?.segments.first?.storedParts)
        #expect(parts.count == SegmentMerger.maxStoredParts)
        #expect(parts.last == 7)
        #expect(try Self.storedBodies(writer.snapshot) == Dictionary(uniqueKeysWithValues: (0..<count).map { ("d\($0)", "note \($0)") }))
        _ = try IndexChecker.check(writer.directory)
    }

    /// A writer opened on a directory whose last commit is already being searched takes its
    /// segments as they are (the daemon serves searches before its writer has read every id).
    @Test func aWriterTakesTheSegmentsOfAnOpenSnapshot() throws {
        let directory = MemoryDirectory()
        do {
            let writer = try IndexWriter(directory: directory)
            try writer.add([doc("a", "alpha"), doc("b", "beta")])
            try writer.commit()
            try writer.add([doc("c", "gamma")])
            try writer.commit()
        }
        let lock = try directory.lock()
        let opened = try Snapshot.open(directory)
        #expect(opened.segmentCount >= 2)
        #expect(throws: StoreError.self) { try IndexWriter(directory: directory) }  // the lock is taken
        let writer = try IndexWriter(directory: directory, lock: lock, opened: opened)
        #expect(zip(writer.snapshot.segments, opened.segments).allSatisfy { $0 === $1 })
        #expect(try ids(writer.snapshot, "gamma") == ["c"])
        #expect(writer.delete(id: "a"))
        try writer.commit()
        #expect(try ids(writer.snapshot, "alpha").isEmpty)
        #expect(try ids(opened, "alpha") == ["a"])  // the snapshot searched before stays as it was
    }

    /// The terms of a merge split in ranges side by side give the very bytes of one pass.
    @Test func mergingTermsInPartsWritesTheSameFiles() throws {
        let source = MemoryDirectory()
        let writer = try IndexWriter(directory: source, options: IndexWriter.Options(threads: 1))
        for batch in 0..<4 {
            // terms spread over the whole key space, some in every segment, some in one
            try writer.add((0..<300).map { i in
                doc("d\(batch)-\(i)", "w\(i % 53) x\(batch)y\(i) 钱凯港 z\(i % 7) \(String(repeating: "q", count: i % 9 + 1))")
            })
            try writer.commit()
        }
        for i in stride(from: 0, to: 300, by: 7) { _ = writer.delete(id: "d1-\(i)") }
        try writer.commit()
        let snapshot = writer.snapshot
        #expect(snapshot.segmentCount == 4)
        let merger = SegmentMerger(sources: Array(zip(snapshot.segments, snapshot.deletes)))
        #expect(snapshot.segments.map { $0.dictionary.splitTerms(3).count } == [2, 2, 2, 2])
        var files: [[String: [UInt8]]] = []
        for parts in [1, 2, 3] {
            let out = MemoryDirectory()
            _ = try merger.merge(into: out, name: "m", parts: parts)
            files.append(Dictionary(uniqueKeysWithValues: try out.list().map { name in
                let file = try out.open(name)
                return (name, withExtendedLifetime(file) { Array(file.buffer) })
            }))
        }
        #expect(files[0].count == SegmentInfo.extensions.count + 1)  // and one stored-fields file
        for k in 1..<files.count {
            for (name, bytes) in files[0] {
                let same = files[k][name] == bytes  // not in the expectation: it would print the bytes
                #expect(same, "in \(k + 1) parts, \(name) differs")
            }
        }
    }

    /// A buffer's stored records go to its file as they come, a megabyte at a time: its
    /// memory holds postings, not text. They still count against the budget, so a segment is
    /// as large as before; finished, the file is the segment's stored-fields file.
    @Test func storedRecordsAreWrittenWhileDocumentsAreAdded() throws {
        let directory = MemoryDirectory()
        let writer = SegmentWriter(directory: directory, storedName: "w1.sto", storedChunk: 1 << 20)
        let body = String(repeating: "Chancay harbour ", count: 20_000)  // 320 KB
        for i in 0..<5 { writer.add(Document(id: "d\(i)", title: "t", body: body)) }
        let file = try directory.open("w1.sto")
        #expect(file.buffer.count >= 1 << 20)
        #expect(writer.budgetBytes > 3 << 19)
        let info = try writer.finish(name: "s1")
        #expect(info.storedParts == [5])
        let segment = try Segment(directory, info)
        #expect(try segment.stored.document(4).body == body)
    }

    /// Several buffers written as one segment, in 1, 2 or 3 parts side by side, give the very
    /// bytes of a merge of the segments each buffer would have been alone — but for the
    /// postings' blocks, which the merge copies from its sources (short blocks among full
    /// ones) where the buffers cut theirs anew: there the same terms, documents, frequencies
    /// and positions; and for the stored records, each buffer's in a file of its own (the
    /// merge copies them into one): there the same documents.
    @Test func buffersFlushedTogetherEqualTheMergeOfTheirSegments() throws {
        let directory = MemoryDirectory()
        let writers = (0..<3).map { SegmentWriter(directory: directory, storedName: "w\($0).sto", storedChunk: 1 << 20) }
        for (w, writer) in writers.enumerated() {
            // terms spread over the whole key space, some in every buffer, some in one
            for i in 0..<(200 + 50 * w) {
                writer.add(Document(id: "d\(w)-\(i)", title: "t\(i % 11)", body: "w\(i % 53) x\(w)y\(i) 钱凯港 z\(i % 7) \(String(repeating: "q", count: i % 9 + 1))",
                                    date: i % 3 == 0 ? "2024-06-\(10 + i % 9)" : nil))
            }
        }
        func files(_ directory: MemoryDirectory, _ segment: String) throws -> [String: [UInt8]] {
            Dictionary(uniqueKeysWithValues: try directory.list().filter { $0.hasPrefix(segment + ".") }.map { name in
                let file = try directory.open(name)
                return (String(name.dropFirst(segment.count)), withExtendedLifetime(file) { Array(file.buffer) })
            })
        }
        func documents(_ segment: Segment) throws -> [Document] { try (0..<segment.docCount).map { try segment.stored.document($0) } }
        let infos = try writers.enumerated().map { try $1.finish(name: "s\($0)") }
        let segments = try infos.map { try Segment(directory, $0) }
        let merged = MemoryDirectory()
        let (mergedInfo, _) = try SegmentMerger(sources: segments.map { ($0, Deletes(docCount: $0.docCount)) }).merge(into: merged, name: "m")
        let expected = try files(merged, "m")
        #expect(expected.count == SegmentInfo.extensions.count + 1)  // and one stored-fields file
        let expectedPostings = try allPostings(Segment(merged, mergedInfo))
        #expect(expectedPostings.count > 500)
        let expectedDocuments = try documents(Segment(merged, mergedInfo))
        #expect(expectedDocuments.count == 750)
        for parts in [1, 2, 3] {
            let info = try SegmentWriter.finish(writers, name: "m\(parts)", parts: parts)
            #expect(info.storedParts == [200, 250, 300])
            var sameInfo = info
            (sameInfo.name, sameInfo.storedParts) = (mergedInfo.name, mergedInfo.storedParts)
            #expect(sameInfo == mergedInfo)
            let written = try files(directory, "m\(parts)")
            #expect(Set(written.keys) == Set(SegmentInfo.extensions.map { "." + $0 } + [".sto", ".1.sto", ".2.sto"]))
            for (ext, bytes) in expected where ![".doc", ".pos", ".tdx", ".sto"].contains(ext) {
                let same = written[ext] == bytes  // not in the expectation: it would print the bytes
                #expect(same, "in \(parts) parts, \(ext) differs")
            }
            let segment = try Segment(directory, info)
            let same = allPostings(segment) == expectedPostings
            #expect(same, "in \(parts) parts, the postings differ")
            #expect(try documents(segment) == expectedDocuments)
        }
    }

    /// Every term of a segment with its postings: (document, frequency, positions) each.
    private func allPostings(_ segment: Segment) -> [[UInt8]: [[UInt32]]] {
        var result: [[UInt8]: [[UInt32]]] = [:]
        var iterator = TermDictionary.Iterator(segment.dictionary)
        var positions: [UInt32] = []
        while iterator.next() {
            let cursor = segment.postings(iterator.info)
            var postings: [[UInt32]] = []
            while cursor.next() != PostingsCursor.end {
                cursor.positions(into: &positions)
                postings.append([cursor.doc, cursor.freq] + positions)
            }
            result[iterator.term] = postings
        }
        return result
    }

    /// A commit writes every thread's buffer into one segment; deletes and replacements made
    /// before it find their documents there.
    @Test func aCommitWritesTheThreadsBuffersAsOneSegment() throws {
        let writer = try IndexWriter(directory: MemoryDirectory(), options: IndexWriter.Options(threads: 3))
        try writer.add((0..<90).map { doc("d\($0)", "common word\($0)") })
        #expect(writer.delete(id: "d4"))
        try writer.add([doc("d7", "replaced")])
        let s = try writer.commit()
        #expect(s.segmentCount == 1 && s.documentCount == 89)
        #expect(try ids(s, "word4").isEmpty)
        #expect(try ids(s, "word7").isEmpty)
        #expect(try ids(s, "replaced") == ["d7"])
        #expect(try ids(s, "word8") == ["d8"])
        #expect(writer.delete(id: "d9"))  // found in the new segment
        let t = try writer.commit()
        #expect(t.documentCount == 88)
        #expect(try ids(t, "word9").isEmpty)
        #expect(try ids(t, "word10") == ["d10"])
    }

    /// Documents that moved again and again (buffers flushed together, segments merged, the
    /// merged ones merged again, each move only recorded until the moves outnumber the live
    /// documents) are found by id where they are now, to be replaced or deleted.
    @Test func documentsMovedByFlushesAndMergesAreFoundByID() throws {
        let writer = try IndexWriter(directory: MemoryDirectory(), options: IndexWriter.Options(threads: 2))
        var live = Set<String>()
        for round in 0..<6 {
            let docs = (0..<30).map { doc("r\(round)-\($0)", "common round\(round) word\($0)") }
            try writer.add(docs)
            live.formUnion(docs.map(\.id))
            try writer.commit()
            // in every round so far: one document replaced, another deleted
            for earlier in 0...round {
                try writer.add([doc("r\(earlier)-\(round)", "replaced\(round)")])
                #expect(writer.delete(id: "r\(earlier)-\(round + 10)"))
                live.remove("r\(earlier)-\(round + 10)")
            }
            try writer.commit()
            if round % 2 == 1 { try writer.forceMerge(into: 1) }
        }
        let s = writer.snapshot
        #expect(allIDs(s) == live && s.documentCount == live.count)
        for round in 0..<6 {
            #expect(Set(try ids(s, "replaced\(round)")) == Set((0...round).map { "r\($0)-\(round)" }))
            #expect(try ids(s, "round\(round)").count == 30 - (6 - round) - (6 - round))
        }
        #expect(try IndexChecker.check(writer.directory).documents == live.count)
    }

    /// A merge reads the files of its sources found on disk whole and checks them first (once;
    /// not those this process wrote): a segment damaged on disk (a bit flipped, its checksum
    /// left as it was) fails the merge with an error that names the file, instead of being
    /// decoded into a new segment, and every later merge of it; the last commit stays in use.
    @Test func aMergeChecksItsSourcesFirst() throws {
        let path = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let name: String
        do {
            let writer = try IndexWriter(directory: try FileSystemDirectory(path))
            for round in 0..<2 {
                try writer.add((0..<300).map { doc("r\(round)-\($0)", "port harbour word\($0)") })
                try writer.commit()
            }
            name = try #require(writer.snapshot.segments.first).info.name
        }
        let file = try FileHandle(forUpdating: URL(fileURLWithPath: path + "/" + name + ".doc"))
        try file.seek(toOffset: 40)
        let byte = try #require(try file.read(upToCount: 1)).first! ^ 0x10
        try file.seek(toOffset: 40)
        try file.write(contentsOf: [byte])
        try file.close()
        let writer = try IndexWriter(directory: try FileSystemDirectory(path))
        for _ in 0..<2 {  // the second time from what the first found
            #expect {
                _ = try writer.forceMerge(into: 1)
            } throws: { error in
                "\(error)" == "checksum mismatch in \(name).doc: the file is damaged"
            }
        }
        #expect(writer.snapshot.segmentCount == 2 && writer.snapshot.documentCount == 600)
        #expect(try ids(writer.snapshot, "word7").count == 2)
    }

    /// A block's (or a group of blocks') stored impacts, or a skip entry's last document, that
    /// no longer match the documents (the checksum made to hold): `searchd check` names the
    /// file and the block (group).
    @Test(arguments: ["block", "group", "skip"]) func checkFindsBlockTablesThatDoNotMatchTheirDocuments(damaged: String) throws {
        let path = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let (file, info): (String, TermInfo)
        do {
            let writer = try IndexWriter(directory: try FileSystemDirectory(path))
            // ten blocks: two groups
            try writer.add((0..<1200).map { doc("d\($0)", Array(repeating: "port", count: 1 + $0 % 3).joined(separator: " ")) })
            try writer.commit()
            let segment = try #require(writer.snapshot.segments.first)
            file = path + "/" + segment.info.name + ".doc"
            info = try #require(segment.termInfo(TermKey(field: .body, kind: .word, text: "port").bytes))
        }
        #expect(try IndexChecker.check(try FileSystemDirectory(path)).documents == 1200)
        // the first block's (group's) impacts: after the skip and group tables, at its entry's
        // impacts offset; their first frequency (the highest, 3) becomes 4
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: file)))
        let blocks = (Int(info.docFreq) + PostingsFormat.blockSize - 1) / PostingsFormat.blockSize
        let groups = PostingsFormat.groupCount(blocks: blocks)
        #expect(groups == 2)
        #expect(bytes[Int(info.postingsOffset)] == UInt8(blocks))  // the block count, a varint
        let table = Int(info.postingsOffset) + 1
        let tables = blocks * PostingsFormat.skipEntrySize + groups * PostingsFormat.groupEntrySize
        let field = damaged == "group" ? table + blocks * PostingsFormat.skipEntrySize : table + 8
        let entry = bytes[field..<(field + 4)].enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        let at = table + tables + entry + 1  // past the pair count
        #expect(bytes[at] == 3)
        if damaged == "skip" {
            bytes[table] += 1  // the first block's last document (127: one byte of it)
        } else {
            bytes[at] = 4
        }
        let payload = bytes.count - Footer.size
        let crc = bytes[..<payload].withUnsafeBytes { CRC32.checksum($0) }
        bytes.replaceSubrange(payload..., with: Footer.encode(length: UInt64(payload), crc: crc))
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        #expect {
            _ = try IndexChecker.check(try FileSystemDirectory(path))
        } throws: { error in
            "\(error)".contains([
                "block": ".doc: impacts of block 0 do not match its documents",
                "group": ".doc: impacts of block group 0 do not match its documents",
                "skip": ".doc: block 0 ends at document 127, its skip entry says 128",
            ][damaged]!)
        }
    }

    /// `check` reads the segments side by side: its report adds up every one of them.
    @Test func checkingSeveralSegmentsCountsThemAll() throws {
        let writer = try IndexWriter(directory: MemoryDirectory(), options: IndexWriter.Options(threads: 1))
        for k in 0..<4 {
            try writer.add((0..<50).map { i in doc("d\(k)-\(i)", "w\(k)x\(i) common batch\(k)") })
            try writer.commit()
        }
        #expect(writer.snapshot.segmentCount == 4)
        let report = try IndexChecker.check(writer.directory)
        #expect(report.segments == 4 && report.documents == 200)
        #expect(report.terms == writer.snapshot.segments.reduce(0) { $0 + $1.dictionary.termCount })
    }

    @Test func aForeignFormatVersionIsAClearError() throws {
        let directory = MemoryDirectory()
        do {
            let writer = try IndexWriter(directory: directory)
            try writer.add([doc("a", "text")])
            try writer.commit()
        }
        // rewrite the manifest with another format version in its footer
        let name = try directory.list().first { $0.hasPrefix("manifest_") }!
        var bytes = Array(try directory.open(name).buffer)
        bytes[bytes.count - Footer.size + 4] = 99
        try directory.delete(name)
        let out = try directory.create(name)
        try out.write(bytes: bytes)
        do {
            _ = try IndexWriter(directory: directory)
            Issue.record("opened a foreign format")
        } catch let error as FormatError {
            #expect(error.description.contains("format version 99"))
            #expect(error.description.contains("rebuild"))
        }
    }
}

/// Crash safety: a failure at every single storage operation of a sequence of changes, then a
/// crash; the index must open, pass verification, and show the last acknowledged commit (or the
/// one being written, if its rename became durable) — never a mix, never less.
struct CrashTests {
    /// The sequence: each step's changes, then its commit or merge.
    static let steps: [@Sendable (IndexWriter) throws -> Void] = [
        { try $0.add((0..<8).map { doc("b\($0)", "second batch \($0)") }) },
        { _ = $0.delete(id: "a1"); _ = $0.delete(id: "b2"); try $0.add([doc("a3", "replaced"), doc("c0", "third")]) },
        { _ = $0.delete(id: "a4") },
    ]

    static func expectedAfter(_ step: Int) -> Set<String> {
        var ids = Set((0..<10).map { "a\($0)" })
        if step >= 1 { ids.formUnion((0..<8).map { "b\($0)" }) }
        if step >= 2 { ids.subtract(["a1", "b2"]); ids.insert("c0") }
        if step >= 3 { ids.remove("a4") }
        return ids
    }

    /// Runs the sequence with a failure injected at operation `n`; returns the steps committed.
    static func run(_ directory: CrashingDirectory, failingAt n: Int?, kind: StoreError.Kind = .io) -> Int {
        // the merge links the stored-fields files of its sources (a crash between the link and
        // the commit, or after it, must leave the files of one commit or the other)
        guard let writer = try? IndexWriter(directory: directory, options: IndexWriter.Options(threads: 2, linkedStoredBytes: 1)) else { return 0 }
        if let n { directory.failAfter(n, with: kind) }
        var committed = 0
        do {
            for (i, step) in steps.enumerated() {
                try step(writer)
                try writer.commit()
                committed = i + 1
                if i == 1 { try writer.merge(policy: TieredMergePolicy(segmentsPerTier: 2, floorDocuments: 1)) }
            }
        } catch {}
        return committed
    }

    static func base() throws -> CrashingDirectory {
        let directory = CrashingDirectory()
        let writer = try IndexWriter(directory: directory, options: IndexWriter.Options(threads: 1))
        try writer.add((0..<10).map { doc("a\($0)", "first batch \($0)") })
        try writer.commit()
        return directory
    }

    @Test func aCrashAtAnyOperationKeepsACommit() throws {
        // how many operations the whole sequence takes
        let probe = try Self.base()
        let start = probe.operations
        #expect(Self.run(probe, failingAt: nil) == Self.steps.count)
        let total = probe.operations - start
        #expect(total > 50)
        for n in 1...total {
            let directory = try Self.base()
            let committed = Self.run(directory, failingAt: n, kind: n % 2 == 0 ? .io : .noSpace)
            directory.crash()
            let reopened = try IndexWriter(directory: directory)
            let found = allIDs(reopened.snapshot)
            let acknowledged = Self.expectedAfter(committed)
            let next = Self.expectedAfter(committed + 1)
            #expect(found == acknowledged || found == next, "failure at operation \(n): \(found.count) documents")
            _ = try IndexChecker.check(directory)
            // and the reopened index takes new commits
            try reopened.add([doc("z", "after the crash")])
            #expect(allIDs(try reopened.commit()).contains("z"))
        }
    }

    /// Every live document's stored record, by id.
    static func storedDocuments(_ snapshot: Snapshot) throws -> [String: Document] {
        var result: [String: Document] = [:]
        for (segment, deletes) in zip(snapshot.segments, snapshot.deletes) {
            for d in 0..<segment.docCount where !deletes.contains(UInt32(d)) {
                let document = try segment.stored.document(d)
                result[document.id] = document
            }
        }
        return result
    }

    /// Stored records go to their file while documents are added (a chunk at a time); a
    /// full disk at any of those writes, or at the commit's, loses none of them: they wait,
    /// and the commit once there is room writes them all, each whole, once.
    @Test(arguments: [1, 2])
    func aFullDiskWhileAddingLosesNoRecord(threads: Int) throws {
        // records written 4 KiB at a time: these pass that several times on each thread
        let large = (0..<8).map { i in doc("large\(i)", "large \(i) " + String(repeating: "word\(i) ", count: 1000)) }
        let options = IndexWriter.Options(threads: threads, storedChunkBytes: 4096)
        var failures = 0
        for n in 1...40 {
            let directory = try Self.base()
            let writer = try IndexWriter(directory: directory, options: options)
            directory.failAfter(n, with: .noSpace)
            do {
                try writer.add(large)
                try writer.commit()
            } catch {
                failures += 1
            }
            directory.failAfter(1_000_000)
            try writer.commit()
            directory.crash()
            let stored = try Self.storedDocuments(Snapshot.open(directory))
            #expect(Set(stored.keys) == Self.expectedAfter(0).union(large.map(\.id)), "failure at \(n)")
            for d in large { #expect(stored[d.id]?.body == d.body, "failure at \(n): \(d.id)'s record") }
            _ = try IndexChecker.check(directory)
        }
        #expect(failures > 10)
    }

    /// A commit that fails at any operation (a full disk) can be retried: the retry writes the
    /// buffers the failure left and the fresh ones as one segment (one or two threads' worth).
    @Test(arguments: [1, 2])
    func aFailedCommitCanBeRetried(threads: Int) throws {
        for n in 1...60 {
            let directory = try Self.base()
            let writer = try IndexWriter(directory: directory, options: IndexWriter.Options(threads: threads))
            try writer.add((0..<8).map { doc("b\($0)", "second batch \($0)") })
            directory.failAfter(n, with: .noSpace)
            do {
                try writer.commit()
                continue  // the commit needed fewer operations than n
            } catch {
                #expect(allIDs(writer.snapshot) == Self.expectedAfter(0))  // the previous commit still serves
            }
            // documents added while the disk is full go to a fresh buffer, and a replacement
            // of a document stuck in the failed one replaces it
            try writer.add([doc("b1", "replaced after the failure"), doc("d0", "added after the failure")])
            directory.failAfter(1_000_000)
            try writer.commit()
            let expected = Self.expectedAfter(1).union(["d0"])
            #expect(allIDs(writer.snapshot) == expected)
            #expect(writer.snapshot.documentCount == expected.count, "failure at \(n): a document is there twice")
            #expect(try writer.snapshot.searcher().search(QueryParser.parse("replaced")).hits.map(\.id) == ["b1"])
            directory.crash()
            #expect(allIDs(try Snapshot.open(directory)) == expected)
        }
    }
}

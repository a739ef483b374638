/// Verifies an index in depth: every file's checksum, then every structure — terms in
/// strictly increasing order, every posting list decodable with its documents in range and
/// as many as its docFreq, every block's and block group's impacts those of their documents, every stored
/// document and id readable. What `searchd check` runs.
public enum IndexChecker {
    public struct Report: Sendable {
        public var documents: Int
        public var segments: Int
        public var terms: Int
        public var generation: UInt64
    }

    /// A damaged index: the file at fault and what is wrong.
    public struct Damage: Error, CustomStringConvertible {
        public var file: String
        public var problem: String
        public var description: String { "\(file): \(problem)" }
    }

    public static func check(_ directory: Directory) throws -> Report {
        let snapshot: Snapshot
        do {
            snapshot = try Snapshot.open(directory, verifyChecksums: true)
        } catch let error as FormatError {
            switch error {
            case .checksum(let file), .version(let file, _, _): throw Damage(file: file, problem: error.description)
            default: throw Damage(file: "index", problem: error.description)
            }
        }
        // the segments side by side, one per core (a 1 GB index's two took 13.9 s on one);
        // the first damaged one in order is reported
        let results = Cores.map(snapshot.segments.count) { i in Result { try check(snapshot.segments[i]) } }
        var terms = 0
        for result in results { terms += try result.get() }
        return Report(documents: snapshot.documentCount, segments: snapshot.segmentCount, terms: terms,
                      generation: snapshot.manifest?.generation ?? 0)
    }

    /// Checks one segment's structures; returns its term count.
    private static func check(_ segment: Segment) throws -> Int {
        let name = segment.info.name
        var iterator = TermDictionary.Iterator(segment.dictionary)
        var previous: [UInt8]? = nil
        var count = 0
        while iterator.next() {
            count += 1
            if let p = previous, !p.lexicographicallyPrecedes(iterator.term) {
                throw Damage(file: "\(name).tdx", problem: "terms out of order at term \(count)")
            }
            previous = iterator.term
            let cursor = segment.postings(iterator.info)
            var docs = 0, totalFreq: UInt64 = 0
            var last: UInt32? = nil
            var positions: [UInt32] = []
            // each block's skip entry must end at its last document, its stored impacts be
            // those of its documents (a merge writes both for the blocks it copies)
            let field = Field(rawValue: iterator.term[0]).flatMap { Field.text.contains($0) ? $0 : nil }
            let hasSkipTable = iterator.info.docFreq > UInt32(PostingsFormat.blockSize)
            var shortest: PostingsFormat.Shortest = [], groupShortest: PostingsFormat.Shortest = []
            var block = 0
            func checkBlock() throws {
                if let last, cursor.lastDoc(ofBlock: block) != last {
                    throw Damage(file: "\(name).doc", problem: "block \(block) ends at document \(last), its skip entry says \(cursor.lastDoc(ofBlock: block))")
                }
                var stored: [UInt32] = []
                cursor.forEachImpact(ofBlock: block) { stored += [$0, $1] }
                guard stored == PostingsFormat.impacts(shortest).flatMap({ [$0.freq, $0.length] }) else {
                    throw Damage(file: "\(name).doc", problem: "impacts of block \(block) do not match its documents")
                }
                shortest.removeAll()
                // a group's, once its last block is checked
                let group = cursor.group(ofBlock: block)
                guard cursor.groupCount > 0, block == cursor.blockCount - 1 || cursor.group(ofBlock: block + 1) != group else { return }
                stored.removeAll()
                cursor.forEachImpact(ofGroup: group) { stored += [$0, $1] }
                guard stored == PostingsFormat.impacts(groupShortest).flatMap({ [$0.freq, $0.length] }) else {
                    throw Damage(file: "\(name).doc", problem: "impacts of block group \(group) do not match its documents")
                }
                groupShortest.removeAll()
            }
            while cursor.next() != PostingsCursor.end {
                if hasSkipTable && cursor.block != block {
                    try checkBlock()
                    block = cursor.block
                }
                if cursor.doc >= UInt32(segment.docCount) || last.map({ cursor.doc <= $0 }) == true {
                    throw Damage(file: "\(name).doc", problem: "document \(cursor.doc) out of order or range")
                }
                // (after the range check: the norms are read at the document)
                let length = field.map { segment.norms.length(cursor.doc, $0) } ?? 0
                PostingsFormat.note(freq: cursor.freq, length: length, in: &shortest)
                if cursor.groupCount > 0 { PostingsFormat.note(freq: cursor.freq, length: length, in: &groupShortest) }
                cursor.positions(into: &positions)
                if positions.count != Int(cursor.freq) {
                    throw Damage(file: "\(name).pos", problem: "positions missing for document \(cursor.doc)")
                }
                last = cursor.doc
                docs += 1
                totalFreq += UInt64(cursor.freq)
            }
            if hasSkipTable && docs > 0 { try checkBlock() }
            if cursor.isDamaged {
                throw Damage(file: "\(name).doc", problem: "frequencies of term \(count) run past the data")
            }
            if docs != Int(iterator.info.docFreq) || totalFreq != iterator.info.totalFreq {
                throw Damage(file: "\(name).doc", problem: "\(docs) documents of \(totalFreq) occurrences where the dictionary says \(iterator.info.docFreq) of \(iterator.info.totalFreq)")
            }
        }
        if count != segment.dictionary.termCount {
            throw Damage(file: "\(name).tdx", problem: "\(count) terms readable of \(segment.dictionary.termCount)")
        }
        for d in 0..<segment.docCount {
            do {
                _ = try segment.document(UInt32(d))
            } catch {
                throw Damage(file: segment.info.storedFile(segment.stored.locate(d).part), problem: "document \(d): \(error)")
            }
        }
        var ids = 0
        var damaged = false
        segment.ids.forEach { e in
            ids += 1
            if Int(e.doc) >= segment.docCount { damaged = true }
            return !damaged
        }
        if damaged || ids != segment.docCount {
            throw Damage(file: "\(name).ids", problem: "\(ids) ids for \(segment.docCount) documents")
        }
        return count
    }
}

import Foundation
import Testing
@testable import SearchCore

struct FormatTests {
    /// A file written in parts whose checksums were computed apart has the checksum of the
    /// whole (`CRC32.append`, what `TermRange` relies on), for parts of every length class.
    @Test func checksumsOfPartsCombine() {
        var random = TopHitsPruningTests.Random(state: 7)
        for length in [0, 1, 7, 8, 9, 255, 4096, 100_003] {
            let a = (0..<random.below(300)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            let b = (0..<length).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            var combined = CRC32()
            a.withUnsafeBytes { combined.update($0) }
            combined.append(crc: b.withUnsafeBytes { CRC32.checksum($0) }, length: b.count)
            #expect(combined.value == (a + b).withUnsafeBytes { CRC32.checksum($0) }, "\(a.count) + \(length) bytes")
        }
    }

    /// The checksum equals the polynomial's definition, a bit at a time, for every length up
    /// to 300 bytes (the folding of 64-byte runs, its 16-byte tail and the table's last bytes
    /// meet at every alignment), fed whole or in uneven pieces; and zlib's check value.
    @Test func checksumMatchesTheBitwiseDefinition() {
        func bitwise(_ bytes: [UInt8]) -> UInt32 {
            var c: UInt32 = ~0
            for b in bytes {
                c ^= UInt32(b)
                for _ in 0..<8 { c = c & 1 == 1 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
            }
            return ~c
        }
        #expect(Array("123456789".utf8).withUnsafeBytes { CRC32.checksum($0) } == 0xCBF4_3926)
        var random = TopHitsPruningTests.Random(state: 11)
        let data = (0..<301).map { _ in UInt8(truncatingIfNeeded: random.next()) }
        for length in 0...300 {
            let bytes = Array(data[1..<1 + length])  // from an odd address
            #expect(bytes.withUnsafeBytes { CRC32.checksum($0) } == bitwise(bytes), "\(length) bytes")
            var pieces = CRC32()
            var at = 0
            while at < length {
                let next = min(length, at + 1 + random.below(130))
                bytes[at..<next].withUnsafeBytes { pieces.update($0) }
                at = next
            }
            #expect(pieces.value == bitwise(bytes), "\(length) bytes in pieces")
        }
    }

    /// The content hash of a source stamp is the one FORMAT.md describes (computed here from
    /// its description), and a content with one byte changed never hashes the same.
    @Test func contentHashIsTheDescribedOne() {
        func described(_ bytes: [UInt8]) -> UInt64 {
            var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(bytes.count)
            var words = stride(from: 0, to: bytes.count, by: 8).map { at in
                bytes[at..<min(at + 8, bytes.count)].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
            }
            if bytes.count % 8 == 0 { words.append(0) }  // the last 0-7 bytes: none
            for w in words.dropLast() {
                h = (h ^ w) &* 0xBF58_476D_1CE4_E5B9
                h ^= h >> 31
            }
            h = (h ^ words.last!) &* 0x94D0_49BB_1331_11EB
            return h ^ h >> 29
        }
        var random: UInt64 = 7
        for length in 0..<70 {
            let bytes = (0..<length).map { _ in
                random = random &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                return UInt8(truncatingIfNeeded: random >> 56)
            }
            #expect(SourceStamp.hash(bytes) == described(bytes), "\(length) bytes")
            for at in bytes.indices {
                var edited = bytes
                edited[at] ^= 0x20
                #expect(SourceStamp.hash(edited) != SourceStamp.hash(bytes))
            }
        }
    }

    @Test func varintsRoundTrip() throws {
        var w = ByteWriter()
        let values: [UInt64] = [0, 1, 127, 128, 16_383, 16_384, UInt64(UInt32.max), UInt64.max]
        for v in values { w.varint(v) }
        let bytes = FileBytes(copying: w.bytes)
        var r = ByteReader(bytes.buffer)
        for v in values { #expect(try r.varint() == v) }
        #expect(r.isAtEnd)
        #expect(throws: FormatError.truncated) { try r.varint() }
    }

    /// Skipping k varints lands where decoding k of them does, for every k, over values of one
    /// to five bytes (so eight-byte words hold varints cut at their edges); past the end, at the end.
    @Test func skippingVarintsLandsWhereDecodingDoes() {
        var w = ByteWriter()
        let values = (0..<300).map { i -> UInt64 in [5, 200, 20_000, 3_000_000, 400_000_000][(i * 7 + i / 3) % 5] }
        for v in values { w.varint(v) }
        let bytes = w.bytes
        bytes.withUnsafeBytes { data in
            var decoded = 0
            for k in 0...values.count {
                var skipped = 0
                skipVarints(data, &skipped, count: k)
                #expect(skipped == decoded, "k = \(k)")
                if k < values.count { _ = readVarint(data, &decoded) }
            }
            var past = 0
            skipVarints(data, &past, count: values.count + 5)
            #expect(past == data.count)
        }
    }

    /// A merge lets the pages it has read leave memory in steps (each drop interrupts the other
    /// cores), from where the last drop ended, and the rest at the end; the bytes read the same
    /// after, also once taken out of the page cache (`evict`, read back from the disk).
    @Test(arguments: [false, true]) func mappedPagesAreDroppedInStepsAndReadBack(evict: Bool) throws {
        let path = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let directory = try FileSystemDirectory(path)
        var bytes = [UInt8](repeating: 0, count: FileBytes.dropStep * 2 + 12_345)
        for i in stride(from: 0, to: bytes.count, by: 4093) { bytes[i] = UInt8(truncatingIfNeeded: i >> 12) }
        #expect(FileManager.default.createFile(atPath: path + "/f", contents: Data(bytes)))
        let mapped = try directory.open("f")
        #expect(mapped.isMapped)
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        mapped.dropPages(before: FileBytes.dropStep / 2, evict: evict)
        #expect(mapped.droppedEnd == 0)  // less than a step: kept
        mapped.dropPages(before: FileBytes.dropStep + 100, evict: evict)
        #expect(mapped.droppedEnd == (FileBytes.dropStep + 100) / page * page)
        mapped.dropPages(before: FileBytes.dropStep + FileBytes.dropStep / 2, evict: evict)
        #expect(mapped.droppedEnd == (FileBytes.dropStep + 100) / page * page)  // not a step since
        mapped.dropPages(before: mapped.buffer.count, evict: evict)
        #expect(mapped.droppedEnd == mapped.buffer.count / page * page)  // the end: all of it
        #expect(mapped.buffer.count == bytes.count && memcmp(mapped.buffer.baseAddress!, bytes, bytes.count) == 0)
    }

    /// Postings long enough for several blocks, so advancing uses the skip table.
    /// The payload of a file written through a `FileWriter` (its footer checked).
    func payload(_ directory: MemoryDirectory, _ name: String) throws -> FileBytes {
        let bytes = try directory.open(name)
        let payload = try Footer.payload(of: bytes.buffer, file: name, verifyChecksum: true)
        return FileBytes(copying: Array(payload))
    }

    @Test func postingsAcrossBlocksAdvanceAndPositions() throws {
        let directory = MemoryDirectory()
        var writer = PostingsWriter(docs: try FileWriter(directory, "t.doc"), positions: try FileWriter(directory, "t.pos"))
        writer.startTerm()
        let docs = (0..<1000).map { UInt32($0 * 3) }
        for d in docs {
            var deltas = ByteWriter()
            deltas.varint(UInt32(d % 5))  // one position per doc: d % 5
            deltas.bytes.withUnsafeBufferPointer { writer.add(doc: d, freq: 1, positionDeltas: $0) }
        }
        let info = try writer.finishTerm()
        try writer.docs.finish()
        try writer.positions.finish()
        #expect(info.docFreq == 1000)
        let docData = try payload(directory, "t.doc"), posData = try payload(directory, "t.pos")
        let cursor = PostingsCursor(info: info, docData: docData.buffer, posData: posData.buffer)
        #expect(cursor.next() == 0)
        #expect(cursor.advance(to: 1) == 3)
        #expect(cursor.advance(to: 2001) == 2001)
        var positions: [UInt32] = []
        cursor.positions(into: &positions)
        #expect(positions == [2001 % 5])
        #expect(cursor.advance(to: 2500) == 2502)
        cursor.positions(into: &positions)
        #expect(positions == [2502 % 5])
        #expect(cursor.next() == 2505)
        #expect(cursor.advance(to: 5000) == PostingsCursor.end)
        // a full walk sees every document once, in order
        let walk = PostingsCursor(info: info, docData: docData.buffer, posData: posData.buffer)
        var seen: [UInt32] = []
        while walk.next() != PostingsCursor.end { seen.append(walk.doc) }
        #expect(seen == docs)
    }

    /// Packed values of every width read back, with room after them and without (the last
    /// bytes of a file, read a byte at a time), and after their first is replaced; a width
    /// over 32 or data cut short is damage.
    @Test func bitPackedBlocksRoundTripInEveryWidth() {
        let out = UnsafeMutablePointer<UInt32>.allocate(capacity: PostingsFormat.blockSize)
        defer { out.deallocate() }
        for width in 0...32 {
            let top = width == 0 ? 0 : UInt32.max >> (32 - width)
            let values = (0..<PostingsFormat.blockSize).map { i in i == 5 ? top : UInt32(truncatingIfNeeded: i &* 2_654_435_761) & top }
            var w = ByteWriter()
            values.withUnsafeBufferPointer { BitPacking.pack($0, into: &w) }
            #expect(w.bytes.count == 1 + BitPacking.byteCount(values.count, width: width))
            for slack in [0, 8] {
                let bytes = w.bytes + [UInt8](repeating: 0xFF, count: slack)
                bytes.withUnsafeBytes { data in
                    var offset = 0
                    #expect(BitPacking.unpack(data, &offset, count: values.count, into: out), "width \(width)")
                    #expect(offset == w.bytes.count)
                    #expect(Array(UnsafeBufferPointer(start: out, count: values.count)) == values, "width \(width), slack \(slack)")
                    #expect(BitPacking.first(data, at: 0, count: values.count) == values[0])
                }
            }
            // a merge rewrites a copied block's first value in place, when it fits the width
            var replaced = w.bytes
            #expect(replaced.withUnsafeMutableBytes { BitPacking.replaceFirst(with: top, in: $0) })
            if width < 32 {
                #expect(!replaced.withUnsafeMutableBytes { BitPacking.replaceFirst(with: top + 1, in: $0) })
            }
            replaced.withUnsafeBytes { data in
                var offset = 0
                #expect(BitPacking.unpack(data, &offset, count: values.count, into: out))
                #expect(Array(UnsafeBufferPointer(start: out, count: values.count)) == [top] + values.dropFirst(), "width \(width)")
            }
            if width > 0 {
                w.bytes.dropLast().withUnsafeBytes { data in
                    var offset = 0
                    #expect(!BitPacking.unpack(data, &offset, count: values.count, into: out))
                    #expect(BitPacking.first(data, at: 0, count: values.count) == nil)
                }
            }
        }
        ([UInt8(33)] + [UInt8](repeating: 0, count: 600)).withUnsafeBytes { data in
            var offset = 0
            #expect(!BitPacking.unpack(data, &offset, count: PostingsFormat.blockSize, into: out))
        }
    }

    /// Postings with gaps of one to four bytes and frequencies up to hundreds, ending in a
    /// full block or a short one: a walk, the frequencies, advancing and peeking into blocks
    /// not decoded find what was written.
    @Test(arguments: [3 * PostingsFormat.blockSize, 3 * PostingsFormat.blockSize + 5])
    func packedPostingsWalkAdvanceAndPeek(count: Int) throws {
        let directory = MemoryDirectory()
        var writer = PostingsWriter(docs: try FileWriter(directory, "t.doc"), positions: try FileWriter(directory, "t.pos"))
        writer.startTerm()
        var docs: [UInt32] = [], freqs: [UInt32] = []
        var d: UInt32 = 0
        for i in 0..<count {
            d += [1, 90, 200, 20_000, 3_000_000][(i * 7 + i / 5) % 5]
            docs.append(d)
            freqs.append([1, 2, 1, 700, 3][(i * 3) % 5])
            let deltas = [UInt8](repeating: 1, count: Int(freqs[i]))
            deltas.withUnsafeBufferPointer { writer.add(doc: docs[i], freq: freqs[i], positionDeltas: $0) }
        }
        let info = try writer.finishTerm()
        try writer.docs.finish()
        try writer.positions.finish()
        let docData = try payload(directory, "t.doc"), posData = try payload(directory, "t.pos")
        let walk = PostingsCursor(info: info, docData: docData.buffer, posData: posData.buffer)
        var seen: [UInt32] = [], seenFreqs: [UInt32] = []
        var positions: [UInt32] = []
        while walk.next() != PostingsCursor.end {
            seen.append(walk.doc)
            seenFreqs.append(walk.freq)
            walk.positions(into: &positions)
            #expect(positions == (1...Int(walk.freq)).map(UInt32.init))
        }
        #expect(seen == docs && seenFreqs == freqs && !walk.isDamaged)
        // blocks' last documents among them: past one, a peek reads the next block's first
        for i in Array(stride(from: 0, to: count, by: 37)) + [127, 255, 383] {
            // a target just past a document: the next one, first peeked (not decoded), then reached
            let cursor = PostingsCursor(info: info, docData: docData.buffer, posData: posData.buffer)
            cursor.next()
            let target = docs[i] + 1
            let peeked = cursor.peek(target)
            let want = i + 1 < count ? docs[i + 1] : PostingsCursor.end
            let exact = i % PostingsFormat.blockSize == PostingsFormat.blockSize - 1 || i < PostingsFormat.blockSize
            #expect(peeked.doc == want || (!exact && peeked.doc == target), "peek \(target)")
            #expect(cursor.advance(to: target) == want)
            if i + 1 < count { #expect(cursor.freq == freqs[i + 1]) }
        }
    }

    /// A merge appends a source's postings by copying its blocks but the last (the first too
    /// when its first delta, from the document before it, fits its width): the merged postings
    /// read back as the sources' documents, frequencies and positions renumbered, with the
    /// impacts of their documents per block and per group, and short blocks among full ones.
    @Test func appendedSourcesCopyTheirBlocksAndReadBack() throws {
        let directory = MemoryDirectory()
        // (documents, base, gaps): a short source; sources of several blocks whose first block
        // is decoded (its first delta from the document before is too wide for it) or copied
        // (its gaps are wide), each ending in a short or a full block; a source of one block
        let sources: [(count: Int, base: UInt32, gaps: [UInt32])] = [
            (40, 0, [1, 3]), (700, 200, [1, 2, 3]), (3 * 128, 5_000, [2, 5_000]), (300, 2_000_000, [1, 4]), (5, 3_000_000, [7]),
        ]
        var merged: [(doc: UInt32, freq: UInt32)] = []
        var lengths = [UInt32](repeating: 0, count: 3_100_000)
        var sourcePostings: [[(doc: UInt32, freq: UInt32)]] = []
        for (k, source) in sources.enumerated() {
            var d: UInt32 = 0
            sourcePostings.append((0..<source.count).map { i in
                d += i == 0 ? UInt32(k) : source.gaps[i % source.gaps.count]
                lengths[Int(source.base + d)] = UInt32(5 + (i * 13) % 40)
                return (d, UInt32(1 + (i * 7 + k) % 4))
            })
            merged += sourcePostings[k].map { (source.base + $0.doc, $0.freq) }
        }
        var sourceInfos: [TermInfo] = []
        var writer = PostingsWriter(docs: try FileWriter(directory, "s.doc"), positions: try FileWriter(directory, "s.pos"))
        for (k, source) in sources.enumerated() {
            writer.useLengths(Array(lengths[Int(source.base)...]))
            writer.startTerm()
            for p in sourcePostings[k] {
                let deltas = [UInt8](repeating: 1, count: Int(p.freq))
                deltas.withUnsafeBufferPointer { writer.add(doc: p.doc, freq: p.freq, positionDeltas: $0) }
            }
            sourceInfos.append(try writer.finishTerm())
        }
        try writer.docs.finish()
        try writer.positions.finish()
        let sourceDocs = try payload(directory, "s.doc"), sourcePositions = try payload(directory, "s.pos")
        var out = PostingsWriter(docs: try FileWriter(directory, "m.doc"), positions: try FileWriter(directory, "m.pos"))
        out.useLengths(lengths)
        out.startTerm()
        for (k, source) in sources.enumerated() {
            let cursor = PostingsCursor(info: sourceInfos[k], docData: sourceDocs.buffer, posData: sourcePositions.buffer)
            out.append(cursor, base: source.base)
        }
        let info = try out.finishTerm()
        try out.docs.finish()
        try out.positions.finish()
        #expect(info.docFreq == UInt32(merged.count))
        #expect(info.totalFreq == merged.reduce(0) { $0 + UInt64($1.freq) })
        let docData = try payload(directory, "m.doc"), posData = try payload(directory, "m.pos")
        let walk = PostingsCursor(info: info, docData: docData.buffer, posData: posData.buffer)
        var seen: [(doc: UInt32, freq: UInt32)] = [], positions: [UInt32] = []
        var blockSizes: [Int] = [], byBlock: [PostingsFormat.Shortest] = []
        while walk.next() != PostingsCursor.end {
            seen.append((walk.doc, walk.freq))
            walk.positions(into: &positions)
            #expect(positions == (1...Int(walk.freq)).map(UInt32.init))
            if walk.block == blockSizes.count {
                blockSizes.append(0)
                byBlock.append([])
            }
            blockSizes[walk.block] += 1
            PostingsFormat.note(freq: walk.freq, length: lengths[Int(walk.doc)], in: &byBlock[walk.block])
        }
        #expect(seen.map(\.doc) == merged.map(\.doc) && seen.map(\.freq) == merged.map(\.freq) && !walk.isDamaged)
        // the first source's and the second's first block re-cut, the second's middle copied and
        // its last decoded; the third's first block (its first delta rewritten) and middle
        // copied, its last decoded; the fourth's first decoded, middle copied; the rest decoded
        let full = PostingsFormat.blockSize
        #expect(blockSizes == [full, 40, full, full, full, full, 60, full, full, full, full, full, 49])
        #expect(blockSizes.count == walk.blockCount)
        for (b, shortest) in byBlock.enumerated() {
            var stored: [UInt32] = []
            walk.forEachImpact(ofBlock: b) { stored += [$0, $1] }
            #expect(stored == PostingsFormat.impacts(shortest).flatMap { [$0.freq, $0.length] }, "block \(b)")
        }
        for g in 0..<walk.groupCount {
            var stored: [UInt32] = []
            walk.forEachImpact(ofGroup: g) { stored += [$0, $1] }
            let blocks = byBlock[(g * PostingsFormat.groupBlocks)..<min((g + 1) * PostingsFormat.groupBlocks, byBlock.count)]
            let shortest = blocks.joined().reduce(into: PostingsFormat.Shortest()) { PostingsFormat.note(freq: $1.freq, length: $1.length, in: &$0) }
            #expect(stored == PostingsFormat.impacts(shortest).flatMap { [$0.freq, $0.length] }, "group \(g)")
        }
        // advancing and peeking through the skip table land on every source's documents
        for i in stride(from: 0, to: merged.count, by: 29) {
            let cursor = PostingsCursor(info: info, docData: docData.buffer, posData: posData.buffer)
            cursor.next()
            #expect(cursor.peek(merged[i].doc).doc == merged[i].doc)
            #expect(cursor.advance(to: merged[i].doc) == merged[i].doc && cursor.freq == merged[i].freq)
        }
    }

    /// A block's frequencies are decoded when first read: ones that run past the data read as
    /// 0 and mark the cursor damaged (`searchd check` reports it), never a read past the end.
    @Test func frequenciesPastTheDataMarkTheCursorDamaged() throws {
        let directory = MemoryDirectory()
        var writer = PostingsWriter(docs: try FileWriter(directory, "t.doc"), positions: try FileWriter(directory, "t.pos"))
        writer.startTerm()
        for d in UInt32(0)..<10 {
            [UInt8(0)].withUnsafeBufferPointer { writer.add(doc: d * 2, freq: 1, positionDeltas: $0) }
        }
        let info = try writer.finishTerm()
        try writer.docs.finish()
        try writer.positions.finish()
        let docData = try payload(directory, "t.doc"), posData = try payload(directory, "t.pos")
        let whole = PostingsCursor(info: info, docData: docData.buffer, posData: posData.buffer)
        #expect(whole.next() == 0 && whole.freq == 1 && !whole.isDamaged)
        // one byte per document and per frequency: the last five frequencies cut off
        let cut = FileBytes(copying: Array(docData.buffer.prefix(15)))
        let cursor = PostingsCursor(info: info, docData: cut.buffer, posData: posData.buffer)
        var freqs: [UInt32] = []
        while cursor.next() != PostingsCursor.end { freqs.append(cursor.freq) }
        #expect(freqs == [1, 1, 1, 1, 1, 0, 0, 0, 0, 0])
        #expect(cursor.isDamaged)
    }

    @Test func termDictionaryLookupAndPrefix() throws {
        let directory = MemoryDirectory()
        var writer = TermDictionaryWriter(try FileWriter(directory, "t.tdx"))
        let terms = (0..<200).map { "term\(String(format: "%03d", $0))" } + ["zebra", "zoo"]
        for (i, t) in terms.enumerated() {
            let key = Array(t.utf8)
            try key.withUnsafeBufferPointer { k in
                try writer.add(k, TermInfo(docFreq: UInt32(i + 1), totalFreq: UInt64(i + 2), postingsOffset: UInt64(i * 10), positionsOffset: UInt64(i * 7)))
            }
        }
        try writer.finish()
        let bytes = try payload(directory, "t.tdx")
        let dictionary = try TermDictionary(bytes.buffer)
        #expect(dictionary.termCount == terms.count)
        #expect(dictionary.lookup(Array("term150".utf8)) == TermInfo(docFreq: 151, totalFreq: 152, postingsOffset: 1500, positionsOffset: 1050))
        #expect(dictionary.lookup(Array("term1500".utf8)) == nil)
        #expect(dictionary.lookup(Array("a".utf8)) == nil)
        #expect(dictionary.lookup(Array("zoo".utf8))?.docFreq == 202)
        var found: [String] = []
        dictionary.forEachTerm(withPrefix: Array("term12".utf8)) { t, _ in found.append(String(decoding: t, as: UTF8.self)); return true }
        #expect(found == (120...129).map { "term\($0)" })
        found = []
        dictionary.forEachTerm(withPrefix: Array("z".utf8)) { t, _ in found.append(String(decoding: t, as: UTF8.self)); return true }
        #expect(found == ["zebra", "zoo"])
    }

    @Test func damagedTermDictionaryIsAnErrorNotACrash() {
        #expect(throws: FormatError.self) { try TermDictionary(FileBytes(copying: [1, 2, 3]).buffer) }
        #expect(throws: FormatError.self) { try TermDictionary(FileBytes(copying: [UInt8](repeating: 0xFF, count: 64)).buffer) }
    }

    @Test func storedFieldsRoundTrip() throws {
        let docs = [
            Document(id: "a.txt", title: "Title", body: "body\ntext", date: "2024-06", lang: "en", path: "/x/a.txt",
                     anchors: [SourceAnchor(bodyOffset: 0, line: 1, column: 1), SourceAnchor(bodyOffset: 5, line: 2, column: 3)]),
            Document(id: "b", title: "钱凯港", body: ""),
        ]
        let directory = MemoryDirectory()
        var writer = StoredFieldsWriter()
        for d in docs { writer.add(d) }
        try writer.finish(to: try FileWriter(directory, "t.sto"))
        let bytes = try payload(directory, "t.sto")
        let stored = try StoredFields(bytes.buffer)
        #expect(try stored.document(0) == docs[0])
        #expect(try stored.document(1) == docs[1])
        #expect(throws: FormatError.self) { try stored.document(2) }
    }

    /// Flushed stored records no longer count (the array's kept capacity once did, and a
    /// merge, which flushed when a megabyte waited, then flushed every later record alone).
    @Test func flushedStoredRecordsNoLongerCount() throws {
        var writer = StoredFieldsWriter()
        let file = try FileWriter(MemoryDirectory(), "t.sto")
        for i in 0..<300 { writer.add(Document(id: "\(i)", title: "t", body: String(repeating: "x", count: 4000))) }
        #expect(writer.memoryBytes > 1 << 20)
        try writer.flush(to: file)
        writer.add(Document(id: "last", title: "t", body: "short"))
        #expect(writer.memoryBytes < 1 << 12)
    }
}

import Testing
@testable import SearchCore

/// Past the count limit the searcher skips runs of documents whose block bound cannot enter
/// the top hits (block-max WAND). It must return exactly what scoring every document returns.
struct TopHitsPruningTests {
    /// A deterministic generator (SplitMix64), so a failure can be replayed.
    struct Random {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    }

    static let words = ["debian", "package", "server", "kernel", "install", "network", "archive", "mirror",
                        "release", "security", "testing", "unstable", "stable", "manual", "system", "update",
                        "文件", "系统", "服务器", "安装", "管理员", "的", "是",
                        // one edit from words above: fuzzy alternatives beside exact ones
                        "mirrors", "systems", "kernels",
                        // Latin words that also spell pinyin (spans over two words), and their Han
                        "en", "la", "li", "qiang", "李强",
                        // a word written with and without its accent: the accented form's overlay
                        // is a bonus whose postings are a part of the plain form's
                        "garcía", "garcia"]

    /// Documents with Zipf-like word frequencies and lengths from 3 to 300 words, in three
    /// segments, with some deleted: the frequent words span many postings blocks.
    static let snapshot: Snapshot = {
        var random = Random(state: 42)
        let writer = try! IndexWriter(directory: MemoryDirectory())
        for batch in 0..<3 {
            var docs: [Document] = []
            for i in 0..<1500 {
                let length = 3 + random.below(random.below(2) == 0 ? 30 : 300)
                let body = (0..<length).map { _ in
                    // rank r drawn with probability ∝ 1/(r+1)
                    var r = random.below(words.count)
                    while r > 0 && random.below(r + 1) != 0 { r = random.below(words.count) }
                    return words[r]
                }.joined(separator: " ")
                let title = random.below(8) == 0 ? words[random.below(words.count)] : "doc \(i)"
                docs.append(Document(id: "\(batch)-\(i)", title: title, body: body))
            }
            try! writer.add(docs)
            try! writer.commit()
        }
        for i in stride(from: 0, to: 1500, by: 7) { _ = writer.delete(id: "1-\(i)") }
        try! writer.commit()
        return writer.snapshot
    }()

    static let queries = [
        "debian", "的", "system", "debian package", "kernel mirror security", "debian -package",
        "\"debian package\"", "debain", "instal*", "debian OR 文件", "title:debian server",
        "服务器", "文件系统", "manual (testing OR unstable)", "stable update network archive release",
        "mirror", "system kernel", "mirrors security", "kernal", "date:2024 debian",
        // required clauses: the runs of a conjunction are found block by block
        "+debian +package -kernel", "+\"debian package\" server", "+文件 +系统 的", "+mirrors security", "+stable +的 update",
        // pinyin spans ("en la", "li qiang"): a clause may match through a span
        "debian en la", "en la", "li qiang system", "+li qiang",
        // bonuses (the accent, the whole Chinese word) bound the runs they have documents in
        "garcía", "garcia", "garcía debian", "是",
        // Han strings that are not one ICU word: their bonus is counted by their match
        "系统的", "管理员是 debian",
    ]

    @Test(arguments: queries)
    func prunedHitsEqualExhaustiveHits(query: String) throws {
        let searcher = Self.snapshot.searcher()
        for (offset, limit) in [(0, 10), (0, 1), (7, 20)] {
            for requireAll in [false, true] {
                var all = SearchOptions(limit: limit, offset: offset, snippets: false, requireAll: requireAll)
                all.countLimit = .max
                var pruned = all
                pruned.countLimit = 0
                let exhaustive = try searcher.search(QueryParser.parse(query), options: all)
                let fast = try searcher.search(QueryParser.parse(query), options: pruned)
                #expect(!exhaustive.totalIsLowerBound)
                #expect(fast.hits.map(\.id) == exhaustive.hits.map(\.id), "\(query) offset \(offset) limit \(limit)")
                #expect(fast.hits.map(\.score) == exhaustive.hits.map(\.score))
                #expect(fast.total <= exhaustive.total)
                #expect(fast.totalIsLowerBound || fast.total == exhaustive.total)
            }
        }
    }

    @Test(arguments: queries)
    func partsOnSeveralThreadsFindWhatOnePartFinds(query: String) throws {
        let one = Self.snapshot.searcher()
        one.partDocuments = .max
        let split = Self.snapshot.searcher()
        (split.partDocuments, split.maxParts, split.partPostings) = (1000, 4, 0)  // parts cut across segments
        #expect(one.parts().count == 1 && split.parts().count == 4)
        for requireAll in [false, true] {
            var exact = SearchOptions(limit: 10, snippets: false, requireAll: requireAll)
            exact.countLimit = .max
            let total = try one.search(QueryParser.parse(query), options: exact).total
            for countLimit in [Int.max, 0, 300] {
                var options = exact
                options.countLimit = countLimit
                let whole = try one.search(QueryParser.parse(query), options: options)
                let parts = try split.search(QueryParser.parse(query), options: options)
                #expect(parts.hits.map(\.id) == whole.hits.map(\.id), "\(query)")
                #expect(parts.hits.map(\.score) == whole.hits.map(\.score))
                // the parts count up to the limit together, then may skip (a lower bound)
                #expect(parts.total >= min(countLimit, total) && parts.total <= total, "\(query)")
                #expect(parts.totalIsLowerBound || parts.total == total)
            }
        }
    }

    /// A run's bound holds every document of it, for any target: none matches between the
    /// target and the run's start, and none in the run beats its best (what lets the searcher
    /// pass a run unread). Bonuses (the accent, the whole Chinese word) and a word's title
    /// alternative each end runs in their own way. Once every clause is required, the same
    /// for the documents matching all of them (the only ones that may then enter), a span's
    /// (`en la`) among them. Coarse bounds (groups of blocks, where the postings have them:
    /// the frequent words here have more than eight blocks per segment) hold the same way.
    @Test(arguments: ["garcía", "garcia", "的", "debian", "mirror", "debian package", "文件系统", "kernal", "+debian +package",
                      "debian en la", "li qiang system", "mirrors security"])
    func boundsHoldEveryDocumentOfTheirRun(query: String) throws {
        let searcher = Self.snapshot.searcher()
        let plan = try QueryPlanner(analyzer: Analyzer(), synonyms: Synonyms()).plan(QueryParser.parse(query))
        let bound = BoundPlan(plan, searcher: searcher)
        let cases = searcher.segments.indices.flatMap { s in [(s, false, false), (s, true, false), (s, false, true), (s, true, true)] }
        for (s, everyClause, coarse) in cases {
            var matches: [(doc: UInt32, match: Match)] = []
            let walker = bound.scorer(segment: s)
            while walker.doc != PostingsCursor.end {
                var m = Match()
                walker.add(to: &m)
                if !everyClause || m.matched == walker.clauseCount { matches.append((walker.doc, m)) }
                walker.next()
            }
            #expect(!matches.isEmpty)
            let asker = bound.scorer(segment: s)
            if everyClause && !asker.requireEveryClause() { continue }
            if coarse && ["debian", "debian package"].contains(query) { #expect(asker.hasGroups, "\(query) has groups of blocks") }
            var first = 0  // the first match at or after the target
            for target in asker.doc..<UInt32(searcher.segments[s].docCount) {
                while first < matches.count && matches[first].doc < target { first += 1 }
                if target % 5 == 0 { asker.advance(to: target) }  // sometimes from a decoded block
                let b = asker.bound(from: target, coarse: coarse)
                var k = first
                while k < matches.count && matches[k].doc < b.from { k += 1 }
                #expect(k == first, "\(query): a match before the run's start")
                let best = Pruning.best(b.best, doc: b.from, segment: s)
                while k < matches.count && matches[k].doc <= b.upTo {
                    let (d, m) = matches[k]
                    let hit = ScoredDoc(matched: m.matched, penalty: m.penalty, exact: m.exact, score: m.score, segment: s, doc: d)
                    #expect(!(hit < best), "\(query): document \(d) beats its run's bound (from \(b.from) up to \(b.upTo))")
                    k += 1
                }
            }
        }
    }

    /// The phrase scorer finds, as it walks, skips and is asked about single documents, exactly
    /// the documents where the terms stand at their offsets, with how often: checked against
    /// every document's positions. A Han character's positions carry its word boundaries
    /// (three low bits); one character alone is asked where it is a word of its own (the
    /// whole-word bonus).
    /// A Han run's whole-word bonus read off its match (`ExactOccurrenceScorer`) answers what
    /// the bonus's own phrase scorer over the same terms with the query's boundaries answers:
    /// at every document the match stands on, and at every document of a window it scored.
    @Test(arguments: ["的", "是", "文件系统", "系统的", "管理员是"])
    func exactOccurrencesReadOffTheMatchAnswerAsTheirOwnWalk(query: String) throws {
        let tokens = Analyzer().tokens(query).filter { query.count == 1 ? $0.kind == .cjkChar : $0.kind == .cjkBigram }
        let exact = tokens.map { t in
            Leaf.Term(key: TermKey(field: .body, kind: t.kind, text: t.term).bytes, offset: t.position, marked: true,
                      mask: t.kind == .cjkChar ? 0b11 : 0b111, boundaries: t.boundaries)
        }
        let plain = exact.map { Leaf.Term(key: $0.key, offset: $0.offset, marked: true) }
        var answers = 0
        for segment in Self.snapshot.segments {
            let infos = try exact.map { try #require(segment.termInfo($0.key)) }
            let lead = infos.indices.min { infos[$0].docFreq < infos[$1].docFreq }!
            let phrase = { (terms: [Leaf.Term], exactTerms: [Leaf.Term]?) in
                PhraseScorer(cursors: infos.map { segment.postings($0) }, lead: lead, terms: terms, exactTerms: exactTerms, factor: 1,
                             penalty: 0, field: .body, norms: segment.norms, averageLength: 10)
            }
            let view = { (match: PhraseScorer) in
                ExactOccurrenceScorer(match: match, lead: segment.postings(infos[lead]), factor: 1, field: .body, norms: segment.norms,
                                      averageLength: 10)
            }
            // document at a time
            let match = phrase(plain, exact), bonus = view(match), own = phrase(exact, nil)
            while match.doc != PostingsCursor.end {
                let d = match.doc
                #expect(bonus.matches(d) == own.matches(d), "\(query): document \(d)")
                if own.matches(d) { #expect(bonus.freq == own.freq) }
                answers += own.matches(d) ? 1 : 0
                match.next()
            }
            // a window at a time, asked after the match has moved on
            let windowed = phrase(plain, exact), windowBonus = view(windowed), windowOwn = phrase(exact, nil)
            var window = ScoreWindow()
            defer { window.free() }
            for start in stride(from: UInt32(0), to: UInt32(segment.docCount), by: ScoreWindow.size) {
                let end = min(start + UInt32(ScoreWindow.size), UInt32(segment.docCount))
                window.begin(at: start, upTo: end)
                windowed.addWindow(from: start, upTo: end, penalty: 0, into: window)
                window.forEachWordMatch { o in
                    let d = start + UInt32(o)
                    #expect(windowBonus.matches(d) == windowOwn.matches(d), "\(query): document \(d) in a window")
                    if windowOwn.matches(d) { #expect(windowBonus.freq == windowOwn.freq) }
                }
                window.endWord(clause: 0)
            }
        }
        #expect(answers > 0)
    }

    @Test(arguments: [["debian", "package"], ["的", "是"], ["server", "kernel", "mirror"], ["mirror", "mirror"], ["的"]])
    func phraseScorerFindsEveryOccurrence(words: [String]) throws {
        let key = { (w: String) in TermKey(field: .body, kind: w.count > 1 ? .word : .cjkChar, text: w).bytes }
        let offsets = words.indices.map { UInt32($0) }
        let alone = words.count == 1
        let terms = words.indices.map { i in
            Leaf.Term(key: key(words[i]), offset: offsets[i], marked: words[i].count == 1, mask: alone ? 0b11 : 0, boundaries: alone ? 0b11 : 0)
        }
        for segment in Self.snapshot.segments {
            let infos = try words.map { try #require(segment.termInfo(key($0))) }
            // expected: per document of the first term, the starts p with every term at p + i
            var expected: [UInt32: UInt32] = [:]
            let cursors = infos.map { segment.postings($0) }
            var positions: [[UInt32]] = Array(repeating: [], count: words.count)
            while cursors[0].next() != PostingsCursor.end {
                let d = cursors[0].doc
                guard cursors.dropFirst().allSatisfy({ $0.advance(to: d) == d }) else { continue }
                for i in cursors.indices {
                    cursors[i].positions(into: &positions[i])
                    guard words[i].count == 1 else { continue }
                    positions[i] = positions[i].filter { !alone || $0 & 0b111 == 0b011 }.map { $0 >> 3 }
                }
                let n = positions[0].count { p in offsets.indices.allSatisfy { positions[$0].contains(p + offsets[$0]) } }
                if n > 0 { expected[d] = UInt32(n) }
            }
            #expect(!expected.isEmpty)
            let phrase = { PhraseScorer(cursors: infos.map { segment.postings($0) }, lead: infos.indices.min { infos[$0].docFreq < infos[$1].docFreq }!, terms: terms, factor: 1, penalty: 0,
                                        field: .body, norms: segment.norms, averageLength: 10) }
            var walked: [UInt32: UInt32] = [:]
            let walker = phrase()
            while walker.doc != PostingsCursor.end {
                walked[walker.doc] = walker.freq
                walker.next()
            }
            #expect(walked == expected)
            // skipping to every 37th document lands on the first match at or after it
            let skipper = phrase()
            for target in stride(from: UInt32(0), to: UInt32(segment.docCount), by: 37) {
                let before = skipper.doc
                let want = before >= target ? before : expected.keys.filter { $0 >= target }.min() ?? PostingsCursor.end
                #expect(skipper.advance(to: target) == want)
                if want != PostingsCursor.end { #expect(skipper.freq == expected[want]) }
            }
            // a bonus asks about the document being scored, between advances
            let asker = phrase()
            for (k, d) in stride(from: UInt32(0), to: UInt32(segment.docCount), by: 5).enumerated() {
                if k % 2 == 0 {
                    #expect(asker.matches(d) == (expected[d] != nil))
                    if let f = expected[d] { #expect(asker.freq == f) }
                } else {
                    let before = asker.doc
                    let want = before >= d ? before : expected.keys.filter { $0 >= d }.min() ?? PostingsCursor.end
                    #expect(asker.advance(to: d) == want)
                }
            }
        }
    }

    /// A phrase of one Han character counts only the occurrences with the boundaries asked:
    /// 文 alone, not 文 inside 文件; the same pass counts the bonus's apart.
    @Test func oneTermPhraseCountsTheBoundariesAsked() throws {
        // one thread: documents are numbered as added
        let writer = try IndexWriter(directory: MemoryDirectory(), options: .init(threads: 1))
        let counts = (0..<300).map { ($0 % 4, $0 % 3) }  // per document: 文 alone, 文件
        try writer.add(counts.enumerated().map { i, c in
            Document(id: "\(i)", title: "doc", body: (Array(repeating: "文", count: c.0) + Array(repeating: "文件", count: c.1) + ["end"]).joined(separator: " "))
        })
        let segment = try writer.commit().segments[0]
        let info = try #require(segment.termInfo(TermKey(field: .body, kind: .cjkChar, text: "文").bytes))
        let alone = Leaf.Term(key: [], offset: 0, marked: true, mask: 0b11, boundaries: 0b11)
        let any = Leaf.Term(key: [], offset: 0, marked: true)
        let phrase = { (terms: [Leaf.Term], exact: [Leaf.Term]?) in
            PhraseScorer(cursors: [segment.postings(info)], lead: 0, terms: terms, exactTerms: exact, factor: 1, penalty: 0,
                         field: .body, norms: segment.norms, averageLength: 10)
        }
        var found: [UInt32: UInt32] = [:]
        let filtered = phrase([alone], nil)
        while filtered.doc != PostingsCursor.end {
            found[filtered.doc] = filtered.freq
            filtered.next()
        }
        #expect(found == Dictionary(uniqueKeysWithValues: counts.enumerated().filter { $0.element.0 > 0 }.map { (UInt32($0.offset), UInt32($0.element.0)) }))
        let counting = phrase([any], [alone])
        while counting.doc != PostingsCursor.end {
            let (a, b) = counts[Int(counting.doc)]
            #expect(counting.freq == UInt32(a + b) && counting.exactFreq(at: counting.doc) == UInt32(a))
            counting.next()
        }
        // after a window, the bonus is asked of its documents in order, skipping many, and out of order
        let windowed = phrase([any], [alone])
        var window = ScoreWindow()
        defer { window.free() }
        window.begin(at: 0, upTo: UInt32(counts.count))
        windowed.addWindow(from: 0, upTo: UInt32(counts.count), penalty: 0, into: window)
        for d in Array(stride(from: 0, to: counts.count, by: 23)) + Array((0..<counts.count).reversed()) + Array(0..<counts.count) {
            #expect(windowed.exactFreq(at: UInt32(d)) == UInt32(counts[d].0), "document \(d)")
        }
    }

    /// A bound reads where a term's next document is without decoding blocks: exact in the
    /// decoded block or at a block's start, else the target as a lower bound; never moving.
    @Test func postingsPeekWithoutMoving() throws {
        let segment = Self.snapshot.segments[0]
        for word in ["debian", "kernel", "的"] {
            let info = try #require(segment.termInfo(TermKey(field: .body, kind: word == "的" ? .cjkChar : .word, text: word).bytes))
            let all = segment.postings(info)
            var docs: [UInt32] = []
            while all.next() != PostingsCursor.end { docs.append(all.doc) }
            #expect(docs.count > 2 * PostingsFormat.blockSize, "\(word) spans blocks")
            let cursor = segment.postings(info)
            cursor.next()
            for stand in stride(from: UInt32(0), to: UInt32(segment.docCount), by: 97) {
                cursor.advance(to: stand)
                let (here, block) = (cursor.doc, cursor.block)
                for target in stride(from: stand, to: UInt32(segment.docCount) + 10, by: 13) {
                    let next = docs.first { $0 >= target } ?? PostingsCursor.end
                    let peeked = cursor.peek(target)
                    #expect(peeked.doc >= target && peeked.doc <= next, "\(word) from \(stand) to \(target)")
                    if next == PostingsCursor.end || peeked.block == block { #expect(peeked.doc == next) }
                    if let b = peeked.block, next != PostingsCursor.end {
                        // the block holds the next document: its last is not before it, the previous block's is
                        #expect(cursor.lastDoc(ofBlock: b) >= next)
                        if b > 0 { #expect(cursor.lastDoc(ofBlock: b - 1) < target) }
                    }
                    #expect(cursor.doc == here && cursor.block == block)
                }
            }
        }
    }

    /// "li qiang" matches Latin text word by word and Han text through a pinyin span (李强,
    /// penalty 1): with three Latin documents, seven of the top ten come through the span,
    /// which pruning must not drop; with forty, none does.
    @Test(arguments: [3, 40])
    func hitsThroughASpanSurvivePruning(latinDocuments: Int) throws {
        let writer = try IndexWriter(directory: MemoryDirectory())
        var docs = (0..<latinDocuments).map { Document(id: "latin-\($0)", title: "doc", body: "li qiang \(String(repeating: "filler ", count: $0 % 5))") }
        docs += (0..<600).map { Document(id: "han-\($0)", title: "doc", body: "李强 " + String(repeating: "其他 ", count: $0 % 9)) }
        try writer.add(docs)
        try writer.commit()
        let searcher = writer.snapshot.searcher()
        var options = SearchOptions(limit: 10, snippets: false)
        options.countLimit = .max
        let exhaustive = try searcher.search(QueryParser.parse("li qiang"), options: options)
        options.countLimit = 0
        let pruned = try searcher.search(QueryParser.parse("li qiang"), options: options)
        #expect(exhaustive.hits.count == 10)
        #expect(exhaustive.hits.filter { $0.id.hasPrefix("latin") }.count == min(latinDocuments, 10))
        #expect(pruned.hits.map(\.id) == exhaustive.hits.map(\.id))
    }

    /// A word in every body and in the first and every third title, in postings of one block:
    /// one run, which may enter, so nothing is skipped whole and the walk is not moved when
    /// MaxScore starts (at a title match); but then the body-only documents, which cannot
    /// enter, are passed over — and the total says it is a lower bound.
    @Test func documentsPassedByMaxScoreMakeTheTotalALowerBound() throws {
        // one thread: the documents in the order given (threads take them as they come)
        let writer = try IndexWriter(directory: MemoryDirectory(), options: IndexWriter.Options(threads: 1))
        try writer.add((0..<120).map { d in
            Document(id: "\(d)", title: d < 12 || d % 3 == 0 ? "foo" : "doc \(d)",
                     body: (["foo"] + (0..<d % 7).map { "filler\($0)" }).joined(separator: " "))
        })
        try writer.commit()
        let searcher = writer.snapshot.searcher()
        var options = SearchOptions(limit: 10, snippets: false)
        options.countLimit = 0
        let pruned = try searcher.search(QueryParser.parse("foo"), options: options)
        options.countLimit = .max
        let exhaustive = try searcher.search(QueryParser.parse("foo"), options: options)
        #expect(pruned.hits.map(\.id) == exhaustive.hits.map(\.id))
        #expect(pruned.total < exhaustive.total)
        #expect(pruned.totalIsLowerBound)
    }

    /// A word in two clusters of documents 4700 apart, with one posting per ten documents
    /// over the segment: dense enough to be counted in windows, which jump from the first
    /// cluster's last document straight to the second's first. Every document is counted,
    /// and the best are those the scorer tree (the pruned walk) finds, with the same scores.
    @Test func windowsJumpOverDocumentsWithoutTheWord() throws {
        let writer = try IndexWriter(directory: MemoryDirectory(), options: IndexWriter.Options(threads: 1))
        try writer.add((0..<6000).map { d in
            let clustered = d < 300 || d >= 5000 && d < 5300
            return Document(id: "\(d)", title: "doc", body: clustered ? "rare " + String(repeating: "filler ", count: d % 11) : "filler")
        })
        try writer.commit()
        let searcher = writer.snapshot.searcher()
        #expect(searcher.countsInWindows(postings: BoundPlan(try QueryPlanner(analyzer: Analyzer(), synonyms: Synonyms()).plan(QueryParser.parse("rare")),
                                                             searcher: searcher).postings))
        var options = SearchOptions(limit: 20, snippets: false)
        options.countLimit = .max
        let counted = try searcher.search(QueryParser.parse("rare"), options: options)
        options.countLimit = 0
        let walked = try searcher.search(QueryParser.parse("rare"), options: options)
        #expect(counted.total == 600 && !counted.totalIsLowerBound)
        #expect(counted.hits.map(\.id) == walked.hits.map(\.id))
        #expect(counted.hits.map(\.score) == walked.hits.map(\.score))
    }

    /// A search of few postings runs on one thread however large the index; one of many
    /// postings is split.
    @Test func onlySearchesOfManyPostingsAreSplit() {
        let searcher = Self.snapshot.searcher()
        (searcher.partDocuments, searcher.maxParts) = (1000, 4)
        #expect(searcher.parts(postings: Searcher.partPostings - 1).count == 1)
        #expect(searcher.parts(postings: Searcher.partPostings).count == 4)
    }

    @Test func frequentWordsSkipDocumentsAndSayTheTotalIsALowerBound() throws {
        let searcher = Self.snapshot.searcher()
        var options = SearchOptions(limit: 10, snippets: false)
        options.countLimit = 100
        for query in ["debian", "的", "debian package"] {
            let results = try searcher.search(QueryParser.parse(query), options: options)
            #expect(results.totalIsLowerBound, "\(query)")
            #expect(results.total >= 100)
            #expect(results.hits.count == 10)
        }
        // under the limit, the count is exact
        options.countLimit = 1_000_000
        #expect(try !searcher.search(QueryParser.parse("debian"), options: options).totalIsLowerBound)
    }
}

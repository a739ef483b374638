import Synchronization

/// Runs queries over a fixed set of segments (a snapshot of the index).
///
/// Query flow: `QueryParser` → `Query` → `QueryPlanner` (analysis, synonyms, pinyin) →
/// `BoolPlan` → `BoundPlan` (fuzzy and prefix expansion, index-wide BM25 statistics) →
/// per segment, a tree of `Scorer`s walked document at a time into a bounded heap ranked by
/// (clauses matched, penalty, exactness, BM25) → stored fields and snippets of the top hits.
///
/// Not thread-safe (it uses an analyzer); make one per thread or per request.
public final class Searcher {
    let segments: [Segment]
    let deletes: [Deletes]
    /// Documents in the index: BM25's N.
    let docCount: Int
    private let averageLengths: [Double]
    private let synonyms: Synonyms
    private let analyzer: Analyzer

    init(snapshot: Snapshot, synonyms: Synonyms, analyzer: Analyzer) {
        self.analyzer = analyzer
        segments = snapshot.segments
        deletes = snapshot.deletes
        self.synonyms = synonyms
        let count = snapshot.documentCount
        docCount = count
        let segments = snapshot.segments
        averageLengths = Field.text.map { field in
            let sum = segments.reduce(UInt64(0)) { $0 + $1.fieldLengthSums[Int(field.rawValue)] }
            let all = segments.reduce(0) { $0 + $1.docCount }
            return all > 0 ? Double(sum) / Double(all) : 0
        }
    }

    /// BM25's avgdl of a text field.
    func averageLength(_ field: Field) -> Double {
        Int(field.rawValue) < averageLengths.count ? averageLengths[Int(field.rawValue)] : 0
    }

    public func search(_ query: Query, options: SearchOptions = SearchOptions()) throws(QueryError) -> SearchResults {
        // a large index's parts: their threads woken now, to wait while the query is planned
        let splits = min(maxParts, docCount / max(1, partDocuments))
        let helpers = splits > 1 ? HelperThreads(count: splits - 1) : nil
        defer { helpers?.close() }
        let hasTerm = { (key: [UInt8]) in self.segments.contains { $0.termInfo(key) != nil } }
        var plan = try QueryPlanner(analyzer: analyzer, synonyms: synonyms, hasTerm: hasTerm).plan(query)
        // "all" mode: every top-level word required. With spans (a synonym may stand for
        // several words) that is a filter on the number matched; without, a conjunction.
        var requiredClauses = 0
        if options.requireAll {
            if plan.spans.isEmpty {
                for i in plan.children.indices where plan.children[i].occur == .should { plan.children[i].occur = .must }
            } else {
                requiredClauses = plan.children.count { $0.occur == .should || $0.occur == .must }
            }
        }
        let bound = BoundPlan(plan, searcher: self)
        let capacity = max(0, options.offset) + max(0, options.limit)
        let postings = bound.postings
        let parts = self.parts(postings: postings)
        let windows = countsInWindows(postings: postings)
        // a part per core for a large index: the searcher and the bound plan are only read,
        // and each part makes its own cursors
        let shared = parts.count > 1 ? Shared() : nil
        let part = { (i: Int) in
            self.collect(parts[i], bound: bound, options: options, requiredClauses: requiredClauses, capacity: capacity,
                         windows: windows, shared: shared)
        }
        let collected = helpers?.map(parts.count, part) ?? Cores.map(parts.count, part)
        var top = TopDocs(capacity: capacity)
        for c in collected { for hit in c.top.sorted() { top.insert(hit) } }
        let total = collected.reduce(0) { $0 + $1.total }
        let skipped = collected.contains { $0.skipped }
        let timedOut = collected.contains { $0.timedOut }
        let ranked = top.sorted().dropFirst(max(0, options.offset))
        for scored in ranked { segments[scored.segment].prefetchDocument(scored.doc) }
        let snippets = SnippetBuilder(analyzer: analyzer, leaves: options.snippets ? bound.bodyLeaves : [])
        let hits = ranked.compactMap { scored -> SearchHit? in
            guard let doc = try? segments[scored.segment].document(scored.doc, body: options.snippets) else { return nil }
            var hit = SearchHit(id: doc.id, title: doc.title, score: scored.score, matched: scored.matched,
                                path: doc.path, date: doc.date, lang: doc.lang)
            if options.snippets {
                let snippet = snippets.snippet(for: doc)
                hit.snippet = snippet.snippet
                if let offset = snippet.firstMatch {
                    (hit.line, hit.column) = doc.sourceLocation(ofBodyOffset: offset)
                }
            }
            return hit
        }
        return SearchResults(total: total, hits: Array(hits), totalIsLowerBound: skipped, timedOut: timedOut)
    }

    // MARK: Collecting in parts

    /// An index of more documents than this is searched by several threads at once, in
    /// ranges of at least this many documents (a search of a large index is mostly scoring,
    /// which splits by document; a small one would only pay for the threads).
    public static let partDocuments = 1 << 17
    /// `partDocuments` for this searcher (tests make it small).
    var partDocuments = Searcher.partDocuments
    /// Most parts (threads) one search uses.
    var maxParts = Cores.available
    /// A search whose leaves hold fewer postings than this runs on one thread, however large
    /// the index: waking the other threads would cost more than they save (measured at 1 GB,
    /// Docs/BENCHMARKS.md).
    static let partPostings = 1 << 11
    /// `partPostings` for this searcher (tests make it 0).
    var partPostings = Searcher.partPostings
    /// While counting, windows are scored (`ScoreWindow`) only when the leaves hold at least
    /// this many postings per window of the index: a sparser query's windows would be mostly
    /// empty, and the walk through the scorer tree goes from one document straight to the next.
    static let windowPostings = 32

    /// Whether a search whose leaves hold `postings` counts in windows (see `windowPostings`).
    func countsInWindows(postings: Int) -> Bool {
        postings >= Self.windowPostings * ((docCount + ScoreWindow.size - 1) / ScoreWindow.size)
    }

    /// A run of documents of one segment.
    struct Piece {
        var segment: Int
        var docs: Range<UInt32>
    }

    /// What the parts of one search tell each other as they go: how many documents they
    /// counted (the count limit is the search's, not each part's), and the best of their worst
    /// kept hits — the parts' hits are merged, so a document that cannot beat another part's
    /// worst kept hit cannot enter either (Lucene shares it the same way between slices).
    final class Shared: Sendable {
        let counted = Atomic<Int>(0)
        let bar = Mutex<ScoredDoc?>(nil)

        /// Adds a part's newly counted documents; returns what every part counted.
        func count(_ added: Int) -> Int { counted.add(added, ordering: .relaxed).newValue }

        /// Offers a part's worst kept hit; returns the best offered so far.
        func raise(_ threshold: ScoredDoc?) -> ScoredDoc? {
            bar.withLock { bar in
                if let t = threshold, bar.map({ t < $0 }) ?? true { bar = t }
                return bar
            }
        }
    }

    /// Every this many documents a part tells the others how far it got.
    static let shareEvery = 64

    /// What one part found.
    struct Collected {
        var top: TopDocs
        var total = 0
        var skipped = false
        var timedOut = false
    }

    /// The index's documents in consecutive parts, one per core when it is large enough and
    /// the search walks `postings` enough; segments in order, so that each part's worst kept
    /// hit rises as it goes.
    func parts(postings: Int = .max) -> [[Piece]] {
        let all = segments.reduce(0) { $0 + $1.docCount }
        let count = postings < partPostings ? 1 : max(1, min(maxParts, all / max(1, partDocuments)))
        let share = (all + count - 1) / count
        var parts: [[Piece]] = [[]]
        var room = share
        for (s, segment) in segments.enumerated() {
            var start = 0
            while start < segment.docCount {
                if room == 0 {
                    parts.append([])
                    room = share
                }
                let n = min(room, segment.docCount - start)
                parts[parts.count - 1].append(Piece(segment: s, docs: UInt32(start)..<UInt32(start + n)))
                start += n
                room -= n
            }
        }
        return parts
    }

    /// Walks the pieces' matching documents into the best `capacity` hits: exactly up to the
    /// count limit, then skipping what cannot enter (see `Pruning`).
    private func collect(_ pieces: [Piece], bound: BoundPlan, options: SearchOptions, requiredClauses: Int, capacity: Int,
                         windows: Bool, shared: Shared?) -> Collected {
        var c = Collected(top: TopDocs(capacity: capacity))
        var visited = 0
        // what the other parts counted, and the best worst kept hit of all, as last heard
        var published = 0, othersCounted = 0
        var bar: ScoredDoc?
        func share() {
            guard let shared else { return }
            othersCounted = shared.count(c.total - published) - c.total
            published = c.total
            bar = shared.raise(c.top.threshold)
        }
        var window: ScoreWindow?
        defer { window?.free() }
        pieces: for piece in pieces {
            let s = piece.segment
            let root = bound.scorer(segment: s)
            root.advance(to: piece.docs.lowerBound)
            let deleted = deletes[s]
            // while every match is counted, a union of words (and its spans) is scored a window at a time
            let inWindows = windows && root.windowWords != nil
            if inWindows && window == nil { window = ScoreWindow() }
            if inWindows && root.doc < piece.docs.upperBound {
                var start = root.doc
                while start < piece.docs.upperBound && c.total + othersCounted < options.countLimit {
                    if let deadline = options.deadline, ContinuousClock.now > deadline {
                        c.timedOut = true
                        break pieces
                    }
                    let end = min(start + UInt32(ScoreWindow.size), piece.docs.upperBound)
                    Self.scoreWindow(&window!, root, from: start, upTo: end, segment: s, deleted: deleted,
                                     requiredClauses: requiredClauses, into: &c)
                    start = max(end, root.windowNext)
                    share()
                }
                root.resume(at: start)
            }
            var pruning = Pruning()
            while root.doc < piece.docs.upperBound {
                visited &+= 1
                if visited & 4095 == 0, let deadline = options.deadline, ContinuousClock.now > deadline {
                    c.timedOut = true
                    break pieces
                }
                if visited % Self.shareEvery == 0 { share() }
                if c.total + othersCounted >= options.countLimit, let threshold = Self.better(c.top.threshold, bar) {
                    if pruning.skip(root, threshold: threshold, segment: s, limit: piece.docs.upperBound) {
                        c.skipped = true
                        continue
                    }
                    // a run that may enter, of a union of words: scored a window at a time too
                    if inWindows && pruning.scoresRunInWindows(root) {
                        Self.scoreRun(&window!, root, upTo: pruning.runLast, limit: piece.docs.upperBound,
                                      segment: s, deleted: deleted, requiredClauses: requiredClauses, into: &c)
                        continue
                    }
                }
                if deleted.count > 0 && deleted.contains(root.doc) {
                    root.next()
                    continue
                }
                // one walk over the tree gives the tiers and the score: a walk for the tiers
                // alone, to skip scoring, costs about as much as scoring
                var m = Match()
                root.add(to: &m)
                if m.matched >= requiredClauses {
                    c.total += 1
                    c.top.insert(ScoredDoc(matched: m.matched, penalty: m.penalty, exact: m.exact, score: m.score, segment: s, doc: root.doc))
                }
                root.next()
            }
            if pruning.narrowed { c.skipped = true }
        }
        return c
    }

    /// Scores the run that may enter from the root's document up to `last` a window at a
    /// time (the root is a union of words, `BoolScorer.scoresRunsInWindows`).
    /// (Not inlined: in the walk's loop, this code made every document's step slower.)
    @inline(never)
    private static func scoreRun(_ w: inout ScoreWindow, _ root: BoolScorer, upTo last: UInt32?, limit: UInt32,
                                 segment s: Int, deleted: Deletes, requiredClauses: Int, into c: inout Collected) {
        let start = root.doc
        let end = min(last.map { $0 == PostingsCursor.end ? $0 : $0 + 1 } ?? start + 1, start + UInt32(ScoreWindow.size), limit)
        scoreWindow(&w, root, from: start, upTo: end, segment: s, deleted: deleted, requiredClauses: requiredClauses, into: &c)
        root.resume(at: end)
    }

    /// Scores the documents from `start` up to `end` a word at a time (see `ScoreWindow`).
    private static func scoreWindow(_ w: inout ScoreWindow, _ root: BoolScorer, from start: UInt32, upTo end: UInt32,
                                    segment s: Int, deleted: Deletes, requiredClauses: Int, into c: inout Collected) {
        w.begin(at: start, upTo: end)
        root.addWindow(upTo: end, into: w)
        w.forEachMatch { doc, m in
            guard m.matched >= requiredClauses, deleted.count == 0 || !deleted.contains(doc) else { return }
            c.total += 1
            c.top.insert(ScoredDoc(matched: m.matched, penalty: m.penalty, exact: m.exact, score: m.score, segment: s, doc: doc))
        }
    }

    /// The higher of two bars a hit must beat.
    private static func better(_ a: ScoredDoc?, _ b: ScoredDoc?) -> ScoredDoc? {
        guard let a, let b else { return a ?? b }
        return a < b ? a : b
    }
}

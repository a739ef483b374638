import CICU

/// Turns a `Query` into a `BoolPlan` by analysing its words the way documents were analysed:
///
/// - a Latin word is its folded term, plus fuzzy variants by length (penalised by their edit
///   distance) and, if it has accents, an exact-accent bonus;
/// - a compound (apt-cache, U.S.) is the phrase of its parts;
/// - a run of Han characters is the phrase of its bigrams (one character: itself), with its
///   ICU words as a whole-word bonus and, for 2 to 4 characters, its pinyin spellings in Latin
///   text as a cross-script alternative (李强 → "li qiang", "liqiang");
/// - consecutive words that spell pinyin (Suzhou, Li Qiang) also match Han text through the
///   `.pinyin` overlays, and consecutive words that form a synonym phrase also match its
///   synonyms: both as spans over those words.
struct QueryPlanner {
    let analyzer: Analyzer
    let synonyms: Synonyms
    /// Whether a term key is in the index (nil: any may be). A Han word's pinyin spellings
    /// are alternatives only where all their words are terms: a 4-character word has up to 32
    /// spellings in each field, most of them nowhere, and building their leaves was most of a
    /// Chinese query's planning.
    var hasTerm: (([UInt8]) -> Bool)? = nil

    /// Weight of the ranking-only overlays relative to a match.
    static let bonusWeight = 0.3
    /// Most syllables a cross-script (pinyin) match spans: names are two to four characters.
    static let pinyinSyllables = 2...4

    /// The root: the query's top-level words side by side.
    func plan(_ query: Query) throws(QueryError) -> BoolPlan {
        let root: BoolPlan
        if case .any(let parts) = query { root = sequence(parts, fields: Field.text) } else { root = sequence([query], fields: Field.text) }
        guard root.children.contains(where: { $0.occur != .mustNot }) else {
            throw QueryError(message: "the query has no word to search for, only exclusions", offset: 0)
        }
        return root
    }

    // MARK: Structure

    private func node(_ query: Query, fields: [Field]) -> PlanNode {
        switch query {
        case .word(let text, let fuzziness):
            let words = wordPlans(text, fuzziness: fuzziness, fields: fields)
            if words.count == 1 { return .word(words[0].plan) }
            return words.isEmpty ? .nothing : .bool(BoolPlan(children: words.map { .init(node: .word($0.plan), occur: .should) }))
        case .phrase(let text): return phrasePlan(text, fields: fields).map { .word($0) } ?? .nothing
        case .prefix(let text): return .word(prefixPlan(text, fields: fields))
        case .any(let parts): return .bool(sequence(parts, fields: fields))
        case .or(let parts): return .bool(BoolPlan(children: parts.map { .init(node: node($0, fields: fields), occur: .should) }))
        case .all(let parts): return .bool(BoolPlan(children: parts.map { .init(node: node($0, fields: fields), occur: .must) }))
        case .required(let q): return .bool(BoolPlan(children: [.init(node: node(q, fields: fields), occur: .must)]))
        case .not(let q): return .bool(BoolPlan(children: [.init(node: node(q, fields: fields), occur: .mustNot)]))
        case .field(let f, let q): return node(q, fields: [f])
        case .path(let p): return .word(pathPlan(p))
        case .lang(let l): return .word(keywordPlan([Field.lang.rawValue] + Array(l.utf8), text: "lang:\(l)"))
        case .date(let range): return .date(range)
        }
    }

    /// Parts side by side: each a child; rewrites applied, synonym and pinyin spans found.
    private func sequence(_ parts: [Query], fields: [Field]) -> BoolPlan {
        var children: [BoolPlan.Child] = []
        var words: [WordInfo?] = []
        for part in parts {
            switch part {
            case .not(let q): children.append(.init(node: node(q, fields: fields), occur: .mustNot)); words.append(nil)
            case .required(let q): children.append(.init(node: node(q, fields: fields), occur: .must)); words.append(nil)
            case .path, .lang, .date: children.append(.init(node: node(part, fields: fields), occur: .filter)); words.append(nil)
            case .word(let text, let fuzziness):
                for w in wordPlans(text, fuzziness: fuzziness, fields: fields) {
                    children.append(.init(node: .word(w.plan), occur: .should))
                    words.append(w.info)
                }
            default:
                children.append(.init(node: node(part, fields: fields), occur: .should))
                words.append(nil)
            }
        }
        var plan = BoolPlan(children: children)
        applyRewrites(&plan, &words, fields: fields)
        plan.spans = synonymSpans(words, fields: fields) + pinyinSpans(words, fields: fields)
        return plan
    }

    /// What span detection needs to know of a plain word child.
    struct WordInfo {
        /// Its primary terms (folded words or CJK characters).
        var terms: [String]
        /// ASCII letters only (Suzhou, Chang'an): a candidate pinyin spelling.
        var latin: Bool
    }

    // MARK: Words

    /// One plan per token group of the word (a mixed-script word such as BYD比亚迪 is two).
    func wordPlans(_ text: String, fuzziness: Fuzziness, fields: [Field]) -> [(plan: WordPlan, info: WordInfo)] {
        let tokens = analyzer.tokens(text)
        var groups: [UInt32: [Token]] = [:]
        for t in tokens { groups[t.group, default: []].append(t) }
        return groups.keys.sorted().compactMap { g -> (WordPlan, WordInfo)? in
            let group = groups[g]!
            let primary = group.filter { $0.kind == .word || $0.kind == .cjkChar }.sorted { $0.position < $1.position }
            guard let base = primary.first?.position else { return nil }
            let info = WordInfo(terms: primary.map(\.term), latin: primary.allSatisfy { $0.kind == .word && $0.term.utf8.allSatisfy(Self.isASCIILetter) })
            if primary.allSatisfy({ $0.kind == .cjkChar }) {
                return (withSynonyms(cjkPlan(group, primary: primary, base: base, text: text, fields: fields), info, fields: fields), info)
            }
            var plan = WordPlan(alternatives: [], text: text)
            let terms = primary.map { (TokenKind.word, $0.term, $0.position - base) }
            plan.alternatives = leaves(terms, fields: fields, weight: 1).map { Alternative(source: .leaf($0), penalty: 0) }
            if info.latin { plan.alternatives += pinyinAlternatives([info], fields: fields) }  // Suzhou, Chang'an
            if primary.count == 1 {
                let word = primary[0].term
                let edits = fuzziness.maxEdits(length: word.count)
                if edits > 0 && info.latin {
                    plan.alternatives.append(Alternative(source: .fuzzy(text: Array(word.utf8), fields: fields, maxEdits: edits), penalty: 1))
                }
                for t in group where t.kind == .accented {
                    plan.bonuses += leaves([(.accented, t.term, 0)], fields: fields, weight: Self.bonusWeight)
                }
            }
            return (withSynonyms(plan, info, fields: fields), info)
        }
    }

    /// (By bytes: `Character.isLetter` looks up Unicode properties, ≈ 400 instructions a letter.)
    private static func isASCIILetter(_ b: UInt8) -> Bool { (b | 0x20) >= 0x61 && (b | 0x20) <= 0x7A }

    /// The word with its one-word synonyms: their phrases as alternatives (penalty 1, so the
    /// word as written ranks first), or, for a rewrite rule, instead of it.
    private func withSynonyms(_ plan: WordPlan, _ info: WordInfo, fields: [Field]) -> WordPlan {
        var plan = plan
        let whole = synonyms.entries(matching: info.terms)
        for entry in whole {
            let alternatives = alternativesPlan(entry.alternatives, fields: fields, penalty: entry.replaces ? 0 : 1).alternatives
            plan.alternatives = entry.replaces ? alternatives : plan.alternatives + alternatives
            if entry.replaces { plan.bonuses = [] }
        }
        if whole.isEmpty && info.terms.count > 1 && !info.latin {
            plan.alternatives += partSynonyms(info.terms, fields: fields)
        }
        return plan
    }

    /// A Chinese run has no word boundaries, so a synonym may be any part of it: 郵件伺服器
    /// also searches 邮件服务器 (伺服器 = 服务器). At most 8 such variants, penalty 1.
    private func partSynonyms(_ chars: [String], fields: [Field]) -> [Alternative] {
        var variants: [String] = []
        for i in chars.indices {
            for entry in synonyms.entries(startingWith: chars[i]) where !entry.replaces {
                let n = entry.terms.count
                guard n < chars.count, i + n <= chars.count, Array(chars[i..<i + n]) == entry.terms else { continue }
                for alternative in entry.alternatives where alternative.unicodeScalars.allSatisfy({ CharacterTables.shared.charClass($0.value) == SD_CLASS_CJK }) {
                    variants.append((chars[..<i] + [alternative] + chars[(i + n)...]).joined())
                }
            }
        }
        return alternativesPlan(Array(variants.prefix(8)), fields: fields, penalty: 1).alternatives
    }

    /// A Han (or kana) run: bigram phrase, whole-word bonus, pinyin alternatives.
    private func cjkPlan(_ group: [Token], primary: [Token], base: UInt32, text: String, fields: [Field]) -> WordPlan {
        var plan = WordPlan(alternatives: [], text: text)
        let exact = primary.count == 1 ? primary : group.filter { $0.kind == .cjkBigram }
        plan.alternatives = leaves(exact.map { ($0.kind, $0.term, $0.position - base) }, fields: fields, weight: 1)
            .map { Alternative(source: .leaf($0), penalty: 0) }
        // a run that is one word of ICU's has the word's own term; any other, the boundaries
        let words = group.filter { $0.kind == .cjkWord }
        plan.bonuses = words.count == 1 && words[0].term.unicodeScalars.count == primary.count
            ? leaves([(.cjkWord, words[0].term, 0)], fields: fields, weight: Self.bonusWeight)
            : wholeWordLeaves(exact, base: base, fields: fields)
        if Self.pinyinSyllables.contains(primary.count) { plan.alternatives += spellingAlternatives(primary, fields: fields) }
        return plan
    }

    /// A Han word's Latin spellings (李强 → "li qiang", "liqiang"): one word per grouping of
    /// its syllables, per reading of a polyphone (长安 → "chang an", "zhang an", ...; at most
    /// 4), in each field where all its words are terms. A word (a run of syllables) is made
    /// and looked up once per field, whatever the groupings it is in.
    private func spellingAlternatives(_ primary: [Token], fields: [Field]) -> [Alternative] {
        let pinyin = Pinyin.shared
        let readings = primary.map { t in
            var ids: [UInt16] = []
            if let cp = t.term.unicodeScalars.first?.value { pinyin.forEachReading(cp) { ids.append($0) } }
            return ids
        }
        guard readings.allSatisfy({ !$0.isEmpty }) else { return [] }
        let n = readings.count
        let groupings = Self.spellingGroupings[n]
        // per field and run i..<j of syllables: whether looked up, and its key if a term
        var looked = [Bool](repeating: false, count: fields.count * n * n)
        var keys = [[UInt8]?](repeating: nil, count: fields.count * n * n)
        var alternatives: [Alternative] = []
        // the spellings in order, the last character's reading turning fastest
        var choice = [Int](repeating: 0, count: n)
        for _ in 0..<4 {
            for k in looked.indices { looked[k] = false }
            for runs in groupings {
                for (f, field) in fields.enumerated() {
                    var terms: [Leaf.Term] = []
                    for (offset, run) in runs.enumerated() {
                        let k = (f * n + run.lowerBound) * n + run.upperBound - 1
                        if !looked[k] {
                            looked[k] = true
                            var word: [UInt8] = []
                            for c in run { word.append(contentsOf: pinyin.bytes(readings[c][choice[c]])) }
                            let key = TermKey(field: field, kind: .word, utf8: word).bytes
                            keys[k] = hasTerm?(key) ?? true ? key : nil
                        }
                        guard let key = keys[k] else { break }
                        terms.append(Leaf.Term(key: key, offset: UInt32(offset)))
                    }
                    guard terms.count == runs.count else { continue }
                    alternatives.append(Alternative(source: .leaf(Leaf(field: field, terms: terms, weight: field.boost)), penalty: 1))
                }
            }
            // the next spelling, if any
            var c = n - 1
            while c >= 0 && choice[c] == readings[c].count - 1 {
                choice[c] = 0
                c -= 1
            }
            guard c >= 0 else { break }
            choice[c] += 1
        }
        return alternatives
    }

    /// The groupings of a Han word's 0 to 4 syllables (`pinyinSyllables`), made once.
    static let spellingGroupings = (0...pinyinSyllables.upperBound).map(groupings)

    /// Every way to write `count` syllables as words, as the runs of syllables the words
    /// spell: 2 → [0..<2], [0..<1, 1..<2] (liqiang; li qiang). Bit i of a grouping joins
    /// syllables i and i + 1; all joined comes first, all apart last.
    static func groupings(_ count: Int) -> [[Range<Int>]] {
        guard count > 0 else { return [[]] }
        return (0..<(1 << (count - 1))).reversed().map { joins in
            var runs: [Range<Int>] = []
            var start = 0
            for i in 0..<count - 1 where joins & (1 << i) == 0 {
                runs.append(start..<i + 1)
                start = i + 1
            }
            runs.append(start..<count)
            return runs
        }
    }

    /// An exact phrase: every primary term at its position (CJK runs by bigrams), no fuzziness.
    private func phrasePlan(_ text: String, fields: [Field]) -> WordPlan? {
        let tokens = analyzer.tokens(text)
        guard let base = tokens.filter({ $0.kind == .word || $0.kind == .cjkChar }).map(\.position).min() else { return nil }
        let runLengths = Dictionary(grouping: tokens.filter { $0.kind == .cjkChar }, by: \.group).mapValues(\.count)
        let terms: [(TokenKind, String, UInt32)] = tokens.compactMap { t in
            switch t.kind {
            case .word, .cjkBigram: (t.kind, t.term, t.position - base)
            case .cjkChar where runLengths[t.group] == 1: (t.kind, t.term, t.position - base)
            default: nil
            }
        }
        return WordPlan(alternatives: leaves(terms, fields: fields, weight: 1).map { Alternative(source: .leaf($0), penalty: 0) }, text: text)
    }

    private func prefixPlan(_ text: String, fields: [Field]) -> WordPlan {
        let primary = analyzer.tokens(text).filter { $0.kind == .word || $0.kind == .cjkChar }
        guard primary.count == 1, primary[0].kind == .word else {
            return wordPlans(text, fuzziness: .edits(0), fields: fields).first?.plan ?? WordPlan(alternatives: [], text: text)
        }
        return WordPlan(alternatives: [Alternative(source: .prefix(text: Array(primary[0].term.utf8), fields: fields), penalty: 0)], text: text)
    }

    /// path:/abs/dir or path:dir/sub (a directory prefix of the path or id), or path:word (a
    /// word of the path, as a phrase).
    private func pathPlan(_ path: String) -> WordPlan {
        var p = path
        while p.count > 1 && p.hasSuffix("/") { p.removeLast() }
        var plan = keywordPlan(TermKey.pathPrefix(p).bytes, text: "path:\(path)")
        if !p.contains("/") {
            let words = analyzer.tokens(p).filter { $0.kind == .word || $0.kind == .cjkChar }
            if let base = words.first?.position {
                let terms = words.map { Leaf.Term(key: TermKey(field: .path, kind: $0.kind, text: $0.term).bytes, offset: $0.position - base,
                                                  marked: $0.kind.marksBoundaries) }
                plan.alternatives.append(Alternative(source: .leaf(Leaf(field: .path, terms: terms, weight: 0)), penalty: 0))
            }
        }
        return plan
    }

    private func keywordPlan(_ key: [UInt8], text: String) -> WordPlan {
        WordPlan(alternatives: [Alternative(source: .leaf(Leaf(field: Field(rawValue: key[0])!, terms: [Leaf.Term(key: key, offset: 0)], weight: 0)), penalty: 0)],
                 text: text)
    }

    private func leaves(_ terms: [(TokenKind, String, UInt32)], fields: [Field], weight: Double) -> [Leaf] {
        guard !terms.isEmpty else { return [] }
        return fields.map { field in
            Leaf(field: field, terms: terms.map { Leaf.Term(key: TermKey(field: field, kind: $0.0, text: $0.1).bytes, offset: $0.2,
                                                            marked: $0.0.marksBoundaries) },
                 weight: weight * field.boost)
        }
    }

    /// A Han run's whole-word bonus: its characters or bigrams where ICU's word boundaries lie
    /// as they do in the query (是因为 as 是|因为, not inside 总是|因为).
    private func wholeWordLeaves(_ tokens: [Token], base: UInt32, fields: [Field]) -> [Leaf] {
        fields.map { field in
            let terms = tokens.map { t in
                Leaf.Term(key: TermKey(field: field, kind: t.kind, text: t.term).bytes, offset: t.position - base, marked: true,
                          mask: t.kind == .cjkChar ? 0b11 : 0b111, boundaries: t.boundaries)
            }
            return Leaf(field: field, terms: terms, weight: Self.bonusWeight * field.boost)
        }
    }

    // MARK: Spans

    /// Consecutive plain words: their terms, concatenated, for i...j.
    private func spans(_ words: [WordInfo?], maxLength: Int, _ body: (ClosedRange<Int>, [WordInfo]) -> Void) {
        for i in words.indices {
            var run: [WordInfo] = []
            for j in i..<min(words.count, i + maxLength) {
                guard let w = words[j] else { break }
                run.append(w)
                body(i...j, run)
            }
        }
    }

    /// Rewrite rules (a => b) replace the words they match.
    private func applyRewrites(_ plan: inout BoolPlan, _ words: inout [WordInfo?], fields: [Field]) {
        var rewrites: [(ClosedRange<Int>, WordPlan)] = []
        spans(words, maxLength: max(1, synonyms.longestPhrase)) { range, run in
            guard range.count > 1 else { return }  // one-word rules are part of the word's plan
            for entry in synonyms.entries(matching: run.flatMap(\.terms)) where entry.replaces {
                if rewrites.contains(where: { $0.0.overlaps(range) }) { continue }
                rewrites.append((range, alternativesPlan(entry.alternatives, fields: fields, penalty: 0)))
            }
        }
        for (range, word) in rewrites.sorted(by: { $0.0.lowerBound > $1.0.lowerBound }) {
            plan.children.replaceSubrange(range, with: [.init(node: .word(word), occur: .should)])
            words.replaceSubrange(range, with: [nil])
        }
    }

    private func synonymSpans(_ words: [WordInfo?], fields: [Field]) -> [BoolPlan.Span] {
        var result: [BoolPlan.Span] = []
        spans(words, maxLength: synonyms.longestPhrase) { range, run in
            guard range.count > 1 else { return }
            for entry in synonyms.entries(matching: run.flatMap(\.terms)) where !entry.replaces {
                result.append(BoolPlan.Span(children: range, word: alternativesPlan(entry.alternatives, fields: fields, penalty: 1)))
            }
        }
        return result
    }

    /// Latin words that spell two to four pinyin syllables match Han text through the
    /// `.pinyin` overlays: "Suzhou" → suzhou (over 苏州); "Xi Jinping" → xijin, jinping.
    /// Several words are a span; one word's alternatives are part of its plan.
    private func pinyinSpans(_ words: [WordInfo?], fields: [Field]) -> [BoolPlan.Span] {
        var result: [BoolPlan.Span] = []
        spans(words, maxLength: 3) { range, run in
            guard range.count > 1 else { return }
            let alternatives = pinyinAlternatives(run, fields: fields)
            if !alternatives.isEmpty {
                result.append(BoolPlan.Span(children: range, word: WordPlan(alternatives: alternatives, text: run.flatMap(\.terms).joined(separator: " "))))
            }
        }
        return result
    }

    /// The pinyin-overlay phrases that Latin words spell, if they spell 2 to 4 syllables.
    private func pinyinAlternatives(_ run: [WordInfo], fields: [Field]) -> [Alternative] {
        guard run.allSatisfy(\.latin) else { return [] }
        let joined = run.flatMap(\.terms).joined()
        guard joined.count >= 4 else { return [] }
        var alternatives: [Alternative] = []
        for syllables in Pinyin.shared.syllabify(joined) where Self.pinyinSyllables.contains(syllables.count) {
            let terms = (0..<syllables.count - 1).map { (TokenKind.pinyin, syllables[$0] + syllables[$0 + 1], UInt32($0)) }
            alternatives += leaves(terms, fields: fields, weight: 1).map { Alternative(source: .leaf($0), penalty: 1) }
        }
        return alternatives
    }

    /// The phrases of a synonym entry as exact alternatives.
    private func alternativesPlan(_ phrases: [String], fields: [Field], penalty: Int) -> WordPlan {
        var plan = WordPlan(alternatives: [], text: phrases.joined(separator: ", "))
        for p in phrases {
            if let phrase = phrasePlan(p, fields: fields) {
                plan.alternatives += phrase.alternatives.map { Alternative(source: $0.source, penalty: penalty) }
            }
        }
        return plan
    }
}

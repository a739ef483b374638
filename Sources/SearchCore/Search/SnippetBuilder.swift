/// Picks the passages of a document's body that best show why it matched, and marks every
/// match in them.
///
/// Passages are measured in display columns (a CJK character counts two, any other
/// character one), never in bytes or words, so Chinese and English snippets are about as
/// wide on screen, and a cut never falls inside a UTF-8 sequence. The best passage holds the
/// most distinct query clauses, then the most matches; a second passage is added when the
/// first misses a clause that matches elsewhere.
struct SnippetBuilder {
    let analyzer: Analyzer
    /// The leaves that can match the body, with their top-level clause.
    let leaves: [(clause: Int, leaf: Leaf)]
    /// Width of one passage in display columns.
    var width = 160
    var maxPassages = 2

    /// A match in the body: its byte range and the clause it belongs to.
    struct Span {
        var start: Int
        var end: Int
        var clause: Int
    }

    func snippet(for doc: Document) -> (snippet: Snippet, firstMatch: Int?) {
        let body = Array(doc.body.utf8)
        let spans = matches(in: doc.body)
        guard !spans.isEmpty else {
            return (render(body, [(0, min(body.count, prefixEnd(body, columns: width)))], []), nil)
        }
        var passages: [(Int, Int)] = []
        var covered = Set<Int>()
        let clauses = Set(spans.map(\.clause))
        while passages.count < maxPassages && covered.count < clauses.count {
            let candidates = spans.filter { !covered.contains($0.clause) }
            guard let best = bestWindow(body, spans: spans, starts: candidates) else { break }
            passages.append(best)
            for s in spans where s.start >= best.0 && s.end <= best.1 { covered.insert(s.clause) }
        }
        passages.sort { $0.0 < $1.0 }
        return (render(body, passages, spans), spans.map(\.start).min())
    }

    // MARK: Matches

    /// Every occurrence in the body of a leaf.
    func matches(in body: String) -> [Span] {
        var wanted: [[UInt8]: [(leaf: Int, term: Int)]] = [:]
        for (l, (_, leaf)) in leaves.enumerated() {
            for (t, term) in leaf.terms.enumerated() { wanted[term.key, default: []].append((l, t)) }
        }
        guard !wanted.isEmpty else { return [] }
        // occurrences[leaf][term]: position → byte range
        var occurrences = leaves.map { $0.leaf.terms.map { _ in [UInt32: (Int, Int)]() } }
        for token in analyzer.tokens(body) {
            let key = TermKey(field: .body, kind: token.kind, text: token.term).bytes
            guard let uses = wanted[key] else { continue }
            for use in uses { occurrences[use.leaf][use.term][token.position] = (token.start, token.end) }
        }
        var spans: [Span] = []
        for (l, (clause, leaf)) in leaves.enumerated() {
            for (p, first) in occurrences[l][0] {
                var start = first.0, end = first.1, complete = true
                for t in 1..<max(leaf.terms.count, 1) {
                    guard let o = occurrences[l][t][p + leaf.terms[t].offset] else { complete = false; break }
                    start = min(start, o.0)
                    end = max(end, o.1)
                }
                if complete { spans.append(Span(start: start, end: end, clause: clause)) }
            }
        }
        return mergeOverlapping(spans)
    }

    private func mergeOverlapping(_ spans: [Span]) -> [Span] {
        var out: [Span] = []
        for s in spans.sorted(by: { ($0.start, $0.end) < ($1.start, $1.end) }) {
            if let last = out.last, s.start < last.end {
                out[out.count - 1].end = max(last.end, s.end)
            } else {
                out.append(s)
            }
        }
        return out
    }

    // MARK: Windows

    /// The best window starting at one of `starts`, as a byte range of the body.
    private func bestWindow(_ body: [UInt8], spans: [Span], starts: [Span]) -> (Int, Int)? {
        var best: (score: Int, range: (Int, Int))?
        for first in starts {
            var clauses = Set<Int>()
            var count = 0
            var last = first.end
            for s in spans where s.start >= first.start {
                guard columns(body, first.start, s.end, cap: width) <= width else { break }
                clauses.insert(s.clause)
                count += 1
                last = s.end
            }
            let score = clauses.count * 1000 + count
            if best == nil || score > best!.score { best = (score, (first.start, last)) }
        }
        guard let (_, (start, end)) = best else { return nil }
        // Spend the remaining width on context: a little before the first match, the rest after.
        let spare = max(0, width - columns(body, start, end))
        let before = backward(body, from: start, columns: min(spare / 3, 40))
        let after = forward(body, from: end, columns: spare - columns(body, before, start))
        return (wordStart(body, before, limit: start), wordEnd(body, after, limit: end))
    }

    /// Display columns of body[from..<to] (counting stops once past `cap`).
    private func columns(_ body: [UInt8], _ from: Int, _ to: Int, cap: Int = .max) -> Int {
        var n = 0, i = from
        while i < to && n <= cap {
            let (cp, len) = body.withUnsafeBufferPointer { Analyzer.decode($0, at: i) }
            n += Self.isWide(cp) ? 2 : 1
            i += len
        }
        return n
    }

    private func forward(_ body: [UInt8], from: Int, columns limit: Int) -> Int {
        var n = 0, i = from
        while i < body.count {
            let (cp, len) = body.withUnsafeBufferPointer { Analyzer.decode($0, at: i) }
            n += Self.isWide(cp) ? 2 : 1
            if n > limit { break }
            i += len
        }
        return i
    }

    private func backward(_ body: [UInt8], from: Int, columns limit: Int) -> Int {
        var n = 0, i = from
        while i > 0 {
            var j = i - 1
            while j > 0 && body[j] & 0xC0 == 0x80 { j -= 1 }  // back to the lead byte
            let (cp, _) = body.withUnsafeBufferPointer { Analyzer.decode($0, at: j) }
            n += Self.isWide(cp) ? 2 : 1
            if n > limit { break }
            i = j
        }
        return i
    }

    private func prefixEnd(_ body: [UInt8], columns: Int) -> Int { wordEnd(body, forward(body, from: 0, columns: columns), limit: 0) }

    /// Moves a window start forward past a partial Latin word (at most 20 bytes).
    private func wordStart(_ body: [UInt8], _ i: Int, limit: Int) -> Int {
        guard i > 0, i < body.count, Self.isWordByte(body[i]), Self.isWordByte(body[i - 1]) else { return i }
        var j = i
        while j < limit && j - i < 20 && Self.isWordByte(body[j]) { j += 1 }
        return j < limit && j - i < 20 ? j : i
    }

    /// Moves a window end back before a partial Latin word (at most 20 bytes).
    private func wordEnd(_ body: [UInt8], _ i: Int, limit: Int) -> Int {
        guard i > 0, i < body.count, Self.isWordByte(body[i]), Self.isWordByte(body[i - 1]) else { return i }
        var j = i
        while j > limit && i - j < 20 && Self.isWordByte(body[j - 1]) { j -= 1 }
        return j > limit && i - j < 20 ? j : i
    }

    private static func isWordByte(_ b: UInt8) -> Bool { Analyzer.isASCIIAlphanumeric(b) }

    /// East Asian wide characters: CJK, kana, Hangul, full-width forms.
    static func isWide(_ cp: UInt32) -> Bool {
        switch cp {
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF,
             0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x20000...0x3FFFD:
            true
        default:
            false
        }
    }

    // MARK: Output

    /// The passages joined by " … ", white space collapsed, with the spans inside them marked.
    private func render(_ body: [UInt8], _ passages: [(Int, Int)], _ spans: [Span]) -> Snippet {
        var out: [UInt8] = []
        var highlights: [Range<Int>] = []
        let ellipsis = Array("…".utf8)
        for (k, (start, end)) in passages.enumerated() {
            if k > 0 { out += Array(" ".utf8) + ellipsis + Array(" ".utf8) } else if start > 0 { out += ellipsis }
            var i = start
            var pendingSpace = false
            var open: Int? = nil
            let inside = spans.filter { $0.start >= start && $0.end <= end }
            var next = 0
            while i < end {
                if next < inside.count && i == inside[next].start {
                    if pendingSpace && !out.isEmpty { out.append(0x20) }
                    pendingSpace = false
                    open = out.count
                }
                let b = body[i]
                if b == 0x20 || b == 0x0A || b == 0x09 || b == 0x0D {
                    pendingSpace = open == nil
                    if open != nil { out.append(0x20) }
                } else {
                    if pendingSpace && !out.isEmpty && out.last != 0x20 { out.append(0x20) }
                    pendingSpace = false
                    out.append(b)
                }
                i += 1
                if let o = open, next < inside.count, i == inside[next].end {
                    highlights.append(o..<out.count)
                    open = nil
                    next += 1
                }
            }
            if k == passages.count - 1 && end < body.count { out += ellipsis }
        }
        // Drop a leading space left by the collapse.
        while out.first == 0x20 {
            out.removeFirst()
            highlights = highlights.map { ($0.lowerBound - 1)..<($0.upperBound - 1) }
        }
        return Snippet(text: String(decoding: out, as: UTF8.self), highlights: highlights)
    }
}

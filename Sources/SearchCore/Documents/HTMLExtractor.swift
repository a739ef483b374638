/// Extracts the visible text of HTML (or of Markdown, which may hold HTML): tags, comments,
/// scripts, styles and attribute values dropped, entities decoded, a line break for each
/// block element. In Markdown mode the URLs of `[text](url)` links and reference definitions
/// are dropped too. Tolerant by design: malformed markup degrades to text, never to an error.
struct HTMLExtractor {
    /// What the extractor does with an element, known by its name.
    private enum Element {
        /// Its content is never visible text.
        case hidden
        /// It separates blocks of text.
        case block
        /// Blocks that change what is read.
        case head, title, body, h1
        /// A Markdown autolink (`<https://...>`), not a tag.
        case url

        var isBlock: Bool { self != .hidden && self != .url }
    }

    private static let elements = ShortWordTable(
        ["script", "style", "noscript", "template", "svg", "iframe", "object", "canvas", "textarea", "select", "math"].map { ($0, Element.hidden) }
            + ["address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "figcaption", "figure",
               "footer", "form", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol", "p",
               "pre", "section", "table", "td", "th", "tr", "ul", "html"].map { ($0, Element.block) }
            + [("head", .head), ("title", .title), ("body", .body), ("h1", .h1), ("http", .url), ("https", .url)])

    let source: UnsafeBufferPointer<UInt8>
    let markdown: Bool
    /// The content of <title>, and of the first <h1> (a fallback title).
    private(set) var title: String?
    private(set) var firstHeading: String?

    init(source: UnsafeBufferPointer<UInt8>, markdown: Bool) {
        self.source = source
        self.markdown = markdown
    }

    /// Appends the visible text of source[range] to `out`.
    mutating func extract(_ range: Range<Int>, into out: inout TextBuilder) {
        var i = range.lowerBound
        var textStart = i
        var inHead = false
        var inTitle = false
        var captured: [UInt8]? = nil  // text of the <title> or <h1> being read
        var capturing: Element?
        let end = range.upperBound

        func flush(_ upTo: Int) {
            guard textStart < upTo else { return }
            if captured != nil { captured!.append(contentsOf: source[textStart..<upTo]) }
            if !inHead && !inTitle { appendText(textStart..<upTo, into: &out) }
        }

        while i < end {
            i = first(of: UInt8(ascii: "<"), UInt8(ascii: "&"), from: i, end: end)
            guard i < end else { break }
            let b = source[i]
            if b == UInt8(ascii: "&"), let (decoded, length) = Entities.decode(source, at: i, end: end) {
                flush(i)
                if captured != nil { captured!.append(contentsOf: decoded) }
                if !inHead && !inTitle { out.append(decoded: decoded, at: i) }
                i += length
                textStart = i
                continue
            }
            guard b == UInt8(ascii: "<") else { i += 1; continue }
            if starts("<!--", at: i) {
                flush(i)
                i = find("-->", from: i + 4, end: end).map { $0 + 3 } ?? end
                textStart = i
                continue
            }
            if starts("<![CDATA[", at: i) {
                flush(i)
                let close = find("]]>", from: i + 9, end: end) ?? end
                if !inHead && !inTitle { appendText(i + 9..<close, into: &out) }
                i = min(close + 3, end)
                textStart = i
                continue
            }
            guard let tag = parseTag(at: i, end: end) else { i += 1; continue }  // a lone "<" is text
            flush(i)
            i = tag.end
            textStart = i
            let element = tag.element
            if !tag.closing && element == .hidden {
                i = closingTag(tag.name, from: i, end: end) ?? end
                textStart = i
                continue
            }
            if element?.isBlock == true { out.appendBreak() }
            switch (element, tag.closing) {
            case (.head, false): inHead = true
            case (.head, true), (.body, false): inHead = false
            case (.title, false): inTitle = true
            case (.title, true): inTitle = false
            default: break
            }
            switch (element, tag.closing) {
            case (.title, false) where title == nil, (.h1, false) where firstHeading == nil:
                captured = []
                capturing = element
            case (.title, true), (.h1, true):
                if let text = captured, capturing == element {
                    let value = Self.collapse(String(decoding: text, as: UTF8.self))
                    if element == .title { title = value } else { firstHeading = value }
                    captured = nil
                }
            default: break
            }
        }
        flush(end)
    }

    /// Appends text verbatim; in Markdown, without link URLs and reference definitions.
    private func appendText(_ range: Range<Int>, into out: inout TextBuilder) {
        guard markdown else { return out.append(range) }
        var start = range.lowerBound
        var i = start
        while i < range.upperBound {
            let b = source[i]
            if b == UInt8(ascii: "]") && i + 1 < range.upperBound && source[i + 1] == UInt8(ascii: "("),
               let close = linkEnd(from: i + 2, end: range.upperBound) {
                out.append(start..<i + 1)
                i = close + 1
                start = i
                continue
            }
            if b == UInt8(ascii: "[") && (i == 0 || source[i - 1] == UInt8(ascii: "\n")),
               let lineEnd = referenceDefinitionEnd(from: i, end: range.upperBound) {
                out.append(start..<i)
                i = lineEnd
                start = i
                continue
            }
            i += 1
        }
        out.append(start..<range.upperBound)
    }

    /// The index of the ")" closing a link destination that starts at `from`, if it is one.
    private func linkEnd(from: Int, end: Int) -> Int? {
        var depth = 0
        var i = from
        while i < end {
            switch source[i] {
            case UInt8(ascii: "("): depth += 1
            case UInt8(ascii: ")"):
                if depth == 0 { return i }
                depth -= 1
            case UInt8(ascii: "\n"): return nil
            default: break
            }
            i += 1
        }
        return nil
    }

    /// End of a Markdown reference definition line `[label]: url ...` starting at `from`.
    private func referenceDefinitionEnd(from: Int, end: Int) -> Int? {
        var i = from + 1
        while i < end && source[i] != UInt8(ascii: "]") && source[i] != UInt8(ascii: "\n") { i += 1 }
        guard i + 1 < end, source[i] == UInt8(ascii: "]"), source[i + 1] == UInt8(ascii: ":") else { return nil }
        while i < end && source[i] != UInt8(ascii: "\n") { i += 1 }
        return i
    }

    // MARK: Tags

    private struct Tag {
        /// Where its name is in the source.
        var name: Range<Int>
        /// The element of that name, if the extractor knows it.
        var element: Element?
        var closing: Bool
        var end: Int
    }

    /// Parses `<name ...>` or `</name>` at `i`; nil when the "<" does not open a tag.
    private func parseTag(at start: Int, end: Int) -> Tag? {
        var i = start + 1
        let closing = i < end && source[i] == UInt8(ascii: "/")
        if closing { i += 1 }
        if !closing && i < end && (source[i] == UInt8(ascii: "!") || source[i] == UInt8(ascii: "?")) {
            // <!DOCTYPE ...>, <?xml ...?>: declarations, no text
            guard let close = find(">", from: i, end: end) else { return nil }
            return Tag(name: i..<i, element: nil, closing: false, end: close + 1)
        }
        let nameStart = i
        while i < end, Self.isNameByte(source[i], first: i == nameStart) { i += 1 }
        guard i > nameStart else { return nil }
        let name = nameStart..<i
        // names are ASCII, compared lower-cased
        let element = ShortWordTable<Element>.key(source[name].lazy.map(AnalysisState.lowercased)).flatMap(Self.elements.value)
        while i < end {
            i = first(of: UInt8(ascii: ">"), UInt8(ascii: "<"), UInt8(ascii: "\""), UInt8(ascii: "'"), from: i, end: end)
            guard i < end else { break }
            let b = source[i]
            if b == UInt8(ascii: ">") {
                return Tag(name: name, element: element, closing: closing, end: i + 1)
            } else if b == UInt8(ascii: "<") {
                if !(markdown && element == .url) {
                    return Tag(name: name, element: element, closing: closing, end: i)  // unclosed tag: stop before the next one
                }
                i += 1
            } else {
                i = first(of: b, from: i + 1, end: end) + 1  // a quoted value: ">" and "<" in it are text
            }
        }
        return Tag(name: name, element: element, closing: closing, end: end)
    }

    private static func isNameByte(_ b: UInt8, first: Bool) -> Bool {
        let letter = (b | 0x20) >= UInt8(ascii: "a") && (b | 0x20) <= UInt8(ascii: "z")
        if first { return letter }
        return letter || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) || b == UInt8(ascii: "-") || b == UInt8(ascii: ":")
    }

    /// The offset just past `</name ...>` at or after `from`.
    private func closingTag(_ name: Range<Int>, from: Int, end: Int) -> Int? {
        let needle = Array("</".utf8) + source[name]
        var i = from
        while let at = find(needle, from: i, end: end, caseInsensitive: true) {
            let after = at + needle.count
            if after >= end || !Self.isNameByte(source[after], first: false) {
                return find(">", from: after, end: end).map { $0 + 1 } ?? end
            }
            i = after
        }
        return nil
    }

    /// The first of the bytes a, b, c and d in source[i..<end] (end if none), 8 bytes at a
    /// time (0xFF, never in UTF-8, stands for none). HTML is mostly text between "<" and "&",
    /// and a tag mostly names and values between its quotes and ">": read a byte at a time,
    /// with the extraction's state on the stack, that scan was three quarters of extracting
    /// HTML.
    private func first(of a: UInt8, _ b: UInt8 = 0xFF, _ c: UInt8 = 0xFF, _ d: UInt8 = 0xFF, from i: Int, end: Int) -> Int {
        guard let base = source.baseAddress else { return end }
        let raw = UnsafeRawPointer(base)
        let ones: UInt64 = 0x0101_0101_0101_0101
        // the high bit of each zero byte (exact for "any": only a zero byte borrows first)
        @inline(__always) func zeros(_ x: UInt64) -> UInt64 { (x &- ones) & ~x & (0x80 &* ones) }
        var k = i
        while k + 8 <= end {
            let w = raw.loadUnaligned(fromByteOffset: k, as: UInt64.self)
            let found = zeros(w ^ (UInt64(a) &* ones)) | zeros(w ^ (UInt64(b) &* ones))
                | zeros(w ^ (UInt64(c) &* ones)) | zeros(w ^ (UInt64(d) &* ones))
            if found != 0 { break }
            k += 8
        }
        while k < end, base[k] != a, base[k] != b, base[k] != c, base[k] != d { k += 1 }
        return k
    }

    private func starts(_ prefix: StaticString, at i: Int) -> Bool {
        let p = UnsafeBufferPointer(start: prefix.utf8Start, count: prefix.utf8CodeUnitCount)
        guard i + p.count <= source.count else { return false }
        for k in 0..<p.count where source[i + k] != p[k] { return false }
        return true
    }

    private func find(_ needle: StaticString, from: Int, end: Int) -> Int? {
        find(Array(UnsafeBufferPointer(start: needle.utf8Start, count: needle.utf8CodeUnitCount)), from: from, end: end)
    }

    private func find(_ needle: [UInt8], from: Int, end: Int, caseInsensitive: Bool = false) -> Int? {
        guard !needle.isEmpty, end - from >= needle.count else { return nil }
        var i = from
        while i + needle.count <= end {
            var k = 0
            while k < needle.count {
                let a = source[i + k], b = needle[k]
                if a != b && !(caseInsensitive && a | 0x20 == b | 0x20 && (b | 0x20) >= 0x61 && (b | 0x20) <= 0x7A) { break }
                k += 1
            }
            if k == needle.count { return i }
            i += 1
        }
        return nil
    }

    /// Collapses runs of white space to one space and trims. Read as UTF-8, a scalar at a
    /// time (split into `Character`s, a title's lines took a fifth of making a document); a
    /// combining mark after white space stays, where a `Character` would have taken it along.
    static func collapse(_ s: String) -> String {
        var s = s
        return s.withUTF8 { text in
            var out: [UInt8] = []
            out.reserveCapacity(text.count)
            var space = false
            var run = -1  // where the run of other characters being read started
            var i = 0
            // the runs between spaces are copied whole (a character at a time, the copies
            // were half of collapsing a title's lines)
            while i < text.count {
                let (scalar, length) = text[i] < 0x80 ? (UInt32(text[i]), 1) : Analyzer.decode(text, at: i)
                if Analyzer.isWhiteSpace(scalar) {
                    if run >= 0 { out.append(contentsOf: UnsafeBufferPointer(rebasing: text[run..<i])) }
                    run = -1
                    space = !out.isEmpty
                } else if run < 0 {
                    if space { out.append(0x20) }
                    space = false
                    run = i
                }
                i += length
            }
            if run >= 0 { out.append(contentsOf: UnsafeBufferPointer(rebasing: text[run...])) }
            return String(decoding: out, as: UTF8.self)
        }
    }
}

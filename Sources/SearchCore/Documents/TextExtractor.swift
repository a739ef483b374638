/// Why a file cannot become a document.
public enum ExtractionError: Error, Equatable, CustomStringConvertible {
    /// The file holds a NUL byte in its first 8 KiB (a NUL character, read as UTF-16): not text.
    case binary
    /// The file is larger than the configured limit.
    case tooLarge(size: Int, limit: Int)

    public var description: String {
        switch self {
        case .binary: "binary file (NUL bytes), skipped"
        case let .tooLarge(size, limit): "file of \(size) bytes is larger than the limit of \(limit) bytes, skipped"
        }
    }
}

/// Turns the bytes of a .txt, .md or .html file into a `Document`.
///
/// A .txt file that starts with front matter is read as Markdown, one with HTML tags as HTML.
/// - .txt: the body is the whole file; the title is its first line of text (a leading
///   "date YYYY-MM-DD", wiki-style `= Title =` markers and language-menu lines are not title).
/// - .md: YAML front matter gives title, date and lang; the body is the rest, with any HTML
///   inside it reduced to text and link URLs dropped.
/// - .html: <title> (else the first <h1>) is the title; the body is the visible text.
///
/// The bytes are UTF-8, UTF-16 after a byte-order mark, or Windows-1252 (see `SourceText`).
public enum TextExtractor {
    public static func extract(id: String, path: String? = nil, bytes: [UInt8], format: DocumentFormat) throws -> Document {
        // valid UTF-8 from here on: the extractors work on bytes and may slice anywhere between characters
        var text = try SourceText.decode(bytes)
        var doc: Document
        switch format == .text ? text.withUTF8(sniff) : format {
        case .text: doc = extractText(id: id, path: path, text)
        case .markdown: doc = text.withUTF8 { extractMarkdown(id: id, path: path, $0) }
        case .html: doc = text.withUTF8 { extractHTML(id: id, path: path, $0) }
        }
        if doc.lang == nil { doc.lang = LanguageGuesser.guess(pieces: doc.title, "\n", doc.body) }
        return doc
    }

    /// What a .txt file really holds: saved web pages and blog exports are often front matter
    /// or HTML under a .txt name (seed 004 is both).
    static func sniff(_ source: UnsafeBufferPointer<UInt8>) -> DocumentFormat {
        if FrontMatter.parse(source).bodyStart > 0 { return .markdown }
        // the markers in the first 4 KiB, in any case: compared as bytes (a lower-cased copy
        // searched for each through `String.contains` was a quarter of making a document)
        let head = UnsafeBufferPointer(rebasing: source.prefix(4096))
        for i in head.indices where head[i] == UInt8(ascii: "<") {
            for marker in htmlMarkers where i + marker.count <= head.count {
                if (1..<marker.count).allSatisfy({ AnalysisState.lowercased(head[i + $0]) == marker[$0] }) { return .html }
            }
        }
        return .text
    }

    /// What starts HTML inside a .txt file, lower-case.
    private static let htmlMarkers = ["<!doctype html", "<html", "<body", "<div", "<p>", "<br>", "<span"].map { Array($0.utf8) }

    /// The body is the text as decoded: one anchor, at its start (through a `TextBuilder`, the
    /// text was copied, its lines listed, and its UTF-8 validated a second time).
    private static func extractText(id: String, path: String?, _ text: String) -> Document {
        let (title, date) = titleFromText(text)
        let anchors = text.isEmpty ? [] : [SourceAnchor(bodyOffset: 0, line: 1, column: 1)]
        return Document(id: id, title: title ?? fallbackTitle(id), body: text, date: date, path: path, anchors: anchors)
    }

    private static func extractMarkdown(id: String, path: String?, _ source: UnsafeBufferPointer<UInt8>) -> Document {
        let front = FrontMatter.parse(source)
        var html = HTMLExtractor(source: source, markdown: true)
        var out = TextBuilder(source: source)
        html.extract(front.bodyStart..<source.count, into: &out)
        let body = out.string
        lazy var fromText = titleFromText(body)
        let title = front.fields["title"].flatMap(nonEmpty) ?? html.firstHeading.flatMap(nonEmpty)
            ?? markdownHeading(body) ?? fromText.title ?? fallbackTitle(id)
        let date = front.fields["date"].flatMap(DateText.normalize) ?? fromText.date
        let lang = front.fields["lang"] ?? front.fields["language"]
        return Document(id: id, title: title, body: body, date: date, lang: lang, path: path, anchors: out.anchors)
    }

    private static func extractHTML(id: String, path: String?, _ source: UnsafeBufferPointer<UInt8>) -> Document {
        var html = HTMLExtractor(source: source, markdown: false)
        var out = TextBuilder(source: source)
        html.extract(0..<source.count, into: &out)
        let body = out.string
        let fromText = titleFromText(body)
        let title = html.title.flatMap(nonEmpty) ?? html.firstHeading.flatMap(nonEmpty) ?? fromText.title ?? fallbackTitle(id)
        return Document(id: id, title: title, body: body, date: fromText.date, path: path, anchors: out.anchors)
    }

    // MARK: Titles

    /// The first line that reads as a title, and a date the first lines state. Lines end at
    /// each line feed byte (split into `Character`s, a text of few lines was read whole, and
    /// CRLF, one `Character`, ended no line), and only a line's first 4 KiB are read (a title
    /// is 200 characters: a one-line file of megabytes was collapsed and split whole).
    static func titleFromText(_ text: String) -> (title: String?, date: String?) {
        var title: String?
        var date: String?
        forEachLine(of: text, upTo: 12) { raw in
            // once there is a title, only a line with a year's digits is read further
            guard title == nil || DateText.hasYearDigits(raw) else { return true }
            var line = HTMLExtractor.collapse(String(decoding: raw, as: UTF8.self))
            // "date 2024-06-29 Title..." or "Date: June 2024"
            if let (d, rest) = DateText.leadingDate(line) {
                date = date ?? d
                line = rest
            }
            line = stripWikiHeading(line)
            guard title == nil, isTitleLike(line) else { return true }
            title = String(line.prefix(200))
            return date == nil
        }
        return (title, date)
    }

    /// Calls `body` with each of the first `count` lines of `text` that are not empty, cut to
    /// its first 4 KiB (where a character starts), while it returns true.
    private static func forEachLine(of text: String, upTo count: Int, _ body: (UnsafeBufferPointer<UInt8>) -> Bool) {
        var text = text
        text.withUTF8 { bytes in
            var (start, lines) = (0, 0)
            while start < bytes.count && lines < count {
                let end = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
                if end > start {
                    var cut = min(end, start + 4096)
                    while cut < end && bytes[cut] & 0xC0 == 0x80 { cut -= 1 }  // a character's start
                    lines += 1
                    guard body(UnsafeBufferPointer(rebasing: bytes[start..<cut])) else { return }
                }
                start = end + 1
            }
        }
    }

    /// Whether a line can be a title: it has a letter, and it is not a menu of language names.
    private static func isTitleLike(_ line: String) -> Bool {
        guard line.contains(where: { $0.isLetter }) else { return false }
        let words = line.split(separator: " ")
        return !words.allSatisfy { languageNames.contains(String($0)) }
    }

    /// Language switchers at the top of news pages ("عربي Español Русский Français 简体中文").
    private static let languageNames: Set<String> = [
        "English", "Español", "Français", "Deutsch", "Русский", "عربي", "العربية", "简体中文", "繁體中文", "中文",
        "日本語", "한국어", "Português", "Italiano", "Polski", "Türkçe", "Tiếng", "Việt", "ภาษาไทย",
    ]

    /// "= Title =" and "== Section ==" as wiki text writes them.
    private static func stripWikiHeading(_ line: String) -> String {
        guard line.hasPrefix("="), line.hasSuffix("=") else { return line }
        return line.trimmingCharacters(in: "= ")
    }

    private static func markdownHeading(_ body: String) -> String? {
        for line in body.utf8.split(separator: UInt8(ascii: "\n")) where line.starts(with: "# ".utf8) {
            return nonEmpty(String(Substring(line).dropFirst(2)).trimmingCharacters(in: " #\r"))
        }
        return nil
    }

    private static func fallbackTitle(_ id: String) -> String {
        String(id.split(separator: "/").last ?? Substring(id))
    }

    private static func nonEmpty(_ s: String) -> String? {
        let t = HTMLExtractor.collapse(s)
        return t.isEmpty ? nil : t
    }
}

extension StringProtocol {
    /// The string without leading and trailing characters of `set`.
    func trimmingCharacters(in set: String) -> String {
        let chars = Set(set)
        guard let first = firstIndex(where: { !chars.contains($0) }) else { return "" }
        let last = lastIndex(where: { !chars.contains($0) })!
        return String(self[first...last])
    }
}

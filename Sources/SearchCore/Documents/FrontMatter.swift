/// YAML front matter at the start of a Markdown file, between two `---` lines. Only flat
/// `key: value` pairs are read (title, date, lang, ...); quotes around values are removed.
struct FrontMatter {
    var fields: [String: String] = [:]
    /// Offset of the first byte after the front matter (0 when there is none).
    var bodyStart = 0

    static func parse(_ source: UnsafeBufferPointer<UInt8>) -> FrontMatter {
        var result = FrontMatter()
        // the first line alone first (most files have no front matter), made a string only
        // when it is short
        guard let first = lineRanges(source, limit: 1).first, first.count <= 64,
              text(source, first).trimmingCharacters(in: " \r") == "---" else { return result }
        let lines = lineRanges(source, limit: 400)
        for line in lines.dropFirst() {
            let s = text(source, line).trimmingCharacters(in: " \r\t")
            if s == "---" || s == "..." {
                result.bodyStart = min(line.upperBound + 1, source.count)
                return result
            }
            guard let colon = s.firstIndex(of: ":"), !s.hasPrefix("#") else { continue }
            let key = String(s[..<colon]).trimmingCharacters(in: " ").lowercased()
            var value = String(s[s.index(after: colon)...]).trimmingCharacters(in: " ")
            if value.count >= 2, let q = value.first, q == "\"" || q == "'", value.last == q {
                value = String(value.dropFirst().dropLast())
                if q == "\"" { value = value.replacingEscapes() }
            }
            if result.fields[key] == nil { result.fields[key] = value }
        }
        return FrontMatter()  // no closing line: not front matter after all
    }

    private static func lineRanges(_ source: UnsafeBufferPointer<UInt8>, limit: Int) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var start = 0
        for i in 0..<source.count where source[i] == UInt8(ascii: "\n") {
            ranges.append(start..<i)
            start = i + 1
            if ranges.count == limit { return ranges }
        }
        if start < source.count { ranges.append(start..<source.count) }
        return ranges
    }

    private static func text(_ source: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> String {
        String(decoding: source[range], as: UTF8.self)
    }
}

private extension String {
    /// Resolves the escapes YAML allows in double-quoted strings that titles use.
    func replacingEscapes() -> String {
        var out = ""
        var escaped = false
        for c in self {
            if escaped {
                switch c {
                case "n": out.append("\n")
                case "t": out.append("\t")
                default: out.append(c)
                }
                escaped = false
            } else if c == "\\" {
                escaped = true
            } else {
                out.append(c)
            }
        }
        return out
    }
}

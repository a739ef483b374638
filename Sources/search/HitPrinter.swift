import SearchProtocol

#if canImport(Glibc)
import Glibc
#endif

/// Renders hits for a person at a terminal: rank and title, where (path:line:column) and
/// score, then the snippet with the matches highlighted (colour) or plain (when piped).
struct HitPrinter {
    let color: Bool

    private var bold: String { color ? "\u{1B}[1m" : "" }
    private var match: String { color ? "\u{1B}[1;31m" : "" }
    private var location: String { color ? "\u{1B}[35m" : "" }
    private var dim: String { color ? "\u{1B}[2m" : "" }
    private var reset: String { color ? "\u{1B}[0m" : "" }

    func render(_ hits: [JSON]) -> String {
        var out = ""
        let cwd = currentDirectory()
        for hit in hits {
            let rank = hit["rank"]?.intValue ?? 0
            let title = hit["title"]?.stringValue ?? ""
            var place = hit["path"]?.stringValue ?? hit["id"]?.stringValue ?? ""
            if let cwd, place.hasPrefix(cwd + "/") { place = String(place.dropFirst(cwd.count + 1)) }
            if let line = hit["line"]?.intValue, let column = hit["column"]?.intValue { place += ":\(line):\(column)" }
            let score = hit["score"]?.doubleValue.map { String(Int(($0 * 1000).rounded())).withDecimals(3) } ?? ""
            out += "\(bold)\(rank). \(title)\(reset)\n"
            out += "   \(location)\(place)\(reset)  \(dim)score \(score)\(reset)\n"
            if let snippet = hit["snippet"]?.stringValue {
                let ranges = (hit["highlights"]?.arrayValue ?? []).compactMap { r -> Range<Int>? in
                    guard let a = r.arrayValue, a.count == 2, let s = a[0].intValue, let e = a[1].intValue, s <= e else { return nil }
                    return s..<e
                }
                out += "   " + highlight(snippet, ranges) + "\n"
            }
            out += "\n"
        }
        return out
    }

    /// The snippet with each highlighted byte range wrapped in colour codes (or in [ ] when plain
    /// output is not a terminal but the matches should still be visible).
    func highlight(_ text: String, _ ranges: [Range<Int>]) -> String {
        let bytes = Array(text.utf8)
        var out: [UInt8] = []
        var i = 0
        for r in ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) where r.lowerBound >= i && r.upperBound <= bytes.count {
            out += bytes[i..<r.lowerBound]
            out += Array(match.utf8) + bytes[r] + Array(reset.utf8)
            i = r.upperBound
        }
        out += bytes[i...]
        return String(decoding: out, as: UTF8.self)
    }

    private func currentDirectory() -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX))
        guard getcwd(&buffer, buffer.count) != nil else { return nil }
        return String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

extension String {
    /// "2679" with 3 decimals → "2.679".
    func withDecimals(_ n: Int) -> String {
        let negative = hasPrefix("-")
        var digits = negative ? String(dropFirst()) : self
        while digits.count <= n { digits = "0" + digits }
        let cut = digits.index(digits.endIndex, offsetBy: -n)
        return (negative ? "-" : "") + digits[..<cut] + "." + digits[cut...]
    }
}

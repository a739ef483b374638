/// Dates as documents write them, normalised to ISO 8601 prefixes: "2024", "2024-06", "2024-06-29".
public enum DateText {
    private static let months = ["january", "february", "march", "april", "may", "june", "july",
                                 "august", "september", "october", "november", "december"]

    /// "2024-06-29T00:51:57.000Z" → "2024-06-29"; "2024/6/9" → "2024-06-09"; "June 2024" →
    /// "2024-06"; "June 28, 2024" → "2024-06-28"; nil when it is not a date.
    public static func normalize(_ text: String) -> String? {
        guard hasYearDigits(text.utf8) else { return nil }
        let s = text.trimmingCharacters(in: " \t\"'")
        let numeric = s.prefix { $0.isASCII && ($0.isNumber || $0 == "-" || $0 == "/" || $0 == ".") }
        let parts = numeric.split(whereSeparator: { $0 == "-" || $0 == "/" || $0 == "." }).map(String.init)
        if let first = parts.first, first.count == 4, let year = Int(first), (1000...2999).contains(year) {
            var out = first
            for part in parts.dropFirst().prefix(2) {
                guard let v = Int(part), (1...31).contains(v), part.count <= 2 else { break }
                out += "-" + (v < 10 ? "0\(v)" : "\(v)")
            }
            return isValid(out) ? out : nil
        }
        // "June 2024", "June 28, 2024", "28 June 2024"
        let words = s.lowercased().split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init)
        guard let m = words.firstIndex(where: { w in months.contains { $0 == w || (w.count >= 3 && $0.hasPrefix(w)) } }),
              let year = words.first(where: { $0.count == 4 && Int($0).map { (1000...2999).contains($0) } == true }),
              words.count <= 4 else { return nil }
        let month = months.firstIndex { $0 == words[m] || $0.hasPrefix(words[m]) }! + 1
        var out = year + "-" + (month < 10 ? "0\(month)" : "\(month)")
        if let day = words.compactMap({ Int($0) }).first(where: { (1...31).contains($0) }) {
            out += "-" + (day < 10 ? "0\(day)" : "\(day)")
        }
        return out
    }

    /// A date that starts a line ("date 2024-06-29 Title", "- Date: June 2024", "2023-11-17 10:50"),
    /// and the rest of the line.
    static func leadingDate(_ line: String) -> (date: String, rest: String)? {
        guard hasYearDigits(line.utf8) else { return nil }
        var s = Substring(line)
        if s.hasPrefix("- ") { s = s.dropFirst(2) }
        let lower = s.prefix(5).lowercased()
        let labelled = lower.hasPrefix("date:") || lower.hasPrefix("date ")
        if labelled { s = s.dropFirst(5).drop(while: { $0 == " " }) }
        let words = s.split(separator: " ", omittingEmptySubsequences: true)
        guard let first = words.first else { return nil }
        if let d = normalize(String(first)), d.count >= 7 {
            var rest = words.dropFirst()
            if let time = rest.first, time.contains(":"), time.allSatisfy({ $0.isNumber || $0 == ":" }) { rest = rest.dropFirst() }
            return (d, rest.joined(separator: " "))
        }
        if labelled, let d = normalize(String(s)) { return (d, "") }
        return nil
    }

    /// Whether the text has four ASCII digits in a row, as every date's year is written: most
    /// lines a title is looked for in have none (checked first, they cost a scan of their
    /// bytes; four digits anywhere, a man page's "ACCT(5) ... ACCT(5)" was parsed for a date).
    static func hasYearDigits(_ bytes: some Sequence<UInt8>) -> Bool {
        var digits = 0
        for byte in bytes {
            digits = byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") ? digits + 1 : 0
            if digits == 4 { return true }
        }
        return false
    }

    private static func isValid(_ date: String) -> Bool {
        let parts = date.split(separator: "-").compactMap { Int($0) }
        if parts.count >= 2 && !(1...12).contains(parts[1]) { return false }
        return true
    }
}

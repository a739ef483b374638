/// Guesses the main language of a text from its scripts and, for Latin text, from its most
/// frequent function words. Cheap and good enough for a `lang:` filter; never used for analysis.
public enum LanguageGuesser {
    private static let english: Set<Substring> = ["the", "and", "of", "to", "is", "in", "that", "with", "for", "this", "are", "be", "it", "on"]
    private static let spanish: Set<Substring> = ["el", "la", "de", "que", "y", "los", "las", "en", "del", "se", "por", "un", "una", "es", "para", "con"]

    public static func guess(_ text: String) -> String? {
        var han = 0, kana = 0, hangul = 0, latin = 0, cyrillic = 0, arabic = 0
        for scalar in text.unicodeScalars.prefix(20_000) {
            switch scalar.value {
            case 0x41...0x5A, 0x61...0x7A, 0xC0...0x24F: latin += 1
            case 0x3040...0x30FF: kana += 1
            case 0x3400...0x9FFF, 0xF900...0xFAFF, 0x20000...0x3134F: han += 1
            case 0xAC00...0xD7AF: hangul += 1
            case 0x400...0x4FF: cyrillic += 1
            case 0x600...0x6FF: arabic += 1
            default: break
            }
        }
        // A Han character carries about as much text as four Latin letters.
        let counts = [("zh", han * 4), ("ja", kana * 4), ("ko", hangul * 2), ("ru", cyrillic), ("ar", arabic), ("latin", latin)]
        guard let best = counts.max(by: { $0.1 < $1.1 }), best.1 > 0 else { return nil }
        if best.0 == "zh" && kana * 10 > han { return "ja" }
        guard best.0 == "latin" else { return best.0 }
        var en = 0, es = 0
        for word in text.prefix(20_000).lowercased().split(whereSeparator: { !$0.isLetter }) {
            if english.contains(word) { en += 1 }
            if spanish.contains(word) { es += 1 }
        }
        if en == 0 && es == 0 { return nil }
        return es > en ? "es" : "en"
    }
}

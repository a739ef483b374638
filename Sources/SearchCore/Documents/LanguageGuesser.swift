/// Guesses the main language of a text from its scripts and, for Latin text, from its most
/// frequent function words. Cheap and good enough for a `lang:` filter; never used for analysis.
///
/// It reads UTF-8 bytes: done with `Character`s (a lower-cased copy, split where
/// `isLetter` is false, words hashed into sets) it took a third of the time of making
/// documents of files.
public enum LanguageGuesser {
    /// How many characters (Unicode scalars) from the start are read.
    static let limit = 20_000

    public static func guess(_ text: String) -> String? {
        var text = text
        return text.withUTF8 { guess(utf8: $0) }
    }

    /// The guess for valid UTF-8.
    static func guess(utf8 text: UnsafeBufferPointer<UInt8>) -> String? {
        var scripts = Scripts()
        var end = 0, scalars = 0
        while end < text.count && scalars < limit {
            let (scalar, length) = Analyzer.decode(text, at: end)
            scripts.count(scalar)
            end += length
            scalars += 1
        }
        return scripts.language { functionWords(UnsafeBufferPointer(rebasing: text[..<end])) }
    }

    /// How many letters of each script a text has.
    struct Scripts {
        private var han = 0, kana = 0, hangul = 0, latin = 0, cyrillic = 0, arabic = 0

        mutating func count(_ scalar: UInt32) {
            switch scalar {
            case 0x41...0x5A, 0x61...0x7A, 0xC0...0x24F: latin += 1
            case 0x3040...0x30FF: kana += 1
            case 0x3400...0x9FFF, 0xF900...0xFAFF, 0x20000...0x3134F: han += 1
            case 0xAC00...0xD7AF: hangul += 1
            case 0x400...0x4FF: cyrillic += 1
            case 0x600...0x6FF: arabic += 1
            default: break
            }
        }

        /// The language of the script with the most text; for Latin, the one whose function
        /// words `words` counts more of (English, Spanish), nil if none.
        func language(words: () -> (en: Int, es: Int)) -> String? {
            // A Han character carries about as much text as four Latin letters.
            let counts = [("zh", han * 4), ("ja", kana * 4), ("ko", hangul * 2), ("ru", cyrillic), ("ar", arabic), ("latin", latin)]
            guard let best = counts.max(by: { $0.1 < $1.1 }), best.1 > 0 else { return nil }
            if best.0 == "zh" && kana * 10 > han { return "ja" }
            guard best.0 == "latin" else { return best.0 }
            let (en, es) = words()
            if en == 0 && es == 0 { return nil }
            return es > en ? "es" : "en"
        }
    }

    /// How many English and Spanish function words the text holds: its words are its runs of
    /// letters (with the marks that follow them), compared lower-cased. The function words are
    /// ASCII and of at most four letters, so a word is kept as its letters packed in an
    /// integer, and one with a non-ASCII letter or a fifth letter matches none.
    private static func functionWords(_ text: UnsafeBufferPointer<UInt8>) -> (en: Int, es: Int) {
        var en = 0, es = 0
        var word: UInt32 = 0, letters = 0
        var matchable = true
        func endWord() {
            if letters > 0 && matchable {
                if english.contains(word) { en += 1 }
                if spanish.contains(word) { es += 1 }
            }
            (word, letters, matchable) = (0, 0, true)
        }
        var i = 0
        while i < text.count {
            let (scalar, length) = Analyzer.decode(text, at: i)
            i += length
            if scalar < 0x80 {
                let lower = scalar | 0x20
                guard lower >= 0x61 && lower <= 0x7A else {
                    endWord()
                    continue
                }
                letters += 1
                if letters <= 4 { word = word << 8 | lower } else { matchable = false }
            } else if let s = Unicode.Scalar(scalar), s.properties.isAlphabetic || (letters > 0 && isMark(s)) {
                letters += 1
                matchable = false
            } else {
                endWord()
            }
        }
        endWord()
        return (en, es)
    }

    private static func isMark(_ s: Unicode.Scalar) -> Bool {
        switch s.properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark: true
        default: false
        }
    }

    /// Words packed as `functionWords` packs them (searched in order: faster than hashed).
    private static func packed(_ words: [String]) -> [UInt32] {
        words.map { $0.utf8.reduce(UInt32(0)) { $0 << 8 | UInt32($1) } }
    }

    private static let english = packed(["the", "and", "of", "to", "is", "in", "that", "with", "for", "this", "are", "be", "it", "on"])
    private static let spanish = packed(["el", "la", "de", "que", "y", "los", "las", "en", "del", "se", "por", "un", "una", "es", "para", "con"])
}

import CICU

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
        guess(pieces: text)
    }

    /// The guess for the pieces end to end (a title, "\n", a body: read as one text without
    /// making it, which copied a whole file's text to read its first characters).
    public static func guess(pieces: String...) -> String? {
        var reading = Reading()
        for var piece in pieces where !reading.isDone { piece.withUTF8 { reading.read($0) } }
        return reading.language
    }

    /// One pass over the text: the scripts of its first `limit` scalars and, among them, its
    /// English and Spanish function words. A word is a run of letters (with the marks that
    /// follow them), compared lower-cased. The function words are ASCII and of at most four
    /// letters, so a word is kept as its letters packed in an integer, and a non-ASCII letter
    /// or mark counts as five letters (no function word then). ASCII is read byte by byte, the
    /// rest decoded and classed by the tokenizer's tables (Unicode's properties, asked of each
    /// Han character, were a fifth of the guess).
    struct Reading {
        private var scripts = Scripts()
        private var en = 0, es = 0
        /// The word being read.
        private var word: UInt32 = 0, letters = 0
        private var scalars = 0
        private let tables = CharacterTables.shared
        private let functionWords = LanguageGuesser.functionWords

        var isDone: Bool { scalars >= LanguageGuesser.limit }

        /// Reads valid UTF-8 until the limit: a run of ASCII at a time in a loop of its own
        /// (letters and word ends only, its state in registers; one loop for every byte kept
        /// a dozen values on the stack), then a character of another script.
        mutating func read(_ text: UnsafeBufferPointer<UInt8>) {
            guard let base = text.baseAddress else { return }
            var i = 0
            while i < text.count && scalars < LanguageGuesser.limit {
                let end = min(text.count, i + (LanguageGuesser.limit - scalars))
                let runStart = i
                var (word, letters, latin) = (word, letters, 0)
                while i < end {
                    let byte = UInt32(base[i])
                    guard byte < 0x80 else { break }
                    let lower = byte | 0x20
                    if lower &- 0x61 < 26 {
                        latin &+= 1
                        letters &+= 1
                        word = word << 8 | lower
                    } else if letters > 0 {
                        count(word, letters: letters)
                        (word, letters) = (0, 0)
                    }
                    i &+= 1
                }
                scalars += i - runStart
                scripts.count(latinLetters: latin)
                (self.word, self.letters) = (word, letters)
                guard i < end else { continue }
                let (scalar, length) = Analyzer.decode(text, at: i)
                i += length
                scalars += 1
                scripts.count(scalar)
                switch tables.charClass(scalar) {
                case SD_CLASS_LETTER, SD_CLASS_CJK, SD_CLASS_COMPLEX:
                    self.letters += 5
                case SD_CLASS_MARK where self.letters > 0:
                    self.letters += 5
                default:
                    if self.letters > 0 {
                        count(self.word, letters: self.letters)
                        (self.word, self.letters) = (0, 0)
                    }
                }
            }
        }

        var language: String? {
            var reading = self
            reading.count(word, letters: letters)
            return scripts.language { (reading.en, reading.es) }
        }

        /// Counts a word that ended if it is a function word.
        private mutating func count(_ word: UInt32, letters: Int) {
            guard letters > 0 && letters <= 4, let english = functionWords.value(UInt128(word)) else { return }
            if english { en += 1 } else { es += 1 }
        }
    }

    /// How many letters of each script a text has.
    struct Scripts {
        private var han = 0, kana = 0, hangul = 0, latin = 0, cyrillic = 0, arabic = 0

        mutating func count(latinLetters n: Int) { latin += n }

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

    /// The function words: true for English, false for Spanish.
    static let functionWords = ShortWordTable(
        ["the", "and", "of", "to", "is", "in", "that", "with", "for", "this", "are", "be", "it", "on"].map { ($0, true) }
            + ["el", "la", "de", "que", "y", "los", "las", "en", "del", "se", "por", "un", "una", "es", "para", "con"].map { ($0, false) })
}

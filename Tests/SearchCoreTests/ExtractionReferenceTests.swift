import Foundation
import Testing
@testable import SearchCore

/// The language guess, the HTML sniffing and the white-space collapsing read UTF-8 bytes;
/// they were written with `Character`s first (making documents of files then took ten times
/// the CPU). Those first versions are kept here as references: on the seeds and on random
/// texts of every script and kind of space, the byte versions give the same answers.
@Suite struct ExtractionReferenceTests {
    // MARK: The references, as they were

    /// The words as they were read (the scripts are counted and weighed as before).
    static func referenceGuess(_ text: String) -> String? {
        let english: Set<Substring> = ["the", "and", "of", "to", "is", "in", "that", "with", "for", "this", "are", "be", "it", "on"]
        let spanish: Set<Substring> = ["el", "la", "de", "que", "y", "los", "las", "en", "del", "se", "por", "un", "una", "es", "para", "con"]
        var scripts = LanguageGuesser.Scripts()
        for scalar in text.unicodeScalars.prefix(20_000) { scripts.count(scalar.value) }
        return scripts.language {
            var en = 0, es = 0
            for word in text.prefix(20_000).lowercased().split(whereSeparator: { !$0.isLetter }) {
                if english.contains(word) { en += 1 }
                if spanish.contains(word) { es += 1 }
            }
            return (en, es)
        }
    }

    static func referenceSniffsHTML(_ head: [UInt8]) -> Bool {
        let text = String(decoding: head.prefix(4096), as: UTF8.self).lowercased()
        return ["<!doctype html", "<html", "<body", "<div", "<p>", "<br>", "<span"].contains(where: text.contains)
    }

    static func referenceCollapse(_ s: String) -> String {
        s.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    // MARK: Random texts

    /// Pieces texts are made of: function words in every case, words with accents (composed
    /// and with combining marks after letters), Han, kana, Hangul, Cyrillic and Arabic, digits,
    /// punctuation that is not a letter (em dash, fullwidth comma), and every kind of space.
    static let pieces = [
        "the", "The", "THE", "and", "of", "to", "is", "in", "that", "With", "for", "this", "are", "be", "it", "on",
        "el", "La", "de", "que", "y", "los", "las", "en", "del", "se", "por", "un", "una", "es", "para", "con",
        "theme", "dell", "deux", "día", "él", "Ñandú", "cafe\u{301}", "naïve", "straße", "ﬁle", "İn", "K",
        "钱凯港", "博鲁阿尔特", "の", "カタカナ", "한국어", "Москва", "العربية", "2024", "x86_64",
        "—", "，", "。", "-", "'", "\"", "(", ")", "<", ">", "&", "/",
        " ", "  ", "\t", "\n", "\r\n", "\u{A0}", "\u{3000}", "\u{2028}", "\u{85}", "\u{2009}", "\u{B}", "\u{C}",
    ]

    static func randomTexts(count: Int, seed: UInt64) -> [String] {
        var random = seed
        func next(_ n: Int) -> Int {
            random ^= random << 13
            random ^= random >> 7
            random ^= random << 17
            return Int(random % UInt64(n))
        }
        return (0..<count).map { _ in (0..<next(80)).map { _ in pieces[next(pieces.count)] }.joined() }
    }

    static func seedTexts() throws -> [String] {
        let dir = seedsDirectory()
        return try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted().map {
            String(decoding: try Data(contentsOf: dir.appendingPathComponent($0)), as: UTF8.self)
        }
    }

    // MARK: Tests

    @Test func theLanguageGuessIsTheReferences() throws {
        var texts = try Self.seedTexts() + Self.randomTexts(count: 3000, seed: 0x9E37_79B9_7F4A_7C15)
        texts += try seedDocuments().map { $0.title + "\n" + $0.body }
        // mostly one language, with the other's words in it
        texts += Self.randomTexts(count: 500, seed: 42).map { "la de que los " + $0 + " the of and" }
        var guesses: [String?] = []
        for text in texts {
            let guess = LanguageGuesser.guess(text)
            #expect(guess == Self.referenceGuess(text), "\(text.debugDescription)")
            guesses.append(guess)
        }
        for language in ["en", "es", "zh", "ja", "ko", "ru", "ar"] { #expect(guesses.contains(language), "\(language) never guessed") }
        #expect(guesses.contains(nil))
    }

    /// Pieces read one after the other are read as their concatenation (a word across two
    /// pieces is one word; the limit counts over all of them).
    @Test func theGuessOfPiecesIsTheGuessOfTheirText() throws {
        let long = String(repeating: "la casa de los ", count: 2000)
        for text in Self.randomTexts(count: 1000, seed: 99) + [long + "the and of " + long] {
            let utf8 = Array(text.utf8)
            for cut in [0, utf8.count / 3, utf8.count / 2, utf8.count] {
                var at = cut
                while at < utf8.count && utf8[at] & 0xC0 == 0x80 { at += 1 }  // a character's start
                let (a, b) = (String(decoding: utf8[..<at], as: UTF8.self), String(decoding: utf8[at...], as: UTF8.self))
                #expect(LanguageGuesser.guess(pieces: a, "\n", b) == LanguageGuesser.guess(a + "\n" + b), "\(text.debugDescription) at \(at)")
            }
        }
    }

    @Test func sniffingHTMLIsTheReferences() throws {
        var heads = try Self.seedTexts().map { Array($0.utf8) }
        let markers = ["<!DOCTYPE HTML>", "<!doctype html>", "<Html>", "<BODY>", "<div class=x>", "<P>", "<br>", "<Span>",
                       "<p", "<b>", "<!doctype", "< div>", "<spa"]
        for text in Self.randomTexts(count: 1000, seed: 7) {
            var head = Array(text.utf8)
            if head.count % 3 == 0 { head += Array(markers[head.count % markers.count].utf8) }
            heads.append(head)
        }
        // a marker across the 4096th byte is not read, one just before it is
        for offset in [4080, 4085, 4086, 4090, 4095] {
            heads.append([UInt8](repeating: UInt8(ascii: "a"), count: offset) + Array("<html>".utf8))
        }
        var html = 0
        for head in heads {
            let sniffed = head.withUnsafeBufferPointer { TextExtractor.sniff($0) }
            guard sniffed != .markdown else { continue }  // front matter: decided before the markers
            #expect((sniffed == .html) == Self.referenceSniffsHTML(head), "\(String(decoding: head.prefix(200), as: UTF8.self).debugDescription)")
            html += sniffed == .html ? 1 : 0
        }
        #expect(html > 100)
    }

    @Test func whiteSpaceIsUnicodes() {
        for value in UInt32(0)...0x10FFFF {
            guard let scalar = Unicode.Scalar(value) else { continue }
            #expect(Analyzer.isWhiteSpace(value) == scalar.properties.isWhitespace, "U+\(String(value, radix: 16))")
        }
    }

    /// Lines end at line feeds, CRLF included (a `Character` split did not end them there).
    @Test func aTitleIsTheFirstLineOfCRLFText() throws {
        let doc = try TextExtractor.extract(id: "crlf.txt", bytes: Array("\r\n  Release notes\r\nDate: June 2024\r\nbody text\r\n".utf8), format: .text)
        #expect(doc.title == "Release notes")
        #expect(doc.date == "2024-06")
    }

    @Test func collapsingWhiteSpaceIsTheReferences() throws {
        let lines = try Self.seedTexts().flatMap { $0.split(separator: "\n").map(String.init) }
        for text in lines + Self.randomTexts(count: 3000, seed: 99) {
            #expect(HTMLExtractor.collapse(text) == Self.referenceCollapse(text), "\(text.debugDescription)")
        }
    }
}

import Testing
@testable import SearchCore

struct ShortWordTableTests {
    @Test func everyWordIsFoundAndNoOther() {
        let words = ["a", "in", "the", "that", "https", "noscript", "figcaption", "sixteen-letters!"]
        let table = ShortWordTable(words.enumerated().map { ($1, $0) })
        for (i, word) in words.enumerated() {
            #expect(table.value(ShortWordTable<Int>.key(word.utf8)!) == i, "\(word)")
        }
        for other in ["", "b", "ni", "thee", "http", "script", "figcaptions", "The", "\u{E9}"] {
            #expect(table.value(ShortWordTable<Int>.key(other.utf8)!) == nil, "\(other)")
        }
        #expect(ShortWordTable<Int>.key("seventeen-letters".utf8) == nil)
    }

    /// Packed one byte at a time as `key << 8 | byte`: what the language guess does as it reads.
    @Test func aKeyIsItsBytesPackedInOrder() {
        #expect(ShortWordTable<Int>.key("the".utf8) == 0x74_68_65)
        #expect(ShortWordTable<Int>.key([0xFF, 0, 1]) == 0xFF_00_01)
    }
}

import Testing
@testable import SearchCore

/// The table of ids split over several dictionaries behaves as one dictionary: what `update`
/// puts from several threads lands in the order it was put, the values it replaced come back,
/// and every other operation sees all the dictionaries.
struct LocationTableTests {
    @Test(arguments: [1, 2, 3])
    func severalDictionariesActAsOne(shards: Int) {
        let table = LocationTable<Int>(shards: shards)
        var reference: [String: Int] = [:]
        let ids = (0..<2000).map { "doc-\($0 % 1500)#\($0 % 7)" }  // repeated ids, in every dictionary
        table.reserve(adding: 1000)
        var expectedReplaced: [Int] = []
        let replaced = table.update { put in
            for (value, id) in ids.enumerated() { put(id, value) }
        }
        for (value, id) in ids.enumerated() {
            if let old = reference.updateValue(value, forKey: id) { expectedReplaced.append(old) }
        }
        #expect(replaced.sorted() == expectedReplaced.sorted())
        #expect(table.count == reference.count)
        for (id, value) in reference { #expect(table[id] == value) }
        #expect(table["missing"] == nil)

        table["new"] = 1
        #expect(table.updateValue(2, forKey: "new") == 1)
        #expect(table.removeValue(forKey: "new") == 2)
        #expect(table.removeValue(forKey: "new") == nil)
        #expect(Set(table.ids(withPrefix: "doc-14")) == Set(reference.keys.filter { $0.hasPrefix("doc-14") }))

        table.changeValues { $0 % 2 == 0 ? $0 + 1 : nil }
        for (id, value) in reference { #expect(table[id] == (value % 2 == 0 ? value + 1 : value)) }
    }
}

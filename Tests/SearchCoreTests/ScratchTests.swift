import Foundation
import Testing
@testable import SearchCore

@Test func scratch() throws {
    let syn = try Synonyms.parse(String(contentsOfFile: "config/synonyms.txt", encoding: .utf8))
    let s = try Snapshot.build(try seedDocuments()).searcher(synonyms: syn)
    for q in ["Boruarte", "Zegara", "Zegarra", "Boluarte", "钱凯港", "Chancay", "Suzhou", "苏州", "Li Qiang", "李强", "深圳", "Shenzhen", "Xi Jinping", "习近平", "Great Hall of the People", "人民大会堂", "title:China", "lang:zh", "date:2024-06", "date:2023", "path:seeds", "Bolu*", "Chancay OR 博鲁阿尔特", "(Chancay OR Alencastre) Peru", "Boluarte -Chancay", "Boluarte NOT China", "andres~", "boluarte~2", "\"great hall\"", "ＡＰＥＣ", "Boluarte 钱凯港", "BYD比亚迪"] {
        let r = try s.search(QueryParser.parse(q), options: SearchOptions(limit: 10, snippets: true))
        print("Q:", q, "total", r.total, r.hits.map { "\($0.id.prefix(3))(\($0.matched),\(String(format: "%.2f", $0.score)))" }.joined(separator: " "), "|", r.hits.first?.snippet?.text.prefix(80) ?? "")
    }
}

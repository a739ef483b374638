import SearchCore
import SearchProtocol

/// Documents from a JSON Lines file: one object per line with "id" and "text" (or "body"),
/// and optionally "title", "date", "lang", "path". Bad lines are reported, never fatal.
enum JSONLinesSource {
    static func documents(_ bytes: [UInt8], problem: (Int, String) -> Void) -> [Document] {
        var documents: [Document] = []
        var line = 0
        for raw in bytes.split(separator: 0x0A, omittingEmptySubsequences: false) {
            line += 1
            if raw.allSatisfy({ $0 == 0x20 || $0 == 0x0D || $0 == 0x09 }) { continue }
            do {
                let json = try JSON.parse(raw)
                guard let id = json["id"]?.stringValue ?? json["id"]?.intValue.map(String.init), !id.isEmpty else {
                    problem(line, "no \"id\"")
                    continue
                }
                guard let text = json["text"]?.stringValue ?? json["body"]?.stringValue else {
                    problem(line, "no \"text\"")
                    continue
                }
                documents.append(Document(
                    id: id, title: json["title"]?.stringValue ?? id, body: text,
                    date: json["date"]?.stringValue.flatMap(DateText.normalize),
                    lang: json["lang"]?.stringValue ?? LanguageGuesser.guess(text), path: json["path"]?.stringValue))
            } catch {
                problem(line, "\(error)")
            }
        }
        return documents
    }
}

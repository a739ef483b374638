/// The kinds of files searchd reads, by file name extension.
public enum DocumentFormat: String, Sendable, CaseIterable {
    case text, markdown, html

    /// The format of a file name, or nil when searchd does not read that kind of file.
    public init?(path: String) {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return nil }
        switch name[name.index(after: dot)...].lowercased() {
        case "txt", "text": self = .text
        case "md", "markdown", "mdown", "mkd": self = .markdown
        case "html", "htm", "xhtml": self = .html
        default: return nil
        }
    }
}

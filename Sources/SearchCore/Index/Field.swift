/// The indexed fields of a document. A term key starts with its field's byte, so each field
/// has its own postings and statistics.
public enum Field: UInt8, Sendable, CaseIterable {
    /// Text fields: analysed, with positions and lengths, scored by BM25.
    case title = 0
    case body = 1
    /// Keyword fields: filters, never scored. `path` holds the directory prefixes of the
    /// document's path and id, and the words of its path; `lang` its language code.
    case path = 2
    case lang = 3

    /// The fields that are searched for words and have lengths (norms).
    public static let text: [Field] = [.title, .body]

    /// BM25 weight of a match in this field: a word in the title says more about the document.
    public var boost: Double {
        switch self {
        case .title: 2.0
        default: 1.0
        }
    }

    public var name: String {
        switch self {
        case .title: "title"
        case .body: "body"
        case .path: "path"
        case .lang: "lang"
        }
    }
}

/// The bytes of a term in the index: field, namespace of the token kind, folded text.
public struct TermKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var bytes: [UInt8]

    public init(bytes: [UInt8]) { self.bytes = bytes }

    public init(field: Field, kind: TokenKind, text: String) {
        // through the text's contiguous bytes: appending its UTF-8 view to a grown array
        // cost ≈ 600 instructions a key, and a query makes one per word, field and variant
        var text = text
        self = text.withUTF8 { TermKey(field: field, kind: kind, utf8: $0) }
    }

    /// The key of a term given as its UTF-8 bytes.
    init(field: Field, kind: TokenKind, utf8 text: some Collection<UInt8>) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.count + 2)
        bytes.append(field.rawValue)
        if let ns = kind.namespace { bytes.append(ns) }
        bytes.append(contentsOf: text)
        self.bytes = bytes
    }

    /// A directory prefix of a document's path or id, in the path field.
    public static func pathPrefix(_ prefix: String) -> TermKey {
        TermKey(bytes: [Field.path.rawValue, TermKey.pathPrefixNamespace] + Array(prefix.utf8))
    }

    static let pathPrefixNamespace: UInt8 = 0x04

    /// Path prefixes and language codes longer than this are not indexed (a JSON Lines id or
    /// lang can be any length; the indexer's term table holds keys under 64 KiB, and no file
    /// path is longer than 4 KiB).
    static let maxKeywordBytes = 4096

    public static func < (a: TermKey, b: TermKey) -> Bool { a.bytes.lexicographicallyPrecedes(b.bytes) }

    public var description: String {
        guard let f = bytes.first else { return "<empty>" }
        return "\(Field(rawValue: f)?.name ?? "\(f)"):" + String(decoding: bytes.dropFirst().map { $0 < 0x20 ? UInt8(ascii: "^") : $0 }, as: UTF8.self)
    }
}

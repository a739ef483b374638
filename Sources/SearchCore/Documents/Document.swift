/// A document as the index sees it: what was extracted from a file, or pushed by a client.
public struct Document: Sendable, Equatable {
    /// Unique key: the path relative to its indexed root, or an id chosen by a client.
    public var id: String
    public var title: String
    /// Plain text: markup, front matter and scripts removed.
    public var body: String
    /// ISO 8601 date (YYYY, YYYY-MM or YYYY-MM-DD) when the document states one.
    public var date: String?
    /// Language guessed from the text ("en", "es", "zh", ...), or given by the source.
    public var lang: String?
    /// Absolute path of the source file, if the document came from one.
    public var path: String?
    /// Where spans of `body` came from in the source file (see `SourceAnchor`).
    public var anchors: [SourceAnchor]
    /// What the source file was when it was read: how a restart tells changed files.
    public var stamp: SourceStamp?

    public init(id: String, title: String, body: String, date: String? = nil, lang: String? = nil,
                path: String? = nil, anchors: [SourceAnchor] = [], stamp: SourceStamp? = nil) {
        self.id = id
        self.title = title
        self.body = body
        self.date = date
        self.lang = lang
        self.path = path
        self.anchors = anchors
        self.stamp = stamp
    }
}

/// A source file's size, modification time and content hash when it was indexed.
public struct SourceStamp: Sendable, Equatable, Hashable {
    public var size: UInt64
    /// Nanoseconds since the epoch.
    public var modified: UInt64
    /// The content's hash (`hash(_:)`).
    public var hash: UInt64

    public init(size: UInt64, modified: UInt64, hash: UInt64) {
        self.size = size
        self.modified = modified
        self.hash = hash
    }

    /// The file's size and modification time: what tells an untouched file.
    public var fileTime: FileTime { FileTime(size: size, modified: modified) }

    /// The same size and modification time: the file has not been touched.
    public func sameFile(_ other: SourceStamp) -> Bool { fileTime == other.fileTime }

    public struct FileTime: Hashable, Sendable {
        public var size: UInt64
        public var modified: UInt64
    }

    /// The term table's hash, eight bytes at a time: each step is one-to-one, so two contents
    /// of one length that differ in one word never hash the same. (FNV-1a, a byte at a time,
    /// was 2% of indexing a tree of files; an index whose stamps hold it indexes a touched
    /// file again, once.)
    public static func hash(_ bytes: [UInt8]) -> UInt64 {
        bytes.withUnsafeBufferPointer { TermTable.hash($0) }
    }
}

/// From `bodyOffset` on, `body` is a verbatim copy of the source starting at `line`:`column`
/// (both 1-based, column in bytes like ripgrep's --vimgrep), up to the next anchor.
public struct SourceAnchor: Sendable, Equatable {
    public var bodyOffset: UInt32
    public var line: UInt32
    public var column: UInt32

    public init(bodyOffset: UInt32, line: UInt32, column: UInt32) {
        self.bodyOffset = bodyOffset
        self.line = line
        self.column = column
    }
}

extension Document {
    /// Line and column (1-based; column in bytes) in the source file of a byte offset of `body`.
    public func sourceLocation(ofBodyOffset offset: Int) -> (line: Int, column: Int) {
        let utf8 = body.utf8
        let target = min(max(offset, 0), utf8.count)
        var index = anchors.count - 1
        while index >= 0 && Int(anchors[index].bodyOffset) > target { index -= 1 }
        var line = 1, column = 1, from = 0
        if index >= 0 {
            line = Int(anchors[index].line)
            column = Int(anchors[index].column)
            from = Int(anchors[index].bodyOffset)
        }
        var i = utf8.index(utf8.startIndex, offsetBy: from)
        let end = utf8.index(utf8.startIndex, offsetBy: target)
        while i < end {
            if utf8[i] == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else {
                column += 1
            }
            i = utf8.index(after: i)
        }
        return (line, column)
    }
}

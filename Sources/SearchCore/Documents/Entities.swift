/// HTML character references: numeric ones, and the named ones that occur in real pages.
enum Entities {
    private static let named: [String: String] = [
        "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": " ", "ensp": " ", "emsp": " ",
        "thinsp": " ", "shy": "", "zwnj": "", "zwj": "", "copy": "©", "reg": "®", "trade": "™",
        "hellip": "…", "mdash": "—", "ndash": "–", "lsquo": "‘", "rsquo": "’", "sbquo": "‚", "ldquo": "“",
        "rdquo": "”", "bdquo": "„", "laquo": "«", "raquo": "»", "middot": "·", "bull": "•", "deg": "°",
        "times": "×", "divide": "÷", "euro": "€", "pound": "£", "yen": "¥", "cent": "¢", "sect": "§",
        "para": "¶", "iexcl": "¡", "iquest": "¿", "ordf": "ª", "ordm": "º", "micro": "µ", "plusmn": "±",
        "szlig": "ß", "aelig": "æ", "AElig": "Æ", "oslash": "ø", "Oslash": "Ø", "aring": "å", "Aring": "Å",
        "ccedil": "ç", "Ccedil": "Ç", "eth": "ð", "thorn": "þ", "larr": "←", "rarr": "→", "uarr": "↑",
        "darr": "↓", "harr": "↔", "rArr": "⇒", "le": "≤", "ge": "≥", "ne": "≠", "minus": "−", "infin": "∞",
    ]

    /// Letters with diacritics, by HTML's naming scheme: &eacute; &Ntilde; &uuml; ...
    private static let marks: [(suffix: String, letters: String, composed: String)] = [
        ("acute", "aeiouyAEIOUY", "áéíóúýÁÉÍÓÚÝ"),
        ("grave", "aeiouAEIOU", "àèìòùÀÈÌÒÙ"),
        ("circ", "aeiouAEIOU", "âêîôûÂÊÎÔÛ"),
        ("uml", "aeiouyAEIOUY", "äëïöüÿÄËÏÖÜŸ"),
        ("tilde", "anoANO", "ãñõÃÑÕ"),
    ]

    /// Decodes the reference at `i` (which holds "&"): the UTF-8 bytes and the source length.
    static func decode(_ source: UnsafeBufferPointer<UInt8>, at i: Int, end: Int) -> ([UInt8], Int)? {
        var j = i + 1
        while j < end && j - i <= 32 && source[j] != UInt8(ascii: ";") {
            let b = source[j]
            let ok = (b | 0x20 >= 0x61 && b | 0x20 <= 0x7A) || (b >= 0x30 && b <= 0x39) || b == UInt8(ascii: "#")
            guard ok else { return nil }
            j += 1
        }
        guard j < end, source[j] == UInt8(ascii: ";"), j > i + 1 else { return nil }
        let name = String(decoding: source[i + 1..<j], as: UTF8.self)
        guard let value = resolve(name) else { return nil }
        return (Array(value.utf8), j + 1 - i)
    }

    static func resolve(_ name: String) -> String? {
        if name.hasPrefix("#") {
            let digits = name.dropFirst()
            let code = digits.first == "x" || digits.first == "X"
                ? UInt32(digits.dropFirst(), radix: 16) : UInt32(digits, radix: 10)
            guard let code, code != 0, let scalar = Unicode.Scalar(code) else { return "\u{FFFD}" }
            return String(Character(scalar))
        }
        if let value = named[name] { return value }
        for (suffix, letters, composed) in marks where name.count == suffix.count + 1 && name.hasSuffix(suffix) {
            if let k = letters.firstIndex(of: name.first!) {
                return String(composed[composed.index(composed.startIndex, offsetBy: letters.distance(from: letters.startIndex, to: k))])
            }
        }
        return nil
    }
}

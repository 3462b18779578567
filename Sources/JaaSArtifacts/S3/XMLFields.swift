/// Just enough XML for S3 and STS answers: the text of named elements, in
/// document order, with the five predefined entities and numeric references decoded.
/// Answers are small and flat, so no tree is built; malformed input yields no value.
struct XMLFields {
    let text: Substring

    init(_ text: some StringProtocol) {
        self.text = Substring(text)
    }

    /// The inner text of each `<name>…</name>` (attributes allowed on the open tag).
    func all(_ name: String) -> [Substring] {
        var results: [Substring] = []
        var rest = text[...]
        while let open = rest.range(of: "<\(name)") {
            guard let tagEnd = rest[open.upperBound...].firstIndex(of: ">") else { break }
            let next = rest[open.upperBound]
            guard next == ">" || next == " " || next == "/" else {
                rest = rest[open.upperBound...]
                continue
            }
            if rest[..<tagEnd].hasSuffix("/") {
                results.append("")
                rest = rest[rest.index(after: tagEnd)...]
                continue
            }
            let body = rest[rest.index(after: tagEnd)...]
            guard let close = body.range(of: "</\(name)>") else { break }
            results.append(body[..<close.lowerBound])
            rest = body[close.upperBound...]
        }
        return results
    }

    /// The decoded text of the first `<name>` element.
    func first(_ name: String) -> String? {
        all(name).first.map(Self.decode)
    }

    /// Decodes `&lt;` `&gt;` `&amp;` `&quot;` `&apos;` and `&#N;` / `&#xN;`; unknown entities stay as written.
    static func decode(_ text: Substring) -> String {
        guard text.contains("&") else { return String(text) }
        var out = ""
        var i = text.startIndex
        while i < text.endIndex {
            guard text[i] == "&", let semi = text[i...].prefix(12).firstIndex(of: ";") else {
                out.append(text[i])
                i = text.index(after: i)
                continue
            }
            let entity = text[text.index(after: i)..<semi]
            let named = ["lt": "<", "gt": ">", "amp": "&", "quot": "\"", "apos": "'"]
            if let value = named[String(entity)] {
                out += value
            } else if entity.hasPrefix("#x"), let n = UInt32(entity.dropFirst(2), radix: 16), let s = Unicode.Scalar(n) {
                out.unicodeScalars.append(s)
            } else if entity.hasPrefix("#"), let n = UInt32(entity.dropFirst()), let s = Unicode.Scalar(n) {
                out.unicodeScalars.append(s)
            } else {
                out += text[i...semi]
            }
            i = text.index(after: semi)
        }
        return out
    }
}

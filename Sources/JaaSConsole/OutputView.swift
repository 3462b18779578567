/// Rendered output as HTML that stays fast however large the output is: each file
/// is cut into pages of at most ``pageBytes`` (at line ends), a page shows only
/// its own slice, and a JSON document's top-level members fold (`<details>`), the
/// large ones closed. Everything is escaped.
package enum OutputView {
    /// Largest slice of a file one page shows.
    package static let pageBytes = 256 << 10
    /// Most bytes of output one page shows inline in all (first pages of its files).
    package static let pageBudget = 1 << 20
    /// Members longer than this many lines start folded.
    package static let openMemberLines = 40

    /// The byte ranges of `bytes`' pages: cut at the last newline before each
    /// ``pageBytes`` boundary (mid-line only for a line longer than a page).
    package static func pages(_ bytes: [UInt8], pageBytes: Int = pageBytes) -> [Range<Int>] {
        guard !bytes.isEmpty else { return [0..<0] }
        var ranges: [Range<Int>] = []
        var start = 0
        while start < bytes.count {
            var end = min(bytes.count, start + pageBytes)
            if end < bytes.count, let newline = bytes[start..<end].lastIndex(of: UInt8(ascii: "\n")) {
                end = newline + 1
            }
            ranges.append(start..<end)
            start = end
        }
        return ranges
    }

    /// The indentation of a pretty JSON document's top-level members (the second
    /// line's, when the first is `{` or `[`), or nil when the text is not laid out so.
    package static func memberIndent(_ bytes: [UInt8]) -> Int? {
        guard let first = bytes.first, first == UInt8(ascii: "{") || first == UInt8(ascii: "["),
              bytes.count > 1, bytes[1] == UInt8(ascii: "\n") else { return nil }
        var indent = 0
        while 2 + indent < bytes.count, bytes[2 + indent] == UInt8(ascii: " ") { indent += 1 }
        return indent > 0 ? indent : nil
    }

    /// One page of a file: its lines in `<pre>`, the members of a pretty JSON
    /// document (at `indent`) each in a `<details>` whose summary is its first line.
    package static func page(_ text: Substring, indent: Int?) -> String {
        var html = HTML()
        guard let indent else {
            html.raw("<pre class=\"output\">")
            html.text(text)
            html.raw("</pre>")
            return html.text
        }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        // A member starts at a line indented exactly `indent` that does not close a bracket.
        func startsMember(_ line: Substring) -> Bool {
            let utf8 = line.utf8
            guard utf8.count > indent else { return false }
            var index = utf8.startIndex
            for _ in 0..<indent {
                guard utf8[index] == UInt8(ascii: " ") else { return false }
                index = utf8.index(after: index)
            }
            let next = utf8[index]
            return next != UInt8(ascii: " ") && next != UInt8(ascii: "}") && next != UInt8(ascii: "]")
        }
        var plain: [Substring] = []
        var member: [Substring] = []
        func flushPlain() {
            guard !plain.isEmpty else { return }
            html.raw("<pre class=\"output\">")
            html.text(plain.joined(separator: "\n"))
            html.raw("</pre>")
            plain.removeAll()
        }
        func flushMember() {
            guard let head = member.first else { return }
            guard member.count > 1 else {
                // A one-line member has nothing to fold.
                plain.append(head)
                member.removeAll()
                return
            }
            flushPlain()
            html.raw(member.count > openMemberLines ? "<details class=\"member\">" : "<details class=\"member\" open>")
            html.raw("<summary><code>")
            html.text(head.count > 160 ? head.prefix(160) + "…" : head)
            html.raw("</code> <span class=\"muted\">(\(member.count) lines)</span></summary><pre class=\"output\">")
            html.text(member.dropFirst().joined(separator: "\n"))
            html.raw("</pre></details>")
            member.removeAll()
        }
        for line in lines {
            if startsMember(line) {
                flushMember()
                member.append(line)
            } else if !member.isEmpty && line.utf8.count >= indent
                        && line.utf8.prefix(indent).allSatisfy({ $0 == UInt8(ascii: " ") }) {
                // Deeper lines and the member's own closing bracket.
                member.append(line)
            } else {
                flushMember()
                plain.append(line)
            }
        }
        flushMember()
        flushPlain()
        return html.text
    }
}

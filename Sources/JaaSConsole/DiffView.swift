import JaaSArtifacts
import JaaSMCP

/// Two revisions' files compared line by line, as HTML: one section per changed
/// file with its unified diff (removed lines marked `-` and shaded, added ones `+`),
/// at most ``maxDiffBytes`` of diff text in all so a huge change stays one fast page.
package enum DiffView {
    /// Most diff text shown on one page.
    package static let maxDiffBytes = 2 << 20

    /// The diff of `old` to `new`, labelled with the revisions' short names.
    package static func html(_ old: FileTree, _ new: FileTree, fromLabel: String, toLabel: String) -> String {
        var html = HTML()
        var changed = 0, unchanged = 0, shown = 0
        var sections = HTML()
        for path in Set(old.keys).union(new.keys).sorted() {
            let before = old[path], after = new[path]
            if before == after {
                unchanged += 1
                continue
            }
            changed += 1
            let status = before == nil ? "added" : after == nil ? "removed" : "modified"
            sections.raw("<section class=\"file\"><h3><code>")
            sections.text(path)
            sections.raw("</code> <span class=\"badge \(status)\">\(status)</span></h3>")
            guard shown < maxDiffBytes else {
                sections.raw("<p class=\"muted\">Not shown: this page already holds \(maxDiffBytes >> 20) MiB of diff.</p></section>")
                continue
            }
            let patch = LineDiff.unified(String(decoding: before ?? [], as: UTF8.self),
                                         String(decoding: after ?? [], as: UTF8.self),
                                         oldLabel: "\(path) (\(fromLabel))", newLabel: "\(path) (\(toLabel))")
            shown += patch.utf8.count
            sections.raw("<pre class=\"diff\">")
            for line in patch.split(separator: "\n", omittingEmptySubsequences: false) {
                let kind = line.hasPrefix("+++") || line.hasPrefix("---") ? "head"
                    : line.hasPrefix("@@") ? "hunk" : line.hasPrefix("+") ? "ins" : line.hasPrefix("-") ? "del" : "ctx"
                sections.raw("<span class=\"\(kind)\">")
                sections.text(line)
                sections.raw("</span>")
            }
            sections.raw("</pre></section>")
        }
        html.raw("<p>\(changed) file(s) changed, \(unchanged) unchanged.</p>")
        html.raw(sections.text)
        return html.text
    }
}

import Foundation
import Hummingbird
import JaaSArtifacts
import JaaSMCP
import Kubernetes

// `/ui/namespaces/<ns>/snippets/<name>`: condition, spec, history, output, events.
extension OperatorPages {
    /// One snippet's page: condition, spec, history, the output of `?revision=` (else the current one), events.
    package func snippet(_ visitor: ConsoleAccess.Visitor, namespace: String, name: String,
                         query: [(key: String, value: String)]) async -> Response {
        let tools: SnippetTools, snippet: KubeObject
        do {
            (tools, snippet) = try await load(visitor, namespace, name)
        } catch {
            return error.response
        }
        let base = Self.path(namespace, name)
        let history = (snippet[path: "status", "history"]?.arrayValue ?? []).compactMap { entry -> (String, String)? in
            guard let revision = entry["revision"]?.stringValue else { return nil }
            return (revision, entry["time"]?.stringValue ?? "")
        }
        let current = snippet[path: "status", "revision"]?.stringValue ?? history.first?.0 ?? ""
        var html = HTML()
        html.raw("<h1>")
        html.text("\(namespace)/\(name)")
        html.raw("</h1>")
        condition(snippet, into: &html)
        spec(snippet, into: &html)
        self.history(history, current: current, base: base, into: &html)
        // Output: the asked revision, else the current one.
        let asked = query.last { $0.key == "revision" }?.value ?? ""
        html.raw("<section aria-labelledby=\"output\"><h2 id=\"output\">Rendered output</h2>")
        do {
            guard let revision = try SnippetTools.revision(text: asked.isEmpty ? current : asked, "revision") else {
                html.raw("<p class=\"notice\">Nothing published yet.</p></section>")
                await events(tools, namespace, name, into: &html)
                return page(visitor, namespace, name, html)
            }
            await output(tools, visitor, namespace, name, revision, query: query, base: base, into: &html)
        } catch {
            html.notice(error.message)
        }
        html.raw("</section>")
        await events(tools, namespace, name, into: &html)
        return page(visitor, namespace, name, html)
    }

    private func page(_ visitor: ConsoleAccess.Visitor, _ namespace: String, _ name: String, _ html: HTML) -> Response {
        ConsoleResponse.page(title: "\(namespace)/\(name)",
                             breadcrumbs: [("Snippets", "/ui/"), (namespace, "/ui/?q=" + HTML.urlComponent(namespace + "/")),
                                           (name, nil)],
                             signedIn: visitor.signedIn, body: html.text)
    }

    /// The Ready condition, with a link to its reason's runbook.
    private func condition(_ snippet: KubeObject, into html: inout HTML) {
        let ready = SnippetTools.readyCondition(snippet)
        let css = ready.status == "False" ? "failing" : ready.status == "True" ? "ready" : "pending"
        html.raw("<section class=\"condition \(css)\" aria-labelledby=\"ready\"><h2 id=\"ready\">Ready condition: ")
        html.text(ready.status == "False" ? "Failing" : ready.status == "True" ? "Ready" : "Pending")
        html.raw("</h2><dl>")
        html.raw("<dt>Reason</dt><dd>")
        html.text(ready.reason ?? "—")
        html.raw("</dd><dt>Message</dt><dd><pre class=\"message\">")
        html.text(ready.message ?? "—")
        html.raw("</pre></dd>")
        if let reason = ready.reason, let url = SnippetTools.runbookURL(base: tools.runbookBase, reason: reason) {
            html.raw("<dt>Runbook</dt><dd><a class=\"runbook\" rel=\"noopener noreferrer\" href=\"")
            html.text(url)
            html.raw("\">Runbook for ")
            html.text(reason)
            html.raw(ready.status == "False" ? ": what it means and how to fix it</a></dd>" : "</a></dd>")
        }
        let generation = snippet[path: "metadata", "generation"]?.intValue
        let observed = snippet[path: "status", "observedGeneration"]?.intValue
        if let generation, let observed, generation != observed {
            html.raw("<dt>Progress</dt><dd>The operator has not reconciled the latest change yet (generation \(generation), observed \(observed)).</dd>")
        }
        html.raw("<dt>Last sync</dt><dd>")
        html.text(ConsoleTime.describe(snippet[path: "status", "lastSyncTime"]?.stringValue))
        html.raw("</dd><dt>Artifact URL</dt><dd><code>")
        html.text(snippet[path: "status", "artifactURL"]?.stringValue ?? "—")
        html.raw("</code></dd></dl></section>")
    }

    /// Where the sources come from, the libraries, TLAs and external variables.
    private func spec(_ snippet: KubeObject, into html: inout HTML) {
        let spec = snippet["spec"]
        html.raw("<section aria-labelledby=\"spec\"><h2 id=\"spec\">Spec</h2><dl>")
        html.raw("<dt>Source</dt><dd>")
        if let ref = spec?["sourceRef"], ref.objectValue != nil {
            let kind = ref["kind"]?.stringValue ?? "?"
            let refName = ref["name"]?.stringValue ?? "?"
            let refNamespace = ref["namespace"]?.stringValue
            html.text("\(kind) \(refNamespace.map { $0 + "/" } ?? "")\(refName)")
            if let path = ref["path"]?.stringValue { html.text(", path \(path)") }
        } else {
            let files = (spec?["files"]?.objectValue?.keys).map { Array($0).sorted() } ?? []
            html.text("\(files.count) inline file(s)")
            if !files.isEmpty {
                html.raw(": ")
                html.text(files.prefix(20).joined(separator: ", ") + (files.count > 20 ? ", …" : ""))
            }
        }
        html.raw("</dd><dt>Entry file</dt><dd><code>")
        html.text(spec?["entryFile"]?.stringValue ?? "main.jsonnet")
        html.raw("</code></dd>")
        let libraries = spec?["libraries"]?.arrayValue ?? []
        html.raw("<dt>Libraries</dt><dd>")
        if libraries.isEmpty { html.raw("none") }
        for (index, library) in libraries.prefix(50).enumerated() {
            if index > 0 { html.raw(", ") }
            html.raw("<code>")
            html.text(library["importPath"]?.stringValue ?? library["name"]?.stringValue ?? "?")
            html.raw("</code> → ")
            html.text("\(library["namespace"]?.stringValue.map { $0 + "/" } ?? "")\(library["name"]?.stringValue ?? "?")")
        }
        html.raw("</dd>")
        for (field, label) in [("tlas", "Top-level arguments"), ("externalVariables", "External variables")] {
            let variables = spec?[field]?.arrayValue ?? []
            html.raw("<dt>\(label)</dt><dd>")
            if variables.isEmpty { html.raw("none") }
            html.raw(variables.isEmpty ? "" : "<ul class=\"plain\">")
            for variable in variables.prefix(50) {
                html.raw("<li><code>")
                html.text(variable["name"]?.stringValue ?? "?")
                html.raw(variable["code"]?.boolValue == true ? "</code> (code) = <code>" : "</code> = <code>")
                let value = variable["value"]?.stringValue ?? ""
                html.text(value.count > 200 ? value.prefix(200) + "…" : value)
                html.raw("</code></li>")
            }
            html.raw(variables.isEmpty ? "</dd>" : "</ul></dd>")
        }
        for (field, label) in [("output", "Output"), ("interval", "Interval"), ("serviceAccountName", "Service account")] {
            if let value = spec?[field]?.stringValue {
                html.raw("<dt>\(label)</dt><dd>")
                html.text(value)
                html.raw("</dd>")
            }
        }
        if spec?["suspend"]?.boolValue == true { html.raw("<dt>Suspended</dt><dd>yes: the operator does not reconcile it</dd>") }
        html.raw("</dl></section>")
    }

    /// `status.history`, newest first, with links to each revision's output and diffs.
    private func history(_ history: [(String, String)], current: String, base: String, into html: inout HTML) {
        html.raw("<section aria-labelledby=\"history\"><h2 id=\"history\">Revision history</h2>")
        guard !history.isEmpty else {
            html.raw("<p>No revisions retained.</p></section>")
            return
        }
        html.raw("<div class=\"scroll\"><table><thead><tr><th scope=\"col\">Revision</th><th scope=\"col\">Published</th>")
        html.raw("<th scope=\"col\">Output</th><th scope=\"col\">Changes</th></tr></thead><tbody>")
        for (index, (revision, time)) in history.prefix(100).enumerated() {
            html.raw("<tr><td><code class=\"revision\" title=\"")
            html.text(revision)
            html.raw("\">")
            html.text(Self.short(revision))
            html.raw("</code>\(revision == current ? " <span class=\"badge ready\">current</span>" : "")</td><td>")
            html.text(ConsoleTime.describe(time))
            html.raw("</td><td><a href=\"")
            html.text(base + HTML.query([("revision", revision)]) + "#output")
            html.raw("\">view</a></td><td>")
            if index + 1 < history.count {
                html.raw("<a href=\"")
                html.text(base + "/diff" + HTML.query([("from", history[index + 1].0), ("to", revision)]))
                html.raw("\">diff with previous</a>")
            } else {
                html.raw("—")
            }
            html.raw("</td></tr>")
        }
        html.raw("</tbody></table></div></section>")
    }

    /// The files of `revision`, each in pages, when the visitor may get the snippet.
    private func output(_ tools: SnippetTools, _ visitor: ConsoleAccess.Visitor, _ namespace: String, _ name: String,
                        _ revision: SnippetTools.Revision, query: [(key: String, value: String)], base: String,
                        into html: inout HTML) async {
        let files: FileTree
        do {
            try await checkOutputAccess(tools, visitor, namespace, name)
        } catch {
            html.notice("You may not get this snippet, or your access cannot be checked now, so its output is not shown.")
            return
        }
        do {
            files = try await tools.files(namespace, name, revision)
        } catch {
            html.notice(error.message)
            return
        }
        html.raw("<p>Revision <code>")
        html.text(revision.text)
        html.raw("</code>: \(files.count) file(s). <a href=\"")
        html.text(base + "/artifact" + HTML.query([("revision", revision.text)]))
        html.raw("\">Download the artifact (.tar.gz)</a></p>")
        let selectedFile = query.last { $0.key == "file" }?.value
        let selectedPage = query.last { $0.key == "page" }.flatMap { Int($0.value) } ?? 1
        var budget = OutputView.pageBudget
        for path in files.keys.sorted() {
            let bytes = files[path]!
            let pages = OutputView.pages(bytes)
            let isSelected = path == selectedFile
            let pageNumber = isSelected ? min(max(1, selectedPage), pages.count) : 1
            let range = pages[pageNumber - 1]
            let shown = isSelected || range.count <= budget
            html.raw("<section class=\"file\"><details\(shown ? " open" : "")><summary><code>")
            html.text(path)
            html.raw("</code> <span class=\"muted\">\(bytes.count) bytes\(pages.count > 1 ? ", page \(pageNumber) of \(pages.count)" : "")</span></summary>")
            let fileLink = base + "/file" + HTML.query([("revision", revision.text), ("path", path)])
            html.raw("<p class=\"actions\"><a href=\"")
            html.text(fileLink)
            html.raw("\">Download</a></p>")
            if pages.count > 1 { pager(base, revision, path, pageNumber, pages.count, into: &html) }
            if shown {
                budget -= range.count
                let text = String(decoding: bytes[range], as: UTF8.self)
                html.raw(OutputView.page(Substring(text), indent: OutputView.memberIndent(bytes)))
            } else {
                html.raw("<p class=\"muted\">Not shown inline (the page already holds \(OutputView.pageBudget >> 10) KiB of output): <a href=\"")
                html.text(base + HTML.query([("revision", revision.text), ("file", path), ("page", "1")]) + "#output")
                html.raw("\">show this file</a>.</p>")
            }
            html.raw("</details></section>")
        }
    }

    /// Links to the pages of a file that has more than one.
    private func pager(_ base: String, _ revision: SnippetTools.Revision, _ path: String, _ current: Int, _ count: Int,
                       into html: inout HTML) {
        html.raw("<nav class=\"pager\" aria-label=\"Pages of ")
        html.text(path)
        html.raw("\">")
        let wanted = Set([1, current - 1, current, current + 1, count].filter { $0 >= 1 && $0 <= count })
        var last = 0
        for number in wanted.sorted() {
            if number > last + 1 { html.raw("<span>…</span>") }
            last = number
            if number == current {
                html.raw("<span aria-current=\"page\">\(number)</span>")
                continue
            }
            html.raw("<a href=\"")
            html.text(base + HTML.query([("revision", revision.text), ("file", path), ("page", String(number))]) + "#output")
            html.raw("\">\(number)</a>")
        }
        html.raw("</nav>")
    }

    /// The snippet's recent Events, newest first.
    private func events(_ tools: SnippetTools, _ namespace: String, _ name: String, into html: inout HTML) async {
        html.raw("<section aria-labelledby=\"events\"><h2 id=\"events\">Recent events</h2>")
        let events: [KubeObject]
        do {
            events = try await tools.events(namespace, name)
        } catch let error as KubeError where error.isForbidden {
            html.raw("<p class=\"muted\">You may not list Events in this namespace.</p></section>")
            return
        } catch {
            html.notice("Cannot list Events: \(error)")
            html.raw("</section>")
            return
        }
        guard !events.isEmpty else {
            html.raw("<p>No events.</p></section>")
            return
        }
        html.raw("<div class=\"scroll\"><table><thead><tr><th scope=\"col\">Type</th><th scope=\"col\">Reason</th>")
        html.raw("<th scope=\"col\">Message</th><th scope=\"col\">Count</th><th scope=\"col\">Last seen</th></tr></thead><tbody>")
        for event in events.prefix(30) {
            let type = event["type"]?.stringValue ?? ""
            html.raw("<tr class=\"\(type == "Warning" ? "failing" : "")\"><td>")
            html.text(type)
            html.raw("</td><td>")
            html.text(event["reason"]?.stringValue ?? "")
            html.raw("</td><td>")
            let message = event["message"]?.stringValue ?? ""
            html.text(message.count > 1000 ? message.prefix(1000) + "…" : message)
            html.raw("</td><td>\(event["count"]?.intValue ?? 1)</td><td>")
            html.text(ConsoleTime.describe(event["lastTimestamp"]?.stringValue ?? event["eventTime"]?.stringValue))
            html.raw("</td></tr>")
        }
        html.raw("</tbody></table></div></section>")
    }
}

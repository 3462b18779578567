import Hummingbird
import JaaSArtifacts
import JaaSMCP
import Kubernetes

// `…/diff?from=&to=` and the downloads `…/artifact?revision=` and `…/file?revision=&path=`.
extension OperatorPages {
    /// The line diff of two revisions' output; without `from` and `to`, the two newest of `status.history`.
    package func diff(_ visitor: ConsoleAccess.Visitor, namespace: String, name: String,
                      query: [(key: String, value: String)]) async -> Response {
        do {
            return try await diffPage(visitor, namespace, name, query)
        } catch {
            return error.response
        }
    }

    private func diffPage(_ visitor: ConsoleAccess.Visitor, _ namespace: String, _ name: String,
                          _ query: [(key: String, value: String)]) async throws(Refused) -> Response {
        let (tools, snippet) = try await load(visitor, namespace, name)
        let history = (snippet[path: "status", "history"]?.arrayValue ?? []).compactMap { $0["revision"]?.stringValue }
        let base = Self.path(namespace, name)
        let crumbs: [(String, String?)] = [("Snippets", "/ui/"), (namespace, "/ui/?q=" + HTML.urlComponent(namespace + "/")),
                                           (name, base), ("diff", nil)]
        let needsTwo = "\(namespace)/\(name) retains \(history.count) revision(s); a diff needs two (from and to)."
        let from = try revision(query.last { $0.key == "from" }?.value ?? (history.count > 1 ? history[1] : ""), "from",
                                missing: needsTwo, visitor)
        let to = try revision(query.last { $0.key == "to" }?.value ?? history.first ?? "", "to", missing: needsTwo, visitor)
        try await checkOutputAccess(tools, visitor, namespace, name)
        let old = try await files(tools, namespace, name, from, visitor)
        let new = try await files(tools, namespace, name, to, visitor)
        var html = HTML()
        html.raw("<h1>Changes of ")
        html.text("\(namespace)/\(name)")
        html.raw("</h1>")
        // Choosing other revisions: a plain GET form over the retained ones.
        html.raw("<form class=\"filter\" method=\"get\" action=\"")
        html.text(base + "/diff")
        html.raw("\">")
        for (field, chosen) in [("from", from.text), ("to", to.text)] {
            html.raw("<label for=\"\(field)\">\(field == "from" ? "From" : "To")</label><select id=\"\(field)\" name=\"\(field)\">")
            for revision in (history.contains(chosen) ? history : [chosen] + history).prefix(100) {
                html.raw("<option value=\"")
                html.text(revision)
                html.raw(revision == chosen ? "\" selected>" : "\">")
                html.text(Self.short(revision))
                html.raw("</option>")
            }
            html.raw("</select>")
        }
        html.raw("<button type=\"submit\">Compare</button></form>")
        html.raw("<p>From <code class=\"revision\">")
        html.text(from.text)
        html.raw("</code> to <code class=\"revision\">")
        html.text(to.text)
        html.raw("</code>.</p>")
        html.raw(DiffView.html(old, new, fromLabel: from.short, toLabel: to.short))
        return ConsoleResponse.page(title: "Diff \(namespace)/\(name)", breadcrumbs: crumbs, signedIn: visitor.signedIn,
                                    body: html.text)
    }

    /// The stored tarball of `revision`, or one file of it (`path`).
    package func download(_ visitor: ConsoleAccess.Visitor, namespace: String, name: String,
                          query: [(key: String, value: String)], file: Bool) async -> Response {
        do throws(Refused) {
            let tools = self.tools.acting(as: visitor.user)
            let revision = try revision(query.last { $0.key == "revision" }?.value ?? "", "revision",
                                        missing: "revision: required", visitor)
            try await checkOutputAccess(tools, visitor, namespace, name)
            guard file else {
                let tarball: [UInt8]
                do {
                    tarball = try await tools.tarball(namespace, name, revision)
                } catch {
                    throw Refused(response: ConsoleResponse.problem(.notFound, title: "Revision not available",
                                                                    message: error.message, signedIn: visitor.signedIn))
                }
                return ConsoleResponse.download(tarball, fileName: "\(namespace)-\(name)-\(revision.short).tar.gz",
                                                contentType: "application/gzip")
            }
            let path = query.last { $0.key == "path" }?.value ?? ""
            guard let bytes = try await files(tools, namespace, name, revision, visitor)[path] else {
                return ConsoleResponse.problem(.notFound, title: "No such file",
                                               message: "revision \(revision.short) has no file \(path.prefix(200))",
                                               signedIn: visitor.signedIn)
            }
            let baseName = path.split(separator: "/").last.map(String.init) ?? "output"
            return ConsoleResponse.download(bytes, fileName: baseName, contentType: "text/plain; charset=utf-8")
        } catch {
            return error.response
        }
    }

    /// The revision `text` names (400 when it names none: `missing` says why, or it is no revision).
    private func revision(_ text: String, _ field: String, missing: String,
                          _ visitor: ConsoleAccess.Visitor) throws(Refused) -> SnippetTools.Revision {
        let found: SnippetTools.Revision?
        do {
            found = try SnippetTools.revision(text: text, field)
        } catch {
            throw Refused(response: ConsoleResponse.problem(.badRequest, title: "Not a revision", message: error.message,
                                                            signedIn: visitor.signedIn))
        }
        guard let found else {
            throw Refused(response: ConsoleResponse.problem(.badRequest, title: "Which revision?", message: missing,
                                                            signedIn: visitor.signedIn))
        }
        return found
    }

    /// The files of a stored revision (404 when it is not in the store).
    private func files(_ tools: SnippetTools, _ namespace: String, _ name: String, _ revision: SnippetTools.Revision,
                       _ visitor: ConsoleAccess.Visitor) async throws(Refused) -> FileTree {
        do {
            return try await tools.files(namespace, name, revision)
        } catch {
            throw Refused(response: ConsoleResponse.problem(.notFound, title: "Revision not available",
                                                            message: error.message, signedIn: visitor.signedIn))
        }
    }
}

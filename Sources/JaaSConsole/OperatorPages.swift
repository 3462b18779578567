import Foundation
import HTTPTypes
import Hummingbird
import JaaSArtifacts
import JaaSMCP
import JaaSOperatorAPI
import Kubernetes

/// The operator's pages under `/ui/`: every snippet the visitor may list, one
/// snippet's condition, spec, history, output and events, and the diff of two
/// revisions. Each reads through ``SnippetTools`` acting as the visitor, so a page
/// shows only what the visitor's RBAC allows; stored output is shown only after a
/// SubjectAccessReview says the visitor may `get` the snippet.
package struct OperatorPages: Sendable {
    /// The snippet tools with the operator's credentials (each page acts as its visitor;
    /// runbook links start with their `--runbook-base-url`).
    package let tools: SnippetTools

    /// Pages over `tools` (the operator's).
    package init(tools: SnippetTools) {
        self.tools = tools
    }

    /// A page that answers instead of the one asked for (the visitor may not, or the API failed).
    struct Refused: Error {
        let response: Response
    }

    /// The snippet tools acting as `visitor` and the snippet `namespace/name` read with them.
    func load(_ visitor: ConsoleAccess.Visitor, _ namespace: String,
              _ name: String) async throws(Refused) -> (SnippetTools, KubeObject) {
        let tools = self.tools.acting(as: visitor.user)
        do {
            return (tools, try await tools.snippet(namespace, name))
        } catch {
            throw Refused(response: ConsoleResponse.failed(error, doing: "get JsonnetSnippet \(namespace)/\(name)",
                                                           user: visitor.user?.username, signedIn: visitor.signedIn))
        }
    }

    /// Why the visitor may not see the stored output of `namespace/name` (a
    /// SubjectAccessReview for `get` on the snippet), or nothing when it may.
    func checkOutputAccess(_ tools: SnippetTools, _ visitor: ConsoleAccess.Visitor, _ namespace: String,
                           _ name: String) async throws(Refused) {
        let allowed: Bool
        do {
            allowed = try await tools.callerMayRead(namespace, name)
        } catch {
            throw Refused(response: ConsoleResponse.failed(error, doing: "check access to \(namespace)/\(name)",
                                                           user: visitor.user?.username, signedIn: visitor.signedIn))
        }
        guard allowed else {
            throw Refused(response: ConsoleResponse.problem(
                .forbidden, title: "Forbidden",
                message: "\(visitor.user?.username ?? "The console") may not get JsonnetSnippet \(namespace)/\(name), so its output is not shown.",
                signedIn: visitor.signedIn))
        }
    }

    /// The base path of one snippet's pages.
    static func path(_ namespace: String, _ name: String) -> String {
        "/ui/namespaces/\(HTML.urlComponent(namespace))/snippets/\(HTML.urlComponent(name))"
    }

    // MARK: Index

    /// `/ui/`: the snippets grouped by namespace, failing ones first, filtered by
    /// `q` (a substring of namespace, name, status or reason) and `show=failing`.
    package func index(_ visitor: ConsoleAccess.Visitor, query: [(key: String, value: String)],
                       rendererLink: Bool) async -> Response {
        let filter = query.last { $0.key == "q" }?.value.prefix(200).lowercased() ?? ""
        let failingOnly = query.last { $0.key == "show" }?.value == "failing"
        let snippets: [KubeObject]
        do {
            snippets = try await tools.acting(as: visitor.user).snippets(in: nil)
        } catch {
            return ConsoleResponse.failed(error, doing: "list JsonnetSnippets", user: visitor.user?.username,
                                          signedIn: visitor.signedIn)
        }
        let rows = snippets.map(Row.init).filter { row in
            (!failingOnly || row.rank == 0)
                && (filter.isEmpty || "\(row.namespace)/\(row.name) \(row.statusText) \(row.reason)".lowercased().contains(filter))
        }
        var html = HTML()
        html.raw("<h1>Snippets</h1>")
        html.raw("<form class=\"filter\" method=\"get\" action=\"/ui/\" role=\"search\"><label for=\"q\">Filter</label>")
        html.raw("<input id=\"q\" name=\"q\" type=\"search\" value=\"")
        html.text(filter)
        html.raw("\" placeholder=\"namespace, name, reason\"><label for=\"show\">Show</label><select id=\"show\" name=\"show\">")
        html.raw("<option value=\"all\"\(failingOnly ? "" : " selected")>all</option>")
        html.raw("<option value=\"failing\"\(failingOnly ? " selected" : "")>failing only</option></select>")
        html.raw("<button type=\"submit\">Apply</button></form>")
        let failing = rows.filter { $0.rank == 0 }.count
        html.raw("<p class=\"summary\">\(rows.count) snippet(s) shown, <strong>\(failing) failing</strong>, of \(snippets.count) you may list.</p>")
        if rows.isEmpty {
            html.raw("<p class=\"notice\">No snippets to show. You see the namespaces your Kubernetes user may list JsonnetSnippets in.</p>")
        }
        let groups = Dictionary(grouping: rows, by: \.namespace)
        let order = groups.keys.sorted { a, b in
            let fa = groups[a]!.contains { $0.rank == 0 }, fb = groups[b]!.contains { $0.rank == 0 }
            return fa != fb ? fa : a < b
        }
        for namespace in order {
            let members = groups[namespace]!.sorted { ($0.rank, $0.name) < ($1.rank, $1.name) }
            html.raw("<section class=\"namespace\"><h2>Namespace <code>")
            html.text(namespace)
            html.raw("</code></h2><div class=\"scroll\"><table><thead><tr><th scope=\"col\">Name</th><th scope=\"col\">Ready</th>")
            html.raw("<th scope=\"col\">Reason</th><th scope=\"col\">Revision</th><th scope=\"col\">Last sync</th></tr></thead><tbody>")
            for row in members {
                html.raw("<tr class=\"\(row.css)\"><th scope=\"row\"><a href=\"")
                html.text(Self.path(row.namespace, row.name))
                html.raw("\">")
                html.text(row.name)
                html.raw("</a>\(row.suspended ? " <span class=\"badge\">suspended</span>" : "")</th><td><span class=\"badge \(row.css)\">")
                html.text(row.statusText)
                html.raw("</span></td><td>")
                html.text(row.reason)
                html.raw("</td><td><code title=\"")
                html.text(row.revision)
                html.raw("\">")
                html.text(Self.short(row.revision))
                html.raw("</code></td><td>")
                html.text(ConsoleTime.describe(row.lastSync))
                html.raw("</td></tr>")
            }
            html.raw("</tbody></table></div></section>")
        }
        if rendererLink {
            html.raw("<p><a href=\"/ui/render\">Render a snippet from disk</a></p>")
        }
        return ConsoleResponse.page(title: "Snippets", signedIn: visitor.signedIn, body: html.text)
    }

    /// One index row.
    struct Row {
        let namespace, name, status, reason, revision: String
        let lastSync: String?
        let suspended: Bool

        init(_ snippet: KubeObject) {
            namespace = snippet.namespace ?? ""
            name = snippet.name
            let ready = SnippetTools.readyCondition(snippet)
            status = ready.status
            reason = ready.reason ?? ""
            revision = snippet[path: "status", "revision"]?.stringValue ?? ""
            lastSync = snippet[path: "status", "lastSyncTime"]?.stringValue
            suspended = snippet[path: "spec", "suspend"]?.boolValue ?? false
        }

        /// 0 failing, 1 not yet known, 2 ready.
        var rank: Int { status == "False" ? 0 : status == "True" ? 2 : 1 }
        var statusText: String { status == "False" ? "Failing" : status == "True" ? "Ready" : "Pending" }
        var css: String { status == "False" ? "failing" : status == "True" ? "ready" : "pending" }
    }

    /// The first 12 hex digits of `sha256:<hex>`.
    static func short(_ revision: String) -> String {
        let hex = revision.hasPrefix("sha256:") ? revision.dropFirst(7) : Substring(revision)
        return hex.isEmpty ? "—" : String(hex.prefix(12))
    }
}

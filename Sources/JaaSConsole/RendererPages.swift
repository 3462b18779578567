import Foundation
import Hummingbird
import JaaSCore
import JaaSRenderer
import Jsonnet

/// The renderer's pages: the snippets on disk (`/ui/` in renderer mode,
/// `/ui/render` in both modes) and a form rendering one with top-level arguments
/// and external variables, showing its output or its error with the source lines
/// around the error's position. Evaluations go through the renderer's own
/// ``FileRenderer``, under the same gate, workers and budgets as `/jsonnet/`.
package struct RendererPages: Sendable {
    /// The snippets, the evaluator and its settings.
    package let sources: ConsoleRendererSources

    /// Most bindings one form may carry.
    package static let maxBindings = 64
    /// Most output bytes the page shows (the rest is a download).
    package static let shownBytes = 1 << 20

    /// The pages over `sources`.
    package init(_ sources: ConsoleRendererSources) {
        self.sources = sources
    }

    private var resolver: SnippetResolver { sources.resolver }

    /// Whether there is any snippet on disk to offer.
    package var hasSnippets: Bool { !resolver.names(limit: 1).isEmpty }

    /// The snippets on disk, each a link to its form.
    package func list(_ visitor: ConsoleAccess.Visitor) -> Response {
        let names = resolver.names()
        var html = HTML()
        html.raw("<h1>Snippets on disk</h1>")
        if names.isEmpty {
            html.raw("<p class=\"notice\">No snippets: start jaas with --snippet-directory or --snippet.</p>")
        } else {
            html.raw("<p>\(names.count) snippet(s). Each renders at <code>/jsonnet/&lt;name&gt;</code> on the renderer's port; here you can try one with arguments.</p><ul class=\"snippets\">")
            for name in names {
                html.raw("<li><a href=\"")
                html.text("/ui/render" + HTML.query([("snippet", name)]))
                html.raw("\">")
                html.text(name)
                html.raw("</a></li>")
            }
            html.raw("</ul>")
        }
        return ConsoleResponse.page(title: "Snippets on disk", signedIn: visitor.signedIn, body: html.text)
    }

    /// `/ui/render?snippet=<name>[&tlas=…&ext=…&render=1]`: the form, and with
    /// `render` the output or the error. `raw` answers the whole output as a download.
    package func render(_ visitor: ConsoleAccess.Visitor, query: [(key: String, value: String)], raw: Bool) async -> Response {
        func field(_ key: String) -> String { query.last { $0.key == key }?.value ?? "" }
        let name = field("snippet")
        guard !name.isEmpty else { return list(visitor) }
        guard let snippet = resolver.resolve(name) else {
            return ConsoleResponse.problem(.notFound, title: "No such snippet",
                                           message: "There is no snippet \(name.prefix(200)) on disk.", signedIn: visitor.signedIn)
        }
        let tlaText = field("tlas"), extText = field("ext")
        var html = HTML()
        html.raw("<h1>Render <code>")
        html.text(name)
        html.raw("</code></h1>")
        html.raw("<form class=\"render\" method=\"get\" action=\"/ui/render\"><input type=\"hidden\" name=\"snippet\" value=\"")
        html.text(name)
        html.raw("\"><p class=\"hint\" id=\"bindings-hint\">One binding a line: <code>name=value</code> binds a string, <code>name:=code</code> binds Jsonnet code.</p>")
        html.raw("<label for=\"tlas\">Top-level arguments</label><textarea id=\"tlas\" name=\"tlas\" rows=\"4\" aria-describedby=\"bindings-hint\" spellcheck=\"false\">")
        html.text(tlaText)
        html.raw("</textarea><label for=\"ext\">External variables</label><textarea id=\"ext\" name=\"ext\" rows=\"4\" aria-describedby=\"bindings-hint\" spellcheck=\"false\">")
        html.text(extText)
        html.raw("</textarea><button type=\"submit\" name=\"render\" value=\"1\">Render</button></form>")
        let crumbs: [(String, String?)] = [("Snippets on disk", "/ui/render"), (name, nil)]
        guard !field("render").isEmpty || raw else {
            return ConsoleResponse.page(title: "Render \(name)", breadcrumbs: crumbs, signedIn: visitor.signedIn, body: html.text)
        }
        let tlas: [String: ExternalValue], extra: [String: ExternalValue]
        do {
            tlas = try Self.bindings(tlaText, "Top-level arguments")
            extra = try Self.bindings(extText, "External variables")
        } catch {
            html.raw("<section class=\"result\">")
            html.notice(error.message)
            html.raw("</section>")
            return ConsoleResponse.page(.badRequest, title: "Render \(name)", breadcrumbs: crumbs,
                                        signedIn: visitor.signedIn, body: html.text)
        }
        let request = RenderRequest(entryPath: snippet.entryPath, fileName: snippet.fileName,
                                    libraryPaths: sources.libraryPaths,
                                    externalVariables: sources.externalVariables.merging(extra) { _, form in form },
                                    topLevelArguments: tlas, maxStack: sources.maxStack, memoryLimit: sources.memoryLimit)
        let result: Result<String, RenderError>
        do {
            result = .success(try await sources.renderer.evaluate(request))
        } catch {
            result = .failure(error)
        }
        if raw, case .success(let output) = result {
            return ConsoleResponse.download(Array(output.utf8), fileName: "\(name.split(separator: "/").last ?? "output").json",
                                            contentType: "application/json")
        }
        html.raw("<section class=\"result\" aria-labelledby=\"result\">")
        switch result {
        case .success(let output):
            let bytes = Array(output.utf8)
            html.raw("<h2 id=\"result\">Output</h2><p class=\"muted\">\(bytes.count) bytes. <a href=\"")
            html.text("/ui/render/raw" + HTML.query(query.filter { $0.key != "render" }.map { ($0.key, $0.value) }))
            html.raw("\">Download</a></p>")
            if bytes.count > Self.shownBytes {
                html.raw("<p class=\"notice\">The first \(Self.shownBytes >> 10) KiB are shown; download the rest.</p>")
            }
            let shown = OutputView.pages(bytes, pageBytes: Self.shownBytes)[0]
            html.raw(OutputView.page(Substring(String(decoding: bytes[shown], as: UTF8.self)), indent: OutputView.memberIndent(bytes)))
        case .failure(let error):
            html.raw("<h2 id=\"result\">Error</h2>")
            describe(error, snippet: snippet, into: &html)
        }
        html.raw("</section>")
        let status: HTTPResponse.Status = switch result {
        case .success: .ok
        case .failure(.timedOut): .gatewayTimeout
        case .failure(.unavailable): .serviceUnavailable
        case .failure: .unprocessableContent
        }
        return ConsoleResponse.page(status, title: "Render \(name)", breadcrumbs: crumbs, signedIn: visitor.signedIn,
                                    body: html.text)
    }

    /// The error, and for an evaluation error the snippet's lines around its position.
    private func describe(_ error: RenderError, snippet: SnippetResolver.Snippet, into html: inout HTML) {
        switch error {
        case .evaluationFailed(let diagnostic):
            html.raw("<pre class=\"error\" role=\"alert\">")
            html.text(diagnostic.count > 64 << 10 ? diagnostic.prefix(64 << 10) + "…" : diagnostic)
            html.raw("</pre>")
            if let (line, column) = Self.position(in: diagnostic, file: snippet.fileName) {
                html.raw("<p>At line \(line), column \(column) of <code>")
                html.text(snippet.fileName)
                html.raw("</code>:</p>")
                excerpt(snippet.entryPath, line: line, into: &html)
            }
        case .timedOut: html.notice("The evaluation ran past the evaluation timeout and was stopped.")
        case .unavailable: html.notice("Too many evaluations are running; try again shortly.")
        case .entryNotFound: html.notice("The snippet's file cannot be read.")
        case .cancelled: html.notice("The evaluation was cancelled.")
        }
    }

    /// Lines `line - 3 … line + 3` of the file, `line` marked.
    private func excerpt(_ path: String, line: Int, into html: inout HTML) {
        guard let data = FileManager.default.contents(atPath: path), data.count <= 4 << 20 else { return }
        let lines = String(decoding: data, as: UTF8.self)
            .split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
        guard line >= 1, line <= lines.count else { return }
        html.raw("<pre class=\"excerpt\">")
        for number in max(1, line - 3)...min(lines.count, line + 3) {
            let text = lines[number - 1]
            html.raw(number == line ? "<mark>" : "<span>")
            html.text(String(format: "%5d  ", number) + (text.count > 300 ? text.prefix(300) + "…" : text))
            html.raw(number == line ? "</mark>" : "</span>")
        }
        html.raw("</pre>")
    }

    /// The first `file:line:column` (or `file:(line:column)`) in `diagnostic`.
    package static func position(in diagnostic: String, file: String) -> (Int, Int)? {
        var rest = Substring(diagnostic)
        while let found = rest.range(of: file + ":") {
            var tail = rest[found.upperBound...]
            if tail.first == "(" { tail = tail.dropFirst() }
            let line = tail.prefix { $0.isASCII && $0.isNumber }
            let afterLine = tail.dropFirst(line.count)
            if !line.isEmpty, afterLine.first == ":" {
                let column = afterLine.dropFirst().prefix { $0.isASCII && $0.isNumber }
                if line.count <= 9, column.count <= 9, let l = Int(line), let c = Int(column) { return (l, c) }
            }
            rest = rest[found.upperBound...]
        }
        return nil
    }

    /// A form's field that cannot be used; the message names the field and line.
    package struct FormError: Error {
        /// What is wrong, naming the field and line.
        package let message: String
    }

    /// The bindings of a textarea: `name=value` (a string) or `name:=code` a line;
    /// empty lines and lines starting with `#` are skipped. Code may not contain
    /// `import` (any of the three import keywords) or `extVar`.
    package static func bindings(_ text: String, _ label: String) throws(FormError) -> [String: ExternalValue] {
        var result: [String: ExternalValue] = [:]
        // ("\r\n" is one Character in Swift: split on it as well as on "\n".)
        for (index, line) in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
            .enumerated() {
            if line.allSatisfy(\.isWhitespace) || line.hasPrefix("#") { continue }
            guard let equals = line.firstIndex(of: "=") else {
                throw FormError(message: "\(label), line \(index + 1): expected name=value or name:=code")
            }
            var name = line[..<equals]
            let code = name.hasSuffix(":")
            if code { name = name.dropLast() }
            let trimmed = name.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty, trimmed.utf8.count <= 256, !trimmed.contains(where: \.isWhitespace) else {
                throw FormError(message: "\(label), line \(index + 1): a name is one word of at most 256 bytes")
            }
            let value = String(line[line.index(after: equals)...])
            // Code runs with the renderer's importer, which reads any file the server may
            // read, and sees the server's external variables: a visitor's code may do neither.
            // (Imports need the literal keyword, so the text test is sound; it may refuse
            // a string that merely contains the word.)
            if code, let word = ["import", "extVar"].first(where: { value.contains($0) }) {
                throw FormError(message: "\(label), line \(index + 1): code bindings may not use \(word) (it would read the server's files or settings); bind a string with name=value instead")
            }
            result[trimmed] = code ? .code(value) : .string(value)
            guard result.count <= maxBindings else {
                throw FormError(message: "\(label): at most \(maxBindings) bindings")
            }
        }
        return result
    }
}

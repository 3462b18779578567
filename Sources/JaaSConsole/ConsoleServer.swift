import Foundation
import HTTPTypes
import Hummingbird
import JaaSRenderer
import Kubernetes
import Logging
import NIOCore

/// The web console (`--enable-ui`, `--ui-bind-address`): server-rendered pages under
/// `/ui/`, without script, with one stylesheet. In operator mode the snippets of the
/// cluster (``OperatorPages``); in both modes the snippets on disk (``RendererPages``).
/// Every page but the stylesheet and the sign-in form needs a visitor
/// ``ConsoleAccess`` lets in; a request without one gets the sign-in page with 401.
package struct ConsoleServer: Sendable {
    /// Who gets in.
    package let access: ConsoleAccess
    /// The cluster's pages (operator mode), or nil.
    package let operatorPages: OperatorPages?
    /// The render form's pages, or nil.
    package let rendererPages: RendererPages?
    /// How many heavy pages run at once, per visitor and in all.
    package let load: ConsoleLoad

    /// Largest form body accepted (the sign-in form).
    package static let maxFormBytes = 64 << 10

    /// A console letting in whom `access` accepts, with these pages.
    package init(access: ConsoleAccess, operatorPages: OperatorPages?, rendererPages: RendererPages?,
                 load: ConsoleLoad = ConsoleLoad()) {
        self.access = access
        self.operatorPages = operatorPages
        self.rendererPages = rendererPages
        self.load = load
    }

    /// The console's routes: one responder that reads the raw path itself.
    package func router(logger: Logger) -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: Responder(server: self, logger: logger))
        return router
    }

    /// Serves on `host:port` until cancelled; `onRunning` receives the bound port.
    package func run(host: String, port: Int, logger: Logger, onRunning: @escaping @Sendable (Int) async -> Void) async throws {
        try await serveHTTP1(router: router(logger: logger), host: host, port: port, channelHandlers: {
            [ConnectionDeadlineHandler(readTimeout: .seconds(30), writeTimeout: .seconds(120))]
        }, logger: logger, onRunning: onRunning)
    }

    private struct Responder: RouterMiddleware {
        typealias Context = BasicRequestContext
        let server: ConsoleServer
        let logger: Logger

        func handle(_ request: Request, context: Context,
                    next: (Request, Context) async throws -> Response) async throws -> Response {
            await server.respond(request, logger: logger)
        }
    }

    /// The answer to `request`.
    package func respond(_ request: Request, logger: Logger) async -> Response {
        let path = request.uri.path
        let query = QueryArguments.pairs(request.uri.query)
        switch (request.method, path) {
        case (.get, "/"), (.get, "/ui"):
            return ConsoleResponse.redirect("/ui/")
        case (.get, "/ui/console.css"), (.head, "/ui/console.css"):
            var headers = ConsoleResponse.securityHeaders
            headers[.contentType] = "text/css; charset=utf-8"
            headers[.cacheControl] = "public, max-age=3600"
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: ConsoleStyle.css)))
        case (.get, "/ui/sign-in"):
            return signInPage(.ok, note: nil, next: query.last { $0.key == "next" }?.value, request: request)
        case (.post, "/ui/sign-in"):
            return await signIn(request, logger: logger)
        case (.post, "/ui/sign-out"):
            return await signOut(request, logger: logger)
        default:
            break
        }
        guard path.hasPrefix("/ui/") else {
            return ConsoleResponse.problem(.notFound, title: "Not found", message: "The console lives under /ui/.", signedIn: nil)
        }
        let visitor: ConsoleAccess.Visitor
        switch await access.visitor(of: request, logger: logger) {
        case .success(let found): visitor = found
        case .failure(.noToken): return signInPage(.unauthorized, note: nil, next: request.uri.description, request: request)
        case .failure(.invalidToken(let why)):
            return signInPage(.unauthorized, note: why, next: request.uri.description, request: request,
                              extra: [ConsoleAccess.setCookie(ConsoleAccess.tokenCookie, "", maxAge: 0, request: request)])
        case .failure(.unavailable):
            var response = ConsoleResponse.problem(.serviceUnavailable, title: "Try again shortly",
                                                   message: "Your token cannot be checked right now (the API server is busy or unreachable).",
                                                   signedIn: nil)
            response.headers[.retryAfter] = "1"
            return response
        }
        guard request.method == .get || request.method == .head else {
            var response = ConsoleResponse.problem(.methodNotAllowed, title: "Method not allowed",
                                                   message: "The console's pages only answer GET.", signedIn: visitor.signedIn)
            response.headers[.allow] = "GET, HEAD"
            return response
        }
        let segments = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst(2).map(String.init)
        switch segments {
        case [""]:
            if let operatorPages {
                return await operatorPages.index(visitor, query: query, rendererLink: rendererPages?.hasSnippets ?? false)
            }
            return rendererPages?.list(visitor) ?? notFound(visitor)
        case ["render"], ["render", "raw"]:
            guard let rendererPages else { return notFound(visitor) }
            return await heavy(visitor) { await rendererPages.render(visitor, query: query, raw: segments.count == 2) }
        default:
            break
        }
        // namespaces/<ns>/snippets/<name>[/diff|/artifact|/file]
        guard let operatorPages, segments.count >= 4, segments.count <= 5, segments[0] == "namespaces", segments[2] == "snippets",
              KubeObject.isName(segments[1]), KubeObject.isName(segments[3]) else {
            return notFound(visitor)
        }
        let (namespace, name) = (segments[1], segments[3])
        let page = segments.count == 5 ? segments[4] : ""
        guard ["", "diff", "artifact", "file"].contains(page) else { return notFound(visitor) }
        return await heavy(visitor) {
            switch page {
            case "": await operatorPages.snippet(visitor, namespace: namespace, name: name, query: query)
            case "diff": await operatorPages.diff(visitor, namespace: namespace, name: name, query: query)
            default: await operatorPages.download(visitor, namespace: namespace, name: name, query: query, file: page == "file")
            }
        }
    }

    /// `page` within ``load``'s bounds; over them, refused at once with `Retry-After`.
    private func heavy(_ visitor: ConsoleAccess.Visitor, _ page: () async -> Response) async -> Response {
        let key = visitor.user?.username ?? ""
        if let refusal = await load.enter(key) {
            let message = refusal == .tooManyRequests
                ? "You already have \(load.perVisitor) outputs, diffs, downloads or renders in progress; retry when one of them ends."
                : "The console is showing \(load.total) outputs, diffs, downloads or renders at once; try again in a moment."
            var response = ConsoleResponse.problem(refusal, title: "Busy", message: message, signedIn: visitor.signedIn)
            response.headers[.retryAfter] = "1"
            return response
        }
        let response = await page()
        await load.leave(key)
        return response
    }

    private func notFound(_ visitor: ConsoleAccess.Visitor) -> Response {
        ConsoleResponse.problem(.notFound, title: "Not found", message: "There is no such page.", signedIn: visitor.signedIn)
    }

    // MARK: Signing in and out

    /// The sign-in form (with a fresh form token in its cookie), answered with `status`.
    private func signInPage(_ status: HTTPResponse.Status, note: String?, next: String?, request: Request,
                            extra: [HTTPField] = []) -> Response {
        guard access.authenticator != nil else { return ConsoleResponse.redirect(ConsoleAccess.safeNext(next)) }
        let csrf = ConsoleAccess.newCSRF()
        var html = HTML()
        html.raw("<h1>Sign in</h1>")
        if let note { html.notice(note) }
        html.raw("<p>The console shows what your Kubernetes user may see. Sign in with a bearer token, for example one made by <code>kubectl create token &lt;service-account&gt; -n &lt;namespace&gt;</code>. It is kept in a cookie only this console reads, for at most \(ConsoleAccess.sessionSeconds / 3600) hours.</p>")
        html.raw("<form class=\"signin\" method=\"post\" action=\"/ui/sign-in\"><input type=\"hidden\" name=\"csrf\" value=\"\(csrf)\">")
        html.raw("<input type=\"hidden\" name=\"next\" value=\"")
        html.text(ConsoleAccess.safeNext(next))
        html.raw("\"><label for=\"token\">Bearer token</label>")
        html.raw("<input id=\"token\" name=\"token\" type=\"password\" autocomplete=\"off\" required spellcheck=\"false\">")
        html.raw("<button type=\"submit\">Sign in</button></form>")
        var fields = [ConsoleAccess.setCookie(ConsoleAccess.csrfCookie, csrf, maxAge: 3600, request: request)] + extra
        if status == .unauthorized { fields.append(HTTPField(name: .wwwAuthenticate, value: #"Bearer realm="jaas-ui""#)) }
        return ConsoleResponse.page(status, title: "Sign in", signedIn: nil, body: html.text, extra: fields)
    }

    /// The fields of a form POST (at most ``maxFormBytes``), or nil when it is not one.
    private func form(_ request: Request) async -> [(key: String, value: String)]? {
        guard request.headers[.contentType]?.lowercased().hasPrefix("application/x-www-form-urlencoded") == true,
              let body = try? await request.body.collect(upTo: Self.maxFormBytes) else { return nil }
        return QueryArguments.pairs(String(decoding: body.readableBytesView, as: UTF8.self))
    }

    private func signIn(_ request: Request, logger: Logger) async -> Response {
        guard access.authenticator != nil else { return ConsoleResponse.redirect("/ui/") }
        if let why = ConsoleAccess.crossSiteRefusal(request) {
            return ConsoleResponse.problem(.forbidden, title: "Refused", message: why, signedIn: nil)
        }
        guard let fields = await form(request) else {
            return signInPage(.badRequest, note: "Send the sign-in form (at most 64 KiB).", next: nil, request: request)
        }
        func field(_ key: String) -> String { fields.last { $0.key == key }?.value ?? "" }
        let next = field("next")
        guard let expected = ConsoleAccess.cookie(ConsoleAccess.csrfCookie, in: request.headers), expected.utf8.count == 64,
              field("csrf") == expected else {
            return signInPage(.forbidden, note: "The form expired or did not come from this console; sign in again.",
                              next: next, request: request)
        }
        let token = field("token").trimmingCharacters(in: .whitespacesAndNewlines)
        guard ConsoleAccess.isTokenShaped(token) else {
            return signInPage(.unauthorized, note: "That is not a bearer token.", next: next, request: request)
        }
        switch await access.authenticator!.authenticate(token) {
        case .authenticated(let user):
            logger.info("console sign-in", metadata: ["user": "\(user.username)"])
            return ConsoleResponse.redirect(ConsoleAccess.safeNext(next), cookies: [
                ConsoleAccess.setCookie(ConsoleAccess.tokenCookie, token, maxAge: ConsoleAccess.sessionSeconds, request: request),
                ConsoleAccess.setCookie(ConsoleAccess.csrfCookie, "", maxAge: 0, request: request),
            ])
        case .rejected:
            return signInPage(.unauthorized, note: "The token was not accepted (expired, revoked or for another cluster).",
                              next: next, request: request)
        case .unavailable(let why):
            logger.warning("console sign-in: the token could not be checked", metadata: ["reason": "\(why)"])
            return signInPage(.serviceUnavailable, note: "The token cannot be checked right now; try again shortly.",
                              next: next, request: request)
        }
    }

    private func signOut(_ request: Request, logger: Logger) async -> Response {
        if let why = ConsoleAccess.crossSiteRefusal(request) {
            return ConsoleResponse.problem(.forbidden, title: "Refused", message: why, signedIn: nil)
        }
        guard let token = ConsoleAccess.cookie(ConsoleAccess.tokenCookie, in: request.headers), !token.isEmpty else {
            return ConsoleResponse.redirect("/ui/sign-in")
        }
        guard let fields = await form(request), fields.last(where: { $0.key == "csrf" })?.value == ConsoleAccess.sessionCSRF(token) else {
            return ConsoleResponse.problem(.forbidden, title: "Refused",
                                           message: "The sign-out form did not come from this console.", signedIn: nil)
        }
        return ConsoleResponse.redirect("/ui/sign-in", cookies: [
            ConsoleAccess.setCookie(ConsoleAccess.tokenCookie, "", maxAge: 0, request: request),
        ])
    }
}

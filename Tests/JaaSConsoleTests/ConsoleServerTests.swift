import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
@testable import JaaSConsole
import JaaSCore
import JaaSMCP
import JaaSRenderer
import Kubernetes
import Logging
import NIOCore
import Testing
import TestSupport

/// Tokens as a test decides: `good-<user>` is that user, `down` cannot be checked, anything else is refused.
struct FakeAuthenticator: MCPAuthenticator {
    func authenticate(_ token: String) async -> MCPAuthenticationOutcome {
        if token == "down" { return .unavailable("the API server is away") }
        guard token.hasPrefix("good-") else { return .rejected("unknown token") }
        return .authenticated(UserInfo(username: String(token.dropFirst(5))))
    }
}

/// The console over HTTP in renderer mode (snippets on disk): who gets in, what the
/// forms accept, and what the render page shows for good and hostile input.
struct ConsoleServerTests {
    let directory: TemporaryDirectory

    init() throws {
        directory = try TemporaryDirectory(prefix: "jaas-console-")
        try directory.write("snippets/hello/main.jsonnet", "function(name='you') { greeting: 'Hello ' + name }\n")
        try directory.write("snippets/broken/main.jsonnet", "{\n  a: 1,\n  b: error 'no b for you',\n}\n")
        try directory.write("snippets/env/main.jsonnet", "{ env: std.extVar('env') }\n")
        try directory.write("snippets/huge/main.jsonnet", "{ big: std.repeat('x', 1536 * 1024) }\n")
        try directory.write("snippets/nested/deeper/main.jsonnet", "{}\n")
        try directory.write("outside/main.jsonnet", "{ secret: true }\n")
        try directory.symlink("snippets/escape", to: directory.at("outside"))
    }

    func server(authenticated: Bool = true, load: ConsoleLoad = ConsoleLoad()) throws -> ConsoleServer {
        let resolver = try SnippetResolver(snippetFiles: [], snippetDirectories: [directory.at("snippets")])
        let renderer = FileRenderer(gate: EvaluationGate(maxConcurrent: 4, timeout: .seconds(10)), cache: nil)
        let pages = RendererPages(ConsoleRendererSources(resolver: resolver, renderer: renderer, libraryPaths: [],
                                                         externalVariables: ["env": .string("test")], maxStack: 500,
                                                         memoryLimit: nil))
        return ConsoleServer(access: ConsoleAccess(authenticator: authenticated ? FakeAuthenticator() : nil),
                             operatorPages: nil, rendererPages: pages, load: load)
    }

    func withClient(authenticated: Bool = true, _ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let app = Application(router: try server(authenticated: authenticated).router(logger: Logger(label: "test")))
        try await app.test(.router) { client in try await body(client) }
    }

    func text(_ response: TestResponse) -> String { String(buffer: response.body) }

    @Test func noTokenGetsTheSignInPageAndNoData() async throws {
        try await withClient { client in
            for uri in ["/ui/", "/ui/render?snippet=hello&render=1", "/ui/render/raw?snippet=hello"] {
                let response = try await client.execute(uri: uri, method: .get)
                #expect(response.status == .unauthorized, "\(uri)")
                #expect(response.headers[.wwwAuthenticate] == #"Bearer realm="jaas-ui""#)
                let page = text(response)
                #expect(page.contains("<form class=\"signin\" method=\"post\" action=\"/ui/sign-in\">"))
                // (The page may name the requested URL, in the form's `next`; never a snippet or its output.)
                #expect(!page.contains(">hello</a>") && !page.contains("Hello"), "\(uri) leaks data")
                let cookie = response.headers[values: .setCookie].first { $0.hasPrefix("jaas_ui_csrf=") } ?? ""
                #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Path=/ui"))
            }
            // A refused token, a token of the wrong shape, another scheme: 401 too, and the cookie is cleared.
            for headers: HTTPFields in [[.authorization: "Bearer nope"], [.cookie: "jaas_ui_token=nope"],
                                        [.authorization: "Bearer a;b"], [.authorization: "Basic YTpi"]] {
                let response = try await client.execute(uri: "/ui/", method: .get, headers: headers)
                #expect(response.status == .unauthorized)
                #expect(response.headers[values: .setCookie].contains { $0.hasPrefix("jaas_ui_token=;") && $0.contains("Max-Age=0") })
                #expect(!text(response).contains(">hello</a>"))
            }
            let down = try await client.execute(uri: "/ui/", method: .get, headers: [.authorization: "Bearer down"])
            #expect(down.status == .serviceUnavailable && down.headers[.retryAfter] == "1")
        }
    }

    @Test func aTokenInTheHeaderOrTheCookieLetsIn() async throws {
        try await withClient { client in
            let byHeader = try await client.execute(uri: "/ui/", method: .get, headers: [.authorization: "Bearer good-alice"])
            #expect(byHeader.status == .ok)
            let page = text(byHeader)
            for name in ["hello", "broken", "env", "huge", "nested/deeper"] { #expect(page.contains(">\(name)</a>"), "\(name)") }
            #expect(!page.contains("escape"), "a symlink out of the directory is no snippet")
            #expect(page.contains("alice") && !page.contains("Sign out"), "a header session has nothing to sign out of")
            let csp = byHeader.headers[HTTPField.Name("Content-Security-Policy")!] ?? ""
            #expect(csp.contains("default-src 'none'") && !csp.contains("unsafe"))
            #expect(byHeader.headers[HTTPField.Name("X-Frame-Options")!] == "DENY")
            #expect(byHeader.headers[.cacheControl] == "no-store")

            let byCookie = try await client.execute(uri: "/ui/", method: .get, headers: [.cookie: "jaas_ui_token=good-alice"])
            #expect(byCookie.status == .ok)
            #expect(text(byCookie).contains("name=\"csrf\" value=\"\(ConsoleAccess.sessionCSRF("good-alice"))\""))
            // Pages answer GET only.
            let post = try await client.execute(uri: "/ui/", method: .post, headers: [.authorization: "Bearer good-alice"])
            #expect(post.status == .methodNotAllowed)
        }
    }

    @Test func signInNeedsTheFormsOwnTokenAndAGoodBearerToken() async throws {
        try await withClient { client in
            let form = try await client.execute(uri: "/ui/sign-in?next=/ui/render", method: .get)
            #expect(form.status == .ok)
            let csrfCookie = try #require(form.headers[values: .setCookie].first { $0.hasPrefix("jaas_ui_csrf=") })
            let csrf = String(csrfCookie.dropFirst("jaas_ui_csrf=".count).prefix(64))
            #expect(text(form).contains("value=\"\(csrf)\"") && text(form).contains("value=\"/ui/render\""))

            func post(_ body: String, cookie: String?, extra: HTTPFields = [:]) async throws -> TestResponse {
                var headers: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
                if let cookie { headers[.cookie] = cookie }
                for field in extra { headers.append(field) }
                return try await client.execute(uri: "/ui/sign-in", method: .post, headers: headers, body: ByteBuffer(string: body))
            }
            // No form cookie, another form token, another site: refused before the token is looked at.
            #expect(try await post("csrf=\(csrf)&token=good-alice", cookie: nil).status == .forbidden)
            #expect(try await post("csrf=\(String(repeating: "0", count: 64))&token=good-alice", cookie: "jaas_ui_csrf=\(csrf)").status == .forbidden)
            #expect(try await post("csrf=\(csrf)&token=good-alice", cookie: "jaas_ui_csrf=\(csrf)",
                                   extra: [HTTPField.Name("Origin")!: "https://evil.example", HTTPField.Name("Host")!: "console.local"]).status == .forbidden)
            #expect(try await post("csrf=\(csrf)&token=good-alice", cookie: "jaas_ui_csrf=\(csrf)",
                                   extra: [HTTPField.Name("Sec-Fetch-Site")!: "cross-site"]).status == .forbidden)
            // A refused token, a header-injecting one.
            #expect(try await post("csrf=\(csrf)&token=bad", cookie: "jaas_ui_csrf=\(csrf)").status == .unauthorized)
            let injected = try await post("csrf=\(csrf)&token=good-x%0D%0ASet-Cookie%3A%20a%3Db", cookie: "jaas_ui_csrf=\(csrf)")
            #expect(injected.status == .unauthorized && !injected.headers[values: .setCookie].contains { $0.hasPrefix("a=") })
            // The right form: a 303 to where the visitor was going, the token in an HttpOnly, SameSite=Strict cookie.
            let done = try await post("csrf=\(csrf)&token=good-alice&next=%2F%2Fevil.example%2F", cookie: "jaas_ui_csrf=\(csrf)",
                                      extra: [HTTPField.Name("Sec-Fetch-Site")!: "same-origin"])
            #expect(done.status == .seeOther && done.headers[.location] == "/ui/")
            let session = try #require(done.headers[values: .setCookie].first { $0.hasPrefix("jaas_ui_token=good-alice") })
            #expect(session.contains("HttpOnly") && session.contains("SameSite=Strict") && session.contains("Path=/ui"))
            #expect(!session.contains("Secure"), "plain HTTP (port-forward) cannot keep a Secure cookie")
            let proxied = try await post("csrf=\(csrf)&token=good-alice", cookie: "jaas_ui_csrf=\(csrf)",
                                         extra: [HTTPField.Name("X-Forwarded-Proto")!: "https"])
            #expect(proxied.headers[values: .setCookie].contains { $0.hasPrefix("jaas_ui_token=") && $0.contains("; Secure") })

            // Signing out needs the session's own form token.
            func signOut(_ body: String) async throws -> TestResponse {
                try await client.execute(uri: "/ui/sign-out", method: .post,
                                         headers: [.contentType: "application/x-www-form-urlencoded", .cookie: "jaas_ui_token=good-alice"],
                                         body: ByteBuffer(string: body))
            }
            #expect(try await signOut("csrf=nope").status == .forbidden)
            let out = try await signOut("csrf=\(ConsoleAccess.sessionCSRF("good-alice"))")
            #expect(out.status == .seeOther && out.headers[values: .setCookie].contains { $0.hasPrefix("jaas_ui_token=;") })
        }
    }

    @Test func renderShowsOutputOrTheErrorWithItsPosition() async throws {
        try await withClient { client in
            let auth: HTTPFields = [.authorization: "Bearer good-alice"]
            let form = try await client.execute(uri: "/ui/render?snippet=hello", method: .get, headers: auth)
            #expect(form.status == .ok && text(form).contains("<textarea id=\"tlas\" name=\"tlas\""))
            #expect(!text(form).contains("Hello"), "the form alone renders nothing")

            let ok = try await client.execute(uri: "/ui/render?snippet=hello&render=1&tlas=name%3D%3Cscript%3Ex", method: .get, headers: auth)
            #expect(ok.status == .ok)
            #expect(text(ok).contains("Hello &lt;script&gt;x") && !text(ok).contains("<script>"))
            let raw = try await client.execute(uri: "/ui/render/raw?snippet=hello&tlas=name%3DWorld", method: .get, headers: auth)
            #expect(raw.status == .ok && String(buffer: raw.body).contains("\"greeting\": \"Hello World\""))
            #expect(raw.headers[.contentDisposition]?.hasPrefix("attachment;") == true)

            let broken = try await client.execute(uri: "/ui/render?snippet=broken&render=1", method: .get, headers: auth)
            #expect(broken.status == .unprocessableContent)
            #expect(text(broken).contains("no b for you") && text(broken).contains("At line 3, column"))
            #expect(text(broken).contains("<mark>    3  "))

            let code = try await client.execute(uri: "/ui/render?snippet=hello&render=1&tlas=name%3A%3D%27a%27%20%2B%20%27b%27",
                                                method: .get, headers: auth)
            #expect(text(code).contains("Hello ab"))
            // The server's external variables, and the form's winning over them.
            let configured = try await client.execute(uri: "/ui/render?snippet=env&render=1", method: .get, headers: auth)
            #expect(text(configured).contains("&quot;env&quot;: &quot;test&quot;"))
            let overridden = try await client.execute(uri: "/ui/render?snippet=env&render=1&ext=env%3Dform", method: .get, headers: auth)
            #expect(text(overridden).contains("&quot;env&quot;: &quot;form&quot;"))
            // Code that would read the server's files is refused before anything is evaluated.
            try directory.write("secret.txt", "top secret")
            let stolen = try await client.execute(
                uri: "/ui/render?snippet=hello&render=1&tlas=name%3A%3Dimportstr%20%27\(directory.at("secret.txt"))%27",
                method: .get, headers: auth)
            #expect(stolen.status == .badRequest && !text(stolen).contains("top secret"))
            let badForm = try await client.execute(uri: "/ui/render?snippet=hello&render=1&tlas=oops", method: .get, headers: auth)
            #expect(badForm.status == .badRequest && text(badForm).contains("line 1: expected name=value"))

            for hostile in ["../outside", "escape", "%2e%2e/outside", "/etc/passwd", "hello/../../outside"] {
                let response = try await client.execute(uri: "/ui/render?snippet=\(hostile)&render=1", method: .get, headers: auth)
                #expect(response.status == .notFound, "\(hostile)")
                #expect(!text(response).contains("secret"))
            }
        }
    }

    @Test func heavyPagesAreBoundedPerVisitorAndInAll() async throws {
        let load = ConsoleLoad(perVisitor: 2, total: 3)
        let app = Application(router: try server(load: load).router(logger: Logger(label: "test")))
        try await app.test(.router) { client in
            func render(_ user: String) async throws -> TestResponse {
                try await client.execute(uri: "/ui/render?snippet=hello&render=1", method: .get,
                                         headers: [.authorization: "Bearer good-\(user)"])
            }
            // Alice has two pages in progress (held here): a third is refused at once, without rendering.
            #expect(await load.enter("alice") == nil)
            #expect(await load.enter("alice") == nil)
            let refused = try await render("alice")
            #expect(refused.status == .tooManyRequests && refused.headers[.retryAfter] == "1")
            #expect(text(refused).contains("You already have 2") && !text(refused).contains("Hello"))
            // Bob is not held up by Alice's bound, and his page counts out when it ends.
            let bob = try await render("bob")
            #expect(bob.status == .ok && text(bob).contains("Hello you"))
            #expect(await load.inProgress("bob") == (all: 2, visitor: 0))
            // With three in progress the console is full for everyone.
            #expect(await load.enter("carol") == nil)
            let full = try await render("bob")
            #expect(full.status == .serviceUnavailable && full.headers[.retryAfter] == "1")
            await load.leave("carol")
            await load.leave("alice")
            let again = try await render("alice")
            #expect(again.status == .ok && text(again).contains("Hello you"))
            #expect(await load.inProgress("alice") == (all: 1, visitor: 1))
        }
    }

    @Test func theLoadNeverCountsBelowZeroOrBoundsBelowOne() async {
        let load = ConsoleLoad(perVisitor: 0, total: -5)
        #expect(load.perVisitor == 1 && load.total == 1)
        await load.leave("nobody")
        #expect(await load.inProgress("nobody") == (all: 0, visitor: 0))
        #expect(await load.enter("a") == nil)
        #expect(await load.enter("a") == .tooManyRequests)
        #expect(await load.enter("b") == .serviceUnavailable)
        await load.leave("a")
        await load.leave("a")
        #expect(await load.inProgress("a") == (all: 0, visitor: 0))
        #expect(await load.enter("b") == nil)
    }

    @Test func aHugeOutputIsShownInPartWithADownload() async throws {
        try await withClient { client in
            // (What is bounded is the page, not the time: a debug build on a loaded machine is slow to evaluate.)
            let response = try await client.execute(uri: "/ui/render?snippet=huge&render=1", method: .get,
                                                    headers: [.authorization: "Bearer good-alice"])
            #expect(response.status == .ok)
            #expect(response.body.readableBytes < 1_200_000, "\(response.body.readableBytes) bytes")
            #expect(text(response).contains("download the rest"))
        }
    }

    @Test func unknownAndHostilePathsAreNotFound() async throws {
        try await withClient { client in
            let auth: HTTPFields = [.authorization: "Bearer good-alice"]
            for uri in ["/ui/namespaces/a/snippets/b", "/ui/nothing", "/ui/namespaces/../snippets/x", "/other",
                        "/ui/namespaces/" + String(repeating: "a", count: 300) + "/snippets/b"] {
                #expect(try await client.execute(uri: uri, method: .get, headers: auth).status == .notFound, "\(uri)")
            }
            #expect(try await client.execute(uri: "/ui", method: .get).status == .seeOther)
            let css = try await client.execute(uri: "/ui/console.css", method: .get)
            #expect(css.status == .ok && css.headers[.contentType] == "text/css; charset=utf-8")
        }
    }

    @Test func withoutAuthenticationEveryVisitorIsLetIn() async throws {
        try await withClient(authenticated: false) { client in
            let response = try await client.execute(uri: "/ui/", method: .get)
            #expect(response.status == .ok && text(response).contains(">hello</a>"))
            #expect(try await client.execute(uri: "/ui/sign-in", method: .get).status == .seeOther)
        }
    }
}

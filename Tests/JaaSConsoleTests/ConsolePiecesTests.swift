import HTTPTypes
@testable import JaaSConsole
import Jsonnet
import Testing

/// The console's building blocks, fed what an attacker would send.
struct ConsolePiecesTests {
    @Test func escapingLeavesNoMarkupThrough() {
        let hostile = "<script>alert('x')</script>&\"\u{0}é"
        #expect(HTML.escape(hostile) == "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;\u{FFFD}é")
        #expect(HTML.urlComponent("a b/ü?&") == "a%20b%2F%C3%BC%3F%26")
        #expect(HTML.query([("q", "x&y=z")]) == "?q=x%26y%3Dz")
    }

    @Test func onlyTokenShapedValuesAreTokens() {
        #expect(ConsoleAccess.isTokenShaped("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln-_"))
        for hostile in ["", "a b", "a;b", "a\r\nSet-Cookie: x=1", "a,b", "tok\u{0}", String(repeating: "a", count: 16 * 1024 + 1)] {
            #expect(!ConsoleAccess.isTokenShaped(hostile), "\(hostile.prefix(20))")
        }
    }

    @Test func cookiesAreFoundByTheirExactName() {
        let headers: HTTPFields = [.cookie: "xjaas_ui_token=no; a=1;  jaas_ui_token=yes; jaas_ui_token=second"]
        #expect(ConsoleAccess.cookie("jaas_ui_token", in: headers) == "yes")
        #expect(ConsoleAccess.cookie("missing", in: headers) == nil)
    }

    @Test func signInGoesOnlyToConsolePaths() {
        #expect(ConsoleAccess.safeNext("/ui/namespaces/a/snippets/b?revision=x") == "/ui/namespaces/a/snippets/b?revision=x")
        for hostile in [nil, "//evil.example/", "/ui//evil.example", "https://evil.example/ui/", "/ui/\\evil", "/ui/a\r\nb",
                        "/uix", "/ui/a b"] as [String?] {
            #expect(ConsoleAccess.safeNext(hostile) == "/ui/", "\(hostile ?? "nil")")
        }
    }

    @Test func sessionTokensAreDerivedAndFormTokensFresh() {
        #expect(ConsoleAccess.sessionCSRF("a") == ConsoleAccess.sessionCSRF("a"))
        #expect(ConsoleAccess.sessionCSRF("a") != ConsoleAccess.sessionCSRF("b"))
        let one = ConsoleAccess.newCSRF(), two = ConsoleAccess.newCSRF()
        #expect(one.count == 64 && two.count == 64 && one != two)
    }

    @Test func settingsRefuseAnOpenConsoleOffLoopback() throws {
        #expect(try ConsoleSettings.checked(enableUi: "false", uiBindAddress: ":8085", uiAuthentication: "kubernetes",
                                            uiTokenAudience: []) == nil)
        let on = try #require(try ConsoleSettings.checked(enableUi: "true", uiBindAddress: ":8085", uiAuthentication: "kubernetes",
                                                          uiTokenAudience: ["", "jaas"]))
        #expect(on.port == 8085 && on.audiences == ["jaas"])
        #expect(try ConsoleSettings.checked(enableUi: "true", uiBindAddress: "127.0.0.1:9", uiAuthentication: "none",
                                            uiTokenAudience: [])?.authentication == ConsoleSettings.Authentication.none)
        for (address, authentication, message) in [
            (":8085", "none", "--ui-authentication=none: needs a loopback --ui-bind-address"),
            ("0.0.0.0:8085", "none", "--ui-authentication=none: needs a loopback --ui-bind-address"),
            ("8085", "kubernetes", "--ui-bind-address 8085: must be host:port or :port"),
            (":8085", "basic", "--ui-authentication basic: must be kubernetes or none"),
        ] {
            #expect {
                try ConsoleSettings.checked(enableUi: "true", uiBindAddress: address, uiAuthentication: authentication,
                                            uiTokenAudience: [])
            } throws: { "\($0)".hasPrefix(message) }
        }
        #expect(throws: (any Error).self) {
            try ConsoleSettings.checked(enableUi: "maybe", uiBindAddress: ":1", uiAuthentication: "none", uiTokenAudience: [])
        }
    }

    @Test func pagesEndAtLineEndsAndLongLinesAreCut() {
        let text = Array("aaaa\nbbbb\ncccc\n".utf8)
        #expect(OutputView.pages(text, pageBytes: 11) == [0..<10, 10..<15])
        #expect(OutputView.pages(Array(repeating: UInt8(ascii: "x"), count: 25), pageBytes: 10) == [0..<10, 10..<20, 20..<25])
        #expect(OutputView.pages([], pageBytes: 10) == [0..<0])
        // Every byte is on exactly one page.
        let big = Array(String(repeating: "line of output\n", count: 100_000).utf8)
        let pages = OutputView.pages(big)
        #expect(pages.first?.lowerBound == 0 && pages.last?.upperBound == big.count)
        #expect(zip(pages, pages.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound })
        #expect(pages.allSatisfy { $0.count <= OutputView.pageBytes })
    }

    @Test func prettyJSONFoldsByTopLevelMember() {
        let json = "{\n   \"a\": {\n      \"x\": \"<b>\"\n   },\n   \"b\": 2\n}\n"
        #expect(OutputView.memberIndent(Array(json.utf8)) == 3)
        #expect(OutputView.memberIndent(Array("plain text".utf8)) == nil)
        let html = OutputView.page(Substring(json), indent: 3)
        // "a" spans three lines and folds; "b" is one line and does not.
        #expect(html.components(separatedBy: "<details class=\"member\" open>").count == 2)
        #expect(html.contains("<summary><code>   &quot;a&quot;: {</code>"))
        #expect(html.contains("&lt;b&gt;") && !html.contains("<b>"))
        // Nothing is lost: every line is on the page.
        for line in ["&quot;x&quot;: &quot;&lt;b&gt;&quot;", "},", "&quot;b&quot;: 2", "}"] { #expect(html.contains(line), "\(line)") }
    }

    @Test func formBindingsAreParsedStrictly() throws {
        let bindings = try RendererPages.bindings("name=World\r\n# comment\n\ncount:=1 + 1\nempty=\npath=import '/etc/passwd'\n", "TLAs")
        #expect(bindings == ["name": .string("World"), "count": .code("1 + 1"), "empty": .string(""),
                             "path": .string("import '/etc/passwd'")], "a string binding is only a string")
        for (text, message) in [("novalue", "line 1: expected name=value"), ("=x", "line 1: a name is one word"),
                                ("a b=c", "line 1: a name is one word"),
                                ((0...64).map { "v\($0)=1" }.joined(separator: "\n"), "at most 64 bindings"),
                                // A visitor's code must not read the server's files or settings.
                                ("x:=importstr '/var/run/secrets/kubernetes.io/serviceaccount/token'", "may not use import"),
                                ("x:=import 'main.jsonnet'", "may not use import"),
                                ("ok=1\nx:=  importbin \"/etc/passwd\"", "line 2: code bindings may not use import"),
                                ("x:=std.extVar('apiKey')", "may not use extVar")] {
            #expect { try RendererPages.bindings(text, "TLAs") } throws: { ($0 as? RendererPages.FormError)?.message.contains(message) == true }
        }
    }

    @Test func errorPositionsAreFoundInDiagnostics() {
        let file = "snippets/a/main.jsonnet"
        #expect(RendererPages.position(in: "RUNTIME ERROR: x\n\t\(file):3:5-9\tfunction <anonymous>", file: file)! == (3, 5))
        #expect(RendererPages.position(in: "STATIC ERROR: \(file):(12:1)-(13:4): bad", file: file)! == (12, 1))
        #expect(RendererPages.position(in: "other.jsonnet:1:1 \(file):x \(file):7:2", file: file)! == (7, 2))
        #expect(RendererPages.position(in: "\(file):99999999999999999999:1", file: file) == nil)
        #expect(RendererPages.position(in: "no position", file: file) == nil)
    }
}

import Foundation
import JaaSRenderer
import Testing

extension EndToEnd {
    /// The RFC 9457 error contract: every code, its status and fields.
    @Suite struct ProblemTests {
        private func configure(_ fixture: Fixture) -> (inout RendererConfiguration) -> Void {
            { config in
                config.snippetDirectories = [fixture.at("snippets")]
                config.libraryPaths = [fixture.at("lib")]
                config.maxStack = 100
            }
        }

        /// Checks that `reply` is the problem document for `code`.
        private func expectProblem(_ reply: HTTPReply, _ code: String, status: Int, title: String, detail: String,
                                   snippet: String?, sourceLocation: SourceLocation = #_sourceLocation) {
            #expect(reply.status == status, sourceLocation: sourceLocation)
            #expect(reply.headers["content-type"] == "application/problem+json", sourceLocation: sourceLocation)
            let body = reply.json
            #expect(body["type"] as? String == "https://jaas.projects.metio.wtf/errors/" + code, sourceLocation: sourceLocation)
            #expect(body["title"] as? String == title, sourceLocation: sourceLocation)
            #expect(body["status"] as? Int == status, sourceLocation: sourceLocation)
            #expect(body["detail"] as? String == detail, sourceLocation: sourceLocation)
            #expect(body["code"] as? String == code, sourceLocation: sourceLocation)
            #expect(body["snippet"] as? String == snippet, sourceLocation: sourceLocation)
            #expect(Set(body.keys).isSubset(of: ["type", "title", "status", "detail", "code", "snippet"]),
                    sourceLocation: sourceLocation)
            #expect(reply.body.hasPrefix(#"{"type":"#) && reply.body.hasSuffix("}"),
                    "the original's bytes, no trailing newline: \(reply.body)", sourceLocation: sourceLocation)
        }

        @Test(arguments: ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"])
        func methodsOtherThanGetAreNotAllowed(method: String) async throws {
            let fixture = try standardFixture()
            try await withServer(configure(fixture)) { (server) async throws in
                let reply = try await server.get("/jsonnet/hello", method: method)
                expectProblem(reply, "method_not_allowed", status: 405, title: "Method not allowed",
                              detail: "only GET is supported", snippet: nil)
                #expect(reply.headers["allow"] == "GET")
            }
        }

        @Test func headIsNotAllowedEither() async throws {
            let fixture = try standardFixture()
            try await withServer(configure(fixture)) { (server) async throws in
                let reply = try await server.get("/jsonnet/hello", method: "HEAD")
                #expect(reply.status == 405)
                #expect(reply.headers["content-type"] == "application/problem+json")
            }
        }

        @Test func anUnknownNameIsNotFound() async throws {
            let fixture = try standardFixture()
            try await withServer(configure(fixture)) { (server) async throws in
                let nope = try await server.get("/jsonnet/nope")
                expectProblem(nope, "snippet_not_found", status: 404,
                              title: "Snippet not found", detail: #"snippet "nope" not found"#, snippet: "nope")
                #expect(nope.body == #"{"type":"https://jaas.projects.metio.wtf/errors/snippet_not_found","#
                    + #""title":"Snippet not found","status":404,"detail":"snippet \"nope\" not found","#
                    + #""code":"snippet_not_found","snippet":"nope"}"#)
                expectProblem(try await server.get("/jsonnet/"), "snippet_not_found", status: 404,
                              title: "Snippet not found", detail: #"snippet "" not found"#, snippet: nil)
                expectProblem(try await server.get("/jsonnet"), "snippet_not_found", status: 404,
                              title: "Snippet not found", detail: #"snippet "" not found"#, snippet: nil)
            }
        }

        /// A hostile name is echoed Go-quoted inside the detail and JSON-escaped as Go's
        /// encoding/json escapes it (`<>&` too), never breaking the document.
        @Test func aHostileNameStaysInsideItsStrings() async throws {
            let fixture = try standardFixture()
            try await withServer(configure(fixture)) { (server) async throws in
                let reply = try await server.get("/jsonnet/%3Cscript%3E%22x%5C%07%0A%E2%80%A8%C2%A0%26")
                let name = "<script>\"x\\\u{7}\n\u{2028}\u{a0}&"
                expectProblem(reply, "snippet_not_found", status: 404, title: "Snippet not found",
                              detail: #"snippet "<script>\"x\\\a\n\u2028\u00a0&" not found"#, snippet: name)
                #expect(reply.body.contains(#""snippet":"\u003cscript\u003e\"x\\\u0007\n\u2028"# + "\u{a0}" + #"\u0026"}"#),
                        "\(reply.body)")
                #expect(!reply.body.contains("<") && !reply.body.contains("\n"))
            }
        }

        /// Every way out of the root: the file each one would reach exists (outside/).
        @Test func traversalNeverLeavesTheRoot() async throws {
            let fixture = try standardFixture()
            let outside = fixture.at("outside")
            let encodedOutside = outside.replacingOccurrences(of: "/", with: "%2F")
            let attempts = [
                "../outside", "%2e%2e/outside", "%2E%2E%2Foutside", "..%2Foutside", "hello/../../outside",
                "hello/%2e%2e/%2e%2e/outside", "%252e%252e/outside", "/" + outside, encodedOutside,
                "escape", "linked", "./hello", "hello/.", "hello//", "hello%00", "hello/main.jsonnet",
            ]
            try await withServer(configure(fixture)) { (server) async throws in
                for attempt in attempts {
                    let reply = try await server.get("/jsonnet/" + attempt)
                    #expect(reply.status == 404, "\(attempt)")
                    #expect(reply.json["code"] as? String == "snippet_not_found", "\(attempt)")
                    #expect(!reply.body.contains("secret"), "\(attempt)")
                }
                #expect(try await server.get("/jsonnet/hello").status == 200)
            }
        }

        @Test(arguments: [("broken-syntax", "Unexpected end of file"), ("broken-runtime", "secret diagnostic detail"),
                          ("missing-import", "nowhere.libsonnet"), ("deep", "max stack frames exceeded")])
        func evaluationErrorsKeepTheDiagnosticInTheLog(snippet: String, diagnostic: String) async throws {
            let fixture = try standardFixture()
            try await withServer(configure(fixture)) { (server) async throws in
                let reply = try await server.get("/jsonnet/" + snippet)
                expectProblem(reply, "evaluation_failed", status: 400, title: "Jsonnet evaluation failed",
                              detail: "evaluation failed", snippet: snippet)
                #expect(!reply.body.contains(diagnostic))
                #expect(server.logs.all.contains { $0.contains("evaluation failed") && $0.contains(diagnostic) })
            }
        }

        @Test func aTimeoutIs504() async throws {
            let fixture = try standardFixture()
            try await withServer({ config in
                configure(fixture)(&config)
                config.evaluationTimeout = .milliseconds(300)
            }) { (server) async throws in
                expectProblem(try await server.get("/jsonnet/loop"), "evaluation_timeout", status: 504,
                              title: "Evaluation timed out", detail: "evaluation exceeded 300ms", snippet: "loop")
            }
        }

        @Test func aFullGateIs503() async throws {
            let fixture = try standardFixture()
            try await withServer({ config in
                configure(fixture)(&config)
                config.maxConcurrentEvaluations = 1
            }) { (server) async throws in
                let busy = try await RawHTTP.sendWithoutReading(port: server.ports[.renderer]!, target: "/jsonnet/loop")
                defer { close(busy) }
                #expect(try await eventually { server.server.renderer.gate.statistics.inFlight == 1 })
                let reply = try await server.get("/jsonnet/hello")
                expectProblem(reply, "evaluation_unavailable", status: 503, title: "Evaluation unavailable",
                              detail: "concurrent-eval cap is full; retry after backoff", snippet: "hello")
                #expect(reply.headers["retry-after"] == "1")
            }
        }
    }
}

import JaaSRenderer
import TestSupport
import Testing

extension EndToEnd {
    @Suite struct RenderingTests {
        private func configure(_ fixture: Fixture) -> (inout RendererConfiguration) -> Void {
            { config in
                config.snippetDirectories = [fixture.at("snippets")]
                config.snippetFiles = [fixture.at("single.jsonnet")]
                config.libraryPaths = [fixture.at("lib")]
                config.externalVariables = ["env": .string("test")]
            }
        }

        @Test func servesASnippetDirectoryEntryAsJSON() async throws {
            let fixture = try standardFixture()
            try await withServer(configure(fixture)) { (server) async throws in
                let reply = try await server.get("/jsonnet/hello")
                #expect(reply.status == 200)
                #expect(reply.headers["content-type"] == "application/json")
                #expect(reply.body == "{\n   \"hello\": \"world\"\n}\n")
                #expect(try await server.get("/jsonnet/nested/deeper").body == "{\n   \"nested\": true\n}\n")
                #expect(try await server.get("/jsonnet/inside-link").status == 200)
            }
        }

        @Test func servesASnippetFileUnderItsOwnPath() async throws {
            let fixture = try standardFixture()
            try await withServer(configure(fixture)) { (server) async throws in
                let reply = try await server.get("/jsonnet" + fixture.at("single.jsonnet"))
                #expect(reply.status == 200)
                #expect(reply.json["single"] as? Bool == true)
            }
        }

        @Test func bindsTopLevelArgumentsFromTheQuery() async throws {
            let fixture = try standardFixture()
            try await withServer(configure(fixture)) { (server) async throws in
                let plain = try await server.get("/jsonnet/args").json
                #expect(plain["a"] as? String == "default")
                let single = try await server.get("/jsonnet/args?a=x").json
                #expect(single["a"] as? String == "x")
                let repeated = try await server.get("/jsonnet/args?t=1&t=2&t=three").json
                #expect(repeated["t"] as? [String] == ["1", "2", "three"])
                let bare = try await server.get("/jsonnet/args?b").json
                #expect(bare["b"] as? String == "")
                let encoded = try await server.get("/jsonnet/args?a=hello+world%21&b=%E2%9C%93%22").json
                #expect(encoded["a"] as? String == "hello world!")
                #expect(encoded["b"] as? String == "✓\"")
                let quoted = try await server.get("/jsonnet/args?t=%22%5D%2C+error+%27x%27+%2C%5B&t=2").json
                #expect(quoted["t"] as? [String] == ["\"], error 'x' ,[", "2"])
            }
        }

        @Test func bindsExternalVariables() async throws {
            let fixture = try standardFixture()
            try await withServer(configure(fixture)) { (server) async throws in
                #expect(try await server.get("/jsonnet/ext").json["env"] as? String == "test")
            }
        }

        @Test func importsRelativeThenRightMostLibraryPath() async throws {
            let fixture = try standardFixture()
            try fixture.write("base/x.libsonnet", "'base'")
            try fixture.write("base/only-base.libsonnet", "'only base'")
            try fixture.write("override/x.libsonnet", "'override'")
            try fixture.write("snippets/precedence/main.jsonnet",
                              "{ x: import 'x.libsonnet', y: import 'only-base.libsonnet', z: import 'local.libsonnet' }")
            try fixture.write("snippets/precedence/local.libsonnet", "'relative'")
            try fixture.write("override/local.libsonnet", "'library'")
            try await withServer({ config in
                config.snippetDirectories = [fixture.at("snippets")]
                config.libraryPaths = [fixture.at("base"), fixture.at("override")]
            }) { (server) async throws in
                let body = try await server.get("/jsonnet/precedence").json
                #expect(body["x"] as? String == "override")
                #expect(body["y"] as? String == "only base")
                #expect(body["z"] as? String == "relative")
                let imports = try await server.get("/jsonnet/imports")
                #expect(imports.status == 400, "lib/ is not a library path here")
            }
        }

        @Test func importAndImportstrFromALibraryPath() async throws {
            let fixture = try standardFixture()
            try await withServer(configure(fixture)) { (server) async throws in
                let body = try await server.get("/jsonnet/imports").json
                #expect(body["value"] as? Int == 42)
                #expect(body["text"] as? String == "a note")
            }
        }

        @Test func aCustomEndpointPath() async throws {
            let fixture = try standardFixture()
            try await withServer({ config in
                configure(fixture)(&config)
                config.endpointPath = "api/render"
            }) { (server) async throws in
                #expect(try await server.get("/api/render/hello").status == 200)
                #expect(try await server.get("/jsonnet/hello").status == 404)
                #expect(try await server.get("/api/renderhello").status == 404)
            }
        }
    }
}

extension EndToEnd {
    /// The examples the README walks through, served exactly as its Quick start does.
    @Suite struct ExamplesTests {
        @Test func everyExampleRenders() async throws {
            try await withServer({ config in
                config.snippetDirectories = [repositoryRoot + "/examples/snippets"]
                config.libraryPaths = [repositoryRoot + "/examples/lib-base", repositoryRoot + "/examples/lib-override"]
                config.externalVariables = ["environment": .string("dev")]
            }) { (server) async throws in
                #expect(try await server.get("/jsonnet/hello").json["answer"] as? Int == 42)
                #expect(try await server.get("/jsonnet/ext-vars").json["environment"] as? String == "dev")
                let tla = try await server.get("/jsonnet/tla?name=Ada&tag=a&tag=b&verbose").json
                #expect(tla["greeting"] as? String == "Hello, Ada!")
                #expect(tla["tags"] as? [String] == ["a", "b"])
                #expect(tla["verbose"] as? Bool == true)
                let strings = try await server.get("/jsonnet/importstr").json
                #expect(strings["motd"] as? String == "Welcome to JaaS.\nRendered on demand.\n")
                #expect((strings["banner"] as? String)?.contains("lib-base") == true)
                let precedence = try await server.get("/jsonnet/library-precedence").json
                #expect(precedence["greetingFrom"] as? String == "lib-override")
                #expect((precedence["labels"] as? [String: String])?["app.kubernetes.io/managed-by"] == "jaas")
                let inheritance = try await server.get("/jsonnet/inheritance").json
                #expect((inheritance["api"] as? [String: Any])?["replicas"] as? Int == 3)
                let kubernetes = try await server.get("/jsonnet/kubernetes?namespace=shop").json
                let items = kubernetes["items"] as? [[String: Any]] ?? []
                #expect(kubernetes["kind"] as? String == "List")
                #expect(items.count == 24)
                #expect(items.allSatisfy { ($0["metadata"] as? [String: Any])?["namespace"] as? String == "shop" })
            }
        }
    }
}

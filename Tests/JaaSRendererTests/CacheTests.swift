import JaaSCore
import JaaSRenderer
import Testing

extension EndToEnd {
    /// The render cache seen through HTTP: hits, and never a stale render after an edit.
    @Suite struct CacheTests {
        @Test func aCachedRenderIsInvalidatedByAnEditToAnImportedFile() async throws {
            let fixture = try standardFixture()
            try await withServer({ config in
                config.snippetDirectories = [fixture.at("snippets")]
                config.libraryPaths = [fixture.at("lib")]
                config.renderCache = RenderCache.Limits(maxEntries: 16, maxBytes: 1 << 20, racyWindow: .zero)
            }) { (server) async throws in
                let first = try await server.get("/jsonnet/imports")
                #expect(first.headers["x-jaas-cache"] == "miss")
                let second = try await server.get("/jsonnet/imports")
                #expect(second.headers["x-jaas-cache"] == "hit")
                #expect(second.body == first.body)
                try fixture.write("lib/lib.libsonnet", "{ value: 43 }")
                let edited = try await server.get("/jsonnet/imports")
                #expect(edited.headers["x-jaas-cache"] == "miss")
                #expect(edited.json["value"] as? Int == 43)
                try fixture.write("lib/note.txt", "another note")
                #expect(try await server.get("/jsonnet/imports").json["text"] as? String == "another note")
                #expect(try await server.metric("jaas_render_cache_hits_total") == 1)
            }
        }

        @Test func argumentsAreSeparateCacheEntries() async throws {
            let fixture = try standardFixture()
            try await withServer({ config in
                config.snippetDirectories = [fixture.at("snippets")]
                config.renderCache = RenderCache.Limits(maxEntries: 16, maxBytes: 1 << 20, racyWindow: .zero)
            }) { (server) async throws in
                #expect(try await server.get("/jsonnet/args?a=1").json["a"] as? String == "1")
                #expect(try await server.get("/jsonnet/args?a=2").json["a"] as? String == "2")
                let again = try await server.get("/jsonnet/args?a=1")
                #expect(again.headers["x-jaas-cache"] == "hit")
                #expect(again.json["a"] as? String == "1")
            }
        }

        /// With the default racy window, files written just now are never cached, so even
        /// a same-size edit within the same timestamp tick is seen.
        @Test func freshlyWrittenFilesAreNotCached() async throws {
            let fixture = try standardFixture()
            try await withServer({ $0.snippetDirectories = [fixture.at("snippets")] }) { (server) async throws in
                #expect(try await server.get("/jsonnet/hello").headers["x-jaas-cache"] == "miss")
                try fixture.write("snippets/hello/main.jsonnet", "{ hello: 'there' }")
                let edited = try await server.get("/jsonnet/hello")
                #expect(edited.headers["x-jaas-cache"] == "miss")
                #expect(edited.json["hello"] as? String == "there")
                // At least the render after the edit was too fresh to store (the first one
                // too, unless more than 2 s passed since the fixture was written).
                #expect(try await server.metric("jaas_render_cache_racy_skips_total") ?? 0 >= 1)
            }
        }
    }
}

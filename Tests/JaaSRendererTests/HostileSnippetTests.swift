import Foundation
import Testing

extension EndToEnd {
    /// The hostile programs of issue 10, requested one after the other from a running
    /// `jaas`: each gets an answer (an error, a timeout, or output), and after each
    /// one the server still renders a healthy snippet.
    ///
    /// With `--evaluation-isolation process` this holds whatever the engine does with
    /// them; with `thread` it depends on the engine handling each one cleanly.
    @Suite struct HostileSnippetTests {
        static let programs: [String: String] = [
            "self-import": "import 'main.jsonnet'",
            "manifest-yaml-self": "std.manifestYamlDoc({ a: self })",
            "manifest-toml-self": "std.manifestToml({ a: self })",
            "repeat-4g": "std.repeat('[1,2', 4294967296)",
            "flatten-deep-self": "local L = [L]; std.flattenDeepArray(L)",
            "prune-self": "std.prune({ a: self })",
            "manifest-python-self": "std.manifestPython({ a: [self] })",
            "manifest-xml-self": "std.manifestXmlJsonml(local x = ['a', x]; x)",
            "deep-join-self": "std.deepJoin(local L = [L]; L)",
            "merge-patch-self": "std.mergePatch(-1e308, { a: self })",
            "repeat-9e18": "std.repeat('ab', 9e18)",
            "range-9e18": "std.range(-9e18, 9e18)",
            "make-array-9e18": "std.makeArray(9e18, function(i) i)",
        ]

        /// Both isolation modes: `process` contains any crash; `thread` shows the engine
        /// itself answers every one of them cleanly.
        @Test(arguments: ["process", "thread"])
        func theServerKeepsServingAfterEachHostileSnippet(isolation: String) async throws {
            let fixture = try standardFixture()
            for (name, program) in Self.programs {
                try fixture.write("snippets/\(name)/main.jsonnet", program)
            }
            let jaas = try await JaaSProcess(["--snippet-directory", fixture.at("snippets"),
                                              "--library-path", fixture.at("snippets/self-import"),
                                              "--evaluation-isolation", isolation, "--evaluation-timeout", "2s",
                                              "--evaluation-memory-limit", "256Mi"])
            let port = jaas.ports["renderer"]!
            for name in Self.programs.keys.sorted() {
                let reply = try await RawHTTP.request(port: port, target: "/jsonnet/\(name)", timeout: 20)
                #expect([200, 400, 504].contains(reply.status), "\(isolation) \(name): \(reply.status) \(reply.body)")
                let healthy = try await RawHTTP.request(port: port, target: "/jsonnet/hello")
                #expect(healthy.status == 200, "\(isolation), after \(name): \(healthy.status)")
                #expect(healthy.json["hello"] as? String == "world", "after \(name)")
            }
            #expect(try await jaas.waitForExit(seconds: 0) == nil, "jaas exited")
        }
    }
}

import Foundation
import Kubernetes
import Testing
import TestSupport

/// `jaas mcp` driven over stdio by the MCP Python SDK's own client (issue 14).
@Suite(.serialized) struct MCPStdioTests {
    typealias Call = MCPClient.Report.Call

    static let jaas = WorkerRenderingTests.binary

    func library() throws -> String {
        let directory = temporaryPath("jaas-mcp-lib-")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try "{ value: 'from the library' }".write(toFile: directory + "/helper.libsonnet", atomically: true, encoding: .utf8)
        return directory
    }

    func json(_ call: Call) throws -> JSONValue {
        try JSONValue(json: Data(call.text.utf8))
    }

    @Test func rendersWithTlaCodeExtVarsAndLibraryPathAndValidatesWithAPosition() async throws {
        let lib = try library()
        defer { try? FileManager.default.removeItem(atPath: lib) }
        let source = """
            function(name, items, list) {
              greeting: std.extVar('greeting') + ', ' + name,
              items: items, list: list,
              lib: (import 'helper.libsonnet').value,
              region: std.extVar('region'),
              answer: std.extVar('half') * 2,
            }
            """
        let report = try await MCPClient.run(
            ["--stdio", Self.jaas, "mcp", "--library-path", lib, "--ext-var", "region=eu", "--ext-var", "greeting=server",
             "--log-level", "debug", "--log-format", "text"],
            plan: [
                MCPClient.call("render_jsonnet", [
                    "source": .string(source), "tlas": ["name": ["world"], "list": ["a", "b"]], "tlaCode": ["items": "[1, 2]"],
                    "extVars": ["greeting": "hello"], "extCode": ["half": "21"],
                ]),
                MCPClient.call("render_jsonnet", ["source": "{ a: error 'boom' }"]),
                MCPClient.call("validate_jsonnet", ["source": "{ a: 1 +  }"]),
                MCPClient.call("validate_jsonnet", ["source": "local x = 1;\n\n y"]),
                MCPClient.call("validate_jsonnet", ["source": "{ fine: true }"]),
                MCPClient.call("render_jsonnet", ["tlas": [:]]),
            ])
        #expect(report.server.name == "jaas")
        #expect(report.tools == ["render_jsonnet", "validate_jsonnet"])
        let results = report.results
        try #require(results.count == 6)
        #expect(!results[0].isError, "\(results[0].text)")
        #expect(try json(results[0]) == [
            "greeting": "hello, world", "items": [1, 2], "list": ["a", "b"], "lib": "from the library", "region": "eu",
            "answer": 42,
        ])
        #expect(results[1].isError && results[1].text.hasPrefix("RUNTIME ERROR: boom\n\tsnippet.jsonnet:1:6-18"),
                "\(results[1].text)")
        #expect(!results[2].isError && results[2].text.hasPrefix("invalid at snippet.jsonnet:1:11\n"), "\(results[2].text)")
        #expect(results[2].text.contains("snippet.jsonnet:1:11-12 Unexpected: \"}\" while parsing terminal"))
        // The original's structured shape: {valid, error}, nothing else.
        #expect(results[2].structured?["valid"] == false)
        #expect(results[2].structured?["error"]?.stringValue?.contains("snippet.jsonnet:1:11-12") == true)
        #expect(Set(results[2].structured?.objectValue.map { Array($0.keys) } ?? []) == ["valid", "error"])
        #expect(results[3].text.hasPrefix("invalid at snippet.jsonnet:3:2\n"), "\(results[3].text)")
        #expect(!results[4].isError && results[4].text == "OK")
        #expect(results[5].isError && results[5].text.hasPrefix("source: required"), "\(results[5].text)")
    }

    @Test func theLimitsOfTheRendererApply() async throws {
        let report = try await MCPClient.run(
            ["--stdio", Self.jaas, "mcp", "--evaluation-timeout", "500ms", "--evaluation-memory-limit", "32Mi", "--max-stack", "50"],
            plan: [
                MCPClient.call("render_jsonnet", ["source": "std.foldl(function(a, i) a + std.foldl(function(b, j) b + j, std.range(1, 10000), 0), std.range(1, 100000), 0)"]),
                MCPClient.call("render_jsonnet", ["source": "std.length(std.makeArray(100000000, function(i) i))"]),
                MCPClient.call("render_jsonnet", ["source": "local f(n) = if n == 0 then 0 else 1 + f(n - 1); f(100)"]),
                MCPClient.call("render_jsonnet", ["source": "local f(n) = if n == 0 then 0 else 1 + f(n - 1); f(10)"]),
            ])
        #expect(report.results.map(\.isError) == [true, true, true, false])
        #expect(report.results[0].text == "evaluation timed out after 500ms", "\(report.results[0].text)")
        #expect(report.results[1].text.contains("memory limit exceeded"), "\(report.results[1].text)")
        #expect(report.results[2].text.contains("max stack frames exceeded"), "\(report.results[2].text)")
    }

    /// Only protocol on stdout, even with debug logging; stdin's end stops the server
    /// after answering what it already received.
    @Test func stdoutCarriesOnlyTheProtocol() async throws {
        let lines = [
            #"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}"#,
            #"{"jsonrpc":"2.0","method":"notifications/initialized"}"#,
            #"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"render_jsonnet","arguments":{"source":"{ a: 1 }"}}}"#,
            #"{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"no_such_tool","arguments":{}}}"#,
            "this is not JSON",
        ]
        let (status, output, errors) = try await runProcess(
            Self.jaas, ["mcp", "--log-level", "debug"], input: Data((lines.joined(separator: "\n") + "\n").utf8),
            timeout: .seconds(60))
        #expect(status == 0, "\(String(decoding: errors, as: UTF8.self))")
        let messages = try String(decoding: output, as: UTF8.self).split(separator: "\n").map { try JSONValue(json: Data($0.utf8)) }
        #expect(messages.allSatisfy { $0["jsonrpc"] == "2.0" })
        let byID = Dictionary(messages.compactMap { m in m["id"]?.intValue.map { ($0, m) } }) { a, _ in a }
        #expect(byID[1]?[path: "result", "serverInfo", "name"] == "jaas")
        #expect(byID[2]?[path: "result", "content"]?.arrayValue?.first?["text"] == "{\n   \"a\": 1\n}\n")
        #expect(byID[3]?["error"]?["message"]?.stringValue?.contains("unknown tool") == true, "\(messages)")
        #expect(String(decoding: errors, as: UTF8.self).contains("serving MCP over stdio"))
    }

    @Test func badFlagsExitTwoWithOneLine() async throws {
        for (arguments, message) in [
            (["mcp", "--library-path", "/no/such/dir"], "jaas mcp: --library-path /no/such/dir: not a directory\n"),
            (["mcp", "--evaluation-memory-limit", "lots"], "jaas mcp: --evaluation-memory-limit lots: must be a size such as 512Mi, 1Gi or 0\n"),
            (["--enable-mcp"], "jaas: --enable-mcp: requires --enable-flux-integration\n"),
            (["--mcp-allow-mutations"], "jaas: --mcp-allow-mutations: requires --enable-mcp\n"),
        ] {
            let (status, output, errors) = try await runProcess(Self.jaas, arguments, input: Data(), timeout: .seconds(30))
            #expect(status == 2 && output.isEmpty, "\(arguments)")
            #expect(String(decoding: errors, as: UTF8.self) == message)
        }
    }
}

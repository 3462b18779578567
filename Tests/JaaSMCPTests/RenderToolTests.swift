@testable import JaaSMCP
import JaaSCore
import Jsonnet
import MCP
import Testing

/// The render tools' arguments, verdicts and limits, in process.
struct RenderToolTests {
    func tools(timeout: Duration? = .seconds(5), memory: Int? = 64 << 20, variables: [String: ExternalValue] = [:]) -> RenderTools {
        RenderTools(evaluator: JsonnetEvaluator(imports: .libraries(["lib": ["main.libsonnet": Array("{ v: 'lib' }".utf8)]]),
                                                externalVariables: variables, maxStack: 500, memoryLimit: memory,
                                                gate: EvaluationGate(maxConcurrent: 4, timeout: timeout)))
    }

    func text(_ result: CallTool.Result) -> String {
        result.content.map { if case .text(let text, _, _) = $0 { text } else { "" } }.joined()
    }

    @Test func argumentsFollowTheOriginalsShapes() throws {
        let parsed = try RenderArguments([
            "source": "x", "tlas": ["one": ["a"], "many": ["a", "b\"c"], "none": []], "tlaCode": ["n": "1 + 1"],
            "extVars": ["e": "v"], "extCode": ["c": "{}"],
        ])
        #expect(parsed.topLevelArguments == ["one": .string("a"), "many": .code(#"["a", "b\"c"]"#), "none": .code("[]"),
                                             "n": .code("1 + 1")])
        #expect(parsed.externalVariables == ["e": .string("v"), "c": .code("{}")])
        #expect(throws: ToolInputError("source: required, the Jsonnet text to evaluate")) { try RenderArguments(["tlas": [:]]) }
        #expect(throws: ToolInputError("tlas and tlaCode both bind \"a\"")) {
            try RenderArguments(["source": "x", "tlas": ["a": ["1"]], "tlaCode": ["a": "1"]])
        }
        #expect(throws: ToolInputError("tlas.a: must be a list of strings")) { try RenderArguments(["source": "x", "tlas": ["a": [1]]]) }
        #expect(throws: ToolInputError("extVars.e: must be a string")) { try RenderArguments(["source": "x", "extVars": ["e": 2]]) }
        #expect(throws: ToolInputError("unknown argument \"tla\" (expected source, tlas, tlaCode, extVars, extCode)")) {
            try RenderArguments(["source": "x", "tla": [:]])
        }
    }

    @Test func renderBindsEverythingAndCallVariablesWinOverTheServers() async {
        let result = await tools(variables: ["who": .string("server"), "kept": .string("yes")]).render([
            "source": "function(a, b) { a: a, b: b, who: std.extVar('who'), kept: std.extVar('kept'), lib: (import 'lib').v }",
            "tlas": ["a": ["x", "y"]], "tlaCode": ["b": "40 + 2"], "extVars": ["who": "call"],
        ])
        #expect(result.isError == false)
        #expect(result.structuredContent?.objectValue?["json"]?.stringValue == text(result))
        #expect(text(result) == """
            {
               "a": [
                  "x",
                  "y"
               ],
               "b": 42,
               "kept": "yes",
               "lib": "lib",
               "who": "call"
            }

            """)
    }

    @Test func renderErrorsAreToolErrorsWithTheDiagnostic() async {
        let failed = await tools().render(["source": "{ a: error 'boom' }"])
        #expect(failed.isError == true)
        #expect(text(failed).hasPrefix("RUNTIME ERROR: boom\n\tsnippet.jsonnet:1:6-18"), "\(text(failed))")
        let bad = await tools().render(["source": .int(1)])
        #expect(bad.isError == true && text(bad).hasPrefix("source: required"))
    }

    @Test func validateNamesThePosition() async {
        let syntax = await tools().validate(["source": "{ a: 1 +  }"])
        #expect(syntax.isError == false)
        #expect(text(syntax).hasPrefix("invalid at snippet.jsonnet:1:11\n"), "\(text(syntax))")
        let verdict = syntax.structuredContent?.objectValue
        #expect(verdict?["valid"] == false && Set(verdict.map { Array($0.keys) } ?? []) == ["valid", "error"], "the original's shape")
        #expect(verdict?["error"]?.stringValue?.contains("snippet.jsonnet:1:11") == true, "\(verdict ?? [:])")
        let runtime = await tools().validate(["source": "local f(x) = error 'no: 1:2';\n{ a: f(1) }"])
        #expect(text(runtime).hasPrefix("invalid at snippet.jsonnet:1:14\n"), "the frame, not the message: \(text(runtime))")
        let fine = await tools().validate(["source": "{ a: 1 }"])
        #expect(text(fine) == "OK" && fine.structuredContent == ["valid": true])
    }

    @Test func limitsApply() async {
        let slow = await tools(timeout: .milliseconds(300)).render(["source": "std.foldl(function(a, i) a + std.foldl(function(b, j) b + j, std.range(1, 10000), 0), std.range(1, 100000), 0)"])
        #expect(slow.isError == true && text(slow).contains("timed out"), "\(text(slow))")
        let big = await tools(memory: 16 << 20).validate(["source": "std.length(std.makeArray(100000000, function(i) i))"])
        #expect(text(big).contains("memory limit"), "\(text(big))")
        let files = await tools().render(["source": "importstr '/etc/hostname'"])
        #expect(files.isError == true, "no file system behind the library trees: \(text(files))")
    }

    @Test func positionsInDiagnostics() {
        #expect(ErrorPosition(diagnostic: "snippet.jsonnet:3:2-3 Unknown variable: y") == ErrorPosition(file: "snippet.jsonnet", line: 3, column: 2))
        #expect(ErrorPosition(diagnostic: "a.jsonnet:(2:1)-(3:4) Expected") == ErrorPosition(file: "a.jsonnet", line: 2, column: 1))
        #expect(ErrorPosition(diagnostic: "RUNTIME ERROR: x:9:9\n\tlib//k.libsonnet:4:7-9\tfunction <f>")
            == ErrorPosition(file: "lib//k.libsonnet", line: 4, column: 7))
        #expect(ErrorPosition(diagnostic: "RUNTIME ERROR: memory limit exceeded") == nil)
    }
}

import Jsonnet
import Testing
@testable import JaaSCore
import TestSupport

/// A program that never ends (a tail call with constant stack).
let endlessProgram = "local f(x) = f(x + 1) tailstrict; f(0)"

/// Polls `condition` every 10 ms for up to `seconds`.
func eventually(within seconds: Double = 5, _ condition: () -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    while ContinuousClock.now < deadline {
        if condition() { return true }
        try await Task.sleep(for: .milliseconds(10))
    }
    return condition()
}

@Suite(.serialized) struct EvaluationGateTests {
    @Test func evaluatesToPrettyJSON() async throws {
        let gate = EvaluationGate(maxConcurrent: 2, timeout: .seconds(5))
        let output = try await gate.evaluate(source: "{ a: 1 + 2 }", fileName: "x.jsonnet", options: .init())
        #expect(output == "{\n   \"a\": 3\n}\n")
        #expect(try await eventually { gate.statistics.inFlight == 0 })
    }

    @Test func reportsTheFullDiagnostic() async throws {
        let gate = EvaluationGate(maxConcurrent: 0, timeout: nil)
        await #expect(throws: RenderError.evaluationFailed(
            diagnostic: "RUNTIME ERROR: boom\n\tx.jsonnet:1:1-13\t$\n\tDuring evaluation\t\n")) {
            _ = try await gate.evaluate(source: "error 'boom'", fileName: "x.jsonnet", options: .init())
        }
    }

    @Test func stopsTheEvaluationAtTheTimeout() async throws {
        let gate = EvaluationGate(maxConcurrent: 4, timeout: .milliseconds(200))
        await #expect(throws: RenderError.timedOut) {
            _ = try await gate.evaluate(source: endlessProgram, fileName: "loop.jsonnet", options: .init())
        }
        #expect(try await eventually(within: 1) { gate.statistics.inFlight == 0 })
        #expect(gate.statistics.outstandingTimedOut == 0)
        #expect(gate.statistics.timedOutTotal == 1)
    }

    @Test func refusesBeyondTheCapAndCancelsWithTheCallersTask() async throws {
        let gate = EvaluationGate(maxConcurrent: 1, timeout: .seconds(30))
        let running = Task {
            try await gate.evaluate(source: endlessProgram, fileName: "loop.jsonnet", options: .init())
        }
        #expect(try await eventually { gate.statistics.inFlight == 1 })
        await #expect(throws: RenderError.unavailable) {
            _ = try await gate.evaluate(source: "1", fileName: "one.jsonnet", options: .init())
        }
        #expect(gate.statistics.unavailableTotal == 1)
        running.cancel()
        await #expect(throws: RenderError.cancelled) { _ = try await running.value }
        #expect(try await eventually(within: 1) { gate.statistics.inFlight == 0 })
        #expect(try await gate.evaluate(source: "1", fileName: "one.jsonnet", options: .init()) == "1\n")
    }
}

@Suite struct FileRendererTests {
    @Test func evaluatesFromDiskAndCachesTheOutput() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let main = try dir.write("main.jsonnet", "function(who) { hello: who + std.extVar('suffix') }")
        let renderer = FileRenderer(gate: EvaluationGate(maxConcurrent: 0, timeout: nil),
                                    cache: RenderCache(limits: .init(maxEntries: 4, maxBytes: 1000, racyWindow: .zero)))
        let request = RenderRequest(entryPath: main, fileName: "main.jsonnet",
                                    externalVariables: ["suffix": .string("!")],
                                    topLevelArguments: ["who": .string("you")])
        #expect(renderer.cachedOutput(for: request) == nil)
        let output = try await renderer.evaluate(request)
        #expect(output == "{\n   \"hello\": \"you!\"\n}\n")
        #expect(renderer.cachedOutput(for: request) == output)
    }

    @Test func aMissingEntryFileIsNotFound() async throws {
        let renderer = FileRenderer(gate: EvaluationGate(maxConcurrent: 0, timeout: nil), cache: nil)
        await #expect(throws: RenderError.entryNotFound) {
            _ = try await renderer.evaluate(RenderRequest(entryPath: "/nonexistent/main.jsonnet", fileName: "x"))
        }
    }
}

@Suite struct JSONStringLiteralTests {
    @Test func escapesQuotesBackslashesAndControlCharacters() {
        #expect(jsonStringLiteral("a\"b\\c\n\u{1}é") == "\"a\\\"b\\\\c\\n\\u0001é\"")
    }
}

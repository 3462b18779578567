import Foundation
import TestSupport
import Testing

extension EndToEnd {
    /// The built `jaas` binary: flags, exit codes, and what only a real process shows
    /// (signals, CPU time).
    @Suite struct BinaryTests {
        @Test(arguments: [
            ["--port", "65536"], ["--port", "-1"], ["--port", "http"], ["--management-port", "70000"],
            ["--max-concurrent-evals", "-1"], ["--max-stack", "-1"], ["--evaluation-timeout", "5 seconds"],
            ["--evaluation-timeout", "-1s"], ["--shutdown-delay", "soon"], ["--read-timeout", "10"],
            ["--write-timeout", "1x"], ["--log-level", "verbose"], ["--log-format", "xml"],
            ["--jsonnet-endpoint-path", "a/../b"], ["--jsonnet-endpoint-path", "/"], ["--jsonnet-endpoint-path", "a b"],
            ["--jsonnet-endpoint-path", "api/render"], ["--jsonnet-endpoint-path", "/jsonnet"],
            ["--jsonnet-endpoint-path", "jsonnet/"], ["--jsonnet-endpoint-path", ".."], ["--jsonnet-endpoint-path", ""],
            ["--jsonnet-endpoint-path", "j%2Fx"], ["--jsonnet-endpoint-path", "jsönnet"],
            ["--metrics-bind-address", "8083"], ["--metrics-bind-address", ":99999"], ["--ext-var", "novalue"],
            ["--ext-var", "=x"], ["--snippet-directory", "/nonexistent"], ["--snippet", "/nonexistent.jsonnet"],
            ["--library-path", "/nonexistent"], ["--render-cache-max-entries", "-5"], ["--no-such-flag"],
            ["--evaluation-memory-limit", "1Ti"], ["--evaluation-memory-limit", "-1Gi"], ["--evaluation-memory-limit", "Gi"],
            ["--evaluation-memory-limit", "99999999999Gi"], ["--evaluation-isolation", "vm"],
        ])
        func invalidValuesExitTwoWithOneLine(arguments: [String]) async throws {
            let (status, stdout, stderr) = try await JaaSProcess.run(arguments)
            #expect(status == 2)
            #expect(stdout.isEmpty)
            #expect(stderr.hasPrefix("jaas: "))
            #expect(stderr.split(separator: "\n").count == 1, "\(stderr)")
        }

        @Test func versionPrintsAndExitsZero() async throws {
            let (status, stdout, _) = try await JaaSProcess.run(["--version"])
            #expect(status == 0)
            let lines = stdout.split(separator: "\n")
            #expect(lines.count == 2, "\(stdout)")
            #expect(lines.first?.hasPrefix("version: ") == true, "\(stdout)")
            #expect(lines.last?.hasPrefix("commit: ") == true, "\(stdout)")
        }

        /// Fails when a flag of `jaas --help` is missing from docs/flags.md.
        @Test func everyFlagIsDocumented() async throws {
            let (status, help, _) = try await JaaSProcess.run(["--help"])
            #expect(status == 0)
            let flags = Set(help.matches(of: /--[a-z][a-z-]+/).map { String($0.output) })
            #expect(flags.count >= 20)
            let docs = try String(contentsOfFile: repositoryRoot + "/docs/flags.md", encoding: .utf8)
            for flag in flags.sorted() {
                #expect(docs.contains("`\(flag)`") || docs.contains("`\(flag) "), "docs/flags.md does not document \(flag)")
            }
        }

        @Test func theExtVarFlagWinsOverTheEnvironment() async throws {
            let fixture = try standardFixture()
            let environment = ["JAAS_EXT_VAR_env": "from-environment", "JAAS_EXT_VAR_other": "kept"]
            try fixture.write("snippets/both/main.jsonnet", "{ env: std.extVar('env'), other: std.extVar('other') }")
            let fromEnvironment = try await JaaSProcess(["--snippet-directory", fixture.at("snippets")],
                                                        environment: environment)
            let reply = try await RawHTTP.request(port: fromEnvironment.ports["renderer"]!, target: "/jsonnet/both")
            #expect(reply.json["env"] as? String == "from-environment")
            #expect(reply.json["other"] as? String == "kept")
            let withFlag = try await JaaSProcess(["--snippet-directory", fixture.at("snippets"), "--ext-var", "env=from-flag"],
                                                 environment: environment)
            let flagged = try await RawHTTP.request(port: withFlag.ports["renderer"]!, target: "/jsonnet/both")
            #expect(flagged.json["env"] as? String == "from-flag")
            #expect(flagged.json["other"] as? String == "kept")
        }

        /// After the 504 the process's CPU time stops growing: the evaluation itself stopped.
        /// (On a thread of the server; a worker past its timeout is killed, see IsolationTests.)
        @Test func aTimedOutEvaluationStopsUsingCPU() async throws {
            let fixture = try standardFixture()
            let jaas = try await JaaSProcess(["--snippet-directory", fixture.at("snippets"), "--evaluation-timeout", "1s",
                                              "--evaluation-isolation", "thread"])
            let before = jaas.cpuSeconds
            let reply = try await RawHTTP.request(port: jaas.ports["renderer"]!, target: "/jsonnet/loop")
            let answeredAfter = reply.elapsed
            let atAnswer = jaas.cpuSeconds
            try await Task.sleep(for: .seconds(1))
            let oneSecondLater = jaas.cpuSeconds
            print("timeout CPU: evaluation used \(atAnswer - before) s CPU in \(answeredAfter); "
                  + "in the 1 s after the 504 the process used \(oneSecondLater - atAnswer) s CPU")
            #expect(reply.status == 504)
            #expect(answeredAfter >= .milliseconds(950) && answeredAfter < .seconds(3))
            #expect(atAnswer - before >= 0.1, "the evaluation should have been busy")
            #expect(oneSecondLater - atAnswer <= 0.05, "CPU kept running after the 504")
        }

        @Test func sigtermTurnsNotReadyWaitsDrainsAndExitsZero() async throws {
            let fixture = try standardFixture()
            let jaas = try await JaaSProcess(["--snippet-directory", fixture.at("snippets"),
                                              "--shutdown-delay", "1s", "--evaluation-timeout", "60s"])
            let port = jaas.ports["renderer"]!
            // Calibrate a render that takes about 3.5 s on this machine.
            let probeCount = 200_000
            try fixture.write("snippets/slow/main.jsonnet", "std.foldl(function(a, b) a + b, std.range(1, \(probeCount)), 0)")
            let probe = try await RawHTTP.request(port: port, target: "/jsonnet/slow")
            #expect(probe.status == 200)
            let perItem = probe.elapsed / probeCount
            let count = Int(Duration.milliseconds(3500) / perItem)
            try fixture.write("snippets/slow/main.jsonnet", "std.foldl(function(a, b) a + b, std.range(1, \(count)), 0)")

            let inFlight = Task { try await RawHTTP.request(port: port, target: "/jsonnet/slow") }
            try await Task.sleep(for: .milliseconds(300))
            let signalled = ContinuousClock.now
            jaas.signal(SIGTERM)
            #expect(try await eventually(within: 0.8) {
                try await RawHTTP.request(port: jaas.ports["management"]!, target: "/ready").status == 503
            })
            let reply = try await inFlight.value
            let answeredAfterSignal = reply.completedAt - signalled
            #expect(reply.status == 200)
            #expect(reply.body == "\(count * (count + 1) / 2)\n")
            #expect(answeredAfterSignal > .seconds(1), "the request should still run when draining starts")
            let status = try await jaas.waitForExit(seconds: 10)
            #expect(status == 0, "\(jaas.logText)")
            print("SIGTERM drain: in-flight request answered \(answeredAfterSignal) after SIGTERM; exit status \(status ?? -1)")
        }
    }
}

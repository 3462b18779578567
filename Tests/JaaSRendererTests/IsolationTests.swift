import Foundation
import JaaSCore
import Jsonnet
import Testing

extension EndToEnd {
    /// Evaluations in worker processes (`jaas eval-worker`): a crash ends one
    /// evaluation with a clean error, never the server.
    @Suite struct IsolationTests {
        static let slow = "std.foldl(function(a, i) a + std.foldl(function(b, j) b + j, std.range(1, 10000), 0), std.range(1, 100000), 0)"

        static func pool() -> WorkerPool {
            WorkerPool(configuration: .init(executable: JaaSProcess.binary,
                                            addressSpaceLimit: WorkerPool.addressSpaceLimit(forMemoryLimit: 1 << 30),
                                            maxIdleWorkers: 2))
        }

        static func job(_ code: String, timeout: Duration? = .seconds(30)) -> EvaluationJob {
            EvaluationJob(entryPath: "main.jsonnet", fileName: "main.jsonnet",
                          files: .trees(snippet: ["main.jsonnet": Array(code.utf8),
                                                  "lib.libsonnet": Array("{ x: 1 }".utf8)],
                                        libraries: ["alias": ["main.libsonnet": Array("{ y: 2 }".utf8)]]),
                          externalVariables: ["v": .string("ext")], topLevelArguments: [:], timeout: timeout)
        }

        /// Waits until a worker is busy and sends it `signal`.
        static func signalBusyWorker(_ pool: WorkerPool, _ signal: Int32) async throws {
            let deadline = ContinuousClock.now + .seconds(20)
            while pool.busyProcessIDs.isEmpty && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(10))
            }
            let pid = try #require(pool.busyProcessIDs.first)
            // Let the worker read its job first, so the signal hits an evaluation.
            try await Task.sleep(for: .milliseconds(300))
            kill(pid, signal)
        }

        @Test func aWorkerEvaluatesWithItsFilesAndVariables() async throws {
            let pool = Self.pool()
            defer { pool.shutdown() }
            let reply = await pool.evaluate(Self.job("(import 'lib.libsonnet') + (import 'alias') + { v: std.extVar('v') }"))
            #expect(reply.outcome == .output("{\n   \"v\": \"ext\",\n   \"x\": 1,\n   \"y\": 2\n}\n"))
            let failed = await pool.evaluate(Self.job("error 'boom'"))
            guard case .evaluationFailed(let text) = failed.outcome else { Issue.record("\(failed)"); return }
            #expect(text.hasPrefix("RUNTIME ERROR: boom"))
            #expect(pool.statistics.started == 1, "the worker is reused")
        }

        @Test func aCrashedWorkerGivesACleanErrorAndIsReplaced() async throws {
            let pool = Self.pool()
            defer { pool.shutdown() }
            async let crashed = pool.evaluate(Self.job(Self.slow))
            try await Self.signalBusyWorker(pool, SIGSEGV)
            let reply = await crashed
            guard case .crashed(let message) = reply.outcome else { Issue.record("\(reply)"); return }
            #expect(message.contains("evaluation crashed"), "\(message)")
            #expect(message.contains("killed by signal SIGSEGV"), "\(message)")
            #expect(pool.statistics.crashed == 1)
            let next = await pool.evaluate(Self.job("{ ok: true }"))
            #expect(next.outcome == .output("{\n   \"ok\": true\n}\n"))
        }

        @Test func aWorkerPastItsTimeoutIsStopped() async throws {
            let pool = Self.pool()
            defer { pool.shutdown() }
            let start = ContinuousClock.now
            let reply = await pool.evaluate(Self.job(Self.slow, timeout: .milliseconds(300)))
            #expect(reply.outcome == .timedOut)
            #expect(ContinuousClock.now - start < .seconds(5))
        }

        @Test func cancellingStopsTheWorker() async throws {
            let pool = Self.pool()
            defer { pool.shutdown() }
            let token = CancellationToken()
            let evaluation = Task { await pool.evaluate(Self.job(Self.slow), cancellation: token) }
            try await Task.sleep(for: .milliseconds(300))
            token.cancel()
            let outcome = await evaluation.value.outcome
            #expect(outcome == .cancelled)
        }

        /// The whole path: a `jaas --evaluation-isolation process` server whose worker
        /// is killed mid-request answers that request with a problem and keeps serving.
        @Test func theServerSurvivesAKilledWorker() async throws {
            let fixture = try standardFixture()
            try fixture.write("snippets/slow/main.jsonnet", Self.slow)
            let jaas = try await JaaSProcess(["--snippet-directory", fixture.at("snippets"),
                                              "--evaluation-isolation", "process", "--evaluation-timeout", "30s"])
            let port = jaas.ports["renderer"]!
            async let slow = RawHTTP.request(port: port, target: "/jsonnet/slow")
            var worker: Int32?
            let deadline = ContinuousClock.now + .seconds(20)
            while worker == nil && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(100))
                worker = Self.busyChild(of: jaas.pid)
            }
            let pid = try #require(worker, "no worker process of jaas is busy")
            kill(pid, SIGSEGV)
            let reply = try await slow
            #expect(reply.status == 400)
            #expect(reply.json["code"] as? String == "evaluation_failed")
            let hello = try await RawHTTP.request(port: port, target: "/jsonnet/hello")
            #expect(hello.status == 200)
            #expect(hello.json["hello"] as? String == "world")
            // A worker reports the files it read, so its renders are cached like any other
            // (once the fixture's files are older than the 2 s racy window).
            var cache = ""
            for _ in 0..<20 where cache != "hit" {
                try await Task.sleep(for: .milliseconds(250))
                cache = try await RawHTTP.request(port: port, target: "/jsonnet/hello").headers["x-jaas-cache"] ?? ""
            }
            #expect(cache == "hit")
            // The log line reaches us through a pipe read on another thread.
            for _ in 0..<50 where !jaas.logText.contains("killed by signal SIGSEGV") {
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(jaas.logText.contains("killed by signal SIGSEGV"), "\(jaas.logText)")
        }

        /// A child of `parent` running `eval-worker` that has used over half a second
        /// of CPU: the one evaluating (idle workers use a few milliseconds to start).
        static func busyChild(of parent: Int32) -> Int32? {
            let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
            for entry in entries {
                guard let pid = Int32(entry),
                      let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                      let close = stat.lastIndex(of: ")") else { continue }
                let fields = stat[stat.index(after: close)...].split(separator: " ")
                guard fields.count > 12, fields[1] == "\(parent)",
                      let cmdline = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline"),
                      String(decoding: cmdline, as: UTF8.self).contains(EvaluationWorker.subcommand) else { continue }
                let ticks = (Double(fields[11]) ?? 0) + (Double(fields[12]) ?? 0)
                if ticks / Double(sysconf(Int32(_SC_CLK_TCK))) > 0.5 { return pid }
            }
            return nil
        }
    }
}

import AsyncHTTPClient
import Foundation
import KubeTestServer
import Kubernetes
import Testing
import TestSupport

/// OTLP tracing end to end (docs/tracing.md): the built `jaas` exports to a
/// real OTLP/gRPC receiver, and the spans' parent/child links are checked.
@Suite(.serialized) struct TracingTests {
    typealias Cluster = ReconcilerIntegrationTests.Cluster

    /// Batches go out every 10 minutes, so spans arrive only through the flush on SIGTERM.
    static let flushOnly = ["OTEL_BSP_SCHEDULE_DELAY": "600000"]

    /// The caller's span in the `traceparent` the renderer is sent.
    static let traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
    static let callerSpanID = "00f067aa0ba902b7"

    @Test func aRenderRequestIsAChildOfItsTraceparent() async throws {
        let receiver = try await OTLPReceiver.start()
        defer { receiver.stop() }
        let renderer = try await Renderer.start(tracingArguments: [
            "--tracing-endpoint", receiver.endpoint, "--tracing-insecure", "--tracing-sample-ratio", "1",
        ], environment: Self.flushOnly)
        defer { renderer.removeFiles() }
        let (status, _) = try await renderer.get("/jsonnet/hello?name=x",
                                                 headers: ["traceparent": "00-\(Self.traceID)-\(Self.callerSpanID)-01"])
        #expect(status == 200)
        // Malformed traceparents are ignored: new traces, no crash, and no log line that
        // repeats the request's headers (credentials among them).
        for traceparent in ["00-zz-\(Self.callerSpanID)-01", "00-" + String(repeating: "a", count: 10_000),
                            "00-00000000000000000000000000000000-\(Self.callerSpanID)-01"] {
            let (malformed, _) = try await renderer.get(
                "/jsonnet/hello", headers: ["traceparent": traceparent, "authorization": "Bearer s3cr3t-token"])
            #expect(malformed == 200)
        }
        let (missing, _) = try await renderer.get("/jsonnet/nothing-here", headers: [:])
        #expect(missing == 404)
        #expect(try await renderer.stop(), "jaas exits after SIGTERM")
        #expect(!renderer.log.contains("s3cr3t"), "\(renderer.log)")

        let spans = try receiver.spans().filter { $0.name == "GET /jsonnet/{snippet}" }
        #expect(spans.count == 5, "\(spans)")
        let child = try #require(spans.first { $0.traceId == Self.traceID }, "no span in the caller's trace: \(spans)")
        #expect(child.parentSpanId == Self.callerSpanID)
        #expect(child.kind == 2, "a server span")
        #expect(child.service == "jaas")
        #expect(child.attributes["http.response.status_code"] == "200")
        #expect(child.attributes["url.path"] == "/jsonnet/hello", "the query stays out")
        #expect(child.attributes["jaas.snippet"] == "hello")
        #expect(child.attributes["jaas.cache"] == "miss")
        let others = spans.filter { $0.traceId != Self.traceID }
        #expect(others.count == 4 && others.allSatisfy { $0.parentSpanId.isEmpty }, "new traces: \(others)")
        #expect(others.contains { $0.attributes["http.response.status_code"] == "404" })
    }

    @Test func ratioZeroRecordsOnlyWhatTheCallerSampled() async throws {
        let receiver = try await OTLPReceiver.start()
        defer { receiver.stop() }
        let renderer = try await Renderer.start(tracingArguments: [
            "--tracing-endpoint", receiver.endpoint, "--tracing-insecure=true", "--tracing-sample-ratio", "0",
        ], environment: Self.flushOnly)
        defer { renderer.removeFiles() }
        _ = try await renderer.get("/jsonnet/hello", headers: [:])
        _ = try await renderer.get("/jsonnet/hello", headers: ["traceparent": "00-\(Self.traceID)-\(Self.callerSpanID)-00"])
        _ = try await renderer.get("/jsonnet/hello", headers: ["traceparent": "00-\(Self.traceID)-\(Self.callerSpanID)-01"])
        #expect(try await renderer.stop())
        let spans = try receiver.spans()
        #expect(spans.count == 1 && spans.first?.parentSpanId == Self.callerSpanID,
                "only the request whose caller sampled it: \(spans)")
    }

    @Test func aReconcileIsTheParentOfItsStepsAndAPICalls() async throws {
        let receiver = try await OTLPReceiver.start()
        defer { receiver.stop() }
        let cluster = try await Cluster.start()
        defer { Task { await cluster.stop() } }
        let kubeconfig = temporaryPath("jaas-tracing-", suffix: ".kubeconfig")
        try cluster.server.writeKubeconfig(to: kubeconfig)
        let storage = temporaryPath("jaas-tracing-")
        defer {
            try? FileManager.default.removeItem(atPath: kubeconfig)
            try? FileManager.default.removeItem(atPath: storage)
        }
        try FileManager.default.createDirectory(atPath: storage, withIntermediateDirectories: true)
        let replica = try await OperatorReplica(
            name: "traced", arguments: ["--kubeconfig", kubeconfig, "--storage-path", storage, "--leader-election=false",
                                        "--tracing-endpoint", receiver.endpoint, "--tracing-insecure",
                                        "--tracing-sample-ratio", "1"],
            // The debug build's exit trips an AsyncHTTPClient deinit check (the operator's
            // KubeClient is never shut down); no slow backtrace for it.
            environment: Self.flushOnly.merging(["SWIFT_BACKTRACE": "enable=no"]) { $1 })
        try await cluster.apply("traced", spec: ReconcilerIntegrationTests.spec("{ traced: true }"))
        let deadline = ContinuousClock.now + .seconds(30)
        while try await cluster.ready("traced").status != "True" {
            guard ContinuousClock.now < deadline else { throw TestFailure("not Ready: \(replica.logText)") }
            try await Task.sleep(for: .milliseconds(100))
        }
        // SIGTERM: the exporter stops after everything else and flushes what is left.
        replica.terminate()
        var spans: [OTLPReceiver.Span] = []
        let flushed = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < flushed {
            spans = try receiver.spans()
            if spans.contains(where: { $0.name == "publish artifact" }) { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        _ = try await replica.waitForExit(seconds: 30)

        let reconciles = spans.filter { $0.name == "reconcile" && $0.attributes["jaas.snippet.name"] == "traced" }
        // The first successful reconcile: the one that created the ExternalArtifact.
        let reconcile = try #require(reconciles.filter { $0.attributes["jaas.reconcile.status"] == "success" }
            .min { $0.start < $1.start }, "no successful reconcile span: \(spans)\n\(replica.logText)")
        #expect(reconcile.parentSpanId.isEmpty)
        #expect(reconcile.attributes["k8s.namespace.name"] == "team-a")
        #expect(reconcile.attributes["jaas.reconcile.reason"] == "Synced")
        let trace = spans.filter { $0.traceId == reconcile.traceId }
        var steps: [String: OTLPReceiver.Span] = [:]
        for name in ["fetch source", "render", "store artifact", "publish artifact"] {
            let step = trace.first { $0.name == name }
            #expect(step?.parentSpanId == reconcile.spanId, "\(name) is a child of reconcile: \(trace)")
            steps[name] = step
        }
        #expect(steps["fetch source"]?.attributes["jaas.source.kind"] == "inline")
        #expect(steps["render"]?.attributes["jaas.artifact.revision"]?.hasPrefix("sha256:") == true)

        // Kubernetes API calls: client spans with method, path and status, under the reconcile.
        let calls = trace.filter { $0.name.hasPrefix("kubernetes ") }
        let read = calls.first { $0.name == "kubernetes GET" && $0.parentSpanId == reconcile.spanId
            && $0.attributes["url.path"] == "/apis/jaas.metio.wtf/v1/namespaces/team-a/jsonnetsnippets/traced" }
        #expect(read?.kind == 3 && read?.attributes["http.request.method"] == "GET"
                && read?.attributes["http.response.status_code"] == "200", "the snippet's GET: \(calls)")
        let publishCalls = calls.filter { $0.parentSpanId == steps["publish artifact"]?.spanId }
        #expect(publishCalls.contains { $0.attributes["url.path"]?.contains("/externalartifacts/traced") == true },
                "the ExternalArtifact calls are children of publish artifact: \(calls)")
        #expect(publishCalls.contains { $0.attributes["http.response.status_code"] == "404" },
                "the first GET of the ExternalArtifact finds none: \(publishCalls)")
        // The informers' list calls start traces of their own.
        #expect(spans.contains { $0.name == "kubernetes GET" && $0.parentSpanId.isEmpty
                && $0.attributes["url.path"] == "/apis/jaas.metio.wtf/v1/jsonnetsnippets" }, "\(spans.map(\.description))")
    }
}

/// `jaas` in renderer mode serving `hello` from a snippet directory, on a free port.
private struct Renderer {
    let process: Process
    let port: Int
    let directory: String

    /// What the process wrote to stderr so far.
    var log: String { (try? String(contentsOfFile: directory + "/stderr.log", encoding: .utf8)) ?? "" }

    static func start(tracingArguments: [String], environment: [String: String]) async throws -> Renderer {
        let directory = temporaryPath("jaas-tracing-")
        try FileManager.default.createDirectory(atPath: directory + "/hello", withIntermediateDirectories: true)
        try "{ hello: 'world' }".write(toFile: directory + "/hello/main.jsonnet", atomically: true, encoding: .utf8)
        let port = try freePort()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: BuiltProducts.path(of: "jaas"))
        process.arguments = ["--snippet-directory", directory, "--port", "\(port)", "--management-port", "0",
                             "--metrics-bind-address", "0", "--shutdown-delay", "0s", "--evaluation-isolation", "thread",
                             "--log-level", "info"] + tracingArguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        _ = FileManager.default.createFile(atPath: directory + "/stderr.log", contents: nil)
        // Logs go to stdout (as the original's); both streams land in one file.
        let logFile = try FileHandle(forWritingTo: URL(fileURLWithPath: directory + "/stderr.log"))
        process.standardError = logFile
        process.standardOutput = logFile
        try process.run()
        let renderer = Renderer(process: process, port: port, directory: directory)
        let deadline = ContinuousClock.now + .seconds(30)
        while (try? await renderer.get("/live", headers: [:]))?.0 != 200 {
            guard ContinuousClock.now < deadline, process.isRunning else {
                process.terminate()
                throw TestFailure("jaas did not start (exit \(process.isRunning ? 0 : process.terminationStatus))")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        return renderer
    }

    func get(_ path: String, headers: [String: String]) async throws -> (Int, String) {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), String(buffer: body))
    }

    /// SIGTERM, then waits up to 30 s for the exit (the exporter flushes on the way out).
    func stop() async throws -> Bool {
        process.terminate()
        let deadline = ContinuousClock.now + .seconds(30)
        while process.isRunning && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        return !process.isRunning
    }

    func removeFiles() {
        try? FileManager.default.removeItem(atPath: directory)
    }
}

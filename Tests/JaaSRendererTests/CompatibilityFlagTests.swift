import Foundation
import Testing

extension EndToEnd {
    /// The spellings the original's Helm chart passes (issue 13): its extra timeout
    /// flags, Go booleans, rates with a period, and `0` meaning a default or "off".
    @Suite struct CompatibilityFlagTests {
        /// The renderer-mode args the original's chart writes, with `=` and all.
        @Test func theOriginalChartsRendererArgsStartTheServer() async throws {
            let fixture = try standardFixture()
            let jaas = try await JaaSProcess([
                "--listen-address=127.0.0.1", "--read-timeout=10s", "--write-timeout=10s",
                "--management-listen-address=127.0.0.1", "--management-read-timeout=10s",
                "--management-write-timeout=10s", "--log-level=info", "--jsonnet-endpoint-path=jsonnet",
                "--evaluation-timeout=5s", "--max-stack=500", "--max-concurrent-evals=32", "--shutdown-delay=5s",
                "--snippet-directory=\(fixture.at("snippets"))", "--enable-flux-integration=false",
            ])
            let reply = try await RawHTTP.request(port: jaas.ports["renderer"]!, target: "/jsonnet/hello")
            #expect(reply.status == 200)
            #expect(reply.json["hello"] as? String == "world")
        }

        /// `--max-stack 0` is the engine default (500): 1000 frames fail, 400 do not.
        @Test func maxStackZeroMeansTheEngineDefault() async throws {
            let fixture = try standardFixture()
            try fixture.write("snippets/shallow/main.jsonnet", "local f(x) = if x == 0 then 0 else 1 + f(x - 1); f(400)")
            let jaas = try await JaaSProcess(["--snippet-directory", fixture.at("snippets"), "--max-stack", "0"])
            let port = jaas.ports["renderer"]!
            #expect(try await RawHTTP.request(port: port, target: "/jsonnet/shallow").status == 200)
            #expect(try await RawHTTP.request(port: port, target: "/jsonnet/deep").status == 400)
        }

        /// An idle connection to the probe server is closed after `--management-read-timeout`.
        @Test func theManagementReadTimeoutClosesIdleConnections() async throws {
            let fixture = try standardFixture()
            let jaas = try await JaaSProcess(["--snippet-directory", fixture.at("snippets"),
                                              "--management-read-timeout", "300ms"])
            let socket = try await RawHTTP.openAndSend(port: jaas.ports["management"]!, "GET /live HTTP/1.1\r\n")
            defer { close(socket) }
            let start = ContinuousClock.now
            let closed = await RawHTTP.readUntilClosed(socket, timeout: 5)
            #expect(closed != nil, "the half-sent request was never cut off")
            #expect(ContinuousClock.now - start < .seconds(3))
        }

        @Test(arguments: [
            ["--enable-flux-integration=maybe"], ["--no-cross-namespace-refs=yes"],
            ["--management-read-timeout", "soon"], ["--management-write-timeout", "-1s"],
            ["--enable-flux-integration", "--storage-path", "/tmp", "--storage-base-url", "http://x",
             "--rerender-rate", "60/fortnight"],
            ["--enable-flux-integration", "--storage-path", "/tmp", "--storage-base-url", "http://x",
             "--rerender-rate", "0/min"],
            ["--enable-flux-integration", "--storage-path", "/tmp", "--storage-base-url", "http://x",
             "--rerender-rate=1e400/s"],
            ["--enable-flux-integration", "--storage-path", "/tmp", "--storage-base-url", "http://x",
             "--storage-read-timeout", "10"],
        ])
        func badCompatibilityValuesExitTwo(arguments: [String]) async throws {
            let (status, _, stderr) = try await JaaSProcess.run(arguments)
            #expect(status == 2)
            #expect(stderr.split(separator: "\n").count == 1, "\(stderr)")
            let flag = arguments.last { $0.hasPrefix("--") }!.split(separator: "=")[0]
            #expect(stderr.contains(flag), "\(stderr)")
        }

        /// Rates, booleans and a zero sweep interval pass validation: the operator gets as
        /// far as looking for a cluster (there is none here).
        @Test(arguments: ["60/min", "1/s", "3600/h", "2/sec", "100/hour", "60"])
        func goodOperatorValuesPassValidation(rate: String) async throws {
            let storage = try Fixture()
            let (status, _, stderr) = try await JaaSProcess.run([
                "--enable-flux-integration", "--storage-path=\(storage.path)", "--storage-base-url=http://x",
                "--rerender-rate=\(rate)", "--no-cross-namespace-refs", "--storage-sweep-interval=0",
                "--storage-read-timeout=10s", "--storage-write-timeout=0", "--kubeconfig=\(storage.path)/none",
                "--port=0", "--management-port=0", "--metrics-bind-address=0",
            ])
            #expect(status == 2)
            #expect(stderr.hasPrefix("jaas: --enable-flux-integration: "), "\(stderr)")
        }
    }
}

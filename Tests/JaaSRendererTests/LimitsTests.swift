import Foundation
import JaaSRenderer
import Testing

extension EndToEnd {
    /// Timeouts, the concurrency cap and client disconnects stop the evaluation itself.
    @Suite struct LimitsTests {
        private func configure(_ fixture: Fixture, _ extra: @escaping (inout RendererConfiguration) -> Void)
        -> (inout RendererConfiguration) -> Void {
            { config in
                config.snippetDirectories = [fixture.at("snippets")]
                extra(&config)
            }
        }

        @Test func theTimeoutStopsTheEvaluation() async throws {
            let fixture = try standardFixture()
            try await withServer(configure(fixture) { $0.evaluationTimeout = .milliseconds(300) }) { (server) async throws in
                let reply = try await server.get("/jsonnet/loop")
                #expect(reply.status == 504)
                #expect(reply.elapsed < .seconds(3))
                #expect(try await eventually(within: 1) { server.server.renderer.gate.statistics.inFlight == 0 })
                #expect(try await server.metric("jaas_eval_outstanding_timed_out") == 0)
                #expect(try await server.metric("jaas_eval_timed_out_total") == 1)
                #expect(try await server.metric("jaas_eval_in_flight") == 0)
            }
        }

        @Test func theCapRefusesAndFreesItsSlotWhenTheEvaluationEnds() async throws {
            let fixture = try standardFixture()
            try await withServer(configure(fixture) { $0.maxConcurrentEvaluations = 1 }) { (server) async throws in
                let busy = try await RawHTTP.sendWithoutReading(port: server.ports[.renderer]!, target: "/jsonnet/loop")
                #expect(try await eventually { server.server.renderer.gate.statistics.inFlight == 1 })
                #expect(try await server.get("/jsonnet/hello").status == 503)
                #expect(try await server.get("/jsonnet/args").status == 503)
                #expect(try await server.metric("jaas_eval_unavailable_total") == 2)
                #expect(try await server.metric("jaas_eval_max_concurrent") == 1)
                #expect(try await server.metric("jaas_eval_in_flight") == 1)
                close(busy)
                #expect(try await eventually(within: 1) { server.server.renderer.gate.statistics.inFlight == 0 })
                #expect(try await server.get("/jsonnet/hello").status == 200)
            }
        }

        @Test func aDisconnectingClientCancelsItsEvaluation() async throws {
            let fixture = try standardFixture()
            try await withServer(configure(fixture) { $0.evaluationTimeout = .seconds(60) }) { (server) async throws in
                let socket = try await RawHTTP.sendWithoutReading(port: server.ports[.renderer]!, target: "/jsonnet/loop")
                #expect(try await eventually { server.server.renderer.gate.statistics.inFlight == 1 })
                close(socket)
                #expect(try await eventually(within: 1) { server.server.renderer.gate.statistics.inFlight == 0 })
                #expect(try await server.metric("jaas_render_requests_total{code=\"client_disconnected\",status=\"499\"}") == 1)
                #expect(try await server.metric("jaas_eval_timed_out_total") == 0)
                #expect(server.logs.all.contains { $0.contains("client disconnected, evaluation cancelled") })
            }
        }

        @Test func maxStackIsEnforced() async throws {
            let fixture = try standardFixture()
            try await withServer(configure(fixture) { $0.maxStack = 2000 }) { (server) async throws in
                #expect(try await server.get("/jsonnet/deep").body == "1000\n")
            }
            try await withServer(configure(fixture) { $0.maxStack = 500 }) { (server) async throws in
                #expect(try await server.get("/jsonnet/deep").status == 400)
            }
        }

        @Test func theReadTimeoutClosesASlowConnection() async throws {
            let fixture = try standardFixture()
            try await withServer(configure(fixture) { $0.readTimeout = .milliseconds(300) }) { (server) async throws in
                let start = ContinuousClock.now
                let socket = try await RawHTTP.openAndSend(port: server.ports[.renderer]!, "GET /jsonnet/hello HTTP/1.1\r\n")
                defer { close(socket) }
                let closed = await RawHTTP.readUntilClosed(socket, timeout: 5)
                #expect(closed == [])
                #expect(ContinuousClock.now - start >= .milliseconds(250))
                #expect(ContinuousClock.now - start < .seconds(3))
            }
        }
    }
}

import JaaSRenderer
import Testing

extension EndToEnd {
    /// Probes, shutdown, metrics and the main port's static route.
    @Suite struct LifecycleTests {
        @Test func probesAnswerWhileRunning() async throws {
            let fixture = try standardFixture()
            try await withServer({ $0.snippetDirectories = [fixture.at("snippets")] }) { (server) async throws in
                for path in ["/live", "/start", "/ready"] {
                    let reply = try await server.probe(path)
                    #expect(reply.status == 200)
                    #expect(reply.headers["content-type"] == "application/json")
                    #expect(reply.body == #"{"status":"ok"}"#, "\(path)")
                }
            }
        }

        /// The original's 405: any method but GET, `Allow: GET`, its own status body.
        @Test(arguments: ["POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"])
        func probesRefuseOtherMethods(method: String) async throws {
            let fixture = try standardFixture()
            try await withServer({ $0.snippetDirectories = [fixture.at("snippets")] }) { (server) async throws in
                for path in ["/live", "/start", "/ready"] {
                    let reply = try await server.probe(path, method: method)
                    #expect(reply.status == 405, "\(method) \(path)")
                    #expect(reply.headers["allow"] == "GET")
                    #expect(reply.headers["content-type"] == "application/json")
                    if method != "HEAD" { #expect(reply.body == #"{"status":"method_not_allowed"}"#) }
                }
            }
        }

        /// `::` (what the chart passes) listens on IPv4 and IPv6 at once, for the
        /// renderer, the probes and the metrics.
        @Test func doubleColonListensDualStack() async throws {
            let fixture = try standardFixture()
            try await withServer({ config in
                config.snippetDirectories = [fixture.at("snippets")]
                config.listenAddress = "::"
                config.managementListenAddress = "::"
                config.metricsAddress = ("::", 0)
            }) { (server) async throws in
                for ipv6 in [false, true] {
                    let render = try await RawHTTP.request(port: server.ports[.renderer]!, target: "/jsonnet/hello", ipv6: ipv6)
                    #expect(render.status == 200, "ipv6: \(ipv6)")
                    let probe = try await RawHTTP.request(port: server.ports[.management]!, target: "/ready", ipv6: ipv6)
                    #expect(probe.body == #"{"status":"ok"}"#, "ipv6: \(ipv6)")
                    let metrics = try await RawHTTP.request(port: server.ports[.metrics]!, target: "/metrics", ipv6: ipv6)
                    #expect(metrics.status == 200, "ipv6: \(ipv6)")
                }
            }
        }

        @Test func shutdownTurnsNotReadyFirstThenDrains() async throws {
            let fixture = try standardFixture()
            let server = try await TestServer.start { config in
                config.snippetDirectories = [fixture.at("snippets")]
                config.shutdownDelay = .seconds(1)
            }
            await server.beginShutdown()
            #expect(try await eventually(within: 0.5) { try await server.probe("/ready").status == 503 })
            let ready = try await server.probe("/ready")
            #expect(ready.body == #"{"status":"not_ready"}"#)
            #expect(try await server.probe("/live").status == 200)
            #expect(try await server.probe("/start").status == 200)
            // During the delay the rendering server still serves.
            #expect(try await server.get("/jsonnet/hello").status == 200)
            try await server.stop()
        }

        @Test func metricsUseTheContractNames() async throws {
            let fixture = try standardFixture()
            try await withServer({ $0.snippetDirectories = [fixture.at("snippets")] }) { (server) async throws in
                _ = try await server.get("/jsonnet/hello")
                _ = try await server.get("/jsonnet/nope")
                let text = try await server.metrics()
                for name in ["jaas_eval_in_flight", "jaas_eval_max_concurrent", "jaas_eval_unavailable_total",
                             "jaas_eval_outstanding_timed_out", "jaas_render_duration_seconds_bucket",
                             "jaas_render_cache_hits_total"] {
                    #expect(text.contains("\n" + name), "\(name)")
                }
                #expect(try await server.metric("jaas_render_requests_total{code=\"ok\",status=\"200\"}") == 1)
                #expect(try await server.metric(
                    "jaas_render_requests_total{code=\"snippet_not_found\",status=\"404\"}") == 1)
                #expect(try await server.metric("jaas_eval_max_concurrent")
                        == Double(RendererConfiguration.defaultMaxConcurrentEvaluations))
            }
        }

        @Test func theMainPortHasAStaticLiveRouteAndNothingElse() async throws {
            let fixture = try standardFixture()
            try await withServer({ $0.snippetDirectories = [fixture.at("snippets")] }) { (server) async throws in
                #expect(try await server.get("/live").status == 200)
                #expect(try await server.get("/elsewhere").status == 404)
            }
        }

        @Test func logsOneLinePerRequest() async throws {
            let fixture = try standardFixture()
            try await withServer({ $0.snippetDirectories = [fixture.at("snippets")] }) { (server) async throws in
                _ = try await server.get("/jsonnet/hello?secret=value")
                let lines = server.logs.all.filter { $0.hasPrefix("info request ") }
                #expect(lines.count == 1)
                #expect(lines.first?.contains("path=/jsonnet/hello") == true)
                #expect(lines.first?.contains("status=200") == true)
                #expect(lines.first?.contains("method=GET") == true)
                #expect(lines.first?.contains("secret") == false)
            }
        }
    }
}

import JaaSCore
import Prometheus
import Synchronization

/// The renderer's Prometheus metrics: request counts by code, the render-duration
/// histogram, and the evaluation gate's and render cache's counters, which are
/// copied from their statistics at each scrape.
public final class RendererMetrics: Sendable {
    private let registry: PrometheusCollectorRegistry
    private let requests: [String: Counter]
    private let durationByCache: [Bool: DurationHistogram]
    private let inFlight: Gauge
    private let maxConcurrent: Gauge
    private let unavailable: Counter
    private let timedOut: Counter
    private let outstandingTimedOut: Gauge
    private let cacheEntries: Gauge
    private let cacheBytes: Gauge
    private let cacheHits: Counter
    private let cacheMisses: Counter
    private let cacheRacySkips: Counter
    private let cacheEvictions: Counter
    /// Counter values already exported, so each scrape adds only the difference.
    private let exported = Mutex<[ObjectIdentifier: Int]>([:])

    /// The request outcome label for a client that went away before the answer.
    static let clientDisconnected = "client_disconnected"

    /// Registers every metric with zero values.
    public init() {
        let registry = PrometheusCollectorRegistry()
        self.registry = registry
        var requests: [String: Counter] = [:]
        let outcomes = [("ok", "200"), (Self.clientDisconnected, "499")]
            + ProblemCode.allCases.map { ($0.rawValue, String($0.status.code)) }
        for (code, status) in outcomes {
            requests[code] = registry.makeCounter(
                descriptor: describe("jaas_render_requests_total",
                                     "Requests to the rendering endpoint by outcome code and HTTP status."),
                labels: [("code", code), ("status", status)])
        }
        self.requests = requests
        let buckets: [Duration] = [.microseconds(100), .microseconds(500), .milliseconds(1), .milliseconds(5),
                                   .milliseconds(10), .milliseconds(50), .milliseconds(100), .milliseconds(500),
                                   .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10)]
        var durationByCache: [Bool: DurationHistogram] = [:]
        for (hit, label) in [(true, "hit"), (false, "miss")] {
            durationByCache[hit] = registry.makeDurationHistogram(
                descriptor: describe("jaas_render_duration_seconds",
                                     "Time to answer a rendering request, from the cache (hit) or by evaluating (miss)."),
                labels: [("cache", label)], buckets: buckets)
        }
        self.durationByCache = durationByCache
        func gauge(_ name: String, _ help: String) -> Gauge {
            registry.makeGauge(descriptor: describe(name, help))
        }
        func counter(_ name: String, _ help: String) -> Counter {
            registry.makeCounter(descriptor: describe(name, help))
        }
        inFlight = gauge("jaas_eval_in_flight", "Evaluations running now.")
        maxConcurrent = gauge("jaas_eval_max_concurrent", "The concurrency cap on evaluations (0 = none).")
        unavailable = counter("jaas_eval_unavailable_total",
                              "Evaluations refused because the concurrency cap was full.")
        timedOut = counter("jaas_eval_timed_out_total", "Evaluations stopped at the evaluation timeout.")
        outstandingTimedOut = gauge("jaas_eval_outstanding_timed_out",
                                    "Timed-out evaluations whose work has not stopped yet (cancellation keeps this at 0).")
        cacheEntries = gauge("jaas_render_cache_entries", "Renders held in the cache.")
        cacheBytes = gauge("jaas_render_cache_bytes", "Output bytes held in the cache.")
        cacheHits = counter("jaas_render_cache_hits_total", "Requests answered from the cache.")
        cacheMisses = counter("jaas_render_cache_misses_total", "Requests that found no valid cached render.")
        cacheRacySkips = counter("jaas_render_cache_racy_skips_total",
                                 "Renders not cached because a file they read had just changed.")
        cacheEvictions = counter("jaas_render_cache_evictions_total",
                                 "Cached renders dropped to stay within the cache bounds.")
    }

    /// Counts one request to the rendering endpoint with outcome `code`.
    func countRequest(code: String) {
        requests[code]?.increment()
    }

    /// Records how long a rendering request took.
    func recordDuration(_ duration: Duration, cacheHit: Bool) {
        durationByCache[cacheHit]?.record(duration)
    }

    /// The Prometheus text exposition, after copying `gate`'s and `cache`'s statistics.
    func exposition(gate: EvaluationGate, cache: RenderCache?) -> [UInt8] {
        let g = gate.statistics
        inFlight.set(Int64(g.inFlight))
        maxConcurrent.set(Int64(g.maxConcurrent))
        outstandingTimedOut.set(Int64(g.outstandingTimedOut))
        let c = cache?.statistics ?? RenderCache.Statistics()
        cacheEntries.set(Int64(c.entries))
        cacheBytes.set(Int64(c.bytes))
        exported.withLock { exported in
            for (counter, total) in [(unavailable, g.unavailableTotal), (timedOut, g.timedOutTotal),
                                     (cacheHits, c.hits), (cacheMisses, c.misses),
                                     (cacheRacySkips, c.racySkips), (cacheEvictions, c.evictions)] {
                let id = ObjectIdentifier(counter)
                let delta = total - exported[id, default: 0]
                if delta > 0 { counter.increment(by: Int64(delta)) }
                exported[id] = total
            }
        }
        return registry.emitToBuffer()
    }
}

/// A metric's full name and help text.
private func describe(_ name: String, _ help: String) -> MetricNameDescriptor {
    MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
}

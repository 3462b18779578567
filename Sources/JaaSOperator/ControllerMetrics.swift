import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Kubernetes
import Prometheus
import Synchronization

/// The standard series a controller framework exports for one controller, here the
/// snippet controller (`controller="jsonnetsnippet"`, and `name="jsonnetsnippet"` on the
/// work-queue series): reconcile counts, errors and time, workers, and the work queue's
/// depth, adds, retries and wait/work times. Dashboards and alerts written for
/// controller-runtime operators read them unchanged.
public final class ControllerMetrics: Sendable {
    /// The controller's name in the `controller` (and `name`) label.
    public static let controllerName = "jsonnetsnippet"

    private let reconciles: [String: Counter]
    private let errors: Counter
    private let reconcileTime: ValueHistogram
    private let activeWorkers: Gauge
    private let maxConcurrent: Gauge
    private let depth: Gauge
    private let adds: Counter
    private let retries: Counter
    private let queueDuration: ValueHistogram
    private let workDuration: ValueHistogram
    private let unfinished: Gauge
    private let longestRunning: Gauge
    /// When each waiting key was queued, and when each key in work was handed out.
    private let times = Mutex<(queued: [String: ContinuousClock.Instant], working: [String: ContinuousClock.Instant])>(([:], [:]))

    /// The results `controller_runtime_reconcile_total` counts.
    public static let results = ["success", "error", "requeue", "requeue_after"]

    /// controller-runtime's reconcile-time buckets, in seconds.
    static let reconcileBuckets: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5,
                                              0.6, 0.7, 0.8, 0.9, 1, 1.25, 1.5, 1.75, 2, 2.5, 3, 3.5, 4, 4.5, 5, 6, 7,
                                              8, 9, 10, 15, 20, 25, 30, 40, 50, 60]
    /// The work queue's buckets: 10 ns to 1000 s, by tens.
    static let queueBuckets: [Double] = (0..<12).map { 1e-8 * pow(10, Double($0)) }

    /// Registers every series in `registry`, at zero.
    public init(registry: PrometheusCollectorRegistry) {
        let controller = [("controller", Self.controllerName)]
        let queue = [("controller", Self.controllerName), ("name", Self.controllerName)]
        reconciles = Dictionary(uniqueKeysWithValues: Self.results.map { result in
            (result, registry.makeCounter(
                descriptor: describe("controller_runtime_reconcile_total", "Reconciles per controller, by result."),
                labels: controller + [("result", result)]))
        })
        errors = registry.makeCounter(
            descriptor: describe("controller_runtime_reconcile_errors_total", "Reconciles per controller that ended in an error."),
            labels: controller)
        reconcileTime = registry.makeValueHistogram(
            descriptor: describe("controller_runtime_reconcile_time_seconds", "Time per reconcile, per controller."),
            labels: controller, buckets: Self.reconcileBuckets)
        activeWorkers = registry.makeGauge(
            descriptor: describe("controller_runtime_active_workers", "Workers reconciling now, per controller."), labels: controller)
        maxConcurrent = registry.makeGauge(
            descriptor: describe("controller_runtime_max_concurrent_reconciles", "The workers per controller."), labels: controller)
        depth = registry.makeGauge(
            descriptor: describe("workqueue_depth", "Keys waiting in the work queue."), labels: queue)
        adds = registry.makeCounter(
            descriptor: describe("workqueue_adds_total", "Keys queued (a key already waiting is not counted again)."), labels: queue)
        retries = registry.makeCounter(
            descriptor: describe("workqueue_retries_total", "Keys queued again after a failure, with backoff."), labels: queue)
        queueDuration = registry.makeValueHistogram(
            descriptor: describe("workqueue_queue_duration_seconds", "Time a key waited in the queue before it was handed out."),
            labels: queue, buckets: Self.queueBuckets)
        workDuration = registry.makeValueHistogram(
            descriptor: describe("workqueue_work_duration_seconds", "Time a key was worked on, from hand-out to done."),
            labels: queue, buckets: Self.queueBuckets)
        unfinished = registry.makeGauge(
            descriptor: describe("workqueue_unfinished_work_seconds", "Seconds of work in progress not yet done, summed over the keys in work."),
            labels: queue)
        longestRunning = registry.makeGauge(
            descriptor: describe("workqueue_longest_running_processor_seconds", "Seconds the longest-running key in work has been worked on."),
            labels: queue)
    }

    /// Sets `controller_runtime_max_concurrent_reconciles`.
    public func setWorkers(_ n: Int) { maxConcurrent.set(Int64(n)) }

    /// A key was newly queued.
    public func added(_ key: String) {
        adds.increment()
        times.withLock { if $0.queued[key] == nil { $0.queued[key] = .now } }
    }

    /// A key was handed out to a worker.
    public func started(_ key: String) {
        let now = ContinuousClock.now
        let queuedAt = times.withLock { times -> ContinuousClock.Instant? in
            times.working[key] = now
            return times.queued.removeValue(forKey: key)
        }
        if let queuedAt { queueDuration.record(seconds(now - queuedAt)) }
        activeWorkers.increment()
    }

    /// A worker is done with a key.
    public func finished(_ key: String) {
        let now = ContinuousClock.now
        if let since = times.withLock({ $0.working.removeValue(forKey: key) }) { workDuration.record(seconds(now - since)) }
        activeWorkers.decrement()
    }

    /// A key was queued again with backoff after a failure.
    public func retried() { retries.increment() }

    /// Counts one reconcile with `result` (one of `results`) that took `elapsed`.
    public func reconciled(result: String, elapsed: Duration) {
        reconciles[result]?.increment()
        if result == "error" { errors.increment() }
        reconcileTime.record(seconds(elapsed))
    }

    /// Updates the gauges read at scrape time.
    func refresh(depth queued: Int) {
        depth.set(Int64(queued))
        let now = ContinuousClock.now
        let running = times.withLock { $0.working.values.map { seconds(now - $0) } }
        unfinished.set(running.reduce(0, +))
        longestRunning.set(running.max() ?? 0)
    }
}

private func seconds(_ d: Duration) -> Double {
    Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
}

/// The `process_*` series and `rest_client_requests_total`, as exposition text: CPU
/// time, resident memory, open descriptors and start time read from `/proc/self`
/// (absent where there is no /proc), and the API requests of every `KubeClient`.
enum ProcessMetrics {
    static func exposition() -> [UInt8] {
        var text = ""
        func series(_ name: String, _ type: String, _ help: String, _ value: Double?) {
            guard let value else { return }
            text += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n\(name) \(value)\n"
        }
        let ticks = Double(max(1, sysconf(Int32(_SC_CLK_TCK))))
        let stat = (try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8))
            .flatMap { $0.split(separator: ")").last }
            .map { $0.split(separator: " ") }
        // Fields after "(comm)": state is [0], utime [11], stime [12], starttime [19].
        if let f = stat, f.count > 19, let user = Double(f[11]), let system = Double(f[12]) {
            series("process_cpu_seconds_total", "counter", "User and system CPU time spent, in seconds.", (user + system) / ticks)
            let boot = (try? String(contentsOfFile: "/proc/stat", encoding: .utf8))?
                .split(separator: "\n").first { $0.hasPrefix("btime ") }
                .flatMap { Double($0.dropFirst(6).trimmingCharacters(in: .whitespaces)) }
            if let boot, let start = Double(f[19]) {
                series("process_start_time_seconds", "gauge", "Start time of the process since the Unix epoch, in seconds.", boot + start / ticks)
            }
        }
        let rss = (try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8))?
            .split(separator: " ").dropFirst().first.flatMap { Double($0) }
        series("process_resident_memory_bytes", "gauge", "Resident memory size, in bytes.",
               rss.map { $0 * Double(sysconf(Int32(_SC_PAGESIZE))) })
        let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")).map { Double($0.count) }
        series("process_open_fds", "gauge", "Open file descriptors.", fds)
        let requests = RequestCounts.shared.snapshot
        if !requests.isEmpty {
            text += "# HELP rest_client_requests_total Kubernetes API requests, by status code, method and host.\n"
            text += "# TYPE rest_client_requests_total counter\n"
            for (key, count) in requests.sorted(by: { "\($0.key)" < "\($1.key)" }) {
                text += "rest_client_requests_total{code=\"\(key.code)\",method=\"\(key.method)\",host=\"\(key.host)\"} \(count)\n"
            }
        }
        return Array(text.utf8)
    }
}

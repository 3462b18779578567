import ArgumentParser
import JaaSCore
import JaaSRenderer
import Logging

/// The flags that bound and isolate evaluations (docs/limits-and-security.md, "Evaluation limits"), kept together.
struct EvaluationFlags: ParsableArguments {
    @Option(help: "Memory budget of one evaluation: bytes or a Ki, Mi or Gi multiple (0 = none). Renderer, operator and workers.")
    var evaluationMemoryLimit = "1Gi"

    @Option(help: "Where the renderer evaluates uncached requests: thread (in this process) or process (in worker processes).")
    var evaluationIsolation = EvaluationIsolation.process.rawValue

    @Option(help: "Network of evaluation worker processes: none (a network namespace of their own, or refuse to start), auto (none where the kernel permits it, else host with a notice) or host.")
    var workerNetwork = WorkerNetwork.auto.rawValue

    /// `--worker-network`.
    enum WorkerNetwork: String {
        case none, auto, host
    }

    /// `--worker-network`, checked.
    func workerNetworkMode() throws -> WorkerNetwork {
        guard let mode = WorkerNetwork(rawValue: workerNetwork) else {
            throw ValidationError("--worker-network \(workerNetwork): must be none, auto or host")
        }
        return mode
    }

    /// Whether workers of `executable` leave the host network: probed for `none` (an
    /// error when they cannot) and `auto` (a notice when they cannot), never for `host`.
    func isolateWorkerNetwork(executable: String, logger: Logger) throws -> Bool {
        let mode = try workerNetworkMode()
        guard mode != .host else { return false }
        guard let why = WorkerPool.probeNetworkIsolation(executable: executable) else {
            logger.debug("evaluation workers run without network access", metadata: ["worker-network": "none"])
            return true
        }
        if mode == .none {
            throw ValidationError("--worker-network none: evaluation workers cannot leave the host network here: \(why)")
        }
        logger.notice("evaluation workers keep the host network: the kernel refused a network namespace",
                      metadata: ["worker-network": "auto", "reason": "\(why)"])
        return false
    }

    /// `--evaluation-memory-limit` in bytes, nil for 0 (no budget).
    func memoryLimit() throws -> Int? {
        guard let bytes = FlagValues.byteSize(evaluationMemoryLimit) else {
            throw ValidationError("--evaluation-memory-limit \(evaluationMemoryLimit): must be a size such as 512Mi, 1Gi or 0")
        }
        return bytes == 0 ? nil : bytes
    }

    /// `--evaluation-isolation`.
    func isolation() throws -> EvaluationIsolation {
        guard let isolation = EvaluationIsolation(rawValue: evaluationIsolation) else {
            throw ValidationError("--evaluation-isolation \(evaluationIsolation): must be thread or process")
        }
        return isolation
    }

    /// The worker pool every operator evaluation runs in: this binary as `jaas eval-worker`.
    /// A render larger than `maxRenderedBytes` is refused before the operator reads it.
    static func operatorWorkers(memoryLimit: Int?, isolateNetwork: Bool, maxRenderedBytes: Int) -> WorkerPool {
        var configuration = WorkerPool.Configuration(
            executable: "/proc/self/exe", addressSpaceLimit: WorkerPool.addressSpaceLimit(forMemoryLimit: memoryLimit),
            maxIdleWorkers: 2, isolateNetwork: isolateNetwork)
        // The reply frame carries the output plus a few bytes of framing.
        configuration.maxReplyBytes = maxRenderedBytes + 64
        let pool = WorkerPool(configuration: configuration)
        pool.prewarm(2)
        return pool
    }
}

extension FlagValues {
    /// A byte count: digits, optionally followed by `Ki`, `Mi` or `Gi` (powers of 1024); nil when malformed or too large.
    static func byteSize(_ text: String) -> Int? {
        let units: [(String, Int)] = [("Ki", 1 << 10), ("Mi", 1 << 20), ("Gi", 1 << 30)]
        var digits = Substring(text)
        var scale = 1
        if let unit = units.first(where: { text.hasSuffix($0.0) }) {
            digits = digits.dropLast(2)
            scale = unit.1
        }
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int(digits) else { return nil }
        let (bytes, overflow) = value.multipliedReportingOverflow(by: scale)
        return overflow ? nil : bytes
    }
}

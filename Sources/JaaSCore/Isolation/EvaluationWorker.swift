#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Jsonnet

/// The worker side of ``WorkerPool``: `jaas eval-worker [--address-space-limit BYTES]`
/// reads job frames on stdin, evaluates each, and writes one reply frame per job
/// on stdout, until stdin closes.
///
/// The worker caps its own address space (`RLIMIT_AS`) at start-up and, before each
/// job, its CPU time (`RLIMIT_CPU`: the CPU used so far plus the job's timeout and
/// a margin), so a runaway evaluation ends in a signal the pool reports.
public enum EvaluationWorker {
    /// The hidden `jaas` subcommand that runs a worker.
    public static let subcommand = "eval-worker"
    /// Its option for the address-space limit in bytes.
    public static let addressSpaceLimitFlag = "--address-space-limit"
    /// Its option to leave the host's network before reading any job (see ``isolateNetwork()``).
    public static let isolateNetworkFlag = "--isolate-network"
    /// The exit status of a worker told to leave the host's network that could not.
    public static let networkIsolationFailedStatus: Int32 = 4
    /// CPU seconds a job may use beyond its timeout before `SIGXCPU` ends the worker.
    static let cpuMarginSeconds = 2

    /// Serves jobs until stdin closes; `arguments` are those after the subcommand.
    /// Exits 0 at the end of input, 2 on bad arguments, 3 on a malformed frame, 4 when
    /// `--isolate-network` was given and the network namespace cannot be made.
    public static func serve(arguments: [String]) -> Never {
        var rest = arguments[...]
        var addressSpace: Int?
        var isolate = false
        while let flag = rest.popFirst() {
            if flag == addressSpaceLimitFlag, let value = rest.popFirst(), let bytes = Int(value), bytes > 0 {
                addressSpace = bytes
            } else if flag == isolateNetworkFlag {
                isolate = true
            } else {
                fail("usage: jaas \(subcommand) [\(addressSpaceLimitFlag) BYTES] [\(isolateNetworkFlag)]", status: 2)
            }
        }
        // First, while the process has a single thread (a user namespace needs that).
        if isolate, let why = isolateNetwork() {
            fail("cannot leave the host network: \(why)", status: networkIsolationFailedStatus)
        }
        if let addressSpace {
            var limit = rlimit(rlim_cur: rlim_t(addressSpace), rlim_max: rlim_t(addressSpace))
            setrlimit(resourceAddressSpace, &limit)
        }
        preferredByTheOOMKiller()
        // Replies go to a private descriptor; anything else printing to stdout lands on stderr.
        let replies = dup(1)
        dup2(2, 1)
        while true {
            guard let header = readExactly(0, Wire.headerSize) else { exit(0) }
            let job: EvaluationJob
            do {
                let length = try Wire.bodyLength(header: header[...])
                guard let body = readExactly(0, length) else { fail("truncated job frame", status: 3) }
                job = try EvaluationJob(decoding: body)
            } catch {
                fail("malformed job frame: \(error)", status: 3)
            }
            limitCPU(for: job.timeout)
            let reply = Wire.frame(run(job).encoded())
            guard writeAll(replies, reply) else { exit(0) }
        }
    }

    /// Moves this process into a network namespace of its own, whose only interface is a
    /// loopback that is down: nothing can be connected to, not even the pod's own ports.
    /// `unshare(CLONE_NEWNET)` needs `CAP_SYS_ADMIN`; without it the namespace is made
    /// inside a new user namespace (unprivileged user namespaces, often refused by
    /// container runtimes' seccomp profiles). Nil on success, else why not.
    static func isolateNetwork() -> String? {
        #if os(Linux)
        typealias Unshare = @convention(c) (Int32) -> Int32
        // Glibc's module does not export unshare(2) or its flags.
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "unshare") else { return "no unshare(2)" }
        let unshare = unsafeBitCast(symbol, to: Unshare.self)
        let newNetwork: Int32 = 0x4000_0000, newUser: Int32 = 0x1000_0000
        if unshare(newNetwork) == 0 { return nil }
        let direct = errnoText()
        if unshare(newNetwork | newUser) == 0 { return nil }
        return "unshare(CLONE_NEWNET): \(direct); unshare(CLONE_NEWUSER|CLONE_NEWNET): \(errnoText())"
        #else
        return "network namespaces are a Linux feature"
        #endif
    }

    /// Evaluates `job` in this process, on the calling thread (the worker's loop).
    static func run(_ job: EvaluationJob) -> WorkerReply {
        let (source, options, recording) = prepare(job, cancellation: nil)
        guard let source else { return WorkerReply(outcome: .entryNotFound, closure: recording?.closure) }
        let result = Result { try Jsonnet.evaluate(source: source, fileName: job.fileName, options: options) }
        return WorkerReply(outcome: outcome(result, maxTrace: job.maxTrace), closure: recording?.closure)
    }

    /// Evaluates `job` in this process on a thread of its own, as a worker would;
    /// cancelling `cancellation` stops it.
    static func runOnThread(_ job: EvaluationJob, cancellation: CancellationToken?) async -> WorkerReply {
        let (source, options, recording) = prepare(job, cancellation: cancellation)
        guard let source else { return WorkerReply(outcome: .entryNotFound, closure: recording?.closure) }
        let result: Result<EvaluationOutput, any Error>
        do {
            result = .success(try await Jsonnet.evaluateAsync(source: source, fileName: job.fileName, options: options))
        } catch {
            result = .failure(error)
        }
        return WorkerReply(outcome: outcome(result, maxTrace: job.maxTrace), closure: recording?.closure)
    }

    /// The entry's text (nil when it is missing), the options and, for files on disk,
    /// the importer that records what was read.
    private static func prepare(_ job: EvaluationJob, cancellation: CancellationToken?)
    -> (source: String?, options: EvaluationOptions, recording: RecordingImporter?) {
        let importer: any Importer
        let entry: [UInt8]?
        var recording: RecordingImporter?
        switch job.files {
        case .fileSystem(let libraryPaths):
            let files = RecordingImporter(libraryPaths: libraryPaths)
            recording = files
            importer = files
            entry = files.readEntry(job.entryPath)
        case .trees(let snippet, let libraries):
            importer = LibraryImporter(snippet: snippet, libraries: libraries)
            entry = snippet[job.entryPath]
        }
        var options = EvaluationOptions(importer: importer, externalVariables: job.externalVariables,
                                        topLevelArguments: job.topLevelArguments, maxStack: job.maxStack,
                                        maxTrace: job.maxTrace, timeout: job.timeout, memoryLimit: job.memoryLimit)
        options.cancellation = cancellation
        return (entry.map { String(decoding: $0, as: UTF8.self) }, options, recording)
    }

    /// What an evaluation's result means as a worker reports it.
    private static func outcome(_ result: Result<EvaluationOutput, any Error>, maxTrace: Int) -> WorkerOutcome {
        switch result {
        case .success(.single(let text)): return .output(text)
        case .success(.multi): return .evaluationFailed("unexpected multi-file output")
        case .failure(let error as JsonnetError): return .evaluationFailed(error.formatted(maxTrace: maxTrace))
        case .failure(let cancelled as EvaluationCancelled): return cancelled == .timedOut ? .timedOut : .cancelled
        case .failure(let error): return .evaluationFailed(String(describing: error))
        }
    }

    /// Sets the soft CPU limit to the CPU used so far plus the job's allowance.
    /// When memory runs out (a pod's cgroup limit), the kernel ends the process with
    /// the highest badness: raising this one's to the maximum makes that a worker,
    /// which fails one evaluation, rather than the server, which serves everyone.
    /// Raising one's own score needs no privilege; where /proc is missing, nothing changes.
    private static func preferredByTheOOMKiller() {
        let fd = open("/proc/self/oom_score_adj", O_WRONLY)
        guard fd >= 0 else { return }
        _ = "1000".withCString { write(fd, $0, 4) }
        close(fd)
    }

    private static func limitCPU(for timeout: Duration?) {
        guard let timeout else {
            var limit = rlimit()
            getrlimit(resourceCPU, &limit)
            limit.rlim_cur = limit.rlim_max
            setrlimit(resourceCPU, &limit)
            return
        }
        var usage = rusage()
        getrusage(usageSelf, &usage)
        let used = Int(usage.ru_utime.tv_sec) + Int(usage.ru_stime.tv_sec) + 1
        let allowance = Int(timeout.components.seconds) + 1 + cpuMarginSeconds
        var limit = rlimit()
        getrlimit(resourceCPU, &limit)
        limit.rlim_cur = min(rlim_t(used + allowance), limit.rlim_max)
        setrlimit(resourceCPU, &limit)
    }

    private static func readExactly(_ fd: Int32, _ count: Int) -> [UInt8]? {
        var out = [UInt8](repeating: 0, count: count)
        var got = 0
        while got < count {
            let n = out.withUnsafeMutableBytes { read(fd, $0.baseAddress! + got, count - got) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return nil }
            got += n
        }
        return out
    }

    private static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + sent, bytes.count - sent) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return false }
            sent += n
        }
        return true
    }

    private static func fail(_ message: String, status: Int32) -> Never {
        let line = Array("jaas \(subcommand): \(message)\n".utf8)
        _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
        exit(status)
    }
}

#if canImport(Glibc)
private let resourceAddressSpace = __rlimit_resource_t(RLIMIT_AS.rawValue)
private let resourceCPU = __rlimit_resource_t(RLIMIT_CPU.rawValue)
private let usageSelf = __rusage_who_t(RUSAGE_SELF.rawValue)
#else
private let usageSelf = RUSAGE_SELF
private let resourceAddressSpace = RLIMIT_AS
private let resourceCPU = RLIMIT_CPU
#endif

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Jsonnet
import Synchronization

/// One evaluation worker: a child process reading request frames on its stdin
/// and writing reply frames on its stdout. Used by one thread at a time.
final class WorkerProcess: @unchecked Sendable {
    /// The child's process id.
    let pid: pid_t
    /// Write end of the child's stdin.
    private var input: Int32
    /// Read end of the child's stdout.
    private let output: Int32
    private var reaped = false

    private init(pid: pid_t, input: Int32, output: Int32) {
        self.pid = pid
        self.input = input
        self.output = output
    }

    deinit {
        if input >= 0 { close(input) }
        close(output)
    }

    /// Starts `executable` with `arguments` (argv[1...]); its stderr is ours.
    static func spawn(executable: String, arguments: [String]) throws(WireError) -> WorkerProcess {
        // Pipes are made close-on-exec under a lock that every spawn holds, so no
        // child ever inherits another worker's pipe ends (which would hide its EOF).
        let result = spawnLock.withLock { _ -> Result<WorkerProcess, WireError> in
            do throws(WireError) {
                return .success(try spawnLocked(executable: executable, arguments: arguments))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    private static func spawnLocked(executable: String, arguments: [String]) throws(WireError) -> WorkerProcess {
        var toChild: [Int32] = [-1, -1]
        var fromChild: [Int32] = [-1, -1]
        guard pipe(&toChild) == 0 else { throw WireError("pipe: \(errnoText())") }
        guard pipe(&fromChild) == 0 else {
            close(toChild[0]); close(toChild[1])
            throw WireError("pipe: \(errnoText())")
        }
        for fd in toChild + fromChild { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, toChild[0], 0)
        posix_spawn_file_actions_adddup2(&actions, fromChild[1], 1)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = workerEnvironment().map { strdup($0) } + [nil]
        defer {
            for p in argv { free(p) }
            for p in envp { free(p) }
        }
        // The spawning thread may block signals (NIO's and Dispatch's threads do) and
        // a child inherits that mask: it would then ignore SIGXCPU from its CPU limit
        // and SIGTERM. Start it with nothing blocked and every handler at its default.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t()
        sigemptyset(&none)
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        close(toChild[0])
        close(fromChild[1])
        guard rc == 0 else {
            close(toChild[1]); close(fromChild[0])
            throw WireError("cannot start \(executable): \(String(cString: strerror(rc)))")
        }
        return WorkerProcess(pid: pid, input: toChild[1], output: fromChild[0])
    }

    /// The variables a worker may see: none of the parent's secrets (cloud or S3 keys,
    /// tokens, `KUBERNETES_*`), only what the runtime and the engine read. Jsonnet cannot
    /// read the environment, but a worker is where untrusted programs run.
    static let inheritedVariables: Set<String> = [
        "LD_LIBRARY_PATH", "GLIBC_TUNABLES", "MALLOC_ARENA_MAX", "TZ", "LANG", "LC_ALL", "JAAS_PARSE_CACHE_BYTES",
    ]

    /// The worker's whole environment: `SWIFT_BACKTRACE=enable=no` (a crash should end it
    /// at once rather than spend seconds symbolicating) and the ``inheritedVariables`` that are set.
    static func workerEnvironment() -> [String] {
        var environment = ["SWIFT_BACKTRACE=enable=no"]
        var entry = environ
        while let pointer = entry.pointee {
            let text = String(cString: pointer)
            if let equals = text.firstIndex(of: "="), inheritedVariables.contains(String(text[..<equals])) {
                environment.append(text)
            }
            entry += 1
        }
        return environment
    }

    /// Whether the child has not exited (it may still die at any moment).
    var isAlive: Bool {
        guard !reaped else { return false }
        var status: Int32 = 0
        return waitpid(pid, &status, WNOHANG) == 0
    }

    /// Writes a whole frame; false when the child is gone.
    func send(_ frame: [UInt8]) -> Bool {
        var sent = 0
        while sent < frame.count {
            let n = frame.withUnsafeBytes { write(input, $0.baseAddress! + sent, $0.count - sent) }
            if n < 0 {
                if errno == EINTR { continue }
                return false
            }
            sent += n
        }
        return true
    }

    /// What waiting for a reply gave.
    enum Received {
        case body([UInt8])
        /// The frame announced more than the caller takes (its length).
        case tooLarge(Int)
        case closed
        case malformed(String)
        case deadlinePassed
    }

    /// Reads one reply frame, giving up at `deadline` (checked every 20 ms, as is `stop`,
    /// which moves the deadline to its answer when it returns one).
    func receive(deadline: ContinuousClock.Instant?, maxBodyBytes: Int = Wire.maxBodyBytes,
                 stop: () -> ContinuousClock.Instant?) -> Received {
        var header: [UInt8] = []
        var body: [UInt8] = []
        var bodyLength: Int?
        var deadline = deadline
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            if let d = stop() { deadline = min(deadline ?? d, d) }
            if let deadline, ContinuousClock.now >= deadline { return .deadlinePassed }
            var poller = pollfd(fd: output, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, 20)
            if ready < 0 && errno != EINTR { return .malformed("poll: \(errnoText())") }
            if ready <= 0 { continue }
            let wanted = bodyLength.map { $0 - body.count } ?? (Wire.headerSize - header.count)
            let n = chunk.withUnsafeMutableBytes { read(output, $0.baseAddress, min($0.count, wanted)) }
            if n < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                return .malformed("read: \(errnoText())")
            }
            if n == 0 { return .closed }
            if let length = bodyLength {
                body += chunk[0..<n]
                if body.count == length { return .body(body) }
            } else {
                header += chunk[0..<n]
                if header.count == Wire.headerSize {
                    do {
                        let length = try Wire.bodyLength(header: header[...])
                        if length > maxBodyBytes { return .tooLarge(length) }
                        bodyLength = length
                        body.reserveCapacity(length)
                        if length == 0 { return .body([]) }
                    } catch {
                        return .malformed(error.description)
                    }
                }
            }
        }
    }

    /// Closes the child's stdin (a healthy worker exits on that) and waits for it; returns how it ended.
    @discardableResult
    func retire() -> String {
        if input >= 0 { close(input) }
        input = -1
        return waitForExit()
    }

    /// Kills the child with SIGKILL and waits for it; returns how it ended.
    @discardableResult
    func kill() -> String {
        if !reaped { sendSignal(pid, SIGKILL) }
        return waitForExit()
    }

    /// Waits for the child to end and describes how it did.
    func waitForExit() -> String {
        if reaped { return "exited" }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { return "vanished (\(errnoText()))" }
        }
        reaped = true
        return Self.describe(status: status)
    }

    /// `exited with status 3`, `was killed by signal SIGSEGV (Segmentation fault)`.
    static func describe(status: Int32) -> String {
        let signal = status & 0x7f
        if signal == 0 { return "exited with status \((status >> 8) & 0xff)" }
        let text = strsignal(signal).map { String(cString: $0) } ?? "signal \(signal)"
        let hint = signal == SIGXCPU ? ", over its CPU time limit" : ""
        return "was killed by signal \(signalName(signal)) (\(text)\(hint))"
    }

    private static func signalName(_ signal: Int32) -> String {
        let names: [Int32: String] = [SIGSEGV: "SIGSEGV", SIGABRT: "SIGABRT", SIGILL: "SIGILL", SIGBUS: "SIGBUS",
                                      SIGFPE: "SIGFPE", SIGKILL: "SIGKILL", SIGTERM: "SIGTERM", SIGXCPU: "SIGXCPU",
                                      SIGTRAP: "SIGTRAP", SIGPIPE: "SIGPIPE", SIGSYS: "SIGSYS", SIGINT: "SIGINT",
                                      SIGHUP: "SIGHUP", SIGQUIT: "SIGQUIT", SIGXFSZ: "SIGXFSZ"]
        return names[signal] ?? "signal \(signal)"
    }
}

private let spawnLock = Mutex(())

/// Sends `signal` to process `pid`.
func sendSignal(_ pid: pid_t, _ signal: Int32) {
    _ = kill(pid, signal)
}

/// The text of the current `errno`.
func errnoText() -> String { String(cString: strerror(errno)) }

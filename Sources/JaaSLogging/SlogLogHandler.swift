#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Logging
import Synchronization

/// A swift-log handler writing one line per record in the shape of Go's `log/slog`
/// (``SlogFormat``), whole lines at a time so lines from concurrent tasks never
/// interleave. The server writes to standard output, as the original does; `jaas mcp`
/// writes to standard error because standard output carries its protocol.
public struct SlogLogHandler: LogHandler {
    /// Where lines go.
    public enum Output: Sendable {
        case standardOutput
        case standardError
        /// Each whole line handed to a closure (tests).
        case lines(@Sendable (String) -> Void)
    }

    public let format: LogFormat
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    private let output: Output
    private let clock: @Sendable () -> (seconds: Int, nanoseconds: Int)

    /// `clock` gives the record's time (UTC seconds and nanoseconds since the epoch);
    /// by default the system's real-time clock.
    public init(format: LogFormat, logLevel: Logger.Level, output: Output = .standardOutput,
                clock: @escaping @Sendable () -> (seconds: Int, nanoseconds: Int) = SlogLogHandler.now) {
        self.format = format
        self.logLevel = logLevel
        self.output = output
        self.clock = clock
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        let (seconds, nanoseconds) = clock()
        let line = SlogFormat.line(format: format, seconds: seconds, nanoseconds: nanoseconds, level: event.level,
                                   message: event.message.description,
                                   attributes: merged.sorted { $0.key < $1.key }.map { (key: $0.key, value: $0.value) })
        switch output {
        case .standardOutput: Self.emit(line, to: 1)
        case .standardError: Self.emit(line, to: 2)
        case .lines(let receive): receive(line)
        }
    }

    /// The system's real-time clock.
    public static func now() -> (seconds: Int, nanoseconds: Int) {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return (Int(now.tv_sec), Int(now.tv_nsec))
    }

    private static let lock = Mutex(())

    private static func emit(_ line: String, to descriptor: Int32) {
        lock.withLock { _ in
            var bytes = Array(line.utf8)
            var offset = 0
            while offset < bytes.count {
                let n = bytes.withUnsafeMutableBytes { write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return }
                offset += n
            }
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import JaaSCore
import Logging
import Synchronization

/// How log lines are written to stderr (`--log-format`).
enum LogFormat: String, CaseIterable {
    /// One JSON object per line: `time`, `level`, `msg`, `logger`, then the metadata.
    case json
    /// `time level message key=value ...`.
    case text
}

/// A swift-log handler writing one line per message to stderr, whole lines at a time.
struct StderrLogHandler: LogHandler {
    let label: String
    let format: LogFormat
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        let time = timestamp()
        let level = event.level == .warning ? "warn" : event.level.rawValue
        var line: String
        switch format {
        case .json:
            line = "{\"time\":\(jsonStringLiteral(time)),\"level\":\(jsonStringLiteral(level)),"
                + "\"msg\":\(jsonStringLiteral(event.message.description)),\"logger\":\(jsonStringLiteral(label))"
            for (key, value) in merged.sorted(by: { $0.key < $1.key }) {
                line += ",\(jsonStringLiteral(key)):\(json(value))"
            }
            line += "}\n"
        case .text:
            line = "\(time) \(level) \(event.message)"
            for (key, value) in merged.sorted(by: { $0.key < $1.key }) {
                line += " \(key)=\(textValue(value))"
            }
            line += "\n"
        }
        StderrLogHandler.emit(line)
    }

    private static let lock = Mutex(())

    private static func emit(_ line: String) {
        lock.withLock { _ in
            var bytes = Array(line.utf8)
            var offset = 0
            while offset < bytes.count {
                let n = bytes.withUnsafeMutableBytes { write(2, $0.baseAddress! + offset, $0.count - offset) }
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return }
                offset += n
            }
        }
    }

    private func json(_ value: Logger.Metadata.Value) -> String {
        switch value {
        case .string(let s): jsonStringLiteral(s)
        case .stringConvertible(let c): jsonStringLiteral(c.description)
        case .array(let values): "[" + values.map(json).joined(separator: ",") + "]"
        case .dictionary(let d):
            "{" + d.sorted { $0.key < $1.key }.map { "\(jsonStringLiteral($0.key)):\(json($0.value))" }
                .joined(separator: ",") + "}"
        }
    }

    private func textValue(_ value: Logger.Metadata.Value) -> String {
        let text = value.description
        let plain = !text.isEmpty && text.unicodeScalars.allSatisfy { $0.value > 0x20 && $0 != "\"" && $0 != "=" }
        return plain ? text : jsonStringLiteral(text)
    }

    /// UTC time with milliseconds, RFC 3339.
    private func timestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var seconds = now.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        var text = [UInt8](repeating: 0, count: 24)
        func put(_ value: Int, at offset: Int, digits: Int) {
            var value = value
            for index in stride(from: offset + digits - 1, through: offset, by: -1) {
                text[index] = UInt8(ascii: "0") + UInt8(value % 10)
                value /= 10
            }
        }
        put(Int(parts.tm_year) + 1900, at: 0, digits: 4)
        put(Int(parts.tm_mon) + 1, at: 5, digits: 2)
        put(Int(parts.tm_mday), at: 8, digits: 2)
        put(Int(parts.tm_hour), at: 11, digits: 2)
        put(Int(parts.tm_min), at: 14, digits: 2)
        put(Int(parts.tm_sec), at: 17, digits: 2)
        put(Int(now.tv_nsec) / 1_000_000, at: 20, digits: 3)
        for (offset, separator) in [(4, "-"), (7, "-"), (10, "T"), (13, ":"), (16, ":"), (19, "."), (23, "Z")] as [(Int, Unicode.Scalar)] {
            text[offset] = UInt8(ascii: separator)
        }
        return String(decoding: text, as: UTF8.self)
    }
}

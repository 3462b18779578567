#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import GoFormats
import Logging

/// How log lines are written (`--log-format`): the two shapes of Go's `log/slog`
/// handlers, which the original wrote and log pipelines are keyed on.
public enum LogFormat: String, CaseIterable, Sendable {
    /// One JSON object per line: `time` (RFC 3339, nanoseconds), `level`, `msg`,
    /// then the attributes.
    case json
    /// `time=… level=INFO msg="…" key=value …`, values quoted only when they must be.
    case text
}

/// Formats one log record exactly as Go's `slog.JSONHandler` / `slog.TextHandler`
/// would: the same keys in the same order, the same level names, time stamps,
/// escaping and quoting.
public enum SlogFormat {
    /// slog's level name for a swift-log level. slog has four; swift-log's extra
    /// levels fold into their neighbours (trace into DEBUG, notice into INFO,
    /// critical into ERROR) so pipelines never meet a name the original never wrote.
    public static func levelName(_ level: Logger.Level) -> String {
        switch level {
        case .trace, .debug: "DEBUG"
        case .info, .notice: "INFO"
        case .warning: "WARN"
        case .error, .critical: "ERROR"
        }
    }

    /// The whole line, newline included, for a record at `seconds`.`nanoseconds`
    /// since the Unix epoch (UTC). `attributes` are written in the order given.
    public static func line(format: LogFormat, seconds: Int, nanoseconds: Int, level: Logger.Level,
                            message: String, attributes: [(key: String, value: Logger.Metadata.Value)]) -> String {
        var line: String
        switch format {
        case .json:
            line = "{\"time\":\"" + rfc3339(seconds: seconds, nanoseconds: nanoseconds, fraction: .nanosecondsTrimmed)
                + "\",\"level\":\"" + levelName(level) + "\",\"msg\":" + jsonString(message)
            for (key, value) in attributes {
                line += "," + jsonString(key) + ":" + json(value)
            }
            line += "}\n"
        case .text:
            line = "time=" + rfc3339(seconds: seconds, nanoseconds: nanoseconds, fraction: .milliseconds)
                + " level=" + levelName(level) + " msg=" + textString(message)
            for (key, value) in attributes {
                appendText(key: key, value: value, to: &line)
            }
            line += "\n"
        }
        return line
    }

    /// How many digits of the second's fraction a time stamp carries.
    public enum Fraction: Sendable {
        /// Go's `time.RFC3339Nano`: up to nine digits, trailing zeros (and a bare
        /// dot) dropped — what `slog.JSONHandler` writes.
        case nanosecondsTrimmed
        /// Exactly three digits — what `slog.TextHandler` writes.
        case milliseconds
    }

    /// `2006-01-02T15:04:05.999999999Z` for a UTC instant.
    public static func rfc3339(seconds: Int, nanoseconds: Int, fraction: Fraction) -> String {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        func digits(_ value: Int, _ count: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, count - text.count)) + text
        }
        var out = digits(Int(parts.tm_year) + 1900, 4) + "-" + digits(Int(parts.tm_mon) + 1, 2) + "-"
            + digits(Int(parts.tm_mday), 2) + "T" + digits(Int(parts.tm_hour), 2) + ":"
            + digits(Int(parts.tm_min), 2) + ":" + digits(Int(parts.tm_sec), 2)
        switch fraction {
        case .milliseconds:
            out += "." + digits(nanoseconds / 1_000_000, 3)
        case .nanosecondsTrimmed:
            var nine = Substring(digits(nanoseconds, 9))
            while nine.last == "0" { nine = nine.dropLast() }
            if !nine.isEmpty { out += "." + nine }
        }
        return out + "Z"
    }

    // MARK: JSON

    /// A JSON string literal as slog writes it: `"` and `\` escaped, `\n` `\r` `\t`
    /// by name, other control characters as `\u00xx`, U+2028/U+2029 escaped (they
    /// end lines in JavaScript); everything else, `<>&` and DEL included, as is.
    public static func jsonString(_ text: String) -> String {
        GoText.jsonQuote(text, .slog)
    }

    private static func json(_ value: Logger.Metadata.Value) -> String {
        switch value {
        case .string(let text): return jsonString(text)
        case .stringConvertible(let value):
            if let number = plainNumber(value) { return number }
            return jsonString(value.description)
        case .array(let values): return "[" + values.map(json).joined(separator: ",") + "]"
        case .dictionary(let entries):
            return "{" + entries.sorted { $0.key < $1.key }
                .map { jsonString($0.key) + ":" + json($0.value) }.joined(separator: ",") + "}"
        }
    }

    /// Integers, finite floating-point numbers and booleans are written bare, as slog
    /// writes Go's numbers and `bool`.
    private static func plainNumber(_ value: any CustomStringConvertible & Sendable) -> String? {
        switch value {
        case let integer as any BinaryInteger: return String(describing: integer)
        case let number as Double: return number.isFinite ? String(describing: number) : nil
        case let flag as Bool: return flag ? "true" : "false"
        default: return nil
        }
    }

    // MARK: Text

    /// A dictionary becomes dotted keys (`request.method=GET`), as slog writes a group.
    private static func appendText(key: String, value: Logger.Metadata.Value, to line: inout String) {
        switch value {
        case .dictionary(let entries):
            for (subkey, subvalue) in entries.sorted(by: { $0.key < $1.key }) {
                appendText(key: key + "." + subkey, value: subvalue, to: &line)
            }
        default:
            line += " " + textString(key) + "=" + textString(textValue(value))
        }
    }

    /// A value as Go's `fmt` prints it: arrays as `[a b c]`.
    private static func textValue(_ value: Logger.Metadata.Value) -> String {
        switch value {
        case .string(let text): text
        case .stringConvertible(let value): value.description
        case .array(let values): "[" + values.map(textValue).joined(separator: " ") + "]"
        case .dictionary(let entries):
            "map[" + entries.sorted { $0.key < $1.key }.map { $0.key + ":" + textValue($0.value) }
                .joined(separator: " ") + "]"
        }
    }

    /// `text` bare, or Go-quoted when slog's text handler would quote it: when it is
    /// empty or holds a space, `=`, `"`, a control character below U+0020, a
    /// non-ASCII space or an unprintable character (DEL alone does not force quotes).
    public static func textString(_ text: String) -> String {
        needsQuoting(text) ? goQuote(text) : text
    }

    static func needsQuoting(_ text: String) -> Bool {
        if text.isEmpty { return true }
        for scalar in text.unicodeScalars {
            if scalar.isASCII {
                let byte = scalar.value
                if byte == 0x5C { continue }
                if byte <= 0x20 || byte == 0x22 || byte == 0x3D { return true }
            } else if scalar.value == 0xFFFD || scalar.properties.isWhitespace || !isPrint(scalar) {
                return true
            }
        }
        return false
    }

    /// Go's `strconv.Quote`.
    public static func goQuote(_ text: String) -> String { GoText.quote(text) }

    static func isPrint(_ scalar: Unicode.Scalar) -> Bool { GoText.isPrint(scalar) }
}

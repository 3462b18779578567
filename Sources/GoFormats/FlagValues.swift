/// Parsers for flag values written the way Go programs write them.
public enum FlagValues {
    /// A Go duration (`300ms`, `5s`, `1m30s`, `1.5h`, `0`; ``GoDuration``, no sign);
    /// nil when malformed or not below 9.2e18 nanoseconds.
    public static func duration(_ text: String) -> Duration? {
        guard let nanoseconds = GoDuration.nanoseconds(text), nanoseconds.isFinite, nanoseconds < 9.2e18 else {
            return nil
        }
        return .nanoseconds(Int64(nanoseconds))
    }

    /// A rate as re-renders per minute: `N/s`, `N/min`, `N/h` (also `sec`, `m`,
    /// `hour`), or a bare `N` meaning per minute; nil unless finite and above zero.
    public static func ratePerMinute(_ text: String) -> Double? {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        let periods: [Substring: Double] = ["s": 1.0 / 60, "sec": 1.0 / 60, "m": 1, "min": 1, "h": 60, "hour": 60]
        guard let count = Double(parts[0]), count.isFinite, count > 0 else { return nil }
        guard parts.count == 2 else { return count }
        guard let minutes = periods[parts[1]] else { return nil }
        let perMinute = count / minutes
        return perMinute.isFinite && perMinute > 0 ? perMinute : nil
    }

    /// A Go boolean (`strconv.ParseBool`): 1, t, T, TRUE, true, True, 0, f, F, FALSE, false, False.
    public static func boolean(_ text: String) -> Bool? {
        switch text {
        case "1", "t", "T", "TRUE", "true", "True": true
        case "0", "f", "F", "FALSE", "false", "False": false
        default: nil
        }
    }

    /// A TCP port, 0 (any free port) to 65535.
    public static func port(_ value: Int) -> Int? {
        (0...65535).contains(value) ? value : nil
    }

    /// `host:port`, `:port` (every interface, IPv6 and IPv4, as Go listens) or `[v6]:port`.
    public static func hostAndPort(_ text: String) -> (host: String, port: Int)? {
        guard let colon = text.lastIndex(of: ":"), let number = Int(text[text.index(after: colon)...]),
              let port = port(number) else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        if host.isEmpty { host = GoListen.wildcardHost }
        return (host, port)
    }

    /// `KEY=VALUE` with a non-empty key.
    public static func keyValue(_ text: String) -> (key: String, value: String)? {
        guard let equals = text.firstIndex(of: "="), equals != text.startIndex else { return nil }
        return (String(text[..<equals]), String(text[text.index(after: equals)...]))
    }

    /// The endpoint path without slashes at either end: one or more segments of
    /// letters, digits, `-`, `.`, `_` and `~`, none of them `.` or `..`.
    public static func endpointPath(_ text: String) -> String? {
        let trimmed = text.drop { $0 == "/" }
        let path = String(trimmed.reversed().drop { $0 == "/" }.reversed())
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        guard !path.isEmpty, segments.allSatisfy({ segment in
            !segment.isEmpty && segment != "." && segment != ".." && segment.allSatisfy(allowed.contains)
        }) else { return nil }
        return path
    }

    /// A byte count: digits, optionally followed by `Ki`, `Mi` or `Gi` (powers of 1024); nil when malformed or too large.
    public static func byteSize(_ text: String) -> Int? {
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

    /// `value`, or a ``FlagError`` `"<flag> <given>: <rule>"` when it is nil.
    public static func check<T>(_ value: T?, _ flag: String, _ given: Any, _ rule: String) throws(FlagError) -> T {
        guard let value else { throw FlagError("\(flag) \(given): \(rule)") }
        return value
    }

    /// The Go duration `text` of `flag`, or the ``FlagError`` every duration flag gives.
    public static func checkedDuration(_ text: String, _ flag: String) throws(FlagError) -> Duration {
        try check(duration(text), flag, text, "must be a duration such as 500ms, 5s or 1m")
    }

    /// A duration flag where `0` means none (nil).
    public static func optionalDuration(_ text: String, _ flag: String) throws(FlagError) -> Duration? {
        let value = try checkedDuration(text, flag)
        return value == .zero ? nil : value
    }

    /// A Go boolean flag, or the ``FlagError`` every boolean flag gives.
    public static func checkedBoolean(_ text: String, _ flag: String) throws(FlagError) -> Bool {
        try check(boolean(text), flag, text, "must be true or false")
    }
}

/// A flag value a rule refuses: one line naming the flag, the value and the rule
/// (`--port 70000: must be 0 to 65535`); the `jaas` executable exits 2 with it.
public struct FlagError: Error, CustomStringConvertible, Equatable {
    /// The line, without the program name.
    public let description: String

    /// An error that says `line`.
    public init(_ line: String) { description = line }
}

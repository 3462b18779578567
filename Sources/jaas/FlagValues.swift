import GoFormats

/// Parsers for flag values written the way Go programs write them.
enum FlagValues {
    /// A Go duration (`300ms`, `5s`, `1m30s`, `1.5h`, `0`; ``GoDuration``, no sign);
    /// nil when malformed or not below 9.2e18 nanoseconds.
    static func duration(_ text: String) -> Duration? {
        guard let nanoseconds = GoDuration.nanoseconds(text), nanoseconds.isFinite, nanoseconds < 9.2e18 else {
            return nil
        }
        return .nanoseconds(Int64(nanoseconds))
    }

    /// A rate as re-renders per minute: `N/s`, `N/min`, `N/h` (also `sec`, `m`,
    /// `hour`), or a bare `N` meaning per minute; nil unless finite and above zero.
    static func ratePerMinute(_ text: String) -> Double? {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        let periods: [Substring: Double] = ["s": 1.0 / 60, "sec": 1.0 / 60, "m": 1, "min": 1, "h": 60, "hour": 60]
        guard let count = Double(parts[0]), count.isFinite, count > 0 else { return nil }
        guard parts.count == 2 else { return count }
        guard let minutes = periods[parts[1]] else { return nil }
        let perMinute = count / minutes
        return perMinute.isFinite && perMinute > 0 ? perMinute : nil
    }

    /// A Go boolean (`strconv.ParseBool`): 1, t, T, TRUE, true, True, 0, f, F, FALSE, false, False.
    static func boolean(_ text: String) -> Bool? {
        switch text {
        case "1", "t", "T", "TRUE", "true", "True": true
        case "0", "f", "F", "FALSE", "false", "False": false
        default: nil
        }
    }

    /// A TCP port, 0 (any free port) to 65535.
    static func port(_ value: Int) -> Int? {
        (0...65535).contains(value) ? value : nil
    }

    /// `host:port`, `:port` (every interface, IPv6 and IPv4, as Go listens) or `[v6]:port`.
    static func hostAndPort(_ text: String) -> (host: String, port: Int)? {
        guard let colon = text.lastIndex(of: ":"), let number = Int(text[text.index(after: colon)...]),
              let port = port(number) else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        if host.isEmpty { host = GoListen.wildcardHost }
        return (host, port)
    }

    /// `KEY=VALUE` with a non-empty key.
    static func keyValue(_ text: String) -> (key: String, value: String)? {
        guard let equals = text.firstIndex(of: "="), equals != text.startIndex else { return nil }
        return (String(text[..<equals]), String(text[text.index(after: equals)...]))
    }
}

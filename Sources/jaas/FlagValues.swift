/// Parsers for flag values written the way Go programs write them.
enum FlagValues {
    /// A Go duration (`300ms`, `5s`, `1m30s`, `1.5h`, `0`); nil when malformed or negative.
    static func duration(_ text: String) -> Duration? {
        if text == "0" { return .zero }
        let units: [(String, Double)] = [("ns", 1), ("us", 1e3), ("µs", 1e3), ("ms", 1e6), ("s", 1e9),
                                         ("m", 60e9), ("h", 3600e9)]
        var rest = Substring(text)
        var nanoseconds = 0.0
        guard !rest.isEmpty else { return nil }
        while !rest.isEmpty {
            let number = rest.prefix { $0.isNumber || $0 == "." }
            guard !number.isEmpty, number != ".", let value = Double(number) else { return nil }
            rest = rest.dropFirst(number.count)
            let unit = rest.prefix { !$0.isNumber && $0 != "." }
            guard let scale = units.first(where: { $0.0 == unit })?.1 else { return nil }
            rest = rest.dropFirst(unit.count)
            nanoseconds += value * scale
        }
        guard nanoseconds.isFinite, nanoseconds < 9.2e18 else { return nil }
        return .nanoseconds(Int64(nanoseconds))
    }

    /// A TCP port, 0 (any free port) to 65535.
    static func port(_ value: Int) -> Int? {
        (0...65535).contains(value) ? value : nil
    }

    /// `host:port`, `:port` (every IPv4 interface) or `[v6]:port`.
    static func hostAndPort(_ text: String) -> (host: String, port: Int)? {
        guard let colon = text.lastIndex(of: ":"), let number = Int(text[text.index(after: colon)...]),
              let port = port(number) else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        if host.isEmpty { host = "0.0.0.0" }
        return (host, port)
    }

    /// `KEY=VALUE` with a non-empty key.
    static func keyValue(_ text: String) -> (key: String, value: String)? {
        guard let equals = text.firstIndex(of: "="), equals != text.startIndex else { return nil }
        return (String(text[..<equals]), String(text[text.index(after: equals)...]))
    }

    /// The endpoint path without slashes at either end: one or more segments of
    /// letters, digits, `-`, `.`, `_` and `~`, none of them `.` or `..`.
    static func endpointPath(_ text: String) -> String? {
        let trimmed = text.drop { $0 == "/" }
        let path = String(trimmed.reversed().drop { $0 == "/" }.reversed())
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        guard !path.isEmpty, segments.allSatisfy({ segment in
            !segment.isEmpty && segment != "." && segment != ".." && segment.allSatisfy(allowed.contains)
        }) else { return nil }
        return path
    }
}

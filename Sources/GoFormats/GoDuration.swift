/// Go's duration syntax (`time.ParseDuration`): a sequence of decimal numbers, each
/// with an optional fraction and a unit — `300ms`, `1m30s`, `1.5h`, `.5s` — or a
/// bare `0`. The one parser of the code base: flags, custom-resource fields and the
/// test server's CEL `duration()` all read durations through it, each applying its
/// own range afterwards.
///
/// Only ASCII digits count as digits, so no exponent (`1e3s`), hexadecimal,
/// underscore, space or other script's digits is a number; whatever the input, the
/// answer is a `Double` (possibly infinite for absurdly long digit runs) or nil,
/// never a trap.
public enum GoDuration {
    /// The units Go accepts, with their length in nanoseconds: `ns`, `us`, `µs`
    /// (U+00B5), `μs` (U+03BC), `ms`, `s`, `m`, `h`.
    public static let units: [(name: String, nanoseconds: Double)] = [
        ("ns", 1), ("us", 1e3), ("µs", 1e3), ("μs", 1e3), ("ms", 1e6), ("s", 1e9), ("m", 60e9), ("h", 3600e9),
    ]

    /// `text` in nanoseconds; nil when it is no Go duration. With `allowingSign`, a
    /// leading `+` or `-` is accepted (as Go does) and `-` negates the result;
    /// without it, a sign makes the text malformed.
    public static func nanoseconds(_ text: String, allowingSign: Bool = false) -> Double? {
        var rest = Substring(text)
        var negative = false
        if allowingSign, let sign = rest.first, sign == "-" || sign == "+" {
            negative = sign == "-"
            rest = rest.dropFirst()
        }
        if rest == "0" { return 0 }
        guard !rest.isEmpty else { return nil }
        var total = 0.0
        while !rest.isEmpty {
            let whole = rest.prefix { $0.isASCII && $0.isNumber }
            rest = rest.dropFirst(whole.count)
            var fraction: Substring = ""
            if rest.first == "." {
                rest = rest.dropFirst()
                fraction = rest.prefix { $0.isASCII && $0.isNumber }
                rest = rest.dropFirst(fraction.count)
            }
            guard !whole.isEmpty || !fraction.isEmpty,
                  let value = Double("\(whole.isEmpty ? "0" : whole).\(fraction)0") else { return nil }
            let unitText = rest.prefix { !($0.isASCII && $0.isNumber) && $0 != "." }
            guard let unit = units.first(where: { $0.name == unitText }) else { return nil }
            rest = rest.dropFirst(unitText.count)
            total += value * unit.nanoseconds
        }
        return negative ? -total : total
    }

    /// `text` in seconds; nil when it is no Go duration (see ``nanoseconds(_:allowingSign:)``).
    public static func seconds(_ text: String, allowingSign: Bool = false) -> Double? {
        nanoseconds(text, allowingSign: allowingSign).map { $0 / 1e9 }
    }
}

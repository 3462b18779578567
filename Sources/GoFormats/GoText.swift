/// Go's text spellings of values, for answers and logs that must read byte for byte
/// as the original (a Go program) wrote them.
public enum GoText {
    /// `time.Duration.String()`: `0s`, `500ms`, `1.5µs`, `5s`, `1m30s`, `2h0m0s`.
    public static func duration(nanoseconds: Int64) -> String {
        if nanoseconds == 0 { return "0s" }
        var value = nanoseconds.magnitude
        var out: String
        if value < 1_000_000_000 {
            let (digits, unit) = value < 1_000 ? (0, "ns") : value < 1_000_000 ? (3, "µs") : (6, "ms")
            let (whole, fraction) = split(value, digits: digits)
            out = String(whole) + fraction + unit
        } else {
            let (seconds, fraction) = split(value, digits: 9)
            value = seconds
            out = String(value % 60) + fraction + "s"
            value /= 60
            if value > 0 {
                out = String(value % 60) + "m" + out
                value /= 60
                if value > 0 { out = String(value) + "h" + out }
            }
        }
        return nanoseconds < 0 ? "-" + out : out
    }

    /// `Duration` as ``duration(nanoseconds:)`` writes it (sub-nanoseconds dropped).
    public static func duration(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let (total, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        guard !overflow else { return seconds < 0 ? "-2562047h47m16.854775808s" : "2562047h47m16.854775807s" }
        let (sum, overflow2) = total.addingReportingOverflow(attoseconds / 1_000_000_000)
        return overflow2 ? "2562047h47m16.854775807s" : Self.duration(nanoseconds: sum)
    }

    /// `value` split at its last `digits` decimal digits: the quotient and `.ddd` with
    /// trailing zeros dropped (empty when they are all zero).
    private static func split(_ value: UInt64, digits: Int) -> (UInt64, String) {
        guard digits > 0 else { return (value, "") }
        var scale: UInt64 = 1
        for _ in 0..<digits { scale *= 10 }
        var fraction = String(value % scale)
        fraction = String(repeating: "0", count: digits - fraction.count) + fraction
        while fraction.last == "0" { fraction.removeLast() }
        return (value / scale, fraction.isEmpty ? "" : "." + fraction)
    }

    /// `strconv.Quote` (what `%q` prints): `"`-delimited; `\a \b \f \n \r \t \v \\ \"`
    /// by name, other ASCII controls as `\xNN`, unprintable runes as `\uNNNN` or
    /// `\UNNNNNNNN`, printable ones as they are.
    public static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            if let escape = commonEscape(scalar.value) {
                out += escape
                continue
            }
            switch scalar.value {
            case 0x07: out += "\\a"
            case 0x08: out += "\\b"
            case 0x0C: out += "\\f"
            case 0x0B: out += "\\v"
            case 0..<0x20, 0x7F: out += "\\x" + hex(scalar.value, 2)
            default:
                if isPrint(scalar) {
                    out.unicodeScalars.append(scalar)
                } else if scalar.value < 0x10000 {
                    out += "\\u" + hex(scalar.value, 4)
                } else {
                    out += "\\U" + hex(scalar.value, 8)
                }
            }
        }
        return out + "\""
    }

    /// `unicode.IsPrint`: letters, marks, numbers, punctuation, symbols and the ASCII
    /// space; no other space, no control, format, private-use or unassigned rune.
    public static func isPrint(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.value == 0x20 { return true }
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
             .nonspacingMark, .spacingMark, .enclosingMark,
             .decimalNumber, .letterNumber, .otherNumber,
             .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
             .initialPunctuation, .finalPunctuation, .otherPunctuation,
             .mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol:
            return true
        default:
            return false
        }
    }

    /// The two ways Go spells a JSON string literal.
    public enum JSONQuoting: Sendable {
        /// `encoding/json.Marshal`: `\b \f` by name and `<` `>` `&` as `\u003c`
        /// `\u003e` `\u0026` (HTML-safe).
        case marshal
        /// `log/slog`'s JSON handler: `<>&` as they are, `\b \f` as `\u00xx`.
        case slog
    }

    /// A JSON string literal as `encoding/json.Marshal` writes it: `"` `\` escaped,
    /// `\b \f \n \r \t` by name, other controls as `\u00xx`, `<` `>` `&` as
    /// `\u003c` `\u003e` `\u0026` (HTML-safe), U+2028/U+2029 escaped.
    public static func jsonMarshal(_ text: String) -> String {
        jsonQuote(text, .marshal)
    }

    /// A JSON string literal in `quoting`'s spelling: `"` and `\` escaped, `\n \r \t`
    /// by name, other controls as `\u00xx` (or by name, see ``JSONQuoting``),
    /// U+2028/U+2029 escaped (they end lines in JavaScript).
    public static func jsonQuote(_ text: String, _ quoting: JSONQuoting) -> String {
        let marshal = quoting == .marshal
        var out = "\""
        out.reserveCapacity(text.utf8.count + 2)
        for scalar in text.unicodeScalars {
            if let escape = commonEscape(scalar.value) {
                out += escape
                continue
            }
            switch scalar.value {
            case 0x08 where marshal: out += "\\b"
            case 0x0C where marshal: out += "\\f"
            case 0..<0x20: out += "\\u00" + hex(scalar.value, 2)
            case 0x3C where marshal, 0x3E where marshal, 0x26 where marshal: out += "\\u00" + hex(scalar.value, 2)
            case 0x2028, 0x2029: out += "\\u" + hex(scalar.value, 4)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// `"` `\` `\n` `\r` `\t`, escaped alike in every Go quoting; nil for other scalars.
    private static func commonEscape(_ value: UInt32) -> String? {
        switch value {
        case 0x22: "\\\""
        case 0x5C: "\\\\"
        case 0x0A: "\\n"
        case 0x0D: "\\r"
        case 0x09: "\\t"
        default: nil
        }
    }

    private static func hex(_ value: UInt32, _ count: Int) -> String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: max(0, count - text.count)) + text
    }
}

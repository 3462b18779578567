import GoFormats

/// Go-style printing of decoded values (for error messages) and the conversion
/// to Jsonnet values the way sigs.k8s.io/yaml converts YAML to JSON.

/// Go's `%#v` of a decoded YAML value (for the rare error messages that show one).
func goSharpV(_ v: GoYAMLValue, nested: Bool = false) -> String {
    switch v {
    case .null: return nested ? "interface {}(nil)" : "<nil>"
    case .bool(let b): return b ? "true" : "false"
    case .int(let i): return String(i)
    case .uint(let u): return "0x" + String(u, radix: 16)
    case .float(let d): return formatGoFloat(d)
    case .string(let s): return GoText.quote(s)
    case .seq(let a): return "[]interface {}{" + a.map { goSharpV($0, nested: true) }.joined(separator: ", ") + "}"
    case .map(let m):
        var parts: [(String, String)] = []
        for (k, val) in zip(m.keys, m.values) {
            parts.append((goSharpV(k, nested: true), goSharpV(val, nested: true)))
        }
        parts.sort { utf8Less($0.0, $1.0) }
        return "map[interface {}]interface {}{" + parts.map { $0.0 + ":" + $0.1 }.joined(separator: ", ") + "}"
    }
}

// MARK: - JSON conversion (sigs.k8s.io/yaml)

/// Turns a decoded document into Jsonnet values: map keys become strings
/// (ints in decimal, floats as Go's 32-bit `%g`, bools as words); nil and
/// uint64 keys are errors; infinities and NaN fail when marshalled.
struct YAMLJSONConverter {
    let ev: Interpreter
    /// The first value JSON cannot hold (reported after key errors, like Go's marshal step).
    var marshalError: String?

    init(ev: Interpreter) { self.ev = ev }

    mutating func convert(_ v: GoYAMLValue) throws -> Value {
        switch v {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .int(let i): return .number(Double(i))
        case .uint(let u): return .number(Double(u))
        case .float(let d):
            if !d.isFinite && marshalError == nil {
                marshalError = "json: unsupported value: " + (d.isNaN ? "NaN" : (d < 0 ? "-Inf" : "+Inf"))
            }
            return .number(d.isFinite ? d : 0)
        case .string(let s): return .string(JString(s))
        case .seq(let a):
            var out = ContiguousArray<Lazy>()
            out.reserveCapacity(a.count)
            for e in a { out.append(.value(try convert(e))) }
            return .array(JArray(out))
        case .map(let m):
            var fields: [(String, Value)] = []
            fields.reserveCapacity(m.keys.count)
            for (k, val) in zip(m.keys, m.values) {
                let key: String
                switch k {
                case .string(let s): key = s
                case .int(let i): key = String(i)
                case .bool(let b): key = b ? "true" : "false"
                case .float(let d): key = goFormatFloat32G(d)
                case .uint(let u):
                    throw YAMLError(message: "unsupported map key of type: uint64, key: 0x\(String(u, radix: 16)), value: \(goSharpV(val))")
                case .null:
                    throw YAMLError(message: "unsupported map key of type: %!s(<nil>), key: <nil>, value: \(goSharpV(val))")
                case .seq, .map:
                    throw YAMLError(message: "yaml: invalid map key: " + goSharpV(k))
                }
                fields.append((key, try convert(val)))
            }
            return .object(JObject(fields: dedupeFields(fields), heap: ev.heap))
        }
    }
}

/// Go's `strconv.FormatFloat(d, 'g', -1, 32)`, with go-yaml's `.inf`/`.nan` spellings.
private func goFormatFloat32G(_ d: Double) -> String {
    if d.isNaN { return ".nan" }
    if d.isInfinite { return d < 0 ? "-.inf" : ".inf" }
    let f = Float(d)
    if f.isInfinite { return f < 0 ? "-.inf" : ".inf" }
    if f == 0 { return f.sign == .minus ? "-0" : "0" }
    let (digits, point) = shortestDigits32(abs(f))
    let exp = point - 1
    var out = f < 0 ? "-" : ""
    let ds = String(decoding: digits, as: UTF8.self)
    if exp < -4 || exp >= 6 {
        out += String(ds.first!)
        if digits.count > 1 { out += "." + ds.dropFirst() }
        out += "e" + (exp < 0 ? "-" : "+") + (abs(exp) < 10 ? "0" : "") + String(abs(exp))
    } else if point <= 0 {
        out += "0." + String(repeating: "0", count: -point) + ds
    } else if point >= digits.count {
        out += ds + String(repeating: "0", count: point - digits.count)
    } else {
        out += ds.prefix(point) + "." + ds.dropFirst(point)
    }
    return out
}

/// Shortest digits of a Float (see `shortestDigits`).
private func shortestDigits32(_ f: Float) -> (digits: [UInt8], point: Int) {
    shortestDigits(fromDescription: f.description)
}

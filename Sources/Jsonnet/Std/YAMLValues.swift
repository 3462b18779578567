/// The values `std.parseYaml` decodes into: go-yaml v2's Go types, before the
/// conversion to JSON.

/// An error from reading or converting YAML, worded as go-yaml / sigs.k8s.io/yaml word it.
struct YAMLError: Error {
    let message: String
}

/// A decoded YAML value with Go's types, before the JSON conversion.
indirect enum GoYAMLValue {
    case null
    case bool(Bool)
    case int(Int64)
    case uint(UInt64)
    case float(Double)
    case string(String)
    case seq([GoYAMLValue])
    case map(GoYAMLMap)
}

/// A key of a `map[interface{}]interface{}`.
enum GoYAMLKey: Hashable {
    case null
    case bool(Bool)
    case int(Int64)
    case uint(UInt64)
    case float(UInt64)  // bit pattern; NaN keys never compare equal and get a unique id
    case nan(Int)
    case string(CodePointKey)
}

/// An insertion-ordered Go map (a later set of an existing key replaces its value).
struct GoYAMLMap {
    var keys: [GoYAMLValue] = []
    var values: [GoYAMLValue] = []
    private var index: [GoYAMLKey: Int] = [:]
    private var nanCount = 0

    mutating func set(_ k: GoYAMLValue, _ v: GoYAMLValue) {
        let hk: GoYAMLKey
        switch k {
        case .null: hk = .null
        case .bool(let b): hk = .bool(b)
        case .int(let i): hk = .int(i)
        case .uint(let u): hk = .uint(u)
        case .float(let d):
            if d.isNaN {
                nanCount += 1
                hk = .nan(nanCount)
            } else {
                hk = .float((d == 0 ? 0.0 : d).bitPattern)
            }
        case .string(let s): hk = .string(CodePointKey(s))
        case .seq, .map: return  // rejected by the caller
        }
        if let i = index[hk] {
            values[i] = v
        } else {
            index[hk] = keys.count
            keys.append(k)
            values.append(v)
        }
    }
}

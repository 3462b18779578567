import JaaSCore
import Jsonnet

/// Top-level arguments from a URL query string, split as Go's `url.ParseQuery`
/// does: `?a=x` binds `a` to the string `"x"`, a repeated key (`?t=a&t=b`) binds
/// an array of strings, a bare key (`?a`) binds `""`. `+` means a space; pairs with
/// an empty name, a `;` or a malformed percent escape are ignored.
package enum QueryArguments {
    static func parse(_ query: String?) -> [String: ExternalValue] {
        var values: [String: [String]] = [:]
        var order: [String] = []
        for (key, value) in pairs(query) {
            if values[key] == nil { order.append(key) }
            values[key, default: []].append(value)
        }
        var arguments: [String: ExternalValue] = [:]
        for key in order {
            let list = values[key]!
            arguments[key] = list.count == 1
                ? .string(list[0])
                : .code("[" + list.map(jsonStringLiteral).joined(separator: ", ") + "]")
        }
        return arguments
    }
}

extension QueryArguments {
    /// The decoded `name=value` pairs of a query string or an
    /// `application/x-www-form-urlencoded` body, in order, split as Go's
    /// `url.ParseQuery` does (`+` is a space; a bare name has the value `""`; pairs
    /// with an empty name, a `;` or a malformed percent escape are left out).
    package static func pairs(_ query: String?) -> [(key: String, value: String)] {
        guard let query, !query.isEmpty else { return [] }
        var result: [(key: String, value: String)] = []
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) where !pair.contains(";") {
            let equals = pair.firstIndex(of: "=")
            let rawKey = equals.map { pair[..<$0] } ?? pair
            let rawValue = equals.map { pair[pair.index(after: $0)...] } ?? ""
            guard let key = percentDecode(rawKey, plusAsSpace: true), !key.isEmpty,
                  let value = percentDecode(rawValue, plusAsSpace: true) else { continue }
            result.append((key, value))
        }
        return result
    }
}

/// Decodes `%XX` escapes (and `+` as a space when asked); nil for a malformed escape.
/// Bytes that are not UTF-8 become U+FFFD.
func percentDecode<S: StringProtocol>(_ text: S, plusAsSpace: Bool) -> String? {
    let utf8 = text.utf8
    guard utf8.contains(UInt8(ascii: "%")) || (plusAsSpace && utf8.contains(UInt8(ascii: "+"))) else {
        return String(text)
    }
    var bytes: [UInt8] = []
    bytes.reserveCapacity(utf8.count)
    var index = utf8.startIndex
    while index != utf8.endIndex {
        let byte = utf8[index]
        if byte == UInt8(ascii: "%") {
            let high = utf8.index(after: index)
            guard high != utf8.endIndex else { return nil }
            let low = utf8.index(after: high)
            guard low != utf8.endIndex, let h = hexValue(utf8[high]), let l = hexValue(utf8[low]) else { return nil }
            bytes.append(h << 4 | l)
            index = utf8.index(after: low)
            continue
        }
        bytes.append(plusAsSpace && byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
        index = utf8.index(after: index)
    }
    return String(decoding: bytes, as: UTF8.self)
}

private func hexValue(_ byte: UInt8) -> UInt8? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
    default: nil
    }
}

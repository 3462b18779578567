// std.parseYaml, imitating go-jsonnet: the text is cut into documents at lines
// starting with `---` + whitespace, each document is read like go-yaml v2's
// `Unmarshal` into `interface{}` (YAML 1.1 scalar resolution, merge keys,
// aliases), then converted to JSON like sigs.k8s.io/yaml (map keys become
// strings; infinities and NaN are refused).
//
// Events come straight from libyaml (the C library inside Yams), so duplicate
// keys (last wins), anchors and error positions behave as in go-yaml, which is
// a port of the same library.

import CYaml

/// `std.parseYaml(text)`: one value, or an array when the text has `---` separators.
func parseYAMLStream(_ text: String, _ ev: Interpreter) throws -> Value {
    // Lines as Go's line reader returns them: each ends in "\n" (also the
    // last one), "\r\n" endings become "\n".
    let src = Array(text.utf8)
    var bytes: [UInt8] = []
    bytes.reserveCapacity(src.count + 1)
    var chunks: [Range<Int>] = []
    var isStream = false
    var chunkStart = 0
    var lineStart = 0
    let n = src.count
    while lineStart < n {
        var lineEnd = lineStart
        while lineEnd < n && src[lineEnd] != 0x0A { lineEnd += 1 }
        var contentEnd = lineEnd
        if lineEnd < n && contentEnd > lineStart && src[contentEnd - 1] == 0x0D { contentEnd -= 1 }
        if contentEnd - lineStart >= 3 && src[lineStart] == UInt8(ascii: "-") && src[lineStart + 1] == UInt8(ascii: "-")
            && src[lineStart + 2] == UInt8(ascii: "-") {
            let after: UInt8 = lineStart + 3 < contentEnd ? src[lineStart + 3] : 0x0A
            if after == 0x20 || (after >= 0x09 && after <= 0x0D) {
                isStream = true
                if bytes.count > chunkStart {
                    chunks.append(chunkStart..<bytes.count)
                    chunkStart = bytes.count
                }
            }
        }
        bytes.append(contentsOf: src[lineStart..<contentEnd])
        bytes.append(0x0A)
        lineStart = lineEnd + 1
    }
    if chunkStart < bytes.count { chunks.append(chunkStart..<bytes.count) }
    var docs: [Value] = []
    docs.reserveCapacity(chunks.count)
    do {
        for chunk in chunks {
            let text = try goEscapeFixups(bytes[chunk])
            let go = try text.withUnsafeBufferPointer { buf in
                var decoder = YAMLDocumentDecoder(ev: ev)
                return try decoder.decode(buf)
            }
            var converter = YAMLJSONConverter(ev: ev)
            docs.append(try converter.convert(go))
            if let e = converter.marshalError { throw YAMLError(message: e) }
        }
    } catch let e as YAMLError {
        throw ev.makeError("failed to parse YAML: error converting YAML to JSON: " + e.message)
    }
    if isStream { return .array(JArray(values: docs)) }
    return docs.first ?? .null
}

/// Aligns libyaml's double-quoted escapes with go-yaml's: `\'` is accepted
/// (rewritten as `\x27`, which keeps line numbers) and `\/` is refused. Only
/// chunks containing either sequence pay for the extra token scan.
private func goEscapeFixups(_ chunk: ArraySlice<UInt8>) throws -> [UInt8] {
    var buf = Array(chunk)
    var candidate = false
    if buf.count >= 2 {
        for k in 0..<(buf.count - 1) where buf[k] == UInt8(ascii: "\\")
            && (buf[k + 1] == UInt8(ascii: "'") || buf[k + 1] == UInt8(ascii: "/")) {
            candidate = true
            break
        }
    }
    if !candidate { return buf }
    rescan: while true {
        // Byte offset of each character (libyaml marks count characters).
        var starts: [Int] = []
        starts.reserveCapacity(buf.count + 1)
        for (k, c) in buf.enumerated() where c & 0xC0 != 0x80 { starts.append(k) }
        starts.append(buf.count)
        func byteOffset(_ index: Int) -> Int { index < starts.count ? starts[index] : buf.count }
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) != 0 else { return buf }
        defer { yaml_parser_delete(&parser) }
        let done: Bool = try buf.withUnsafeBufferPointer { p in
            yaml_parser_set_input_string(&parser, p.baseAddress, p.count)
            var token = yaml_token_t()
            defer { yaml_token_delete(&token) }
            while true {
                yaml_token_delete(&token)
                if yaml_parser_scan(&parser, &token) == 0 {
                    let at = byteOffset(Int(parser.problem_mark.index))
                    if let problem = parser.problem, String(cString: problem) == "found unknown escape character",
                       at + 1 < p.count, p[at] == UInt8(ascii: "\\"), p[at + 1] == UInt8(ascii: "'") {
                        buf.replaceSubrange(at..<(at + 2), with: Array("\\x27".utf8))
                        return false
                    }
                    return true  // the real parse reports this error
                }
                if token.type == YAML_STREAM_END_TOKEN { return true }
                guard token.type == YAML_SCALAR_TOKEN, token.data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE else {
                    continue
                }
                var k = byteOffset(Int(token.start_mark.index)) + 1
                let end = byteOffset(Int(token.end_mark.index))
                while k < end - 1 {
                    if p[k] == UInt8(ascii: "\\") {
                        if p[k + 1] == UInt8(ascii: "/") {
                            var line = 0
                            for q in 0..<k where p[q] == 0x0A { line += 1 }
                            throw YAMLError(message: "yaml: " + (line != 0 ? "line \(line + 1): " : "")
                                + "found unknown escape character")
                        }
                        k += 2
                    } else {
                        k += 1
                    }
                }
            }
        }
        if done { return buf }
        continue rescan
    }
}

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

private let strTag = "tag:yaml.org,2002:str"
private let boolTag = "tag:yaml.org,2002:bool"
private let intTag = "tag:yaml.org,2002:int"
private let floatTag = "tag:yaml.org,2002:float"
private let nullTag = "tag:yaml.org,2002:null"
private let timestampTag = "tag:yaml.org,2002:timestamp"
private let binaryTag = "tag:yaml.org,2002:binary"
private let mergeTag = "tag:yaml.org,2002:merge"

/// `!!int` for a `tag:yaml.org,2002:int` tag, as go-yaml prints tags.
private func shortTag(_ tag: String) -> String {
    let prefix = "tag:yaml.org,2002:"
    if tag.hasPrefix(prefix) { return "!!" + tag.dropFirst(prefix.count) }
    return tag
}

/// A node of the document tree, as go-yaml's parser builds it.
private final class YAMLNode {
    enum Kind { case scalar, sequence, mapping, alias }
    let kind: Kind
    /// Scalar text, or the anchor name of an alias.
    let value: String
    let tag: String
    /// Plain scalar without an explicit tag (its type is resolved from its text).
    let implicit: Bool
    var children: [YAMLNode] = []
    /// For aliases: the anchored node.
    var target: YAMLNode?

    init(kind: Kind, value: String = "", tag: String = "", implicit: Bool = false) {
        self.kind = kind
        self.value = value
        self.tag = tag
        self.implicit = implicit
    }
}

/// Reads the first document of a chunk and decodes it like go-yaml v2.
private struct YAMLDocumentDecoder {
    let ev: Interpreter
    private var decodeCount = 0
    private var aliasCount = 0
    private var aliasDepth = 0
    private var activeAliases = Set<ObjectIdentifier>()

    init(ev: Interpreter) { self.ev = ev }

    mutating func decode(_ buf: UnsafeBufferPointer<UInt8>) throws -> GoYAMLValue {
        guard let root = try Self.parse(buf) else { return .null }
        decodeCount += 1  // the document node
        return try unmarshal(root)
    }

    // MARK: Parsing (libyaml events → node tree)

    private static func fail(_ parser: inout yaml_parser_t) -> YAMLError {
        var line = 0
        if parser.problem_mark.line != 0 {
            line = Int(parser.problem_mark.line)
            if parser.error == YAML_SCANNER_ERROR { line += 1 }
        } else if parser.context_mark.line != 0 {
            line = Int(parser.context_mark.line)
        }
        let where_ = line != 0 ? "line \(line): " : ""
        var msg = "unknown problem parsing YAML content"
        if let p = parser.problem {
            let s = String(cString: p)
            if !s.isEmpty { msg = s }
        }
        return YAMLError(message: "yaml: " + where_ + msg)
    }

    private static func string(_ p: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        guard let p else { return nil }
        return String(cString: p)
    }

    private static func parse(_ buf: UnsafeBufferPointer<UInt8>) throws -> YAMLNode? {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) != 0 else { throw YAMLError(message: "yaml: out of memory") }
        defer { yaml_parser_delete(&parser) }
        // libyaml wants a non-null pointer even for empty input.
        var empty: UInt8 = 0
        if let base = buf.baseAddress, buf.count > 0 {
            yaml_parser_set_input_string(&parser, base, buf.count)
        } else {
            yaml_parser_set_input_string(&parser, &empty, 0)
        }
        var event = yaml_event_t()
        func next() throws {
            yaml_event_delete(&event)
            if yaml_parser_parse(&parser, &event) == 0 { throw fail(&parser) }
        }
        defer { yaml_event_delete(&event) }
        try next()  // stream start
        try next()
        if event.type == YAML_STREAM_END_EVENT { return nil }
        // Document start; then the root node.
        var anchors: [String: YAMLNode] = [:]
        var stack: [YAMLNode] = []
        var root: YAMLNode?
        while root == nil {
            try next()
            var node: YAMLNode?
            var anchor: String?
            switch event.type {
            case YAML_SCALAR_EVENT:
                let s = event.data.scalar
                let value = String(decoding: UnsafeBufferPointer(start: s.value, count: s.length), as: UTF8.self)
                node = YAMLNode(kind: .scalar, value: value, tag: string(s.tag) ?? "", implicit: s.plain_implicit != 0)
                anchor = string(s.anchor)
            case YAML_ALIAS_EVENT:
                let name = string(event.data.alias.anchor) ?? ""
                guard let target = anchors[name] else {
                    throw YAMLError(message: "yaml: unknown anchor '\(name)' referenced")
                }
                let a = YAMLNode(kind: .alias, value: name)
                a.target = target
                node = a
            case YAML_SEQUENCE_START_EVENT:
                let s = YAMLNode(kind: .sequence, tag: string(event.data.sequence_start.tag) ?? "")
                if let name = string(event.data.sequence_start.anchor) { anchors[name] = s }
                stack.append(s)
            case YAML_MAPPING_START_EVENT:
                let m = YAMLNode(kind: .mapping, tag: string(event.data.mapping_start.tag) ?? "")
                if let name = string(event.data.mapping_start.anchor) { anchors[name] = m }
                stack.append(m)
            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                node = stack.removeLast()
            default:
                throw YAMLError(message: "yaml: unexpected event")
            }
            guard let node else { continue }
            if let anchor { anchors[anchor] = node }
            if let parent = stack.last {
                parent.children.append(node)
            } else {
                root = node
            }
        }
        try next()  // document end
        return root
    }

    // MARK: Decoding (go-yaml v2 semantics)

    private static func allowedAliasRatio(_ decodeCount: Int) -> Double {
        if decodeCount <= 400_000 { return 0.99 }
        if decodeCount >= 4_000_000 { return 0.10 }
        return 0.99 - 0.89 * (Double(decodeCount - 400_000) / 3_600_000)
    }

    private mutating func count() throws {
        decodeCount += 1
        if aliasDepth > 0 { aliasCount += 1 }
        if aliasCount > 100 && decodeCount > 1000
            && Double(aliasCount) / Double(decodeCount) > Self.allowedAliasRatio(decodeCount) {
            throw YAMLError(message: "yaml: document contains excessive aliasing")
        }
    }

    private mutating func unmarshal(_ n: YAMLNode) throws -> GoYAMLValue {
        try count()
        try ev.tick()
        switch n.kind {
        case .scalar:
            return try scalar(n)
        case .alias:
            return try alias(n) { d, target in try d.unmarshal(target) }
        case .sequence:
            var out: [GoYAMLValue] = []
            out.reserveCapacity(n.children.count)
            for c in n.children { out.append(try unmarshal(c)) }
            return .seq(out)
        case .mapping:
            var m = GoYAMLMap()
            try mapping(n, into: &m)
            return .map(m)
        }
    }

    private mutating func alias<T>(_ n: YAMLNode, _ body: (inout Self, YAMLNode) throws -> T) throws -> T {
        let id = ObjectIdentifier(n)
        if activeAliases.contains(id) {
            throw YAMLError(message: "yaml: anchor '\(n.value)' value contains itself")
        }
        activeAliases.insert(id)
        aliasDepth += 1
        defer {
            aliasDepth -= 1
            activeAliases.remove(id)
        }
        return try body(&self, n.target!)
    }

    private static func isMerge(_ n: YAMLNode) -> Bool {
        n.kind == .scalar && n.value == "<<" && (n.implicit || n.tag == mergeTag)
    }

    /// Decodes mapping `n` into `m` (which may already hold merged keys).
    private mutating func mapping(_ n: YAMLNode, into m: inout GoYAMLMap) throws {
        var i = 0
        let c = n.children
        while i + 1 < c.count {
            if Self.isMerge(c[i]) {
                try merge(c[i + 1], into: &m)
                i += 2
                continue
            }
            let k = try unmarshal(c[i])
            switch k {
            case .seq, .map:
                throw YAMLError(message: "yaml: invalid map key: " + goSharpV(k))
            default:
                break
            }
            let v = try unmarshal(c[i + 1])
            m.set(k, v)
            i += 2
        }
    }

    /// Decodes a node that must be a mapping straight into `m` (merge targets).
    private mutating func unmarshalInto(_ n: YAMLNode, _ m: inout GoYAMLMap) throws {
        try count()
        switch n.kind {
        case .mapping:
            try mapping(n, into: &m)
        case .alias:
            try alias(n) { d, target in try d.unmarshalInto(target, &m) }
        default:
            throw YAMLError(message: "yaml: map merge requires map or sequence of maps as the value")
        }
    }

    private mutating func merge(_ n: YAMLNode, into m: inout GoYAMLMap) throws {
        let wantMap = YAMLError(message: "yaml: map merge requires map or sequence of maps as the value")
        switch n.kind {
        case .mapping:
            try unmarshalInto(n, &m)
        case .alias:
            if let t = n.target, t.kind != .mapping { throw wantMap }
            try unmarshalInto(n, &m)
        case .sequence:
            // Earlier maps take precedence: apply them last.
            for child in n.children.reversed() {
                if child.kind == .alias {
                    if let t = child.target, t.kind != .mapping { throw wantMap }
                } else if child.kind != .mapping {
                    throw wantMap
                }
                try unmarshalInto(child, &m)
            }
        default:
            throw wantMap
        }
    }

    private func scalar(_ n: YAMLNode) throws -> GoYAMLValue {
        if n.tag.isEmpty && !n.implicit { return .string(n.value) }
        let (tag, resolved) = try resolveYAMLScalar(tag: n.tag, n.value)
        if tag == binaryTag {
            guard case .string(let text) = resolved, let data = goBase64Decode(text) else {
                throw YAMLError(message: "yaml: !!binary value contains invalid base64 data")
            }
            return .string(goStringFromBytes(data))
        }
        if tag == timestampTag { return .string(n.value) }
        return resolved
    }
}

// MARK: - Scalar resolution (YAML 1.1 as go-yaml v2 does it)

private let yamlResolveMap: [String: GoYAMLValue] = {
    var m: [String: GoYAMLValue] = [:]
    for s in ["y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"] { m[s] = .bool(true) }
    for s in ["n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"] { m[s] = .bool(false) }
    for s in ["", "~", "null", "Null", "NULL"] { m[s] = .null }
    for s in [".nan", ".NaN", ".NAN"] { m[s] = .float(.nan) }
    for s in [".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"] { m[s] = .float(.infinity) }
    for s in ["-.inf", "-.Inf", "-.INF"] { m[s] = .float(-.infinity) }
    return m
}()

private func resolvedTag(_ v: GoYAMLValue) -> String {
    switch v {
    case .null: nullTag
    case .bool: boolTag
    case .int, .uint: intTag
    case .float: floatTag
    default: strTag
    }
}

/// go-yaml's `resolve(tag, text)`: the resolved tag and value, or an error
/// when an explicit tag does not fit the text.
private func resolveYAMLScalar(tag: String, _ text: String) throws -> (String, GoYAMLValue) {
    switch tag {
    case "", strTag, boolTag, intTag, floatTag, nullTag, timestampTag: break
    default: return (tag, .string(text))  // not resolvable: kept as a string
    }
    let (rtag, out) = resolvePlain(tag: tag, text)
    switch tag {
    case "", rtag, strTag, binaryTag:
        return (rtag, out)
    case floatTag where rtag == intTag:
        // go-yaml only converts `int` values; uint64 ones fail like other mismatches.
        if case .int(let i) = out { return (floatTag, .float(Double(i))) }
    default:
        break
    }
    throw YAMLError(message: "yaml: cannot decode \(shortTag(rtag)) `\(text)` as a \(shortTag(tag))")
}

private func resolvePlain(tag: String, _ text: String) -> (String, GoYAMLValue) {
    let first = text.utf8.first
    var hint: UInt8 = UInt8(ascii: "N")
    if let c = first {
        switch c {
        case UInt8(ascii: "+"), UInt8(ascii: "-"): hint = UInt8(ascii: "S")
        case 0x30...0x39: hint = UInt8(ascii: "D")
        case UInt8(ascii: "y"), UInt8(ascii: "Y"), UInt8(ascii: "n"), UInt8(ascii: "N"), UInt8(ascii: "t"),
             UInt8(ascii: "T"), UInt8(ascii: "f"), UInt8(ascii: "F"), UInt8(ascii: "o"), UInt8(ascii: "O"),
             UInt8(ascii: "~"):
            hint = UInt8(ascii: "M")
        case UInt8(ascii: "."): hint = UInt8(ascii: ".")
        default: hint = 0
        }
    }
    if hint == 0 || tag == strTag || tag == binaryTag { return (strTag, .string(text)) }
    if let v = yamlResolveMap[text] { return (resolvedTag(v), v) }
    switch hint {
    case UInt8(ascii: "."):
        if let d = goParseFloat(text) { return (floatTag, .float(d)) }
    case UInt8(ascii: "D"), UInt8(ascii: "S"):
        if tag.isEmpty || tag == timestampTag, looksLikeYAMLTimestamp(text) {
            return (timestampTag, .string(text))
        }
        let plain = text.replacingUnderscores()
        if let i = goParseInt(plain) {
            return (intTag, .int(i))
        }
        if let u = goParseUint(plain) {
            return (intTag, .uint(u))
        }
        if isYAMLStyleFloat(plain), let d = Double(plain), d.isFinite {
            return (floatTag, .float(d))
        }
        if plain.hasPrefix("0b") {
            let digits = plain.dropFirst(2)
            if let i = parseBinary(digits, negative: false) { return (intTag, .int(i)) }
            if !digits.isEmpty, digits.allSatisfy({ $0 == "0" || $0 == "1" }), let u = UInt64(digits, radix: 2) {
                return (intTag, .uint(u))
            }
        } else if plain.hasPrefix("-0b") {
            if let i = parseBinary(plain.dropFirst(3), negative: true) { return (intTag, .int(i)) }
        }
    default:
        break
    }
    return (strTag, .string(text))
}

private extension String {
    func replacingUnderscores() -> String {
        if !utf8.contains(UInt8(ascii: "_")) { return self }
        return String(decoding: utf8.filter { $0 != UInt8(ascii: "_") }, as: UTF8.self)
    }
}

private func parseBinary(_ digits: Substring, negative: Bool) -> Int64? {
    // strconv.ParseInt(s, 2, 64): optional sign handled by the caller's prefix.
    var s = digits
    var neg = negative
    if !negative, let f = s.first, f == "+" || f == "-" {
        neg = f == "-"
        s = s.dropFirst()
    }
    guard !s.isEmpty, s.allSatisfy({ $0 == "0" || $0 == "1" }), let m = UInt64(s, radix: 2) else { return nil }
    if neg {
        if m > UInt64(Int64.max) + 1 { return nil }
        return m == UInt64(Int64.max) + 1 ? Int64.min : -Int64(m)
    }
    if m > UInt64(Int64.max) { return nil }
    return Int64(m)
}

/// Go's `strconv.ParseUint(s, 0, 64)` on text without underscores.
private func goParseUint(_ s: String) -> UInt64? {
    let b = Array(s.utf8)
    guard !b.isEmpty else { return nil }
    var base: UInt64 = 10
    var i = 0
    if b[0] == 0x30 && b.count > 1 {
        switch b[1] | 0x20 {
        case UInt8(ascii: "x"): base = 16; i = 2
        case UInt8(ascii: "b"): base = 2; i = 2
        case UInt8(ascii: "o"): base = 8; i = 2
        default: base = 8; i = 1
        }
    }
    if i >= b.count && !(base == 8 && i == 1) { return nil }
    var v: UInt64 = 0
    while i < b.count {
        let c = b[i]
        let d: UInt64
        switch c {
        case 0x30...0x39: d = UInt64(c - 0x30)
        case UInt8(ascii: "a")...UInt8(ascii: "z"): d = UInt64(c - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): d = UInt64(c - UInt8(ascii: "A") + 10)
        default: return nil
        }
        if d >= base { return nil }
        let (m, o1) = v.multipliedReportingOverflow(by: base)
        let (a, o2) = m.addingReportingOverflow(d)
        if o1 || o2 { return nil }
        v = a
        i += 1
    }
    return v
}

/// Go's `strconv.ParseInt(s, 0, 64)` on text without underscores.
private func goParseInt(_ s: String) -> Int64? {
    var body = Substring(s)
    var neg = false
    if let f = body.first, f == "+" || f == "-" {
        neg = f == "-"
        body = body.dropFirst()
    }
    guard let m = goParseUint(String(body)) else { return nil }
    if neg {
        if m > UInt64(Int64.max) + 1 { return nil }
        return m == UInt64(Int64.max) + 1 ? Int64.min : -Int64(m)
    }
    if m > UInt64(Int64.max) { return nil }
    return Int64(m)
}

/// Go's `strconv.ParseFloat(s, 64)`, nil on syntax or range errors.
private func goParseFloat(_ s: String) -> Double? {
    var s = s
    let ok = s.withUTF8 { goParseFloatAccepts($0) }
    guard ok else { return nil }
    let b = Array(s.utf8)
    var i = 0
    var neg = false
    if let f = b.first, f == UInt8(ascii: "+") || f == UInt8(ascii: "-") {
        neg = f == UInt8(ascii: "-")
        i = 1
    }
    let rest = String(decoding: b[i...], as: UTF8.self).lowercased()
    if rest == "inf" || rest == "infinity" { return neg ? -.infinity : .infinity }
    if s.lowercased() == "nan" { return .nan }
    return Double(s.replacingUnderscores())
}

/// `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`
private func isYAMLStyleFloat(_ s: String) -> Bool {
    let b = Array(s.utf8)
    var i = 0
    let n = b.count
    func digits() -> Int {
        let start = i
        while i < n && b[i] >= 0x30 && b[i] <= 0x39 { i += 1 }
        return i - start
    }
    if i < n && (b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-")) { i += 1 }
    if i < n && b[i] == UInt8(ascii: ".") {
        i += 1
        if digits() == 0 { return false }
    } else {
        if digits() == 0 { return false }
        if i < n && b[i] == UInt8(ascii: ".") {
            i += 1
            _ = digits()
        }
    }
    if i < n && (b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E")) {
        i += 1
        if i < n && (b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-")) { i += 1 }
        if digits() == 0 { return false }
    }
    return i == n
}

/// go-yaml's timestamp formats: `YYYY-M-D`, optionally followed by a time
/// (`T`, `t` or space separated, fraction and zone optional).
private func looksLikeYAMLTimestamp(_ s: String) -> Bool {
    let b = Array(s.utf8)
    let n = b.count
    var i = 0
    func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
    func num(_ minLen: Int, _ maxLen: Int) -> Bool {
        let start = i
        while i < n && isDigit(b[i]) && i - start < maxLen { i += 1 }
        return i - start >= minLen
    }
    func lit(_ c: UInt8) -> Bool {
        if i < n && b[i] == c { i += 1; return true }
        return false
    }
    guard num(4, 4), lit(UInt8(ascii: "-")), num(1, 2), lit(UInt8(ascii: "-")), num(1, 2) else { return false }
    if i == n { return true }
    let sep = b[i]
    guard sep == UInt8(ascii: "T") || sep == UInt8(ascii: "t") || sep == UInt8(ascii: " ") else { return false }
    i += 1
    guard num(1, 2), lit(UInt8(ascii: ":")), num(1, 2), lit(UInt8(ascii: ":")), num(1, 2) else { return false }
    if lit(UInt8(ascii: ".")) { guard num(1, 9) else { return false } }
    if i == n { return true }
    if sep == UInt8(ascii: " ") { return false }
    if lit(UInt8(ascii: "Z")) { return i == n }
    guard i < n, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") else { return false }
    i += 1
    guard num(2, 2), lit(UInt8(ascii: ":")), num(2, 2) else { return false }
    return i == n
}

/// Go's `base64.StdEncoding.DecodeString`: padded standard alphabet; CR and LF ignored.
private func goBase64Decode(_ s: String) -> [UInt8]? {
    var vals: [UInt8] = []
    var padding = 0
    for c in s.utf8 {
        if c == 0x0A || c == 0x0D { continue }
        if padding > 0 && c != UInt8(ascii: "=") { return nil }
        let v: UInt8
        switch c {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): v = c - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): v = c - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): v = c - UInt8(ascii: "0") + 52
        case UInt8(ascii: "+"): v = 62
        case UInt8(ascii: "/"): v = 63
        case UInt8(ascii: "="):
            padding += 1
            continue
        default: return nil
        }
        vals.append(v)
    }
    let total = vals.count + padding
    if total % 4 != 0 || padding > 2 { return nil }
    if padding > 0 && (vals.count % 4) + padding != 4 { return nil }
    var out: [UInt8] = []
    out.reserveCapacity(vals.count * 3 / 4)
    var i = 0
    while i + 4 <= vals.count {
        let n = UInt32(vals[i]) << 18 | UInt32(vals[i + 1]) << 12 | UInt32(vals[i + 2]) << 6 | UInt32(vals[i + 3])
        out.append(UInt8(n >> 16 & 0xFF))
        out.append(UInt8(n >> 8 & 0xFF))
        out.append(UInt8(n & 0xFF))
        i += 4
    }
    let rest = vals.count - i
    if rest == 2 {
        let n = UInt32(vals[i]) << 18 | UInt32(vals[i + 1]) << 12
        out.append(UInt8(n >> 16 & 0xFF))
    } else if rest == 3 {
        let n = UInt32(vals[i]) << 18 | UInt32(vals[i + 1]) << 12 | UInt32(vals[i + 2]) << 6
        out.append(UInt8(n >> 16 & 0xFF))
        out.append(UInt8(n >> 8 & 0xFF))
    } else if rest == 1 {
        return nil
    }
    return out
}

/// Bytes as a string, each invalid UTF-8 byte replaced by U+FFFD as Go's JSON encoder does.
private func goStringFromBytes(_ b: [UInt8]) -> String {
    var out: [UInt8] = []
    out.reserveCapacity(b.count)
    var i = 0
    let n = b.count
    while i < n {
        let c = b[i]
        var len = 0
        var minValue: UInt32 = 0
        var value: UInt32 = 0
        switch c {
        case 0x00...0x7F: out.append(c); i += 1; continue
        case 0xC2...0xDF: len = 2; value = UInt32(c & 0x1F); minValue = 0x80
        case 0xE0...0xEF: len = 3; value = UInt32(c & 0x0F); minValue = 0x800
        case 0xF0...0xF4: len = 4; value = UInt32(c & 0x07); minValue = 0x10000
        default: len = 0
        }
        var valid = len > 0 && i + len <= n
        if valid {
            for k in 1..<len {
                let cc = b[i + k]
                if cc & 0xC0 != 0x80 { valid = false; break }
                value = value << 6 | UInt32(cc & 0x3F)
            }
            if value < minValue || value > 0x10FFFF || (value >= 0xD800 && value < 0xE000) { valid = false }
        }
        if valid {
            out.append(contentsOf: b[i..<(i + len)])
            i += len
        } else {
            out.append(contentsOf: [0xEF, 0xBF, 0xBD])
            i += 1
        }
    }
    return String(decoding: out, as: UTF8.self)
}

// MARK: - Go-style value printing for error messages

/// Go's `%#v` of a decoded YAML value (for the rare error messages that show one).
func goSharpV(_ v: GoYAMLValue, nested: Bool = false) -> String {
    switch v {
    case .null: return nested ? "interface {}(nil)" : "<nil>"
    case .bool(let b): return b ? "true" : "false"
    case .int(let i): return String(i)
    case .uint(let u): return "0x" + String(u, radix: 16)
    case .float(let d): return formatGoFloat(d)
    case .string(let s): return goQuote(s)
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

/// Go's `strconv.Quote` for printable text (control characters escaped).
private func goQuote(_ s: String) -> String {
    var out = "\""
    for u in s.unicodeScalars {
        switch u {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        case "\u{07}": out += "\\a"
        case "\u{08}": out += "\\b"
        case "\u{0C}": out += "\\f"
        case "\u{0B}": out += "\\v"
        default:
            if u.value < 0x20 || u.value == 0x7F {
                let h = String(u.value, radix: 16)
                out += "\\x" + (h.count < 2 ? "0" + h : h)
            } else {
                out.unicodeScalars.append(u)
            }
        }
    }
    return out + "\""
}

// MARK: - JSON conversion (sigs.k8s.io/yaml)

/// Turns a decoded document into Jsonnet values: map keys become strings
/// (ints in decimal, floats as Go's 32-bit `%g`, bools as words); nil and
/// uint64 keys are errors; infinities and NaN fail when marshalled.
private struct YAMLJSONConverter {
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

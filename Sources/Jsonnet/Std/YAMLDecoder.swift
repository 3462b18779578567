/// Reads one YAML document from libyaml's events (the C library inside Yams)
/// into `GoYAMLValue`s with go-yaml v2's semantics: tags, anchors and aliases,
/// merge keys, duplicate keys (last wins).

import CYaml

let strTag = "tag:yaml.org,2002:str"
let boolTag = "tag:yaml.org,2002:bool"
let intTag = "tag:yaml.org,2002:int"
let floatTag = "tag:yaml.org,2002:float"
let nullTag = "tag:yaml.org,2002:null"
let timestampTag = "tag:yaml.org,2002:timestamp"
let binaryTag = "tag:yaml.org,2002:binary"
let mergeTag = "tag:yaml.org,2002:merge"

/// `!!int` for a `tag:yaml.org,2002:int` tag, as go-yaml prints tags.
func shortTag(_ tag: String) -> String {
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
struct YAMLDocumentDecoder {
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
            return .string(yamlStringFromBytes(data))
        }
        if tag == timestampTag { return .string(n.value) }
        return resolved
    }
}

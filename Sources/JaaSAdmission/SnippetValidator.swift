import JaaSArtifacts
import JaaSCore
import JaaSOperatorAPI
import Jsonnet
import Kubernetes

/// The admission checks of a JsonnetSnippet (docs/operator/webhook.md, "What it refuses"): what can be refused before
/// the object is stored, each refusal naming the offending field.
public struct SnippetValidator: Sendable {
    /// One refused field.
    public struct Denial: Sendable, Equatable, CustomStringConvertible {
        /// The field, e.g. `spec.externalVariables[0].name`.
        public var field: String
        /// The message.
        public var message: String

        /// A one-line description.
        public var description: String { "\(field): \(message)" }
    }

    /// The range `spec.history` must be in (docs/operator/webhook.md).
    public static let historyRange: ClosedRange<Int64> = 1...50

    /// Names set by the operator's `--ext-var` (and `JAAS_EXT_VAR_*`).
    public var operatorExternalVariables: Set<String>
    /// The top-level directories of the operator's `--library-path`s.
    public var libraryAliases: Set<String>

    /// Creates one from the given values.
    public init(operatorExternalVariables: Set<String>, libraryAliases: Set<String>) {
        self.operatorExternalVariables = operatorExternalVariables
        self.libraryAliases = libraryAliases
    }

    /// Every refusal for `spec` (a JsonnetSnippet's `spec` object), in field order; empty when it is admitted.
    public func denials(spec: JSONValue?) -> [Denial] {
        guard let spec, case .object = spec else { return [Denial(field: "spec", message: "must be an object")] }
        var out: [Denial] = []
        out += sourceDenials(spec)
        out += variableDenials(spec["externalVariables"], field: "spec.externalVariables", operatorOwned: true)
        out += variableDenials(spec["tlas"], field: "spec.tlas", operatorOwned: false)
        out += libraryDenials(spec["libraries"])
        if let history = spec["history"], !history.isNull {
            if let n = history.intValue {
                if !Self.historyRange.contains(n) {
                    out.append(Denial(field: "spec.history", message: "\(n) is out of range \(Self.historyRange.lowerBound)–\(Self.historyRange.upperBound)"))
                }
            } else {
                out.append(Denial(field: "spec.history", message: "must be an integer"))
            }
        }
        if let interval = spec["interval"], !interval.isNull {
            if let text = interval.stringValue, let seconds = parseDuration(text) {
                if !intervalRange.contains(seconds) {
                    out.append(Denial(field: "spec.interval", message: "\(jsonStringLiteral(text)) is out of range 30s–24h"))
                }
            } else {
                let shown = interval.stringValue.map { $0.count > 64 ? "\($0.prefix(64))…" : $0 }
                out.append(Denial(field: "spec.interval", message: "\(shown.map(jsonStringLiteral) ?? "the value") is not a duration such as 30s, 5m or 1h"))
            }
        }
        return out
    }

    /// Exactly one of `files`/`sourceRef`; the entry file among inline files; inline Jsonnet that parses.
    private func sourceDenials(_ spec: JSONValue) -> [Denial] {
        let files = spec["files"].flatMap { $0.isNull ? nil : $0 }
        let sourceRef = spec["sourceRef"].flatMap { $0.isNull ? nil : $0 }
        switch (files, sourceRef) {
        case (nil, nil):
            return [Denial(field: "spec.files", message: "exactly one of spec.files and spec.sourceRef must be set, neither is")]
        case (.some, .some):
            return [Denial(field: "spec.sourceRef", message: "exactly one of spec.files and spec.sourceRef must be set, both are")]
        case (nil, .some):
            return entryDenials(spec, files: nil)
        case (let files?, nil):
            guard let members = files.objectValue else {
                return [Denial(field: "spec.files", message: "must be a map of file name to content")]
            }
            var out: [Denial] = []
            var tree: Set<String> = []
            var jsonnet: [(name: String, text: String)] = []
            for name in members.keys.sorted() {
                let field = "spec.files[\(jsonStringLiteral(name))]"
                guard let clean = try? cleanRelativePath(name) else {
                    out.append(Denial(field: field, message: "is not a clean relative path"))
                    continue
                }
                tree.insert(clean)
                guard let text = members[name]?.stringValue else {
                    out.append(Denial(field: field, message: "must be a string"))
                    continue
                }
                if name.hasSuffix(".jsonnet") || name.hasSuffix(".libsonnet") { jsonnet.append((name, text)) }
            }
            // One large-stack thread parses them all: many small files cost no thread each.
            let errors = Jsonnet.syntaxErrors(jsonnet)
            for (name, _) in jsonnet {
                if let error = errors[name] {
                    out.append(Denial(field: "spec.files[\(jsonStringLiteral(name))]", message: "does not parse: \(error.headline)"))
                }
            }
            return out.sorted { $0.field < $1.field } + entryDenials(spec, files: tree)
        }
    }

    private func entryDenials(_ spec: JSONValue, files: Set<String>?) -> [Denial] {
        let given = spec["entryFile"].flatMap { $0.isNull ? nil : $0 }
        guard given == nil || given?.stringValue != nil else { return [Denial(field: "spec.entryFile", message: "must be a string")] }
        let entry = given?.stringValue ?? "main.jsonnet"
        let allowed = entry.utf8.allSatisfy { c in
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x2E || c == 0x5F
                || c == 0x2F || c == 0x2D
        }
        guard !entry.isEmpty, entry.utf8.count <= 255, allowed, let clean = try? cleanRelativePath(entry) else {
            return [Denial(field: "spec.entryFile", message: "\(jsonStringLiteral(entry)) must match [A-Za-z0-9._/-]+, without .., at most 255 characters")]
        }
        if let files, !files.contains(clean) {
            return [Denial(field: "spec.entryFile", message: "\(jsonStringLiteral(entry)) is not in spec.files")]
        }
        return []
    }

    /// Names 1–253 characters and unique; `code: true` needs a value; extVars not owned by the operator.
    private func variableDenials(_ list: JSONValue?, field: String, operatorOwned: Bool) -> [Denial] {
        guard let list, !list.isNull else { return [] }
        guard let items = list.arrayValue else { return [Denial(field: field, message: "must be a list")] }
        var out: [Denial] = []
        var seen: Set<String> = []
        for (i, item) in items.enumerated() {
            guard let name = item["name"]?.stringValue else {
                out.append(Denial(field: "\(field)[\(i)].name", message: "is required"))
                continue
            }
            let at = "\(field)[\(i)].name"
            if name.isEmpty || name.count > 253 {
                out.append(Denial(field: at, message: "must be 1 to 253 characters"))
            } else if !seen.insert(name).inserted {
                out.append(Denial(field: at, message: "\(jsonStringLiteral(name)) is used twice"))
            } else if operatorOwned && operatorExternalVariables.contains(name) {
                out.append(Denial(field: at, message: "\(jsonStringLiteral(name)) is set by the operator (--ext-var) and cannot be overridden"))
            }
            if item["code"]?.boolValue == true, (item["value"]?.stringValue ?? "").isEmpty {
                out.append(Denial(field: "\(field)[\(i)].value", message: "must not be empty with code: true"))
            }
        }
        return out
    }

    /// Import paths (`importPath`, else `name`) distinct and not shadowing a `--library-path` alias.
    private func libraryDenials(_ list: JSONValue?) -> [Denial] {
        guard let list, !list.isNull else { return [] }
        guard let items = list.arrayValue else { return [Denial(field: "spec.libraries", message: "must be a list")] }
        var out: [Denial] = []
        var seen: Set<String> = []
        for (i, item) in items.enumerated() {
            let explicit = item["importPath"]?.stringValue
            guard let path = explicit ?? item["name"]?.stringValue else {
                out.append(Denial(field: "spec.libraries[\(i)].name", message: "is required"))
                continue
            }
            let at = "spec.libraries[\(i)].\(explicit == nil ? "name" : "importPath")"
            if libraryAliases.contains(path) {
                out.append(Denial(field: at, message: "import path \(jsonStringLiteral(path)) shadows a --library-path alias"))
            } else if !seen.insert(path).inserted {
                out.append(Denial(field: at, message: "import path \(jsonStringLiteral(path)) is used twice"))
            }
        }
        return out
    }
}

import JaaSArtifacts
import JaaSCore
import JaaSOperatorAPI
import Jsonnet
import Kubernetes

/// The admission checks of a JsonnetSnippet (docs/operator/webhook.md, "What it refuses"): what can be refused before
/// the object is stored, each refusal naming the offending field, and the pitfalls the original
/// only warns about (kubectl prints them as `Warning:` lines and stores the object).
public struct SnippetValidator: Sendable {
    /// What admission says about one spec: refusals, and warnings for an admitted object.
    public struct Review: Sendable, Equatable {
        public var denials: [Denial] = []
        /// Each `field: message`, one line of at most ``maxWarningLength`` characters.
        public var warnings: [String] = []
    }

    /// Kubernetes shows warnings one per line; longer ones are cut (user text included).
    public static let maxWarningLength = 256

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
        review(spec: spec).denials
    }

    /// Refusals and warnings for `spec` of the snippet `name` in `namespace` (the
    /// name and namespace only matter to the self-reference warning).
    public func review(spec: JSONValue?, name: String? = nil, namespace: String? = nil) -> Review {
        guard let spec, case .object = spec else { return Review(denials: [Denial(field: "spec", message: "must be an object")]) }
        var out: [Denial] = []
        var warnings: [String] = []
        out += sourceDenials(spec, warnings: &warnings)
        if let warning = selfReference(spec, name: name, namespace: namespace) { warnings.append(warning) }
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
        return Review(denials: out, warnings: warnings.map(Self.oneLine))
    }

    /// `value` unless it is absent or JSON null. (Spelled with `.none`: JSONValue takes the
    /// `nil` literal too, so a bare `nil` here could become JSON null.)
    static func present(_ value: JSONValue?) -> JSONValue? {
        guard let value, !value.isNull else { return .none }
        return value
    }

    /// `text` as one printable line of at most ``maxWarningLength`` characters.
    static func oneLine(_ text: String) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            let control = scalar.value < 0x20 || scalar.value == 0x7F || (0x80..<0xA0).contains(scalar.value)
                || scalar.value == 0x2028 || scalar.value == 0x2029
            scalars.append(control ? Unicode.Scalar(0x20) : scalar)
        }
        var line = String(scalars)
        if line.count > maxWarningLength { line = String(line.prefix(maxWarningLength - 1)) + "…" }
        return line
    }

    /// The warning for a `sourceRef` naming the snippet's own ExternalArtifact: that
    /// artifact is what the snippet publishes, so it can never render (DependencyCycle).
    private func selfReference(_ spec: JSONValue, name: String?, namespace: String?) -> String? {
        guard let name, let ref = spec["sourceRef"], ref["kind"]?.stringValue == "ExternalArtifact",
              ref["name"]?.stringValue == name else { return nil }
        let refNamespace = ref["namespace"]?.stringValue ?? ""
        guard refNamespace.isEmpty || refNamespace == namespace else { return nil }
        return "spec.sourceRef: ExternalArtifact \(jsonStringLiteral(name)) is this snippet's own artifact, a cycle; "
            + "it will not reconcile (DependencyCycle)"
    }

    /// One path segment of `[A-Za-z0-9._-]`, neither `.` nor `..`: a library import
    /// alias (the original's rule; an alias with a slash would let two libraries'
    /// files share a name).
    public static func isSingleSegment(_ text: String) -> Bool {
        guard !text.isEmpty, text != ".", text != ".." else { return false }
        return text.utf8.allSatisfy { c in
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x2E || c == 0x5F || c == 0x2D
        }
    }

    /// A file name consumers of an `output: source` artifact extract: `/`-separated
    /// segments of `[A-Za-z0-9._-]`, none empty and none starting with a dot (so no
    /// `.`, `..` or hidden files). Others would be dropped silently downstream.
    public static func isSafeSourceName(_ name: String) -> Bool {
        guard !name.isEmpty, name.utf8.count <= 4096 else { return false }
        return name.split(separator: "/", omittingEmptySubsequences: false).allSatisfy { segment in
            !segment.isEmpty && segment.first != "." && isSingleSegment(String(segment))
        }
    }

    /// Exactly one of `files`/`sourceRef`; file names `output: source` can ship. The
    /// entry file missing from inline files and inline Jsonnet that does not parse
    /// are warnings, as in the original: the snippet is stored and fails to reconcile.
    private func sourceDenials(_ spec: JSONValue, warnings: inout [String]) -> [Denial] {
        // An empty `files: {}` counts as unset, as the CRD's rule has it.
        var files = Self.present(spec["files"])
        if files?.objectValue?.isEmpty == true { files = .none }
        let sourceRef = Self.present(spec["sourceRef"])
        switch (files, sourceRef) {
        case (.none, .none):
            return [Denial(field: "spec.files", message: "exactly one of spec.files and spec.sourceRef must be set, neither is")]
        case (.some, .some):
            return [Denial(field: "spec.sourceRef", message: "exactly one of spec.files and spec.sourceRef must be set, both are")]
        case (.none, .some):
            return entryDenials(spec, files: nil, warnings: &warnings)
        case (.some(let files), .none):
            guard let members = files.objectValue else {
                return [Denial(field: "spec.files", message: "must be a map of file name to content")]
            }
            var out: [Denial] = []
            var tree: Set<String> = []
            var jsonnet: [(name: String, text: String)] = []
            let shipsSource = spec["output"]?.stringValue == "source"
            for name in members.keys.sorted() {
                let field = "spec.files[\(jsonStringLiteral(name))]"
                guard let clean = try? cleanRelativePath(name) else {
                    out.append(Denial(field: field, message: "is not a clean relative path"))
                    continue
                }
                if shipsSource && !Self.isSafeSourceName(name) {
                    out.append(Denial(field: field, message: "cannot be shipped with output: source; consumers drop it "
                        + "(names are /-separated segments of [A-Za-z0-9._-], none empty or starting with a dot)"))
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
                    warnings.append("spec.files[\(jsonStringLiteral(name))]: does not parse: \(error.headline); "
                        + "it will not reconcile (EvaluationFailed)")
                }
            }
            return out.sorted { $0.field < $1.field } + entryDenials(spec, files: tree, warnings: &warnings)
        }
    }

    private func entryDenials(_ spec: JSONValue, files: Set<String>?, warnings: inout [String]) -> [Denial] {
        let given = Self.present(spec["entryFile"])
        guard given.map({ $0.stringValue != nil }) ?? true else { return [Denial(field: "spec.entryFile", message: "must be a string")] }
        let entry = given?.stringValue ?? "main.jsonnet"
        let allowed = entry.utf8.allSatisfy { c in
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x2E || c == 0x5F
                || c == 0x2F || c == 0x2D
        }
        guard !entry.isEmpty, entry.utf8.count <= 255, allowed, let clean = try? cleanRelativePath(entry) else {
            return [Denial(field: "spec.entryFile", message: "\(jsonStringLiteral(entry)) must match [A-Za-z0-9._/-]+, without .., at most 255 characters")]
        }
        if let files, !files.contains(clean) {
            warnings.append("spec.entryFile: \(jsonStringLiteral(entry)) is not in spec.files (\(files.count) "
                + "file\(files.count == 1 ? "" : "s")); it will not reconcile (InvalidSpec)")
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

    /// Import paths (`importPath`, else `name`): one safe segment each, distinct, not
    /// shadowing a `--library-path` alias.
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
            if !Self.isSingleSegment(path) {
                out.append(Denial(field: at, message: "import path \(jsonStringLiteral(path)) must be one path segment of [A-Za-z0-9._-] "
                    + "(no slash, not . or ..)"))
            } else if libraryAliases.contains(path) {
                out.append(Denial(field: at, message: "import path \(jsonStringLiteral(path)) shadows a --library-path alias"))
            } else if !seen.insert(path).inserted {
                out.append(Denial(field: at, message: "import path \(jsonStringLiteral(path)) is used twice"))
            }
        }
        return out
    }
}

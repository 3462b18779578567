/// The `JsonnetSnippet` spec (`jaas.metio.wtf/v1`), with the field names of docs/operator/README.md.
public struct JsonnetSnippetSpec: Codable, Sendable, Equatable {
    /// `spec.serviceAccountName`: who the snippet's API calls are made as.
    public var serviceAccountName: String?
    /// `spec.entryFile` (default `main.jsonnet`).
    public var entryFile: String?
    /// `spec.files`: inline files by path.
    public var files: [String: String]?
    /// `spec.sourceRef`: a Flux source the files come from instead.
    public var sourceRef: SourceReference?
    /// `spec.libraries`: JsonnetLibraries imported by alias.
    public var libraries: [LibraryReference]?
    /// `spec.externalVariables` for `std.extVar`.
    public var externalVariables: [SnippetVariable]?
    /// `spec.tlas`: top-level arguments.
    public var tlas: [SnippetVariable]?
    /// `spec.output`: the rendered JSON or the source files.
    public var output: OutputKind?
    /// `spec.suspend`: no reconciling while true.
    public var suspend: Bool?
    /// `spec.history`: how many revisions are kept.
    public var history: Int?
    /// `spec.interval`: how often the snippet is re-rendered (Go duration).
    public var interval: String?

    /// A spec with these fields and the rest unset.
    public init(files: [String: String]? = nil, entryFile: String? = nil, externalVariables: [SnippetVariable]? = nil,
                tlas: [SnippetVariable]? = nil, output: OutputKind? = nil) {
        self.files = files
        self.entryFile = entryFile
        self.externalVariables = externalVariables
        self.tlas = tlas
        self.output = output
    }

    /// `entryFile` with its default.
    public var entry: String { entryFile ?? "main.jsonnet" }
}

/// What the published tarball holds.
public enum OutputKind: String, Codable, Sendable {
    /// `rendered.json`: the evaluation result.
    case rendered
    /// The snippet's source files, unevaluated.
    case source
}

/// An external variable or top-level argument binding.
public struct SnippetVariable: Codable, Sendable, Equatable {
    /// The variable's name.
    public var name: String
    /// The value (a string, or Jsonnet code with `code`).
    public var value: String?
    /// Parse `value` as Jsonnet code instead of binding it as a string.
    public var code: Bool?

    /// A binding of `name` to `value`.
    public init(name: String, value: String?, code: Bool? = nil) {
        self.name = name
        self.value = value
        self.code = code
    }
}

/// `spec.sourceRef`: a Flux source whose artifact is the file tree.
public struct SourceReference: Codable, Sendable, Equatable {
    /// The `apiVersion` of the referenced object.
    public var apiVersion: String?
    /// The source's kind (`GitRepository`, `OCIRepository`, `Bucket`, `ExternalArtifact`).
    public var kind: String
    /// The source's name.
    public var name: String
    /// The source's namespace (default: the snippet's).
    public var namespace: String?
    /// The directory of the artifact the files are taken from.
    public var path: String?
}

/// An entry of `spec.libraries`.
public struct LibraryReference: Codable, Sendable, Equatable {
    /// The `apiVersion` of the referenced object.
    public var apiVersion: String?
    /// The library's kind (default `JsonnetLibrary`).
    public var kind: String?
    /// The library's name.
    public var name: String
    /// The library's namespace (default: the snippet's).
    public var namespace: String?
    /// The alias it is imported under (default: its name).
    public var importPath: String?
}

/// The wire-stable reasons of the `Ready` condition (docs/operator/README.md, "Status reasons").
public enum ReadyReason: String, Sendable, CaseIterable {
    case synced = "Synced"
    case pending = "Pending"
    case suspended = "Suspended"
    case invalidSpec = "InvalidSpec"
    case libraryNotFound = "LibraryNotFound"
    case crossNamespaceRefRejected = "CrossNamespaceRefRejected"
    case externalVariableConflict = "ExternalVariableConflict"
    case serviceAccountMissing = "ServiceAccountMissing"
    case evaluationFailed = "EvaluationFailed"
    case evaluationTimeout = "EvaluationTimeout"
    case sourceNotReady = "SourceNotReady"
    case sourceFetchFailed = "SourceFetchFailed"
    case sourceRefNotYetSupported = "SourceRefNotYetSupported"
    case dependencyCycle = "DependencyCycle"
    case artifactTooLarge = "ArtifactTooLarge"
    case rbacDenied = "RBACDenied"
    case storageFailed = "StorageFailed"
    /// An ExternalArtifact of the snippet's name exists and its `spec.sourceRef`
    /// names another producer: it is never modified (ours).
    case artifactConflict = "ArtifactConflict"
}

/// A reconcile step that failed, with the `Ready=False` reason and message to report.
public struct ReconcileFailure: Error, Equatable, Sendable, CustomStringConvertible {
    /// The reason.
    public let reason: ReadyReason
    /// The message.
    public let message: String

    /// Creates one from the given values.
    public init(_ reason: ReadyReason, _ message: String) {
        self.reason = reason
        self.message = message
    }

    /// A one-line description.
    public var description: String { "\(reason.rawValue): \(message)" }
}

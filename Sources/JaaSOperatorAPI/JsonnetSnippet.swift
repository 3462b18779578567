/// The `JsonnetSnippet` spec (`jaas.metio.wtf/v1`), with the field names of docs/operator/README.md.
public struct JsonnetSnippetSpec: Codable, Sendable, Equatable {
    public var serviceAccountName: String?
    public var entryFile: String?
    public var files: [String: String]?
    public var sourceRef: SourceReference?
    public var libraries: [LibraryReference]?
    public var externalVariables: [SnippetVariable]?
    public var tlas: [SnippetVariable]?
    public var output: OutputKind?
    public var suspend: Bool?
    public var history: Int?
    public var interval: String?

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
    public var name: String
    public var value: String?
    /// Parse `value` as Jsonnet code instead of binding it as a string.
    public var code: Bool?

    public init(name: String, value: String?, code: Bool? = nil) {
        self.name = name
        self.value = value
        self.code = code
    }
}

/// `spec.sourceRef`: a Flux source whose artifact is the file tree.
public struct SourceReference: Codable, Sendable, Equatable {
    public var apiVersion: String?
    public var kind: String
    public var name: String
    public var namespace: String?
    public var path: String?
}

/// An entry of `spec.libraries`.
public struct LibraryReference: Codable, Sendable, Equatable {
    public var apiVersion: String?
    public var kind: String?
    public var name: String
    public var namespace: String?
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
    public let reason: ReadyReason
    public let message: String

    public init(_ reason: ReadyReason, _ message: String) {
        self.reason = reason
        self.message = message
    }

    public var description: String { "\(reason.rawValue): \(message)" }
}

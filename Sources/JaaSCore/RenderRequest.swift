import Jsonnet

/// One render: which file to evaluate and everything else its output depends on.
///
/// A render is a pure function of the bytes of the files it reads and of these
/// fields, so the request itself is the render cache's key.
public struct RenderRequest: Sendable, Hashable {
    /// The file whose bytes are evaluated (a path already checked by the caller).
    public var entryPath: String
    /// The name used in diagnostics and `std.thisFile`; relative imports resolve
    /// against its directory.
    public var fileName: String
    /// Library search directories in command-line order (the last is searched first).
    public var libraryPaths: [String]
    /// `std.extVar` bindings.
    public var externalVariables: [String: ExternalValue]
    /// Top-level arguments for a program whose value is a function.
    public var topLevelArguments: [String: ExternalValue]
    /// Maximum Jsonnet call depth.
    public var maxStack: Int
    /// The evaluation's memory budget in bytes (nil = none).
    public var memoryLimit: Int?

    /// Describes a render of `entryPath`, named `fileName` in diagnostics.
    public init(entryPath: String, fileName: String, libraryPaths: [String] = [],
                externalVariables: [String: ExternalValue] = [:],
                topLevelArguments: [String: ExternalValue] = [:], maxStack: Int = 500,
                memoryLimit: Int? = nil) {
        self.entryPath = entryPath
        self.fileName = fileName
        self.libraryPaths = libraryPaths
        self.externalVariables = externalVariables
        self.topLevelArguments = topLevelArguments
        self.maxStack = maxStack
        self.memoryLimit = memoryLimit
    }
}

/// Why a render produced no output.
public enum RenderError: Error, Sendable, Equatable {
    /// The entry file could not be read.
    case entryNotFound
    /// A syntax or runtime error, a missing import or the stack limit; the payload is
    /// go-jsonnet's full diagnostic.
    case evaluationFailed(diagnostic: String)
    /// The evaluation ran past the gate's timeout and was cancelled.
    case timedOut
    /// The gate's concurrency cap was full.
    case unavailable
    /// The caller's task was cancelled (for example, the HTTP client went away).
    case cancelled
}

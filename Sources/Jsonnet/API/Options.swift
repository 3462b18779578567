/// An external variable or top-level argument: a plain string, or Jsonnet code.
public enum ExternalValue: Sendable, Equatable, Hashable {
    /// Bound to the string as is (`--ext-str`, `--tla-str`).
    case string(String)
    /// Parsed and evaluated as Jsonnet (`--ext-code`, `--tla-code`).
    case code(String)
}

/// How the final value is turned into output text.
public enum OutputMode: Sendable, Equatable {
    /// Pretty JSON (go-jsonnet's default), with a trailing newline.
    case json
    /// `-S`: the result must be a string, printed raw with a trailing newline.
    case string
    /// `-m`: the result must be an object; each field becomes one file.
    /// With `stringFields`, each field must be a string and is written raw (`-m -S`).
    case multi(stringFields: Bool)
    /// `-y`: the result must be an array; each element is one YAML document (as JSON).
    case yamlStream
}

/// Everything an evaluation needs besides the program.
public struct EvaluationOptions: Sendable {
    /// Resolves `import`, `importstr` and `importbin`.
    public var importer: any Importer
    /// `std.extVar` bindings.
    public var externalVariables: [String: ExternalValue]
    /// Arguments passed when the program's value is a function.
    public var topLevelArguments: [String: ExternalValue]
    /// Maximum Jsonnet call depth (go-jsonnet's `-s`, default 500).
    public var maxStack: Int
    /// Maximum stack trace frames in error messages (0 = all).
    public var maxTrace: Int
    /// Set from another thread to stop the evaluation.
    public var cancellation: CancellationToken?
    /// Stops the evaluation with `EvaluationCancelled.timedOut` after this long.
    public var timeout: Duration?
    /// Host functions reachable through `std.native(name)`.
    package var nativeFunctions: [String: Builtin] = [:]
    /// Native stack reserved for the evaluation thread, in bytes.
    public var stackSize: Int
    /// Per-evaluation memory budget in bytes for strings, arrays and objects
    /// (`jsonnet --max-memory`, `jaas --evaluation-memory-limit`); nil = unlimited.
    public var memoryLimit: Int?
    /// Where parsed files are shared with other evaluations (nil: parse every file
    /// this evaluation reads). Defaults to the process-wide ``ParseCache/shared``.
    public var parseCache: ParseCache?

    /// Creates one with the defaults.
    public init(importer: any Importer = NoImporter(),
                externalVariables: [String: ExternalValue] = [:],
                topLevelArguments: [String: ExternalValue] = [:],
                maxStack: Int = 500,
                maxTrace: Int = 20,
                cancellation: CancellationToken? = nil,
                timeout: Duration? = nil,
                stackSize: Int = 512 << 20,
                memoryLimit: Int? = nil,
                parseCache: ParseCache? = .shared) {
        self.importer = importer
        self.externalVariables = externalVariables
        self.topLevelArguments = topLevelArguments
        self.maxStack = maxStack
        self.maxTrace = maxTrace
        self.cancellation = cancellation
        self.timeout = timeout
        self.stackSize = stackSize
        self.memoryLimit = memoryLimit
        self.parseCache = parseCache
    }
}

/// The text an evaluation produced.
public enum EvaluationOutput: Sendable, Equatable {
    /// One document (JSON, string or YAML stream), including the trailing newline.
    case single(String)
    /// `-m` output: file name → content, in key order.
    case multi([(name: String, content: String)])

    /// Whether the two outputs are the same.
    public static func == (a: EvaluationOutput, b: EvaluationOutput) -> Bool {
        switch (a, b) {
        case (.single(let x), .single(let y)): return x == y
        case (.multi(let x), .multi(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.name == $1.name && $0.content == $1.content }
        default: return false
        }
    }
}

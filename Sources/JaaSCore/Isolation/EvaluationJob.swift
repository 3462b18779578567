import Jsonnet

/// Everything one evaluation in a worker process needs: the files it may read,
/// its variables and its limits. A job is self-contained, so the worker keeps no
/// state between jobs.
public struct EvaluationJob: Sendable, Equatable {
    /// Where the entry file and imports come from.
    public enum Files: Sendable, Equatable {
        /// The file system, as the renderer reads it: the entry at its path, imports
        /// relative to the importing file, then in `libraryPaths` (the last first).
        /// The reply carries the ``ImportClosure`` observed, for the render cache.
        case fileSystem(libraryPaths: [String])
        /// In-memory trees, as the operator holds them (a ``LibraryImporter``): the
        /// entry is `snippet[entryPath]`.
        case trees(snippet: [String: [UInt8]], libraries: [String: [String: [UInt8]]])
    }

    /// The entry file: a file-system path, or a path in the snippet tree.
    public var entryPath: String
    /// The name in diagnostics and `std.thisFile`.
    public var fileName: String
    /// The source of the entry file and of imports.
    public var files: Files
    /// `std.extVar` bindings.
    public var externalVariables: [String: ExternalValue]
    /// Top-level arguments.
    public var topLevelArguments: [String: ExternalValue]
    /// Maximum Jsonnet call depth.
    public var maxStack: Int
    /// Stack frames kept in an error's diagnostic (0 = all).
    public var maxTrace: Int
    /// Per-evaluation memory budget in bytes (nil = none).
    public var memoryLimit: Int?
    /// The engine stops itself after this long (nil = never); the pool also
    /// kills a worker that does not answer shortly after it.
    public var timeout: Duration?

    /// Describes one evaluation.
    public init(entryPath: String, fileName: String, files: Files,
                externalVariables: [String: ExternalValue] = [:], topLevelArguments: [String: ExternalValue] = [:],
                maxStack: Int = 500, maxTrace: Int = 20, memoryLimit: Int? = nil, timeout: Duration? = nil) {
        self.entryPath = entryPath
        self.fileName = fileName
        self.files = files
        self.externalVariables = externalVariables
        self.topLevelArguments = topLevelArguments
        self.maxStack = maxStack
        self.maxTrace = maxTrace
        self.memoryLimit = memoryLimit
        self.timeout = timeout
    }
}

/// How an evaluation in a worker ended.
public enum WorkerOutcome: Sendable, Equatable {
    /// The pretty JSON output.
    case output(String)
    /// go-jsonnet's diagnostic of a static or runtime error.
    case evaluationFailed(String)
    /// The entry file could not be read.
    case entryNotFound
    /// The evaluation ran past its timeout.
    case timedOut
    /// The caller cancelled it.
    case cancelled
    /// The worker died or broke the protocol; the text says how
    /// (`killed by signal SIGSEGV (segmentation fault)`, `exited with status 1`).
    case crashed(String)
    /// The output was over the pool's ``WorkerPool/Configuration/maxReplyBytes``
    /// (the cap, in bytes); it was never read into the caller's memory.
    case outputTooLarge(limit: Int)
}

/// A worker's answer: the outcome and, for file-system jobs, what the render read.
public struct WorkerReply: Sendable, Equatable {
    /// How the evaluation ended.
    public var outcome: WorkerOutcome
    /// Every path the render looked at (file-system jobs only).
    public var closure: ImportClosure?

    /// Wraps an outcome.
    public init(outcome: WorkerOutcome, closure: ImportClosure? = nil) {
        self.outcome = outcome
        self.closure = closure
    }
}

// MARK: Encoding

extension EvaluationJob {
    /// The byte count of ``encoded()``, computed without encoding (saturating at
    /// `Int.max`), so an oversize job is refused before any memory is committed.
    var encodedSize: Int {
        func add(_ a: Int, _ b: Int) -> Int {
            let (sum, overflow) = a.addingReportingOverflow(b)
            return overflow ? .max : sum
        }
        func string(_ s: String) -> Int { add(8, s.utf8.count) }
        func tree(_ files: [String: [UInt8]]) -> Int {
            files.reduce(8) { add($0, add(string($1.key), add(8, $1.value.count))) }
        }
        var size = add(string(entryPath), string(fileName))
        switch files {
        case .fileSystem(let paths):
            size = paths.reduce(add(size, 9)) { add($0, string($1)) }
        case .trees(let snippet, let libraries):
            size = add(add(size, 1), tree(snippet))
            size = libraries.reduce(add(size, 8)) { add($0, add(string($1.key), tree($1.value))) }
        }
        for bindings in [externalVariables, topLevelArguments] {
            size = bindings.reduce(add(size, 8)) { total, binding in
                switch binding.value {
                case .string(let s), .code(let s): add(total, add(string(binding.key), add(1, string(s))))
                }
            }
        }
        return add(size, 32)
    }

    func encoded() -> [UInt8] {
        var w = WireWriter(capacity: encodedSize)
        w.string(entryPath)
        w.string(fileName)
        switch files {
        case .fileSystem(let paths):
            w.byte(0)
            w.strings(paths)
        case .trees(let snippet, let libraries):
            w.byte(1)
            w.tree(snippet)
            w.int(libraries.count)
            for (alias, tree) in libraries.sorted(by: { $0.key < $1.key }) {
                w.string(alias)
                w.tree(tree)
            }
        }
        for bindings in [externalVariables, topLevelArguments] {
            w.int(bindings.count)
            for (name, value) in bindings.sorted(by: { $0.key < $1.key }) {
                w.string(name)
                switch value {
                case .string(let s): w.byte(0); w.string(s)
                case .code(let s): w.byte(1); w.string(s)
                }
            }
        }
        w.int(maxStack)
        w.int(maxTrace)
        w.int(memoryLimit ?? -1)
        w.int(timeout.map(milliseconds) ?? -1)
        return w.bytes
    }

    init(decoding body: [UInt8]) throws(WireError) {
        var r = WireReader(body)
        entryPath = try r.string()
        fileName = try r.string()
        switch try r.byte() {
        case 0: files = .fileSystem(libraryPaths: try r.strings())
        case 1:
            let snippet = try r.tree()
            var libraries: [String: [String: [UInt8]]] = [:]
            for _ in 0..<(try r.count()) {
                let alias = try r.string()
                libraries[alias] = try r.tree()
            }
            files = .trees(snippet: snippet, libraries: libraries)
        default: throw WireError("unknown file source")
        }
        var bindings: [[String: ExternalValue]] = []
        for _ in 0..<2 {
            var out: [String: ExternalValue] = [:]
            for _ in 0..<(try r.count()) {
                let name = try r.string()
                switch try r.byte() {
                case 0: out[name] = .string(try r.string())
                case 1: out[name] = .code(try r.string())
                default: throw WireError("unknown variable kind")
                }
            }
            bindings.append(out)
        }
        externalVariables = bindings[0]
        topLevelArguments = bindings[1]
        maxStack = try r.int()
        maxTrace = try r.int()
        let memory = try r.int()
        memoryLimit = memory < 0 ? nil : memory
        let timeoutMilliseconds = try r.int()
        timeout = timeoutMilliseconds < 0 ? nil : .milliseconds(timeoutMilliseconds)
        guard r.isAtEnd else { throw WireError("trailing bytes after the job") }
    }
}

extension WorkerReply {
    func encoded() -> [UInt8] {
        var w = WireWriter()
        switch outcome {
        case .output(let text): w.byte(0); w.string(text)
        case .evaluationFailed(let diagnostic): w.byte(1); w.string(diagnostic)
        case .entryNotFound: w.byte(2)
        case .timedOut: w.byte(3)
        case .cancelled: w.byte(4)
        case .crashed(let how): w.byte(5); w.string(how)
        case .outputTooLarge(let limit): w.byte(6); w.int(limit)
        }
        if let closure {
            w.byte(1)
            w.int(closure.dependencies.count)
            for dependency in closure.dependencies {
                w.string(dependency.path)
                switch dependency.observation {
                case .absent: w.byte(0)
                case .file(let stamp):
                    w.byte(1)
                    for v in [Int(Int64(bitPattern: stamp.device)), Int(Int64(bitPattern: stamp.inode)),
                              Int(stamp.size), Int(stamp.modifiedNanoseconds), Int(stamp.changedNanoseconds)] {
                        w.int(v)
                    }
                }
            }
        } else {
            w.byte(0)
        }
        return w.bytes
    }

    init(decoding body: [UInt8]) throws(WireError) {
        var r = WireReader(body)
        switch try r.byte() {
        case 0: outcome = .output(try r.string())
        case 1: outcome = .evaluationFailed(try r.string())
        case 2: outcome = .entryNotFound
        case 3: outcome = .timedOut
        case 4: outcome = .cancelled
        case 5: outcome = .crashed(try r.string())
        case 6:
            let limit = try r.int()
            guard limit >= 0 else { throw WireError("negative output cap") }
            outcome = .outputTooLarge(limit: limit)
        default: throw WireError("unknown outcome")
        }
        if try r.byte() == 1 {
            var dependencies: [ImportClosure.Dependency] = []
            for _ in 0..<(try r.count()) {
                let path = try r.string()
                if try r.byte() == 0 {
                    dependencies.append(.init(path: path, observation: .absent))
                } else {
                    let stamp = FileStamp(device: UInt64(bitPattern: Int64(try r.int())),
                                          inode: UInt64(bitPattern: Int64(try r.int())),
                                          size: Int64(try r.int()), modifiedNanoseconds: Int64(try r.int()),
                                          changedNanoseconds: Int64(try r.int()))
                    dependencies.append(.init(path: path, observation: .file(stamp)))
                }
            }
            closure = ImportClosure(dependencies: dependencies)
        } else {
            closure = nil
        }
        guard r.isAtEnd else { throw WireError("trailing bytes after the reply") }
    }
}

/// `d` in whole milliseconds, rounded up so a tiny timeout never becomes "none".
func milliseconds(_ d: Duration) -> Int {
    let (seconds, attoseconds) = d.components
    return Int(seconds) * 1000 + Int((attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000)
}

import Foundation
import GoFormats
import Jsonnet

/// What the evaluation flags `jaas` and `jaas mcp` share mean once checked
/// (docs/flags.md): import directories, external variables and the limits of one
/// evaluation.
public struct EvaluationSettings: Sendable, Equatable {
    /// `--library-path`, each an existing directory.
    public var libraryPaths: [String]
    /// `JAAS_EXT_VAR_<KEY>` from the environment, overridden by each `--ext-var KEY=VALUE`.
    public var externalVariables: [String: ExternalValue]
    /// `--evaluation-timeout`; nil for `0` (no limit).
    public var timeout: Duration?
    /// `--max-stack`; `0` means the engine's default.
    public var maxStack: Int
    /// `--evaluation-memory-limit` in bytes; nil for `0` (no budget).
    public var memoryLimit: Int?
    /// `--max-concurrent-evals` (0 = no cap).
    public var maxConcurrentEvaluations: Int

    /// The settings the flags of the same names give, or the ``GoFormats/FlagError`` of
    /// the first value a rule refuses (checked in this order).
    public init(libraryPaths: [String], extVars: [String], environment: [String: String], evaluationTimeout: String,
                maxStack: Int, evaluationMemoryLimit: String, maxConcurrentEvals: Int) throws(FlagError) {
        for directory in libraryPaths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw FlagError("--library-path \(directory): not a directory")
            }
        }
        self.libraryPaths = libraryPaths
        var variables: [String: ExternalValue] = [:]
        for (name, value) in environment where name.hasPrefix("JAAS_EXT_VAR_") && name.count > 13 {
            variables[String(name.dropFirst(13))] = .string(value)
        }
        for flag in extVars {
            let pair = try FlagValues.check(FlagValues.keyValue(flag), "--ext-var", flag, "must be KEY=VALUE")
            variables[pair.key] = .string(pair.value)
        }
        externalVariables = variables
        timeout = try FlagValues.optionalDuration(evaluationTimeout, "--evaluation-timeout")
        let stack = try FlagValues.check(maxStack >= 0 ? maxStack : nil, "--max-stack", maxStack, "must not be negative")
        self.maxStack = stack == 0 ? EvaluationOptions().maxStack : stack
        let bytes = try FlagValues.check(FlagValues.byteSize(evaluationMemoryLimit), "--evaluation-memory-limit",
                                         evaluationMemoryLimit, "must be a size such as 512Mi, 1Gi or 0")
        memoryLimit = bytes == 0 ? nil : bytes
        maxConcurrentEvaluations = try FlagValues.check(maxConcurrentEvals >= 0 ? maxConcurrentEvals : nil,
                                                        "--max-concurrent-evals", maxConcurrentEvals, "must not be negative")
    }
}

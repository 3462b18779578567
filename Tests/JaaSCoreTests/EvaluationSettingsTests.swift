import GoFormats
import JaaSCore
import Jsonnet
import TestSupport
import Testing

/// The rules of the evaluation flags `jaas` and `jaas mcp` share, in process.
@Suite struct EvaluationSettingsTests {
    func settings(libraryPaths: [String] = [], extVars: [String] = [], environment: [String: String] = [:],
                  timeout: String = "5s", maxStack: Int = 500, memory: String = "1Gi",
                  concurrent: Int = 16) throws(FlagError) -> EvaluationSettings {
        try EvaluationSettings(libraryPaths: libraryPaths, extVars: extVars, environment: environment,
                               evaluationTimeout: timeout, maxStack: maxStack, evaluationMemoryLimit: memory,
                               maxConcurrentEvals: concurrent)
    }

    @Test func zeroMeansNoLimitOrTheDefault() throws {
        let zero = try settings(timeout: "0", maxStack: 0, memory: "0", concurrent: 0)
        #expect(zero.timeout == nil)
        #expect(zero.maxStack == EvaluationOptions().maxStack)
        #expect(zero.memoryLimit == nil)
        #expect(zero.maxConcurrentEvaluations == 0)
        let set = try settings(timeout: "1m", maxStack: 80, memory: "2Mi")
        #expect(set.timeout == .seconds(60))
        #expect(set.maxStack == 80)
        #expect(set.memoryLimit == 2 << 20)
    }

    @Test func aFlagWinsOverTheEnvironment() throws {
        let s = try settings(extVars: ["env=flag", "empty="],
                             environment: ["JAAS_EXT_VAR_env": "environment", "JAAS_EXT_VAR_other": "kept",
                                           "JAAS_EXT_VAR_": "no name", "PATH": "/bin"])
        #expect(s.externalVariables == ["env": .string("flag"), "other": .string("kept"), "empty": .string("")])
    }

    @Test func eachBadValueNamesItsFlag() throws {
        let directory = try TemporaryDirectory()
        let file = try directory.write("file", "")
        #expect(throws: FlagError("--library-path \(file): not a directory")) { try settings(libraryPaths: [file]) }
        #expect(throws: FlagError("--ext-var =x: must be KEY=VALUE")) { try settings(extVars: ["=x"]) }
        #expect(throws: FlagError("--evaluation-timeout 5: must be a duration such as 500ms, 5s or 1m")) {
            try settings(timeout: "5")
        }
        #expect(throws: FlagError("--max-stack -1: must not be negative")) { try settings(maxStack: -1) }
        #expect(throws: FlagError("--evaluation-memory-limit 1G: must be a size such as 512Mi, 1Gi or 0")) {
            try settings(memory: "1G")
        }
        #expect(throws: FlagError("--max-concurrent-evals -1: must not be negative")) { try settings(concurrent: -1) }
        #expect(try settings(libraryPaths: [directory.path]).libraryPaths == [directory.path])
    }
}

@testable import JaaSCore
import Jsonnet
import Testing

/// The framed protocol between the pool and its workers: every field survives a
/// round trip, and a short, lying or oversize frame is an error, never a trap.
@Suite struct WorkerProtocolTests {
    let job = EvaluationJob(
        entryPath: "main.jsonnet", fileName: "ns/name/main.jsonnet",
        files: .trees(snippet: ["main.jsonnet": Array("{}".utf8), "bin": [0, 255, 1]],
                      libraries: ["k": ["main.libsonnet": Array("{ k: 1 }".utf8)], "empty": [:]]),
        externalVariables: ["a": .string("x"), "b": .code("1 + 1")], topLevelArguments: ["t": .code("[]")],
        maxStack: 123, maxTrace: 7, memoryLimit: 1 << 28, timeout: .milliseconds(1500))

    @Test func jobsRoundTrip() throws {
        #expect(try EvaluationJob(decoding: job.encoded()) == job)
        var fileSystem = job
        fileSystem.files = .fileSystem(libraryPaths: ["/a", "/b"])
        fileSystem.memoryLimit = nil
        fileSystem.timeout = nil
        #expect(try EvaluationJob(decoding: fileSystem.encoded()) == fileSystem)
    }

    @Test func repliesRoundTrip() throws {
        let stamp = FileStamp(device: 1, inode: UInt64.max, size: 3, modifiedNanoseconds: -1, changedNanoseconds: 9)
        let closure = ImportClosure(dependencies: [.init(path: "/x", observation: .file(stamp)),
                                                   .init(path: "/y", observation: .absent)])
        for outcome in [WorkerOutcome.output("{}\n"), .evaluationFailed("RUNTIME ERROR: x"), .entryNotFound,
                        .timedOut, .cancelled, .crashed("how")] {
            for reply in [WorkerReply(outcome: outcome), WorkerReply(outcome: outcome, closure: closure)] {
                #expect(try WorkerReply(decoding: reply.encoded()) == reply)
            }
        }
    }

    @Test func everyTruncationIsAnError() {
        let body = job.encoded()
        for length in 0..<body.count {
            #expect(throws: WireError.self) { try EvaluationJob(decoding: Array(body.prefix(length))) }
        }
        #expect(throws: WireError.self) { try EvaluationJob(decoding: body + [0]) }
    }

    @Test func lyingLengthsAreErrors() {
        var w = WireWriter()
        w.int(Int.max)
        #expect(throws: WireError.self) { try EvaluationJob(decoding: w.bytes) }
        var negative = WireWriter()
        negative.int(-5)
        #expect(throws: WireError.self) { try EvaluationJob(decoding: negative.bytes) }
        var reply = WireWriter()
        reply.byte(0)
        reply.int(1 << 40)
        #expect(throws: WireError.self) { try WorkerReply(decoding: reply.bytes) }
    }

    @Test func frameHeadersAreChecked() throws {
        let frame = Wire.frame([1, 2, 3])
        #expect(try Wire.bodyLength(header: frame.prefix(8)) == 3)
        #expect(throws: WireError.self) { try Wire.bodyLength(header: [0, 0, 0, 0, 0, 0, 0, 3][...]) }
        #expect(throws: WireError.self) { try Wire.bodyLength(header: (Array("JWRK".utf8) + [0xff, 0xff, 0xff, 0xff])[...]) }
        #expect(throws: WireError.self) { try Wire.bodyLength(header: Array("JWRK".utf8)[...]) }
    }

    @Test func crashStatusesAreNamed() {
        #expect(WorkerProcess.describe(status: 11) == "killed by signal SIGSEGV (Segmentation fault)")
        #expect(WorkerProcess.describe(status: 3 << 8) == "exited with status 3")
        #expect(WorkerProcess.describe(status: 24).hasPrefix("killed by signal SIGXCPU"))
        #expect(WorkerProcess.describe(status: 24).hasSuffix("over its CPU time limit)"))
    }

    @Test func theAddressSpaceSitsAboveTheBudget() {
        #expect(WorkerPool.addressSpaceLimit(forMemoryLimit: 1 << 30) == 4 << 30)
        #expect(WorkerPool.addressSpaceLimit(forMemoryLimit: nil) == nil)
        #expect(WorkerPool.addressSpaceLimit(forMemoryLimit: Int.max) == nil)
    }
}

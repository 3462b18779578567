import Foundation
import Jsonnet
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// The library API: imports, cancellation, timeouts, concurrency.
@Suite struct EngineAPITests {
    let files: [String: [UInt8]] = [
        "main.jsonnet": Array("local lib = import 'lib/util.libsonnet'; lib.twice(21)".utf8),
        "lib/util.libsonnet": Array("{ twice(x):: x * 2, text: importstr 'data.txt', bin: importbin 'data.txt' }".utf8),
        "lib/data.txt": Array("hi\n".utf8),
        "vendor/shared.libsonnet": Array("{ from: 'vendor' }".utf8),
    ]

    @Test func relativeImportsAndCaching() {
        let importer = MemoryImporter(files: files, searchRoots: ["vendor"])
        #expect(run("(import 'main.jsonnet')", importer: importer) == "42")
        #expect(run("(import 'lib/util.libsonnet').text", importer: importer) == #""hi\n""#)
        #expect(run("std.toString((import 'lib/util.libsonnet').bin)", mode: .string, importer: importer) == "[104, 105, 10]")
        #expect(run("(import 'shared.libsonnet').from", importer: importer) == #""vendor""#)
        #expect(run("local a = import 'lib/util.libsonnet', b = import 'lib/util.libsonnet'; a == b", importer: importer) == "true")
        #expect(run("import 'missing.jsonnet'", importer: importer)
            == #"ERROR: RUNTIME ERROR: couldn't open import "missing.jsonnet": no match locally or in the Jsonnet library paths"#)
    }

    @Test func filesAreReadWholeWhateverTheirKind() throws {
        let temporary = try TemporaryDirectory(prefix: "read-")
        defer { temporary.remove() }
        let dir = URL(fileURLWithPath: temporary.path)
        // Regular files of several sizes (read in one piece of their size), an empty
        // one, a directory, a missing file, and a zero-size /proc file (read in chunks).
        for size in [0, 1, 4095, 65536, 65537, 300_000] {
            let bytes = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
            let path = dir.appendingPathComponent("f\(size)").path
            #expect(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
            #expect(readFileBytes(path) == bytes)
        }
        #expect(readFileBytes(dir.appendingPathComponent("missing").path) == nil)
        #expect(readFileBytes(dir.path) == nil || readFileBytes(dir.path) == [])
        let status = readFileBytes("/proc/self/status") ?? []
        #expect(String(decoding: status, as: UTF8.self).hasPrefix("Name:"))
        #expect(status.count > 100)
    }

    @Test func fileSystemLibraryPathsRightMostWins() throws {
        let temporary = try TemporaryDirectory(prefix: "jaas-importer-test-")
        defer { temporary.remove() }
        let base = temporary.path
        for dir in ["a", "b"] {
            mkdir(base, 0o755)
            mkdir("\(base)/\(dir)", 0o755)
            let f = fopen("\(base)/\(dir)/lib.libsonnet", "w")!
            fputs("'\(dir)'", f)
            fclose(f)
        }
        let importer = FileSystemImporter(libraryPaths: ["\(base)/a", "\(base)/b"])
        #expect(run("import 'lib.libsonnet'", importer: importer) == #""b""#)
        let reversed = FileSystemImporter(libraryPaths: ["\(base)/b", "\(base)/a"])
        #expect(run("import 'lib.libsonnet'", importer: reversed) == #""a""#)
    }

    /// Unbounded work with bounded memory and depth: 10^30 additions.
    static let endless = """
    local f(n) = if n == 0 then 0 else std.foldl(function(a, _) a + f(n - 1), std.range(1, 10), 0);
    f(30)
    """

    /// Measured on the evaluation's own thread (not through Swift concurrency, whose
    /// wake-ups lag when the whole test suite runs in parallel): from `cancel()` to the
    /// moment the evaluation has returned and its thread is free.
    @Test func cancellationStopsTheEvaluationQuickly() throws {
        let token = CancellationToken()
        let finished = Finish()
        let thread = Thread {
            let result = Result {
                try Jsonnet.evaluate(source: Self.endless, fileName: "spin", options: EvaluationOptions(cancellation: token))
            }
            finished.mark(result.map { _ in () })
        }
        thread.stackSize = 1 << 20
        thread.start()
        Thread.sleep(forTimeInterval: 0.3)
        let start = ContinuousClock.now
        token.cancel()
        let (end, result) = finished.wait()
        let elapsed = end - start
        #expect(elapsed < .milliseconds(100), "evaluation took \(elapsed) to stop")
        guard case .failure(let error) = result else {
            Issue.record("endless evaluation finished")
            return
        }
        #expect(error as? EvaluationCancelled == .cancelled)
    }

    @Test func timeoutStopsTheEvaluation() throws {
        let start = ContinuousClock.now
        #expect(throws: EvaluationCancelled.timedOut) {
            try Jsonnet.evaluate(source: Self.endless, fileName: "spin",
                                 options: EvaluationOptions(timeout: .milliseconds(200)))
        }
        #expect(ContinuousClock.now - start < .seconds(2))
    }

    @Test func concurrentEvaluationsAreIndependent() async throws {
        try await withThrowingTaskGroup(of: String.self) { group in
            for i in 0..<16 {
                group.addTask {
                    let out = try await Jsonnet.evaluateAsync(
                        source: "local o = {a: std.extVar('n'), b: self.a * 2}; o.b",
                        fileName: "c\(i)",
                        options: EvaluationOptions(externalVariables: ["n": .code("\(i)")]))
                    guard case .single(let s) = out else { return "" }
                    return s
                }
            }
            var results = Set<String>()
            for try await r in group { results.insert(r) }
            #expect(results == Set((0..<16).map { "\($0 * 2)\n" }))
        }
    }
}

/// A one-shot signal carrying the time and outcome of a finished evaluation.
final class Finish: @unchecked Sendable {
    private let condition = NSCondition()
    private var value: (ContinuousClock.Instant, Result<Void, any Error>)?

    func mark(_ result: Result<Void, any Error>) {
        let now = ContinuousClock.now
        condition.lock()
        value = (now, result)
        condition.signal()
        condition.unlock()
    }

    func wait() -> (ContinuousClock.Instant, Result<Void, any Error>) {
        condition.lock()
        defer { condition.unlock() }
        while value == nil { condition.wait() }
        return value!
    }
}

import Foundation
import Jsonnet
import Testing

/// Real-world programs from the shared benchmark data kept beside the repository
/// (`shared/bench/real` next to the checkout, as CI lays it out): their output must hash to the recorded `expected.sha256`.
@Suite struct RealProgramTests {
    /// kube-prometheus in that data: `shared/bench/real/kube-prometheus` next to the checkout.
    static let kubePrometheus = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared/bench/real/kube-prometheus").path

    @Test func kubePrometheusMatchesExpectedDigest() throws {
        let dir = Self.kubePrometheus
        let expected = try String(contentsOfFile: dir + "/expected.sha256", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(expected.count == 64)
        let cache = ParseCache(byteLimit: 64 << 20)
        let first = try render(dir, cache: cache)
        #expect(try sha256(first) == expected)
        let parsed = cache.statistics
        #expect(parsed.misses > 10 && parsed.hits == 0)

        // A second render parses nothing: every file comes from the cache.
        let second = try render(dir, cache: cache)
        #expect(second == first)
        #expect(cache.statistics.misses == parsed.misses)
        #expect(cache.statistics.hits == parsed.misses)
    }

    /// `jsonnet -J vendor example.jsonnet` in `dir`.
    private func render(_ dir: String, cache: ParseCache) throws -> String {
        let main = dir + "/example.jsonnet"
        let source = try String(contentsOfFile: main, encoding: .utf8)
        let options = EvaluationOptions(importer: FileSystemImporter(libraryPaths: [dir + "/vendor"]),
                                        parseCache: cache)
        guard case .single(let text) = try Jsonnet.evaluate(source: source, fileName: main, options: options) else {
            Issue.record("expected one document")
            return ""
        }
        return text
    }

    /// The hex SHA-256 of `text`, computed by `sha256sum` (independent of the engine's own).
    private func sha256(_ text: String) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        let input = Pipe(), output = Pipe()
        p.standardInput = input
        p.standardOutput = output
        try p.run()
        let writer = Thread {
            input.fileHandleForWriting.write(Data(text.utf8))
            try? input.fileHandleForWriting.close()
        }
        writer.start()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: data.prefix(64), as: UTF8.self)
    }
}

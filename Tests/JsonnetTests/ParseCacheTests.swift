import Jsonnet
import Synchronization
import Testing

/// The shared parse cache: reuse across evaluations and threads, content keys, bounds.
@Suite struct ParseCacheTests {
    let library: [UInt8] = Array("{ twice(x):: x * 2, name: 'lib', text: 'é\\u00e9' }".utf8)

    private func evaluate(_ code: String, _ files: [String: [UInt8]], _ cache: ParseCache) -> String {
        let options = EvaluationOptions(importer: MemoryImporter(files: files), parseCache: cache)
        do {
            guard case .single(let s) = try Jsonnet.evaluate(source: code, fileName: "main.jsonnet", options: options)
            else { return "multi" }
            return String(s.dropLast())
        } catch let e as JsonnetError {
            return "ERROR: " + e.headline
        } catch {
            return "ERROR: \(error)"
        }
    }

    @Test func secondEvaluationParsesNothing() {
        let cache = ParseCache(byteLimit: 1 << 20)
        let code = "local l = import 'lib.libsonnet'; [l.twice(21), l.name, l.text]"
        let expected = "[\n   42,\n   \"lib\",\n   \"éé\"\n]"
        #expect(evaluate(code, ["lib.libsonnet": library], cache) == expected)
        let first = cache.statistics
        #expect(first.hits == 0 && first.misses == 2 && first.files == 2)
        #expect(first.bytes == code.utf8.count + library.count)
        #expect(evaluate(code, ["lib.libsonnet": library], cache) == expected)
        #expect(cache.statistics.hits == 2)
        #expect(cache.statistics.misses == 2)
    }

    @Test func changedContentsAreParsedAgain() {
        let cache = ParseCache(byteLimit: 1 << 20)
        #expect(evaluate("(import 'lib.libsonnet').name", ["lib.libsonnet": library], cache) == #""lib""#)
        #expect(evaluate("(import 'lib.libsonnet').name", ["lib.libsonnet": Array("{ name: 'new' }".utf8)], cache)
            == #""new""#)
        // The new contents replaced the old entry under the same name.
        #expect(cache.statistics.files == 2)
        #expect(cache.statistics.misses == 3)
    }

    @Test func staticErrorsAreNotCached() {
        let cache = ParseCache(byteLimit: 1 << 20)
        let broken: [String: [UInt8]] = ["bad.libsonnet": Array("{ a: }".utf8)]
        for _ in 0..<2 {
            let out = evaluate("import 'bad.libsonnet'", broken, cache)
            #expect(out.hasPrefix("ERROR: ") && out.contains("bad.libsonnet:1:"))
        }
        #expect(cache.statistics.files == 1)
        #expect(cache.statistics.misses == 3)
    }

    @Test func boundedBySourceBytes() {
        let cache = ParseCache(byteLimit: 400)
        var files: [String: [UInt8]] = [:]
        for i in 0..<10 { files["f\(i).libsonnet"] = Array("{ value: \(i), pad: '\(String(repeating: "x", count: 60))' }".utf8) }
        let sum = (0..<10).map { "(import 'f\($0).libsonnet').value" }.joined(separator: " + ")
        #expect(evaluate(sum, files, cache) == "45")
        let s = cache.statistics
        #expect(s.bytes <= 400)
        #expect(s.files < 11)
        // The most recently parsed file is still there.
        #expect(evaluate("(import 'f9.libsonnet').value", files, cache) == "9")
        #expect(cache.statistics.hits == 1)
    }

    @Test func sharedAcrossThreads() async {
        let cache = ParseCache(byteLimit: 1 << 20)
        let files = ["lib.libsonnet": library]
        let results = await withTaskGroup(of: String.self) { group in
            for i in 0..<8 {
                group.addTask {
                    let options = EvaluationOptions(importer: MemoryImporter(files: files), parseCache: cache)
                    let out = try? await Jsonnet.evaluateAsync(source: "(import 'lib.libsonnet').twice(\(i))",
                                                               fileName: "main\(i % 2).jsonnet", options: options)
                    guard case .single(let s) = out else { return "failed" }
                    return s
                }
            }
            var all: [String] = []
            for await r in group { all.append(r) }
            return all.sorted()
        }
        #expect(results == (0..<8).map { "\($0 * 2)\n" }.sorted())
        #expect(cache.statistics.hits + cache.statistics.misses == 16)
        #expect(cache.statistics.files == 3)
    }
}

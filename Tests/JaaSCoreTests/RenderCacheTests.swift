import Foundation
import Testing
@testable import JaaSCore
import TestSupport

@Suite struct RenderCacheTests {
    /// Renders `main` through a recording importer the way FileRenderer does and
    /// returns the request and closure to store.
    private func record(_ main: String, libraries: [String] = [], imports: [String] = [])
    throws -> (RenderRequest, ImportClosure) {
        let importer = RecordingImporter(libraryPaths: libraries)
        _ = importer.readEntry(main)
        for path in imports { _ = try importer.resolve(path, from: main) }
        return (RenderRequest(entryPath: main, fileName: main, libraryPaths: libraries), importer.closure)
    }

    private let settled = RenderCache.Limits(maxEntries: 10, maxBytes: 1000, racyWindow: .zero)

    @Test func servesUntilTheEntryFileChanges() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let main = try dir.write("main.jsonnet", "1")
        let cache = RenderCache(limits: settled)
        let (request, closure) = try record(main)
        cache.store(request, output: "1\n", closure: closure)
        #expect(cache.lookup(request) == "1\n")
        try dir.write("main.jsonnet", "22")
        #expect(cache.lookup(request) == nil)
        #expect(cache.statistics.entries == 0)
        #expect(cache.statistics.hits == 1)
        #expect(cache.statistics.misses == 1)
    }

    @Test func anImportedFileChangeInvalidates() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let main = try dir.write("main.jsonnet", "import 'lib.libsonnet'")
        try dir.write("lib.libsonnet", "1")
        let cache = RenderCache(limits: settled)
        let (request, closure) = try record(main, imports: ["lib.libsonnet"])
        cache.store(request, output: "1\n", closure: closure)
        #expect(cache.lookup(request) == "1\n")
        try dir.write("lib.libsonnet", "2")
        #expect(cache.lookup(request) == nil)
    }

    @Test func aReplacedFileOfTheSameSizeInvalidates() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let main = try dir.write("main.jsonnet", "1")
        let cache = RenderCache(limits: settled)
        let (request, closure) = try record(main)
        cache.store(request, output: "1\n", closure: closure)
        let replacement = try dir.write("new.jsonnet", "2")
        #expect(rename(replacement, main) == 0)
        #expect(cache.lookup(request) == nil)
    }

    @Test func aNewFileOnAnEarlierSearchPathInvalidates() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let main = try dir.write("snippet/main.jsonnet", "import 'x.libsonnet'")
        try dir.write("base/x.libsonnet", "'base'")
        try dir.makeDirectory("override")
        let libraries = [dir.path + "/base", dir.path + "/override"]
        let cache = RenderCache(limits: settled)
        let (request, closure) = try record(main, libraries: libraries, imports: ["x.libsonnet"])
        cache.store(request, output: "\"base\"\n", closure: closure)
        #expect(cache.lookup(request) == "\"base\"\n")
        try dir.write("override/x.libsonnet", "'override'")
        #expect(cache.lookup(request) == nil)
    }

    @Test func racyFilesAreNotStored() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let main = try dir.write("main.jsonnet", "1")
        let cache = RenderCache(limits: RenderCache.Limits(maxEntries: 10, maxBytes: 1000))
        let (request, closure) = try record(main)
        cache.store(request, output: "1\n", closure: closure)
        #expect(cache.lookup(request) == nil)
        #expect(cache.statistics.racySkips == 1)
        // The same render two seconds after the file's last change is stored.
        cache.store(request, output: "1\n", closure: closure,
                     now: WallClockNanoseconds(WallClockNanoseconds.now().value + 2_100_000_000))
        #expect(cache.lookup(request) == "1\n")
    }

    @Test func evictsTheLeastRecentlyUsedBeyondTheEntryBound() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let cache = RenderCache(limits: RenderCache.Limits(maxEntries: 2, maxBytes: 1000, racyWindow: .zero))
        var requests: [RenderRequest] = []
        for name in ["a", "b", "c"] {
            let (request, closure) = try record(try dir.write(name + ".jsonnet", name))
            requests.append(request)
            cache.store(request, output: name, closure: closure)
            if name == "b" { #expect(cache.lookup(requests[0]) == "a") }
        }
        #expect(cache.lookup(requests[0]) == "a")
        #expect(cache.lookup(requests[1]) == nil)
        #expect(cache.lookup(requests[2]) == "c")
        #expect(cache.statistics.evictions == 1)
    }

    @Test func staysWithinTheByteBound() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let cache = RenderCache(limits: RenderCache.Limits(maxEntries: 10, maxBytes: 10, racyWindow: .zero))
        let (big, bigClosure) = try record(try dir.write("big.jsonnet", ""))
        cache.store(big, output: String(repeating: "x", count: 11), closure: bigClosure)
        #expect(cache.statistics.entries == 0)
        let (a, aClosure) = try record(try dir.write("a.jsonnet", ""))
        let (b, bClosure) = try record(try dir.write("b.jsonnet", ""))
        cache.store(a, output: "123456", closure: aClosure)
        cache.store(b, output: "123456", closure: bClosure)
        #expect(cache.statistics.bytes == 6)
        #expect(cache.lookup(a) == nil)
        #expect(cache.lookup(b) == "123456")
    }

    @Test func requestsDifferingInArgumentsAreSeparateEntries() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let (request, closure) = try record(try dir.write("main.jsonnet", ""))
        let cache = RenderCache(limits: settled)
        var other = request
        other.topLevelArguments = ["a": .string("x")]
        cache.store(request, output: "plain", closure: closure)
        cache.store(other, output: "with a", closure: closure)
        #expect(cache.lookup(request) == "plain")
        #expect(cache.lookup(other) == "with a")
    }
}

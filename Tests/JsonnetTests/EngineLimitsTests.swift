import Jsonnet
import Testing

/// The hostile programs of issue 10: each once crashed, hung or trapped the
/// engine; each must now end in go-jsonnet's error (or value) within the limits.
@Suite struct EngineLimitsTests {
    static let stackErrors: [String] = [
        "local L = [L]; std.flattenDeepArray(L)",
        "std.prune({a: self})",
        "std.manifestPython({a: [self]})",
        "std.manifestXmlJsonml(local x = ['a', x]; x)",
        "std.deepJoin(local L = [L]; L)",
        "std.mergePatch(-1e308, {a: self})",
        "local L = [L]; L < L",
        "{a: self} == {a: self}",
        "std.toString({a: self})",
        "{a: self}",
    ]

    @Test(arguments: stackErrors)
    func selfContainingValuesEndInAStackError(_ code: String) {
        #expect(run(code) == "ERROR: RUNTIME ERROR: max stack frames exceeded.")
    }

    static let manifestDepthErrors: [String] = [
        "std.manifestYamlDoc({a: self})",
        "std.manifestYamlStream([{a: self}])",
        "std.manifestToml({a: self})",
        "std.manifestTomlEx({a: [self]}, '  ')",
        "std.manifestJson({a: self})",
        "std.manifestJsonMinified({a: [self]})",
        "local f(n) = if n == 0 then [] else [f(n - 1)]; std.manifestJson(f(2000))",
    ]

    @Test(arguments: manifestDepthErrors)
    func selfContainingValuesEndInAManifestDepthError(_ code: String) {
        #expect(run(code) == "ERROR: RUNTIME ERROR: max manifest depth exceeded, possible infinite recursion")
    }

    @Test func deepButFiniteValuesStillManifest() {
        // go-jsonnet writes up to --max-stack nested containers (f(499) has 500).
        let deep = "local f(n) = if n == 0 then [] else [f(n - 1)]; "
        #expect(run(deep + "std.length(std.manifestJson(f(400)))") == "643204")
        #expect(run(deep + "std.length(std.manifestJson(f(499)))") == "1000000")
        #expect(run(deep + "std.manifestJson(f(500))")
            == "ERROR: RUNTIME ERROR: max manifest depth exceeded, possible infinite recursion")
        let objects = "local f(n) = if n == 0 then {} else {a: f(n - 1)}; "
        #expect(run(objects + "std.length(std.manifestYamlDoc(f(499)))") == "250999")
        let tables = "local f(n) = if n == 0 then {} else {a: [f(n - 1)]}; "
        #expect(run(tables + "std.length(std.manifestTomlEx(f(240), ' '))") == "87959")
        #expect(run(tables + "std.manifestTomlEx(f(260), ' ')")
            == "ERROR: RUNTIME ERROR: max manifest depth exceeded, possible infinite recursion")
        #expect(run(objects + "std.manifestYamlDoc(f(500))")
            == "ERROR: RUNTIME ERROR: max manifest depth exceeded, possible infinite recursion")
    }

    static let integerErrors: [(String, String)] = [
        ("std.repeat('ab', 9e18)", "9e+18"),
        ("std.range(-9e18, 9e18)", "-9e+18"),
        ("std.makeArray(9e18, function(i) i)", "9e+18"),
        ("std.makeArray(1e300, function(i) i)", "1e+300"),
        ("std.repeat('[1,2', 4294967296)", "4.294967296e+09"),
        ("std.repeat([1], 2147483648)", "2.147483648e+09"),
        ("std.makeArray(1.5, function(i) i)", "1.5"),
    ]

    @Test(arguments: integerErrors)
    func programChosenSizesAreValidatedIntegers(_ c: (String, String)) {
        #expect(run(c.0) == "ERROR: RUNTIME ERROR: Expected an integer, but got \(c.1)")
    }

    @Test func hugeButValidSizesFailCleanly() {
        #expect(run("std.length(std.repeat('ab', 2147483647))").hasPrefix("ERROR: RUNTIME ERROR: Value too large"))
        let doubling = "local f(s, n) = if n == 0 then s else f(s + s, n - 1); std.length(f('a', 40))"
        #expect(run(doubling).hasPrefix("ERROR: RUNTIME ERROR: Value too large"))
        let product = "local r = std.range(1, 100000); std.length([1 for x in r for y in r])"
        #expect(run(product, memoryLimit: 64 << 20) == "ERROR: RUNTIME ERROR: memory limit exceeded: this evaluation may use at most 64Mi")
    }

    @Test func mergePatchKeepsFieldsLazy() {
        #expect(run("std.mergePatch({ val: error 'x' }, {}) + { val+:: {} }") == "{ }")
        #expect(run("std.mergePatch({ a: error 'x', b: 1 }, { b: 2 }).b") == "2")
        #expect(compact("std.mergePatch({ a: { b: 1, c: 2 } }, { a: { b: null, d: 3 } })") == #"{"a": {"c": 2, "d": 3}}"#)
    }

    @Test func selfImportEndsInAStackErrorQuickly() {
        let importer = MemoryImporter(files: ["main.jsonnet": Array("import 'main.jsonnet'".utf8)], searchRoots: ["lib"])
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            #expect(run("import 'main.jsonnet'", importer: importer) == "ERROR: RUNTIME ERROR: max stack frames exceeded.")
        }
        #expect(elapsed < .seconds(2))
    }

    @Test func operatorRunsEndingInAUnaryOperatorAreSplitLikeGoJsonnet() {
        #expect(run("{a::-1}") == "ERROR: test.jsonnet:1:4-5 Not a unary operator: :")
        #expect(run("{a:::-1}") == "ERROR: test.jsonnet:1:4-5 Not a unary operator: :")
        #expect(run("1==-1") == "ERROR: test.jsonnet:1:2-3 Not a binary operator: =")
        #expect(run("{a:: -1}") == "{ }")
        #expect(run("1+-1") == "0")
        #expect(run("1<-1") == "false")
    }

    @Test func fieldNamesDifferingOnlyByNormalizationStayDistinct() {
        // "\u{E9}" (precomposed) and "e\u{301}" (combining accent) are canonically
        // equivalent, so Swift's `==` would merge them; Jsonnet compares code points.
        #expect(compact(#"{"\u00e9": 1, "e\u0301": 2}"#) == "{\"e\u{301}\": 2, \"\u{E9}\": 1}")
        #expect(run(#"std.length({"\u00e9": 1, "e\u0301": 2} + {"\u00e9"+: 1})"#) == "2")
        #expect(run(#"{"\u00e9": 1}["e\u0301"]"#) == "ERROR: RUNTIME ERROR: Field does not exist: e\u{301}")
        #expect(run(#"{[x]: 1 for x in ["\u00e9", "e\u0301"]}"#) != "ERROR: RUNTIME ERROR: Duplicate field name: \"e\u{301}\"")
        #expect(run(#"std.objectHas({"\u00e9": 1}, "e\u0301")"#) == "false")
        let manyFields = (0..<12).map { "f\($0): \($0)" }.joined(separator: ", ")
        #expect(run(#"{"# + manyFields + #", "\u00e9": 1}["e\u0301"]"#) == "ERROR: RUNTIME ERROR: Field does not exist: e\u{301}")
    }

    @Test func smallValuesWithHugeTextOrLongViewChainsEndCleanly() {
        let limit = 256 << 20
        let error = "ERROR: RUNTIME ERROR: memory limit exceeded: this evaluation may use at most 256Mi"
        // A 1 MB string repeated by reference: the value is small, its JSON text is 1 GB.
        #expect(run("local s = std.repeat('x', 1000000); [s for i in std.range(1, 1000)]", memoryLimit: limit)
            .hasPrefix(error))
        #expect(run("local s = std.repeat('x', 1000000); std.manifestJson([s for i in std.range(1, 1000)])",
                    memoryLimit: limit).hasPrefix(error))
        // Formats of large strings: the result's size is checked before it is written,
        // on the literal template path and on the general one (width, mapping key).
        let big = "local s = std.repeat('x', 50000000); "
        #expect(run(big + "std.length('%s%s%s%s%s%s' % [s, s, s, s, s, s])", memoryLimit: limit).hasPrefix(error))
        #expect(run(big + "std.length('%s%s%s%s%s%2s' % [s, s, s, s, s, s])", memoryLimit: limit).hasPrefix(error))
        #expect(run(big + "std.length('%(a)s%(a)s%(a)s%(a)s%(a)s%(a)s' % {a: s})", memoryLimit: limit).hasPrefix(error))
        #expect(run(big + "std.length('%s%s' % [s, s])", memoryLimit: limit) == "100000000")
        // Without a budget, 30 GB of text is refused before anything is allocated.
        let codes = String(repeating: "%s", count: 600)
        let values = Array(repeating: "s", count: 600).joined(separator: ", ")
        #expect(run(big + "std.length('\(codes)' % [\(values)])").hasPrefix("ERROR: RUNTIME ERROR: Value too large"))
        #expect(run(big + "std.length('\(codes)' % ([\(values)] + []))").hasPrefix("ERROR: RUNTIME ERROR: Value too large"))
        // A hundred large concatenations and reversals: views stay at most eight deep, the
        // rest are copied, and freeing the result does not recurse through a long chain.
        #expect(run("""
            local a = std.foldl(function(acc, i) std.reverse(acc + std.range(i, i + 5000)), std.range(1, 100), []);
            [std.length(a), a[0], a[std.length(a) - 1]]
            """).replacingOccurrences(of: "\n", with: "").replacingOccurrences(of: " ", with: "") == "[500100,5100,5099]")
        // A string appended to itself grows its shared buffer until the budget stops it.
        #expect(run("local d(s, n) = if n == 0 then s else d(s + s, n - 1); std.length(d(std.repeat('ab', 40), 30))",
                    memoryLimit: limit).hasPrefix(error))
        #expect(run("local d(s, n) = if n == 0 then s else d(s + s, n - 1); std.length(d(std.repeat('ab', 40), 20))",
                    memoryLimit: limit) == "83886080")
        // Appending to the same array from many places keeps every result intact.
        #expect(compact("local a = std.range(1, 10) + [0]; [std.length(a + [i]) for i in std.range(1, 5)] + [(a + [7])[11], (a + [8])[11]]")
            == "[12, 12, 12, 12, 12, 7, 8]")
    }

    @Test func memoryBudgetStopsLargeAllocationsBeforeTheyHappen() {
        let limit = 256 << 20
        let error = "ERROR: RUNTIME ERROR: memory limit exceeded: this evaluation may use at most 256Mi"
        #expect(run("std.makeArray(100000000, function(i) i)", memoryLimit: limit) == error)
        // A range is stored as its bounds but charged as if stored.
        #expect(run("std.length(std.range(1, 100000000))", memoryLimit: limit) == error)
        #expect(run("std.length(std.sort(std.range(1, 100000000)))", memoryLimit: limit) == error)
        #expect(run("std.length(std.set(std.reverse(std.range(1, 100000000))))", memoryLimit: limit) == error)
        #expect(run("std.length(std.map(function(x) x, std.range(1, 100000000)))", memoryLimit: limit) == error)
        #expect(run("std.length(std.repeat('x', 300000000))", memoryLimit: limit) == error)
        #expect(run("local f(s, n) = if n == 0 then s else f(s + s, n - 1); std.length(f('a', 29))", memoryLimit: limit)
            == error)
        #expect(run("local a = std.range(1, 10000000); std.length(a + a + a)", memoryLimit: limit) == error)
    }

    @Test func memoryBudgetAllowsWhatFitsAndChurn() {
        let limit = 64 << 20
        #expect(run("std.length(std.range(1, 1000000))", memoryLimit: limit) == "1000000")
        // Forty 16 MB arrays one after another: only one is alive at a time.
        let churn = "std.foldl(function(acc, i) acc + std.length(std.range(1, 1000000)), std.range(1, 40), 0)"
        #expect(run(churn, memoryLimit: limit) == "40000000")
        let strings = "std.length(std.foldl(function(acc, i) std.repeat('x', 1000000 + i), std.range(1, 100), ''))"
        #expect(run(strings, memoryLimit: limit) == "1000100")
    }

    @Test func byteSizesParseWithBinarySuffixes() {
        #expect(parseByteSize("256Mi") == 256 << 20)
        #expect(parseByteSize("1Gi") == 1 << 30)
        #expect(parseByteSize("4Ki") == 4096)
        #expect(parseByteSize("1000") == 1000)
        #expect(parseByteSize("0") == nil)
        #expect(parseByteSize("-1Mi") == nil)
        #expect(parseByteSize("1MB") == nil)
        #expect(parseByteSize("99999999999999999999Gi") == nil)
        #expect(parseByteSize("9000000000Gi") == nil)
        #expect(formatByteSize(256 << 20) == "256Mi")
        #expect(formatByteSize(1000) == "1000")
    }
}

import Jsonnet
import Testing

/// Hostile input: mutated programs, random bytes and very deep recursion must end
/// in a value or a clean error, never a trap or a hang.
@Suite struct RobustnessTests {
    /// Programs covering most of the language, the seeds of the mutations.
    static let corpus: [String] = [
        "local f(n) = if n <= 1 then n else f(n - 1) + f(n - 2); f(10)",
        "{ a: 1, b:: self.a + 1, c+: { d: super.x } }",
        "local o = { x: 1 } + { x+: 2, y: $.x }; [o.x, o.y, 'x' in o]",
        "[x * y for x in std.range(1, 5) for y in [1, 2] if x % 2 == 0]",
        "{ [k]: std.length(k) for k in ['a', 'bb', 'ccc'] }",
        "local s = |||\n  text block\n  two\n|||; s + @'verbatim' + \"esc\\n\\u00e9\"",
        "std.format('%5.2f %-4d %s %(a)s', [3.14159, 42, [1, 2]])",
        "std.manifestYamlDoc({ a: [1, { b: 'c' }], d: 'x\\ny' })",
        "std.sort(['b', 'a', 'c'], function(x) x)[1:3:1]",
        "assert 1 < 2 : 'msg'; { assert self.a > 0, a: 1 }",
        "local f(a, b=2, c=a + b) = [a, b, c]; f(1, c=5) + f(b=3, a=1)",
        "error 'boom ' + std.toString({ x: 1 })",
        "std.foldl(function(acc, x) acc + x, std.makeArray(100, function(i) i), 0) tailstrict",
        "std.parseJson('{\"a\": [1, 2.5, null, true]}')",
        "std.mergePatch({ a: { b: 1 } }, { a: { b: null, c: 2 } })",
        "local x = { a: x.b, b: 1 }; x.a",
        "[1, 2, 3][::2] + 'abc'[1:] + std.join(',', ['a', 'b'])",
        "std.base64(std.md5('x') + std.sha256('y'))",
        "0x10 + 1_000 + 1e3 + .5",
        "if true then { a: null } else [] ",
        "local a = [1, 2]; a[1] & 3 | 4 ^ 5 << 2 >> 1",
        "function(x) x",
        "std.objectFieldsAll({ a:: 1, b::: 2, c: 3 })",
        "{ f(x):: x * 2, g: self.f(21) }.g",
        "std.parseYaml('a: [1, 2]\\nb: {c: d}\\n---\\n- x')",
    ]

    static let fragments: [String] = [
        "{", "}", "[", "]", "(", ")", "local ", "function(x) ", "if ", " then ", " else ", "self", "super",
        "$", "::", "+:", ":::", "|||\n", "\"", "'", "@'", "error ", "import 'x'", "importstr ", "for ",
        " in ", "assert ", "std.", "1e999", "-", "!", "%", "/*", "//", "#", "\\", "\u{0}", "\u{FFFD}", "é",
        ",", ";", ".", "..", "tailstrict", "0x", "1_", "null", "true", "std.makeArray(1e6, function(i) i)",
        "std.range(0, 1e9)", "f(f)", "x", "\n",
    ]

    @Test func mutatedProgramsEndCleanly() throws {
        var rng = SplitMix64(seed: 0x5EED_1234)
        var evaluated = 0
        for round in 0..<1500 {
            var program = Array(Self.corpus[round % Self.corpus.count].unicodeScalars)
            for _ in 0...(rng.next() % 4) {
                mutate(&program, &rng)
            }
            try expectCleanEnd(String(String.UnicodeScalarView(program)))
            evaluated += 1
        }
        #expect(evaluated == 1500)
    }

    static let punctuation = Array("{}[]()\"'|:;,.+-*/%!<>=$@\\ \n0a".utf8)

    @Test func randomBytesEndCleanly() throws {
        var rng = SplitMix64(seed: 42)
        for _ in 0..<800 {
            let count = Int(rng.next() % 64)
            var bytes = [UInt8]()
            for _ in 0..<count {
                // Bias towards Jsonnet's punctuation so the parser gets past the first token.
                let r = rng.next()
                bytes.append(r % 3 == 0 ? Self.punctuation[Int(r / 3 % UInt64(Self.punctuation.count))] : UInt8(truncatingIfNeeded: r >> 8))
            }
            try expectCleanEnd(String(decoding: bytes, as: UTF8.self))
        }
    }

    @Test func deepRecursionHitsTheFrameLimit() {
        let program = "local f(n) = if n == 0 then 0 else 1 + f(n - 1); f(1000000)"
        #expect(run(program) == "ERROR: RUNTIME ERROR: max stack frames exceeded.")
    }

    @Test func deepRecursionWithARaisedLimitEndsCleanly() throws {
        let program = "local f(n) = if n == 0 then 0 else 1 + f(n - 1); f(1000000)"
        let options = EvaluationOptions(maxStack: 2_000_000, stackSize: 8 << 30)
        do {
            let out = try Jsonnet.evaluate(source: program, fileName: "deep", options: options)
            guard case .single(let s) = out else { Issue.record("unexpected output"); return }
            #expect(s == "1000000\n")
        } catch let e as JsonnetError {
            #expect(e.headline == "RUNTIME ERROR: max stack frames exceeded.")
        }
    }

    @Test func deeplyNestedSyntaxIsAStaticError() {
        let nested = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(run(nested).hasPrefix("ERROR: "))
        let objects = String(repeating: "{a:", count: 50_000) + "1" + String(repeating: "}", count: 50_000)
        #expect(run(objects).hasPrefix("ERROR: "))
    }

    /// Evaluates with tight limits; any outcome but a JsonnetError or a timeout fails the test.
    private func expectCleanEnd(_ program: String) throws {
        let options = EvaluationOptions(maxStack: 200, timeout: .seconds(2))
        do {
            _ = try Jsonnet.evaluate(source: program, fileName: "fuzz", options: options)
        } catch is JsonnetError {
        } catch is EvaluationCancelled {
        }
    }

    private func mutate(_ p: inout [Unicode.Scalar], _ rng: inout SplitMix64) {
        let n = p.count
        switch rng.next() % 4 {
        case 0 where n > 0:
            let start = Int(rng.next() % UInt64(n))
            let len = min(n - start, Int(rng.next() % 8) + 1)
            p.removeSubrange(start..<start + len)
        case 1 where n > 0:
            let start = Int(rng.next() % UInt64(n))
            let len = min(n - start, Int(rng.next() % 16) + 1)
            let at = Int(rng.next() % UInt64(n + 1))
            p.insert(contentsOf: Array(p[start..<start + len]), at: at)
        case 2:
            let f = Self.fragments[Int(rng.next() % UInt64(Self.fragments.count))]
            p.insert(contentsOf: Array(f.unicodeScalars), at: Int(rng.next() % UInt64(n + 1)))
        default:
            if n > 1 {
                let i = Int(rng.next() % UInt64(n))
                let j = Int(rng.next() % UInt64(n))
                p.swapAt(i, j)
            }
        }
    }
}

/// A small deterministic generator, so a failing mutation can be replayed.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Values that contain themselves end with go-jsonnet's stack error instead of running away.
@Suite struct SelfReferenceTests {
    @Test func manifestingASelfContainingValueIsAStackError() {
        #expect(run("{ x: self }") == "ERROR: RUNTIME ERROR: max stack frames exceeded.")
        #expect(run("local L = [L]; L") == "ERROR: RUNTIME ERROR: max stack frames exceeded.")
        #expect(run("std.toString({ x: self })") == "ERROR: RUNTIME ERROR: max stack frames exceeded.")
    }

    @Test func comparingSelfContainingValuesIsAStackError() {
        // go-jsonnet 0.22 overflows its goroutine stack and aborts the process here.
        #expect(run("local L = [L]; local M = [M]; L == M") == "ERROR: RUNTIME ERROR: max stack frames exceeded.")
        #expect(run("local L = [L]; local M = [M]; L < M") == "ERROR: RUNTIME ERROR: max stack frames exceeded.")
        #expect(run("local o = { x: o }; local p = { x: p }; o == p") == "ERROR: RUNTIME ERROR: max stack frames exceeded.")
    }
}

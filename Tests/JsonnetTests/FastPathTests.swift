import Jsonnet
import Testing

/// The engine's fast paths give the same answers as the general ones
/// (expected values as go-jsonnet 0.22 prints them).
@Suite struct FastPathTests {
    @Test func arrayComparisonMixesComputedNumbersAndThunks() {
        #expect(run("[1, 2, 3] < [1, 2, 4]") == "true")
        #expect(run("[1, 2, 3] < [1, 2]") == "false")
        #expect(run("[1, 1 + 1, 3] < [1, 2, 2 + 1]") == "false")
        #expect(run("[1, 1 + 1, 3] <= [1, 2, 2 + 1]") == "true")
        #expect(run("[-0.5, 'a'] < [-0.5, 'b']") == "true")
        #expect(run("[1, [2, 3]] > [1, [2, 2]]") == "true")
        #expect(run("local a = std.range(1, 100000); a + [1] < a + [2]") == "true")
        #expect(run("[1, 'a'] < [1, 2]") == "ERROR: RUNTIME ERROR: Unexpected type number, expected string")
    }

    @Test func literalBodiedFunctionsInBuiltins() {
        #expect(compact("std.makeArray(3, function(_) 'x')") == #"["x", "x", "x"]"#)
        #expect(compact("std.makeArray(2, function(i) null)") == "[null, null]")
        #expect(compact("std.map(function(x) 1.5, [true, false])") == "[1.5, 1.5]")
        #expect(compact("std.makeArray(2, function(i) true) + std.makeArray(1, function(i) false)") == "[true, true, false]")
        #expect(run("std.join(',', std.makeArray(5, function(_) 'x'))") == #""x,x,x,x,x""#)
        // A function that cannot take the argument still fails when the element is used.
        #expect(run("std.makeArray(1, function() 'x')[0]")
            == "ERROR: RUNTIME ERROR: function expected 0 positional argument(s), but got 1")
        #expect(run("std.length(std.makeArray(1, function() 'x'))") == "1")
    }

    @Test func repeatedElementArraysBehaveLikeFlatOnes() {
        // `std.makeArray(n, function(_) 'x')` stores its element once.
        #expect(compact("""
            local a = std.makeArray(5000, function(_) 'x');
            [std.length(a), a[0], a[4999], std.length(a + ['y']), (a + ['y'])[5000], std.reverse(a + ['y'])[0],
             a[4990:4992], a == std.makeArray(5000, function(i) 'x'), std.join('', a[0:3]),
             std.length(std.join(',', a)), std.count(a, 'x'), std.uniq(std.sort(a)),
             std.join(',', std.makeArray(3, function(_) null) + ['a']), std.map(function(s) s + '!', a)[7],
             [v for v in a][4999], a < a + ['a'], std.reverse(a)[0]]
            """) == #"[5000, "x", "x", 5001, "y", "y", ["x", "x"], true, "xxx", 9999, 5000, ["x"], "a", "x!", "x", true, "x"]"#)
        #expect(run("std.join(',', std.makeArray(2, function(_) 1))")
            == "ERROR: RUNTIME ERROR: Unexpected type number, expected string")
        // Charged to the budget as if every element were stored.
        #expect(run("std.length(std.makeArray(100000000, function(_) 'x'))", memoryLimit: 256 << 20)
            == "ERROR: RUNTIME ERROR: memory limit exceeded: this evaluation may use at most 256Mi")
    }

    @Test func stringEscapesAtEveryPositionOfTheWordLoops() throws {
        // The JSON writer skips 16 and 8 bytes at a time; put each character that
        // needs an escape (and some that do not) at every offset of those words.
        let specials: [Unicode.Scalar] = ["\"", "\\", "\u{08}", "\u{0C}", "\n", "\r", "\t", "\u{00}", "\u{1F}",
                                          "\u{7F}", "\u{80}", "\u{85}", "\u{9F}", "\u{A0}", "\u{FF}", "é", "€", "😀", " ", "~"]
        func expected(_ text: String) -> String {
            var out = "\""
            for c in text.unicodeScalars {
                switch c {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\u{08}": out += "\\b"
                case "\u{0C}": out += "\\f"
                case "\n": out += "\\n"
                case "\r": out += "\\r"
                case "\t": out += "\\t"
                case _ where c.value < 0x20 || (0x7F...0x9F).contains(c.value):
                    out += "\\u00" + String(c.value, radix: 16).leftPadded(to: 2)
                default: out.unicodeScalars.append(c)
                }
            }
            return out + "\""
        }
        for special in specials {
            for offset in 0..<20 {
                let text = String(repeating: "a", count: offset) + String(special) + String(repeating: "b", count: 19 - offset)
                let codes = text.unicodeScalars.map { String($0.value) }.joined(separator: ", ")
                let source = "std.join('', std.map(std.char, [\(codes)]))"
                #expect(run(source) == expected(text), "\(special.value) at \(offset)")
            }
        }
    }

    @Test func fieldNamesSortByBytesAndMergeVisibility() {
        // Names sorted by their first eight bytes, then whole (ties inside the prefix);
        // a merged table stores each name once, keeping go-jsonnet's visibility rules.
        #expect(compact("""
            local big = { ['f%d' % i]: i for i in std.range(1, 12) };
            [
              std.objectFields({ ['abcdefgh' + x]: 1 for x in ['b', 'a', '', 'é', '\\u0000'] } + { z: 1, abcdefg: 2, abcdefgi: 3 }),
              local a = { x:: 1, y: 1 } + { x: 2 } + { y: 3 }; [std.objectFields(a), std.objectFieldsAll(a), a.x],
              local b = { x:: 1 } + { x::: 2 } + { x: 3 }; std.objectFields(b),
              local c = { x: 1 } + { x:: 2 } + { x+: 3 }; [std.objectFields(c), c.x],
              std.objectFields(big + { f5:: 0 }),
              std.length(std.objectFields(std.foldl(function(acc, i) acc + { ['k%d' % i]: i }, std.range(1, 100), {}))),
            ]
            """) == #"[["abcdefg", "abcdefgh", "abcdefgh\u0000", "abcdefgha", "abcdefghb", "abcdefghé", "abcdefgi", "z"], "#
            + #"[["y"], ["x", "y"], 2], ["x"], [[ ], 5], ["f1", "f10", "f11", "f12", "f2", "f3", "f4", "f6", "f7", "f8", "f9"], 100]"#)
        // Duplicate computed names: found by a scan (up to eight fields) or a set.
        #expect(run("{ ['k']: 1, ['k']: 2 }") == #"ERROR: RUNTIME ERROR: Duplicate field name: "k""#)
        #expect(run("{ ['a']: 1, ['b']: 2, ['c']: 3, ['d']: 4, ['e']: 5, ['f']: 6, ['g']: 7, ['h']: 8, ['i']: 9, ['a']: 10 }")
            == #"ERROR: RUNTIME ERROR: Duplicate field name: "a""#)
        #expect(run("std.length({ ['a']: 1, ['b']: 2, ['c']: 3, ['d']: 4, ['e']: 5, ['f']: 6, ['g']: 7, ['h']: 8, ['i']: 9 })") == "9")
        // Layouts of more than eight fields find names through a hash index; names
        // match by bytes (composed and decomposed é are two fields).
        let many = (1...40).map { "a\($0): \($0)" }.joined(separator: ", ")
        #expect(compact("local o = { \(many), 'é': 'nfc', 'e\\u0301': 'nfd' }; [o.a1, o.a40, o['é'], o['e\\u0301'], std.objectHas(o, 'a41'), std.length(o), std.length(std)]")
            == #"[1, 40, "nfc", "nfd", false, 42, 0]"#)
        #expect(run("local o = { \(many) }; o.a41") == "ERROR: RUNTIME ERROR: Field does not exist: a41")
        // Duplicate fixed names are static errors: found by a scan, or by a set past eight fields.
        #expect(run("{ a: 1, b: 2, a: 3 }").hasPrefix("ERROR: test.jsonnet:1:15-16 Duplicate field: a"))
        #expect(run("{ a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7, h: 8, ['x']: 0, i: 9, b: 10 }")
            .hasPrefix("ERROR: test.jsonnet:1:67-68 Duplicate field: b"))
        #expect(run("std.length({ a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7, h: 8, ['x']: 0, i: 9, ['b' + '']: 10 })")
            == #"ERROR: RUNTIME ERROR: Duplicate field name: "b""#)
    }

    @Test func largeOutputIsWrittenInPieces() throws {
        // Over 64 KiB of text: the manifester moves it to pieces between values.
        let program = "{ items: [{ name: 'é-%d' % i, tags: std.makeArray(5, function(j) j * i) } for i in std.range(1, 4000)] }"
        guard case .single(let text) = try Jsonnet.evaluate(source: program, fileName: "big.jsonnet") else {
            Issue.record("expected one document")
            return
        }
        let pieces = try Jsonnet.evaluateBytes(source: program, fileName: "big.jsonnet")
        #expect(pieces.count > 3)
        #expect(pieces.reduce(into: [UInt8]()) { $0 += $1 } == Array(text.utf8))
        #expect(text.hasSuffix("}\n"))
        // std.manifestJsonEx and std.toString join their pieces into one string.
        #expect(run("local big = std.makeArray(20000, function(i) 'item-%d' % i); [std.parseJson(std.manifestJsonEx(big, ' ')) == big, std.length(std.toString(big))]")
            .replacingOccurrences(of: "\n", with: "").replacingOccurrences(of: " ", with: "") == "[true,268890]")
        // An error after many pieces: nothing is returned.
        #expect(throws: JsonnetError.self) {
            try Jsonnet.evaluateBytes(source: "[std.repeat('x', 1000) for i in std.range(1, 500)] + [error 'late']", fileName: "late.jsonnet")
        }
        let string = try Jsonnet.evaluateBytes(source: "std.repeat('ab', 3)", fileName: "s.jsonnet", mode: .string)
        #expect(string.reduce(into: [UInt8]()) { $0 += $1 } == Array("ababab\n".utf8))
    }

    @Test func appendingSharesABufferButEveryArrayKeepsItsOwnElements() {
        // `a + [x]` appends in place to the buffer `a` ends; the older arrays still see their prefix.
        #expect(compact("local a = [1, 2] + [3]; local b = a + [4]; local c = a + [5]; [a, b, c, b + [6], a + a, b + b]")
            == "[[1, 2, 3], [1, 2, 3, 4], [1, 2, 3, 5], [1, 2, 3, 4, 6], [1, 2, 3, 1, 2, 3], [1, 2, 3, 4, 1, 2, 3, 4]]")
        #expect(run("std.length(std.foldl(function(acc, i) acc + [i], std.range(1, 100000), []))") == "100000")
        #expect(run("local xs = std.foldl(function(acc, i) acc + [i * i], std.range(1, 3000), []); [xs[0], xs[2999], std.sum(xs)]")
            .replacingOccurrences(of: "\n", with: "").replacingOccurrences(of: " ", with: "") == "[1,9000000,9004500500]")
    }

    @Test func rangesConcatenationsAndReversalsAreViews() {
        #expect(compact("std.range(1, 5)") == "[1, 2, 3, 4, 5]")
        #expect(compact("std.reverse(std.range(1, 4))") == "[4, 3, 2, 1]")
        #expect(compact("std.reverse(std.reverse(std.range(1, 3)))") == "[1, 2, 3]")
        #expect(compact("local r = std.range(1, 5000) + [0]; [std.length(r), r[0], r[4999], r[5000]]") == "[5001, 1, 5000, 0]")
        #expect(compact("local r = std.reverse(std.range(1, 5000) + [0]); [r[0], r[1], r[5000]]") == "[0, 5000, 1]")
        #expect(compact("std.range(1, 10000)[9995:]") == "[9996, 9997, 9998, 9999, 10000]")
        #expect(compact("(std.range(1, 5000) + std.range(1, 5000))[4998:5002]") == "[4999, 5000, 1, 2]")
        #expect(compact("std.sort(std.reverse(std.range(1, 5)))") == "[1, 2, 3, 4, 5]")
        #expect(run("std.range(1, 3) == [1, 2, 3]") == "true")
        #expect(run("std.member(std.range(1, 5000) + [0], 0)") == "true")
        // Twenty large concatenations: deeper than `JArray.maxDepth` views, so some become flat.
        #expect(compact("local d = std.foldl(function(acc, i) std.reverse(acc + std.range(i, i + 4100)), std.range(1, 20), []); [std.length(d), d[0], d[82019], std.sum(d)]")
            == "[82020, 4120, 4119, 169002210]")
        #expect(compact("[x * 2 for x in std.reverse(std.range(1, 3))]") == "[6, 4, 2]")
    }

    @Test func comprehensionBodiesOverScalarsFailOnlyWhenUsed() {
        #expect(compact("[i < j for i in [1, 2] for j in [2, 1]]") == "[true, false, false, false]")
        #expect(compact("[i + j for i in [1, 'a'] for j in [2, 'b']]") == #"[3, "1b", "a2", "ab"]"#)
        #expect(compact("[!i || j for i in [true, false] for j in [false]]") == "[false, true]")
        #expect(compact("[-x for x in [1, 2]]") == "[-1, -2]")
        // The failing element is never used: no error, as with a thunk.
        #expect(run("std.length([i / j for i in [1] for j in [0, 1]])") == "2")
        #expect(run("[x * 2 for x in [1, 'q']][0]") == "2")
        #expect(run("[i / j for i in [1] for j in [0]][0]").hasPrefix("ERROR: RUNTIME ERROR: Division by zero."))
        #expect(run("[i < j for i in [1] for j in ['a']]").hasPrefix("ERROR: RUNTIME ERROR: Unexpected type string, expected number"))
        // Operands that are not scalars, or not computed yet, stay lazy.
        #expect(run("std.length([x + 1 for x in [error 'no', {}]])") == "2")
    }

    @Test func comprehensionFramesAreReusedOnlyWhenNothingKeptThem() {
        // Closures, objects and thunks that keep a frame see their own element.
        #expect(compact("local fs = [function() x for x in [1, 2, 3]]; [fs[0](), fs[1](), fs[2]()]") == "[1, 2, 3]")
        #expect(compact("[{v: x} for x in [4, 5]]") == #"[{"v": 4}, {"v": 5}]"#)
        #expect(compact("[[x, y] for x in [1, 2] for y in [x, x + 10]]") == "[[1, 1], [1, 11], [2, 2], [2, 12]]")
        #expect(compact("local ts = [x + y for x in [1] for y in [error 'e', 2]]; ts[1]") == "3")
        #expect(compact("local a = [x for x in [[1], [2]]]; [a[0][0], a[1][0]]") == "[1, 2]")
        #expect(compact("{[k]: k + '!' for k in ['a', 'b']}") == #"{"a": "a!", "b": "b!"}"#)
        #expect(compact("[x for x in std.range(1, 6) if x % 2 == 0]") == "[2, 4, 6]")
    }

    @Test func integersAreWrittenDigitByDigit() {
        #expect(compact("[0, 7, 10, -1, -10, 123456789, -999999999999999, 999999999999999, 1e15, -0, 0.5]")
            == "[0, 7, 10, -1, -10, 123456789, -999999999999999, 999999999999999, 1000000000000000, -0, 0.5]")
        #expect(run("[1, [2, -3], {a: 40}]") == "[\n   1,\n   [\n      2,\n      -3\n   ],\n   {\n      \"a\": 40\n   }\n]")
        #expect(run("'\\u0001\\u001f\\u007f'") == #""\u0001\u001f\u007f""#)
    }

    @Test func stringLengthPastAnASCIIPrefix() {
        #expect(run("std.length('abcdefghijklmnopé')") == "17")
        #expect(run("std.length('abcdefgh')") == "8")
        #expect(run("std.length('abcdefghé日本')") == "11")
        #expect(run("std.substr('abcdefghijé日本xyz', 10, 3)") == #""é日本""#)
    }

    @Test func appendedStringsKeepTheirOwnText() {
        // `a + x` appends in place to the buffer `a` ends; a second append from `a` copies.
        let base = "local a = std.repeat('x', 70) + 'A'; "
        #expect(compact(base + "local b = a + 'B'; local c = a + 'C'; [std.length(a), b[71], c[71], std.length(b + c)]")
            == #"[71, "B", "C", 144]"#)
        #expect(run(base + "local b = a + 'B'; local c = a + 'C'; (b + 'D')[70:] + '|' + (c + 'E')[70:] + '|' + a[69:]")
            == #""ABD|ACE|xA""#)
        // A string appended to itself reads its own bytes while the buffer grows.
        #expect(run("local d(s, n) = if n == 0 then s else d(s + s, n - 1); local x = d(std.repeat('ab', 40), 10); [std.length(x), x[81918:], x == std.repeat('ab', 40960)]")
            == "[\n   81920,\n   \"ab\",\n   true\n]")
        // Code points, not bytes, are counted and indexed.
        #expect(compact("local s = std.foldl(function(acc, c) acc + c, std.makeArray(100, function(i) if i % 2 == 0 then 'é' else '日'), ''); [std.length(s), s[98], s[99], std.substr(s, 1, 3)]")
            == #"[100, "é", "日", "日é日"]"#)
        #expect(run("std.md5(std.foldl(function(acc, i) acc + std.toString(i) + ',', std.range(1, 20000), ''))")
            == #""\#(md5OfNumbers)""#)
        // Appended strings and ropes mix (prepending keeps a rope).
        #expect(run("local s = std.foldl(function(acc, i) std.toString(i % 10) + acc + 'x', std.range(1, 200), ''); [std.length(s), s[0:3], s[397:]]")
            == "[\n   400,\n   \"098\",\n   \"xxx\"\n]")
    }

    @Test func repeatedCallsReuseFramesOnlyWhenNothingKeptThem() {
        // Each call's arguments stay with what the body captured.
        #expect(compact("local fs = std.foldl(function(acc, x) acc + [function() x], [1, 2, 3], []); [fs[0](), fs[1](), fs[2]()]")
            == "[1, 2, 3]")
        #expect(compact("std.foldl(function(acc, x) acc + [{v: x}], [4, 5], [])") == #"[{"v": 4}, {"v": 5}]"#)
        #expect(compact("std.foldr(function(x, acc) [x] + acc, [1, 2, 3], [])") == "[1, 2, 3]")
        #expect(compact("std.filter(function(x) x % 2 == 0, std.range(1, 8))") == "[2, 4, 6, 8]")
        #expect(compact("std.flatMap(function(x) [x, x * 10], [1, 2])") == "[1, 10, 2, 20]")
        #expect(compact("std.sort([3, 1, 2], keyF=function(x) -x)") == "[3, 2, 1]")
        // Lazy arguments captured by a thunk are evaluated with their own frame.
        #expect(compact("local ts = std.foldl(function(acc, x) acc + [x * 2], [1, 2, 3], []); ts") == "[2, 4, 6]")
        #expect(run("std.foldl(function(acc, x) if x == 3 then error 'at ' + x else acc + x, [1, 2, 3], 0)")
            .hasPrefix("ERROR: RUNTIME ERROR: at 3"))
        // A function with defaults, or called with fewer parameters, takes the general path.
        #expect(run("std.foldl(function(acc, x, y=10) acc + x + y, [1, 2], 0)") == "23")
        #expect(run("std.foldl(function(acc) acc, [1], 0)").hasPrefix("ERROR: RUNTIME ERROR: function expected 1 positional argument(s), but got 2"))
    }

    @Test func scalarArgumentsAreComputedAtTheCallOnlyWhenTheyCannotFail() {
        #expect(run("local fib(n) = if n <= 1 then 1 else fib(n - 1) + fib(n - 2); fib(20)") == "10946")
        #expect(run("local f(s, n) = if n == 0 then s else f(s + 'ab', n - 1); std.length(f('', 100))") == "200")
        // A failing argument stays a thunk: no error unless the callee uses it.
        #expect(run("local f(x, y) = y; f(1 / 0, 2)") == "2")
        #expect(run("local f(x) = 'ok'; local n = 'a'; f(n - 1)") == #""ok""#)
        #expect(run("local f(x) = x; f(1 / 0)") == "ERROR: RUNTIME ERROR: Division by zero.")
        #expect(run("local f(x) = x; local s = 'a'; f(s < 1)") == "ERROR: RUNTIME ERROR: Unexpected type number, expected string")
        // Next to the depth limit arguments stay thunks, so the limit falls where
        // go-jsonnet's does for recursion that uses its argument.
        #expect(run("local f(n) = if n == 0 then 0 else 1 + f(n - 1); f(497)") == "497")
        #expect(run("local f(n) = if n == 0 then 0 else 1 + f(n - 1); f(498)") == "ERROR: RUNTIME ERROR: max stack frames exceeded.")
    }

    @Test func joinCopiesRepeatedPartsOnce() {
        #expect(run("std.join(', ', ['a', 'bé', null, 'a', 'a', 'c'])") == #""a, bé, a, a, c""#)
        #expect(run("local x = 'abcdefghijklmnop'; std.join('|', [x, x, x, 'q', x])")
            == #""abcdefghijklmnop|abcdefghijklmnop|abcdefghijklmnop|q|abcdefghijklmnop""#)
        #expect(run("local s = std.join('', std.makeArray(5000, function(_) 'é')); [std.length(s), s[4999]]")
            == "[\n   5000,\n   \"é\"\n]")
        #expect(run("std.join(',', ['x', 1])") == "ERROR: RUNTIME ERROR: Unexpected type number, expected string")
    }

    @Test func literalFormatTemplatesMatchTheGeneralPath() {
        // `(LIT     ) % args` takes the template (a literal left operand);
        // `(LIT + '') % args`, at the same columns, the general path. Output or the
        // whole error text (trace included) must be the same for every case.
        let formats = [("'%s'", 1), ("'a%sb'", 1), ("'%s-%d'", 2), ("'%d'", 1), ("'x%%y%s%%'", 1),
                       ("'héllo %s ✓ %d'", 2), ("'%s%s%s'", 3), ("'%i|%u'", 2)]
        let values = ["'x'", "''", "'ünï'", "1", "-1", "-0.5", "-1.5", "3.7", "1e15", "-9007199254740991",
                      "9007199254740993", "1e300", "null", "true", "[1]", "{a: 1}", "error 'boom'",
                      "std.repeat('ab', 40)", "'a' + std.repeat('é', 100)", "v", "(function(x) x)('q')"]
        var cases = 0
        for (format, codes) in formats {
            for value in values {
                var argumentLists = (0..<codes).map { at in
                    "[" + (0..<codes).map { $0 == at ? value : "'x'" }.joined(separator: ", ") + "]"
                }
                argumentLists.append(value)  // a single value, not an array
                argumentLists.append("[" + Array(repeating: value, count: codes + 1).joined(separator: ", ") + "]")
                argumentLists.append("[" + Array(repeating: value, count: codes).joined(separator: ", ") + "] + []")
                for arguments in argumentLists {
                    let general = "local v = 'w'; (\(format) + '') % \(arguments)"
                    let template = "local v = 'w'; (\(format)\(String(repeating: " ", count: 5))) % \(arguments)"
                    #expect(outcome(template) == outcome(general), "\(template)")
                    cases += 1
                }
            }
        }
        #expect(cases > 500)
        // As a call's argument or a comprehension's body the format may be computed
        // when the call is made (every value already a string or number, result short);
        // otherwise it stays a thunk, so unused errors stay unseen.
        let uses = ["local f(a) = a; f(%@)", "local f(a) = 1; f(%@)", "local f(a, b) = a + b; f(%@, %@)",
                    "[%@ for i in [1, 2]]", "[%@ for i in [1, 2]][1]", "std.length([%@ for i in [1, 2]])"]
        let formatted = ["'%s-%d' % [v, n]", "'%s' % [big]", "'%s' % [w]", "'%s' % [bad]", "'%s/%s' % [i, v]",
                         "'%d' % [v]", "'%s%s' % [big, big]"]
        let locals = "local v = 'w', n = 7, w = {a: 1}, bad = error 'unused?', big = std.repeat('é', 3000);"
        for use in uses {
            for f in formatted where use.contains("for i") || !f.contains("[i") {
                // Same columns: `('…'     ) % x` (template) against `('…' + '') % x` (general).
                let template = "(" + f.replacingOccurrences(of: "' %", with: "'     ) %")
                let general = "(" + f.replacingOccurrences(of: "' %", with: "' + '') %")
                let filled = use.replacingOccurrences(of: "%@", with: template)
                let generalFilled = use.replacingOccurrences(of: "%@", with: general)
                #expect(outcome(locals + filled) == outcome(locals + generalFilled), "\(filled)")
            }
        }
        #expect(run("'%s and %d' % ['a', 42]") == #""a and 42""#)
        #expect(run("'%d%%' % -7.9") == #""-7%""#)
        #expect(run("local n = 'ü'; '[%s]' % [n]") == #""[ü]""#)
        #expect(run("std.length('%s✓' % ['é'])") == "2")
        #expect(run("'%s' % {a: 1}") == "ERROR: RUNTIME ERROR: Mapping keys required.")
    }

    @Test func builtinMadeCallsKeepGoJsonnetsTrace() {
        // The call's own frame, then the unnamed frame of a builtin-made element.
        #expect(diagnostic("std.map(function(x) error 'no ' + x, ['a'])[0]").hasPrefix(
            "RUNTIME ERROR: no a\n\tf.jsonnet:1:21-36\tfunction <anonymous>\n\t\t\n\tf.jsonnet:1:1-47\t$"))
        #expect(compact("local xs = std.makeArray(3, function(i) function() i * 2); [xs[0](), xs[2]()]") == "[0, 4]")
    }
}

/// The output of `code`, or its whole error text.
private func outcome(_ code: String) -> String {
    do {
        guard case .single(let s) = try Jsonnet.evaluate(source: code, fileName: "f.jsonnet") else { return "multi" }
        return s
    } catch let e as JsonnetError {
        return e.formatted(maxTrace: 20)
    } catch {
        return "\(error)"
    }
}

/// The MD5 of "1,2,...,20000," (checked against Python's hashlib when written).
private let md5OfNumbers = "0016ed977ec0c5314957696a02ded1e6"

private extension String {
    func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}

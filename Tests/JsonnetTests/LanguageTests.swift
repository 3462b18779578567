import Jsonnet
import Testing

/// Every language construct, with expectations checked against go-jsonnet 0.22.
@Suite struct LanguageTests {
    @Test func literals() {
        #expect(run("null") == "null")
        #expect(run("true") == "true")
        #expect(run("false") == "false")
        #expect(run("42") == "42")
        #expect(run("1_000_000") == "1000000")
        #expect(run("0.1") == "0.10000000000000001")
        #expect(run("1e20") == "100000000000000000000")
        #expect(run("-0") == "-0")
        #expect(run("1e-7") == "9.9999999999999995e-08")
        #expect(run(#""a\"b\\c\n\u00e9\ud83d\ude00""#) == #""a\"b\\c\né😀""#)
        #expect(run("'single \"quoted\"'") == #""single \"quoted\"""#)
        #expect(run(#"@"verbatim \n ""q""""#) == #""verbatim \\n \"q\"""#)
        #expect(run("|||\n  text\n    block\n|||") == #""text\n  block\n""#)
        #expect(run("|||-\n  chomped\n|||") == #""chomped""#)
        #expect(run("\"\\u0000\\u007f\\u0080\\t/\"") == #""\u0000\u007f\u0080\t/""#)
    }

    @Test func arithmeticAndOperators() {
        #expect(run("1 + 2 * 3 - 4 / 2") == "5")
        #expect(run("5 % -3") == "2")
        #expect(run("-5 % 3") == "-2")
        #expect(run("1 << 3 | 1") == "9")
        #expect(run("6 & 3 ^ 1") == "3")
        #expect(run("~5") == "-6")
        #expect(run("!true || false && true") == "false")
        #expect(run("1 + 'a'") == #""1a""#)
        #expect(run("'a' + [1]") == #""a[1]""#)
        #expect(run("[1] + [2]") == "[\n   1,\n   2\n]")
        #expect(run("'%d-%s' % [1, 'x']") == #""1-x""#)
        #expect(run("1 / 0") == "ERROR: RUNTIME ERROR: Division by zero.")
        #expect(run("1e308 * 10") == "ERROR: RUNTIME ERROR: Overflow")
        #expect(run("1 - 'a'") == "ERROR: RUNTIME ERROR: Unexpected type string, expected number")
        #expect(run("null + null") == "ERROR: RUNTIME ERROR: Unexpected type null")
        #expect(run("[1] + 1") == "ERROR: RUNTIME ERROR: Unexpected type number, expected array")
        #expect(run("1 << -1") == "ERROR: RUNTIME ERROR: Shift by negative exponent.")
    }

    @Test func comparisonAndEquality() {
        #expect(run("[1, 2] < [1, 3]") == "true")
        #expect(run("'a' < 'b'") == "true")
        #expect(run("'é' > 'z'") == "true")
        #expect(run("{a: 1} == {a: 1, b:: 2}") == "true")
        #expect(run("[1, [2]] == [1, [2]]") == "true")
        #expect(run("1 == '1'") == "false")
        #expect(run("(function(x) x) == (function(x) x)") == "ERROR: RUNTIME ERROR: Cannot test equality of functions")
        #expect(run("{} < {}") == "ERROR: RUNTIME ERROR: Unexpected type object")
        #expect(run("'x' in {x: 1}") == "true")
        #expect(run("'h' in {h:: 1}") == "true")
    }

    @Test func locals() {
        #expect(run("local x = 1, y = x + 1; y") == "2")
        #expect(run("local f(a, b=2) = a + b; f(1)") == "3")
        #expect(run("local fib(n) = if n < 2 then n else fib(n - 1) + fib(n - 2); fib(15)") == "610")
        #expect(run("local a = b, b = 1; a") == "1")
        #expect(run("local x = error 'unused'; 1") == "1")
    }

    @Test func functionsAndArguments() {
        #expect(run("local f(x, y) = x - y; f(y=1, x=3)") == "2")
        #expect(run("local f(x, y=x * 2) = y; f(4)") == "8")
        #expect(run("(function(x) x * 2)(21)") == "42")
        #expect(run("local f(x) = x; f(1, 2)") == "ERROR: RUNTIME ERROR: function expected 1 positional argument(s), but got 2")
        #expect(run("local f(x) = x; f(y=1)") == "ERROR: RUNTIME ERROR: function has no parameter y")
        #expect(run("local f(x) = x; f(1, x=2)") == "ERROR: RUNTIME ERROR: Argument x already provided")
        #expect(run("local f(x, y) = x; f(1)") == "ERROR: RUNTIME ERROR: Missing argument: y")
        #expect(run("local f(x) = x; f(error 'lazy') tailstrict") == "ERROR: RUNTIME ERROR: lazy")
        #expect(run("local f(x) = 1; f(error 'lazy')") == "1")
        #expect(run("1(2)") == "ERROR: RUNTIME ERROR: Unexpected type number, expected function")
    }

    @Test func conditionalsErrorsAsserts() {
        #expect(run("if 1 < 2 then 'y' else 'n'") == #""y""#)
        #expect(run("if false then 1") == "null")
        #expect(run("if 1 then 2") == "ERROR: RUNTIME ERROR: Unexpected type number, expected boolean")
        #expect(run("error 'boom'") == "ERROR: RUNTIME ERROR: boom")
        #expect(run("error {a: 1}") == #"ERROR: RUNTIME ERROR: {"a": 1}"#)
        #expect(run("assert 1 == 1; 'ok'") == #""ok""#)
        #expect(run("assert 1 == 2; 'ok'") == "ERROR: RUNTIME ERROR: Assertion failed")
        #expect(run("assert 1 == 2 : 'custom'; 'ok'") == "ERROR: RUNTIME ERROR: custom")
    }

    @Test func arraysIndexingSlicing() {
        #expect(run("[1, 2, 3][1]") == "2")
        // A fractional index is an error (the C++ suite requires it; go-jsonnet truncates).
        #expect(run("[1, 2, 3][1.7]") == "ERROR: RUNTIME ERROR: Array index must be an integer, got 1.7")
        #expect(run("[1, 2, 3][3]") == "ERROR: RUNTIME ERROR: Index 3 out of bounds, not within [0, 3)")
        #expect(run("[1, 2, 3]['a']") == "ERROR: RUNTIME ERROR: Unexpected type string, expected number")
        #expect(compact("[1, 2, 3, 4, 5][1:4:2]") == "[2, 4]")
        #expect(compact("[1, 2, 3][::2]") == "[1, 3]")
        #expect(compact("[1, 2, 3][-2:]") == "[2, 3]")
        #expect(run("'héllo'[1]") == #""é""#)
        #expect(run("'héllo'[1:3]") == #""él""#)
        #expect(run("[1, 2][::-1]") == "ERROR: RUNTIME ERROR: got [0:2:-1] but negative steps are not supported")
        #expect(run("null.x") == "ERROR: RUNTIME ERROR: Value non indexable: *jsonnet.valueNull")
        #expect(run("[error 'x', 2][1]") == "2")
    }

    @Test func comprehensions() {
        #expect(compact("[x * y for x in [1, 2] for y in [10, 20] if x * y != 20]") == "[10, 40]")
        #expect(compact("{[k]: k + '!' for k in ['a', 'b']}") == #"{"a": "a!", "b": "b!"}"#)
        #expect(compact("{[x]: y for x in ['a'] for y in [1]}") == #"{"a": 1}"#)
        #expect(compact("{local z = 2, [k]: z for k in ['a']}") == #"{"a": 2}"#)
        #expect(compact("{[k]: 1 for k in ['a', null]}") == #"{"a": 1}"#)
        #expect(run("{[k]: 1 for k in ['a', 'a']}") == #"ERROR: RUNTIME ERROR: Duplicate field name: "a""#)
        // The go-jsonnet suite's wording (its comprehensions desugar to std.flatMap).
        #expect(run("[x for x in 1]") == "ERROR: RUNTIME ERROR: std.flatMap second param must be array / string, got number")
        #expect(compact("[x * 2, for x in [1, 2]]") == "[2, 4]")
        #expect(compact("{ [k]: 1, for k in ['a'] }") == #"{"a": 1}"#)
        #expect(run("local f(n, acc) = if n == 0 then acc else f(n - 1, acc + n) tailstrict; f(100000, 0)") == "5000050000")
        #expect(run("local f(x, y=error 'forced') = x; f(1) tailstrict") == "ERROR: RUNTIME ERROR: forced")
    }

    @Test func objectsAndInheritance() {
        #expect(run("{b: 1, a: 2}") == "{\n   \"a\": 2,\n   \"b\": 1\n}")
        #expect(run("{}") == "{ }")
        #expect(run("[]") == "[ ]")
        #expect(compact("{a: 1, b:: 2, c::: 3}") == #"{"a": 1, "c": 3}"#)
        #expect(compact("{a:: 1} + {a: 2}") == "{ }")
        #expect(compact("{a:: 1} + {a::: 2}") == #"{"a": 2}"#)
        #expect(compact("{a: 1, b: self.a + 1} + {a: 10}") == #"{"a": 10, "b": 11}"#)
        #expect(compact("{a: 1} + {a: super.a + 1}") == #"{"a": 2}"#)
        #expect(compact("{a: {x: 1}} + {a+: {y: 2}}") == #"{"a": {"x": 1, "y": 2}}"#)
        #expect(compact("{a+: 1}") == #"{"a": 1}"#)
        #expect(compact("{x: 1, y: {z: $.x}}") == #"{"x": 1, "y": {"z": 1}}"#)
        #expect(compact("{x: 1, y: {z: $.x}} + {x: 5}") == #"{"x": 5, "y": {"z": 5}}"#)
        #expect(compact("{local o = self, a: 1, b: o.a}") == #"{"a": 1, "b": 1}"#)
        #expect(compact("{a: 1} {b: 2}") == #"{"a": 1, "b": 2}"#)
        #expect(compact("{['a' + 'b']: 1, [null]: 2}") == #"{"ab": 1}"#)
        #expect(compact("{a: 1} + {b: 'a' in super, c: 'z' in super}") == #"{"a": 1, "b": true, "c": false}"#)
        #expect(run("{a: 1}.b") == "ERROR: RUNTIME ERROR: Field does not exist: b")
        #expect(run("{a: super.x}.a") == "ERROR: RUNTIME ERROR: Attempt to use super when there is no super class.")
        #expect(run("{[1]: 1}") == "ERROR: RUNTIME ERROR: Field name must be string, got number")
        #expect(run("{f(x): x * 2}.f(4)") == "8")
    }

    @Test func objectAsserts() {
        #expect(run("{assert self.a > 0, a: 1}.a") == "1")
        #expect(run("{assert self.a > 0, a: -1}.a") == "ERROR: RUNTIME ERROR: Object assertion failed.")
        #expect(run("{assert false : 'nope'}") == "ERROR: RUNTIME ERROR: nope")
        #expect(run("{assert self.a > 0, a: 1} + {a: -1}") == "ERROR: RUNTIME ERROR: Object assertion failed.")
    }

    @Test func staticErrors() {
        #expect(run("x").hasSuffix("Unknown variable: x"))
        #expect(run("self").hasSuffix("Can't use self outside of an object."))
        #expect(run("$").hasSuffix("No top-level object found."))
        #expect(run("super.a").hasSuffix("Can't use super outside of an object."))
    }

    @Test func recursionLimits() {
        #expect(run("local f(n) = if n == 0 then 0 else 1 + f(n - 1); f(497)") == "497")
        #expect(run("local f(n) = if n == 0 then 0 else 1 + f(n - 1); f(1000000)")
            == "ERROR: RUNTIME ERROR: max stack frames exceeded.")
        #expect(run("local x = x; x") == "ERROR: RUNTIME ERROR: max stack frames exceeded.")
        let deep = run("local f(n) = if n == 0 then 0 else 1 + f(n - 1); f(1000000)", maxStack: 2_000_000)
        #expect(deep == "1000000" || deep == "ERROR: RUNTIME ERROR: max stack frames exceeded.")
    }

    @Test func externalVariablesAndTopLevelArguments() {
        #expect(run("std.extVar('a')", extVars: ["a": .string("x")]) == #""x""#)
        #expect(run("std.extVar('a').b", extVars: ["a": .code("{b: 1 + 1}")]) == "2")
        #expect(run("std.extVar('nope')") == "ERROR: RUNTIME ERROR: Undefined external variable: nope")
        #expect(run("function(a, b='d') a + b", tlas: ["a": .string("x")]) == #""xd""#)
        #expect(run("function(a) a.k", tlas: ["a": .code("{k: 3}")]) == "3")
        #expect(run("function(a) a") == "ERROR: RUNTIME ERROR: Missing argument: a")
        #expect(run("std.thisFile") == #""test.jsonnet""#)
    }

    @Test func outputModes() {
        #expect(run("'raw\ttext'", mode: .string) == "raw\ttext")
        #expect(run("1", mode: .string) == "ERROR: RUNTIME ERROR: expected string result, got: number")
        #expect(run("{b: 1, a: 'x'}", mode: .multi(stringFields: false)) == "a=\"x\"\n|b=1\n")
        #expect(run("[1, {a: 2}]", mode: .yamlStream) == "---\n1\n---\n{\n   \"a\": 2\n}\n...")
        #expect(run("{a: function(x) x}") == "ERROR: RUNTIME ERROR: couldn't manifest function as JSON")
    }
}

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
}

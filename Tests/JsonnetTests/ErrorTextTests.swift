import Jsonnet
import Testing

/// The whole diagnostic `jsonnet` prints for `code` (evaluated as `f.jsonnet`), or "no error".
func diagnostic(_ code: String) -> String {
    do {
        _ = try Jsonnet.evaluate(source: code, fileName: "f.jsonnet")
        return "no error"
    } catch let e as JsonnetError {
        return e.formatted(maxTrace: 20)
    } catch {
        return "\(error)"
    }
}

/// Whole error texts, recorded from go-jsonnet 0.22 (the gojsonnet binding formats like its CLI).
@Suite struct ErrorTextTests {
    @Test func staticErrorsQuoteTheirSourceLines() {
        #expect(diagnostic("local a = 1;\n  local b = c;\nb\n")
            == "f.jsonnet:2:13-14 Unknown variable: c\n\n  local b = c;\n\n")
        #expect(diagnostic("local x = 5\n") == "f.jsonnet:2:1 Expected , or ; but got end of file\n\n\n\n")
        #expect(diagnostic("import |||\n  a\n|||\n")
            == "f.jsonnet:(1:8)-(3:4) Block string literals not allowed in imports\n\nimport |||\n  a\n|||\n\n")
        #expect(diagnostic("x\r\n") == "f.jsonnet:1:1-2 Unknown variable: x\n\nx\r\n\n")
        // Text blocks cut short: inside a line, after a line, before any line (go-jsonnet's first lines).
        #expect(diagnostic("|||\n  x").hasPrefix("f.jsonnet:1:1 Unexpected EOF"))
        #expect(diagnostic("|||\n  x\n").hasPrefix("f.jsonnet:1:1 Text block not terminated with |||"))
        #expect(diagnostic("|||\n").hasPrefix("f.jsonnet:1:1 Text block's first line must start with whitespace"))
        #expect(diagnostic("|||\n  a\n    b\n  |||").hasPrefix("f.jsonnet:1:1 Unexpected EOF"))
    }
}

extension ErrorTextTests {
    @Test func framesAreNamedByWhatTheyBelongTo() {
        #expect(diagnostic("local o = {local z = error \"e\", a: z}; o.a")
            == "RUNTIME ERROR: e\n\tf.jsonnet:1:22-31\tobject <o>\n\tf.jsonnet:1:36-37\tobject <o>\n\tf.jsonnet:1:40-43\t$\n\tDuring evaluation\t\n")
        #expect(diagnostic("local f(x) = x; f(error \"e\")")
            == "RUNTIME ERROR: e\n\tf.jsonnet:1:19-28\tthunk from <$>\n\tf.jsonnet:1:14-15\tfunction <f>\n\tf.jsonnet:1:17-29\t$\n\tDuring evaluation\t\n")
        #expect(diagnostic("local x = [error \"e\"]; x[0]")
            == "RUNTIME ERROR: e\n\tf.jsonnet:1:12-21\tthunk from <thunk <x> from <$>>\n\tf.jsonnet:1:24-28\t$\n\tDuring evaluation\t\n")
        #expect(diagnostic("local o = {a: local q = error \"e\"; q}; o.a")
            == "RUNTIME ERROR: e\n\tf.jsonnet:1:25-34\tthunk <q> from <object <o>>\n\tf.jsonnet:1:36-37\tobject <o>\n\tf.jsonnet:1:40-43\t$\n\tDuring evaluation\t\n")
        #expect(diagnostic("{f(x): error \"e\"}.f(1)")
            == "RUNTIME ERROR: e\n\tf.jsonnet:1:8-17\t\n\tf.jsonnet:1:1-23\t$\n\tDuring evaluation\t\n")
        #expect(diagnostic("std.length(error \"x\")")
            == "RUNTIME ERROR: x\n\tf.jsonnet:1:12-21\tthunk from <$>\n\tf.jsonnet:1:1-22\t$\n\tDuring evaluation\t\n")
    }

    @Test func manifestationFramesNameEveryFieldAndElement() {
        #expect(diagnostic("[1, 2, {a: {b: error \"x\"}}]")
            == "RUNTIME ERROR: x\n\tf.jsonnet:1:16-25\tobject <anonymous>\n\tField \"b\"\t\n\tField \"a\"\t\n\tArray element 2\t\n\tDuring manifestation\t\n")
        #expect(diagnostic("{ x: 1, assert self.x == 2 : \"boom\" }")
            == "RUNTIME ERROR: boom\n\tf.jsonnet:1:9-36\t\n\tChecking object assertions\t\n\tDuring manifestation\t\n")
    }

    @Test func callSpansAndColumns() {
        #expect(diagnostic("(function(x) x)(1, 2)")
            == "RUNTIME ERROR: function expected 1 positional argument(s), but got 2\n\tf.jsonnet:1:1-22\t$\n\tDuring evaluation\t\n")
        #expect(diagnostic("\"ąą\" + error \"x\"") == "RUNTIME ERROR: x\n\tf.jsonnet:1:10-19\t$\n\tDuring evaluation\t\n")
        #expect(diagnostic("local f(x) = f(x + 1); f(1)").contains("\tf.jsonnet:1:14-22\tfunction <f>\n\t...\n\tf.jsonnet:1:14-22"))
    }

    @Test func topLevelFunctionCall() throws {
        let options = EvaluationOptions(topLevelArguments: ["x": .string("1")])
        do {
            _ = try Jsonnet.evaluate(source: "function(x) error \"e\"", fileName: "f.jsonnet", options: options)
            Issue.record("no error")
        } catch let e as JsonnetError {
            #expect(e.formatted(maxTrace: 20) == "RUNTIME ERROR: e\n\tf.jsonnet:1:13-22\tfunction <anonymous>\n\tTop-level function call\t\n")
        }
    }
}

extension ErrorTextTests {
    @Test func comprehensionsAddOneFramePerFor() {
        #expect(diagnostic("[x for x in [1] for y in [2] if error \"c\"]")
            == "RUNTIME ERROR: c\n\tf.jsonnet:1:33-42\t$\n\tf.jsonnet:1:1-43\t\n\tf.jsonnet:1:1-43\t\n\tDuring evaluation\t\n")
        #expect(diagnostic("[x for x in [1] if 1]")
            == "RUNTIME ERROR: Unexpected type number, expected boolean\n\t\t\n\tf.jsonnet:1:1-22\t\n\tDuring evaluation\t\n")
        #expect(diagnostic("{ [x]: 1 for x in [1] }")
            == "RUNTIME ERROR: Field name must be string, got number\n\tf.jsonnet:1:1-24\t$\n\tf.jsonnet:1:1-24\t\n\tDuring evaluation\t\n")
        #expect(diagnostic("{ [x]: 1 for x in [\"a\", \"a\"] }")
            == "RUNTIME ERROR: Duplicate field name: \"a\"\n\tf.jsonnet:1:1-31\t\n\tDuring evaluation\t\n")
        #expect(diagnostic("{ [x]: error \"v\" for x in [\"a\"] }")
            == "RUNTIME ERROR: v\n\tf.jsonnet:1:8-17\tobject <anonymous>\n\tField \"a\"\t\n\tDuring manifestation\t\n")
        #expect(diagnostic("local a = [error \"b\" for x in [1]]; a[0]")
            == "RUNTIME ERROR: b\n\tf.jsonnet:1:12-21\tthunk from <thunk <a> from <$>>\n\tf.jsonnet:1:37-41\t$\n\tDuring evaluation\t\n")
    }

    @Test func plusFieldsAndTopLevelTailCalls() {
        #expect(diagnostic("{a: null} + { a+: {} }")
            == "RUNTIME ERROR: Unexpected type null\n\tf.jsonnet:1:19-21\t+:\n\tField \"a\"\t\n\tDuring manifestation\t\n")
        #expect(diagnostic("{ [1234]: 42 }")
            == "RUNTIME ERROR: Field name must be string, got number\n\tf.jsonnet:1:1-15\t$\n\tDuring evaluation\t\n")
        #expect(diagnostic("local f(x) = error \"t\"; (function(y) f(y))(1) tailstrict")
            == "RUNTIME ERROR: t\n\tf.jsonnet:1:14-23\tfunction <f>\n\tf.jsonnet:1:38-42\tfunction <anonymous>\n\tDuring evaluation\t\n")
        #expect(diagnostic("local foo(x, y=error \"xxx\")=x;\nfoo(42) tailstrict")
            == "RUNTIME ERROR: xxx\n\tf.jsonnet:1:16-27\tfunction <foo>\n\tf.jsonnet:2:1-8\t$\n\tDuring evaluation\t\n")
    }
}

extension ErrorTextTests {
    @Test func builtinMadeElementsLeaveAnUnnamedFrame() {
        #expect(diagnostic("local a = std.makeArray(2, function(i) error \"e\"); a[1]")
            == "RUNTIME ERROR: e\n\tf.jsonnet:1:40-49\tfunction <anonymous>\n\t\t\n\tf.jsonnet:1:52-56\t$\n\tDuring evaluation\t\n")
    }
}

extension ErrorTextTests {
    /// A frame name as deep as the parser allows is built without recursion, so formatting
    /// it on a small (concurrency) thread stack cannot overflow.
    @Test func deepThunkChainsFormatOnASmallStack() async throws {
        let n = 9000
        var code = "local x0 = "
        for i in 1..<n { code += "local x\(i) = " }
        code += "error 'deep'"
        for i in stride(from: n - 1, to: 0, by: -1) { code += "; x\(i)" }
        code += "; x0"
        let options = EvaluationOptions(maxStack: 20_000)
        do {
            _ = try Jsonnet.evaluate(source: code, fileName: "f.jsonnet", options: options)
            Issue.record("no error")
        } catch let e as JsonnetError {
            let text = await Task { e.formatted(maxTrace: 2) }.value
            #expect(text.hasPrefix("RUNTIME ERROR: deep\n\tf.jsonnet:1:"))
            #expect(text.contains("\tthunk <x8999> from <thunk <x8998> from <"))
            #expect(text.contains("thunk <x1> from <thunk <x0> from <$>>" + String(repeating: ">", count: n - 2) + "\n"))
        }
    }
}

extension ErrorTextTests {
    /// go-jsonnet quotes the character it cannot lex like Go's `%q` of a rune, ASCII-only.
    @Test func unlexableCharactersAreQuotedLikeGo() {
        #expect(diagnostic("?").hasPrefix("f.jsonnet:1:1 Could not lex the character '?'\n"))
        #expect(diagnostic("`").hasPrefix("f.jsonnet:1:1 Could not lex the character '`'\n"))
        #expect(diagnostic("\u{1}").hasPrefix("f.jsonnet:1:1 Could not lex the character '\\x01'\n"))
        #expect(diagnostic("é").hasPrefix("f.jsonnet:1:1 Could not lex the character '\\u00e9'\n"))
        #expect(diagnostic("😀").hasPrefix("f.jsonnet:1:1 Could not lex the character '\\U0001f600'\n"))
        #expect(diagnostic("\\").hasPrefix("f.jsonnet:1:1 Could not lex the character '\\\\'\n"))
    }
}

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

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

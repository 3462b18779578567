import Jsonnet
import Testing

/// Evaluates `code` as a snippet and returns go-jsonnet-style output without the
/// trailing newline, or the error headline prefixed with `ERROR: `.
func run(_ code: String, extVars: [String: ExternalValue] = [:], tlas: [String: ExternalValue] = [:],
         maxStack: Int = 500, mode: OutputMode = .json, importer: any Importer = NoImporter(),
         memoryLimit: Int? = nil) -> String {
    let options = EvaluationOptions(importer: importer, externalVariables: extVars, topLevelArguments: tlas,
                                    maxStack: maxStack, memoryLimit: memoryLimit)
    do {
        switch try Jsonnet.evaluate(source: code, fileName: "test.jsonnet", options: options, mode: mode) {
        case .single(let s):
            return s.hasSuffix("\n") ? String(s.dropLast()) : s
        case .multi(let files):
            return files.map { "\($0.name)=\($0.content)" }.joined(separator: "|")
        }
    } catch let e as JsonnetError {
        return "ERROR: " + e.headline
    } catch {
        return "ERROR: \(error)"
    }
}

/// Evaluates `code` and returns its compact JSON (`std.toString` layout) or the error headline.
func compact(_ code: String) -> String {
    run("std.toString(\(code))", mode: .string)
}

/// One std library case: an expression and what go-jsonnet 0.22 printed for
/// `std.toString(expr)` (or `ERROR: <first line>`), recorded with
/// `scripts/gen-std-cases.py`.
struct StdCase: Sendable, CustomTestStringConvertible {
    let expression: String
    let expected: String

    init(_ expression: String, _ expected: String) {
        self.expression = expression
        self.expected = expected
    }

    var testDescription: String { expression }
}

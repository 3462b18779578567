import GoFormats
import JaaSCore
import MCP

/// `render_jsonnet` and `validate_jsonnet`: evaluate Jsonnet text sent by the client.
struct RenderTools: Sendable {
    let evaluator: JsonnetEvaluator

    /// The input schema both tools share.
    static let inputSchema: Value = .object([
        "type": "object",
        "properties": .object([
            "source": .object(["type": "string", "description": "The Jsonnet program to evaluate (named snippet.jsonnet in diagnostics)."]),
            "tlas": .object([
                "type": "object",
                "description": "Top-level arguments: name to a list of strings. One element binds a string, several bind an array of strings.",
                "additionalProperties": .object(["type": "array", "items": .object(["type": "string"])]),
            ]),
            "tlaCode": .object([
                "type": "object", "description": "Top-level arguments as Jsonnet code: name to code.",
                "additionalProperties": .object(["type": "string"]),
            ]),
            "extVars": .object([
                "type": "object",
                "description": "External variables for std.extVar: name to string. They override the server's --ext-var values.",
                "additionalProperties": .object(["type": "string"]),
            ]),
            "extCode": .object([
                "type": "object", "description": "External variables as Jsonnet code: name to code.",
                "additionalProperties": .object(["type": "string"]),
            ]),
        ]),
        "required": ["source"],
        "additionalProperties": false,
    ])

    static let tools: [Tool] = [
        Tool(name: "render_jsonnet",
             description: "Evaluate Jsonnet text and return the resulting JSON. Imports resolve against the server's --library-path directories. An evaluation error comes back as a tool error carrying go-jsonnet's diagnostic.",
             inputSchema: inputSchema,
             annotations: .init(readOnlyHint: true)),
        Tool(name: "validate_jsonnet",
             description: "Evaluate Jsonnet text without returning its output: answers OK, or the error's position (file:line:column) and go-jsonnet's diagnostic.",
             inputSchema: inputSchema,
             annotations: .init(readOnlyHint: true)),
    ]

    /// `render_jsonnet`: the JSON text (also as `json` in the structured result, as
    /// the original answers), or a tool error with the diagnostic.
    func render(_ arguments: [String: Value]?) async -> CallTool.Result {
        let input: RenderArguments
        do throws(ToolInputError) { input = try RenderArguments(arguments) } catch { return .failure(error.message) }
        switch await evaluator.evaluate(input) {
        case .success(let json):
            return CallTool.Result(content: [.plain(json)], structuredContent: .object(["json": .string(json)]), isError: false)
        case .failure(let error): return .failure(Self.describe(error, timeout: evaluator.gate.timeout))
        }
    }

    /// `validate_jsonnet`: structured `{"valid":true}` or `{"valid":false,"error":
    /// "<diagnostic>"}`, the original's shape; the text says `OK`, or `invalid at
    /// <file:line:column>` and the diagnostic. An invalid program is a verdict, not a
    /// tool error; a timeout or a full evaluation cap is a tool error, since it says
    /// nothing about the program.
    func validate(_ arguments: [String: Value]?) async -> CallTool.Result {
        let input: RenderArguments
        do throws(ToolInputError) { input = try RenderArguments(arguments) } catch { return .failure(error.message) }
        switch await evaluator.evaluate(input) {
        case .success:
            return CallTool.Result(content: [.plain("OK")], structuredContent: .object(["valid": true]), isError: false)
        case .failure(.evaluationFailed(let diagnostic)):
            let verdict: [String: Value] = ["valid": false, "error": .string(diagnostic)]
            let text = ErrorPosition(diagnostic: diagnostic).map { "invalid at \($0)\n" } ?? "invalid\n"
            return CallTool.Result(content: [.plain(text + diagnostic)], structuredContent: .object(verdict), isError: false)
        case .failure(let error):
            return .failure(Self.describe(error, timeout: evaluator.gate.timeout))
        }
    }

    /// The text of a failed evaluation: go-jsonnet's diagnostic, or what stopped it.
    static func describe(_ error: RenderError, timeout: Duration?) -> String {
        switch error {
        case .evaluationFailed(let diagnostic): diagnostic
        case .timedOut: "evaluation timed out after \(GoText.duration(timeout ?? .zero))"
        case .unavailable: "evaluation unavailable: concurrent-eval cap is full; retry after backoff"
        case .cancelled: "evaluation cancelled"
        case .entryNotFound: "the source could not be read"
        }
    }
}

extension CallTool.Result {
    /// A tool error carrying `message`.
    static func failure(_ message: String) -> CallTool.Result {
        CallTool.Result(content: [.plain(message)], isError: true)
    }
}

/// Where a go-jsonnet diagnostic places its error: the first `file:line:column`
/// (or `file:(line:column)-(line:column)`) it names, skipping the message line of a
/// RUNTIME ERROR, whose text the program chose.
struct ErrorPosition: Equatable, CustomStringConvertible {
    var file: String
    var line: Int
    var column: Int

    var description: String { "\(file):\(line):\(column)" }

    init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    init?(diagnostic: String) {
        var lines = diagnostic.split(separator: "\n", omittingEmptySubsequences: false)[...]
        if diagnostic.hasPrefix("RUNTIME ERROR") { lines = lines.dropFirst() }
        for text in lines {
            for token in text.split(whereSeparator: { $0 == " " || $0 == "\t" }) {
                if let found = Self.parse(token) {
                    self = found
                    return
                }
            }
        }
        return nil
    }

    /// `file:L:C`, `file:L:C-E` or `file:(L:C)-(L:C)`.
    private static func parse(_ token: Substring) -> ErrorPosition? {
        let parts = token.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count >= 3 else { return nil }
        let at = parts.firstIndex { $0.hasPrefix("(") } ?? parts.count - 2
        guard at >= 1, at + 1 < parts.count else { return nil }
        let file = parts[..<at].joined(separator: ":")
        let lineText = parts[at].hasPrefix("(") ? parts[at].dropFirst() : parts[at]
        let columnText = parts[at + 1].prefix { $0.isASCII && $0.isNumber }
        let rest = parts[at + 1].dropFirst(columnText.count)
        guard !file.isEmpty, let line = Int(lineText), let column = Int(columnText), line > 0, column > 0,
              rest.isEmpty || rest.hasPrefix("-") || rest.hasPrefix(")") else { return nil }
        return ErrorPosition(file: file, line: line, column: column)
    }
}

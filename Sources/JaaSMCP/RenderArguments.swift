import JaaSCore
import Jsonnet
import MCP

/// A tool call whose arguments are missing or of the wrong shape; the message names the field.
package struct ToolInputError: Error, Equatable {
    /// What is wrong with the input, for the caller.
    package let message: String
    init(_ message: String) { self.message = message }
}

/// The inputs of `render_jsonnet` and `validate_jsonnet`, named as in the original:
/// `source` (the Jsonnet text), `tlas` (name → list of strings: one string binds a
/// string, several bind an array of strings), `tlaCode` (name → Jsonnet code),
/// `extVars` (name → string) and `extCode` (name → Jsonnet code).
struct RenderArguments: Equatable {
    /// The Jsonnet program.
    var source: String
    /// Top-level arguments from `tlas` and `tlaCode`.
    var topLevelArguments: [String: ExternalValue]
    /// External variables from `extVars` and `extCode` (before the server's own are added).
    var externalVariables: [String: ExternalValue]

    /// The argument names the tools accept.
    static let names: Set<String> = ["source", "tlas", "tlaCode", "extVars", "extCode"]

    /// Reads a tool call's arguments.
    init(_ arguments: [String: Value]?) throws(ToolInputError) {
        let arguments = arguments ?? [:]
        if let unknown = arguments.keys.filter({ !Self.names.contains($0) }).sorted().first {
            throw ToolInputError("unknown argument \"\(unknown)\" (expected source, tlas, tlaCode, extVars, extCode)")
        }
        guard let source = arguments["source"]?.stringValue else {
            throw ToolInputError("source: required, the Jsonnet text to evaluate")
        }
        self.source = source
        var tlas: [String: ExternalValue] = [:]
        for (name, value) in try Self.object(arguments["tlas"], "tlas") {
            tlas[name] = try Self.stringList(value, "tlas.\(name)")
        }
        try Self.add(try Self.strings(arguments["tlaCode"], "tlaCode").mapValues(ExternalValue.code),
                     to: &tlas, clash: "tlas and tlaCode")
        topLevelArguments = tlas
        var variables = try Self.strings(arguments["extVars"], "extVars").mapValues(ExternalValue.string)
        try Self.add(try Self.strings(arguments["extCode"], "extCode").mapValues(ExternalValue.code),
                     to: &variables, clash: "extVars and extCode")
        externalVariables = variables
    }

    /// An optional object argument.
    private static func object(_ value: Value?, _ field: String) throws(ToolInputError) -> [String: Value] {
        guard let value, !value.isNull else { return [:] }
        guard let object = value.objectValue else { throw ToolInputError("\(field): must be an object") }
        return object
    }

    /// An optional object of strings.
    private static func strings(_ value: Value?, _ field: String) throws(ToolInputError) -> [String: String] {
        var result: [String: String] = [:]
        for (name, item) in try object(value, field) {
            guard let text = item.stringValue else { throw ToolInputError("\(field).\(name): must be a string") }
            result[name] = text
        }
        return result
    }

    /// One `tlas` entry: a list of strings (one element binds a string, any other
    /// count an array of strings); a lone string is taken as a one-element list.
    private static func stringList(_ value: Value, _ field: String) throws(ToolInputError) -> ExternalValue {
        if let text = value.stringValue { return .string(text) }
        guard let items = value.arrayValue else { throw ToolInputError("\(field): must be a list of strings") }
        var texts: [String] = []
        for item in items {
            guard let text = item.stringValue else { throw ToolInputError("\(field): must be a list of strings") }
            texts.append(text)
        }
        if texts.count == 1 { return .string(texts[0]) }
        return .code("[" + texts.map(jsonStringLiteral).joined(separator: ", ") + "]")
    }

    private static func add(_ extra: [String: ExternalValue], to bindings: inout [String: ExternalValue],
                            clash: String) throws(ToolInputError) {
        if let name = extra.keys.filter({ bindings[$0] != nil }).sorted().first {
            throw ToolInputError("\(clash) both bind \"\(name)\"")
        }
        bindings.merge(extra) { _, new in new }
    }
}

import Jsonnet

/// `text` as a JSON string literal, quotes included (also valid Jsonnet), escaped as
/// go-jsonnet escapes strings in its output.
public func jsonStringLiteral(_ text: String) -> String {
    quoteJSONString(text)
}

import GoFormats
import Hummingbird
import JaaSCore

/// The renderer's error codes (wire-stable) and the RFC 9457 problem documents
/// that carry them.
public enum ProblemCode: String, Sendable, CaseIterable {
    /// Any method but GET on the rendering endpoint.
    case methodNotAllowed = "method_not_allowed"
    /// The requested name resolves to no file.
    case snippetNotFound = "snippet_not_found"
    /// A syntax or runtime error, a missing import or the stack limit.
    case evaluationFailed = "evaluation_failed"
    /// The evaluation exceeded `--evaluation-timeout`.
    case evaluationTimeout = "evaluation_timeout"
    /// `--max-concurrent-evals` evaluations were already running.
    case evaluationUnavailable = "evaluation_unavailable"

    /// The HTTP status sent with this code.
    public var status: HTTPResponse.Status {
        switch self {
        case .methodNotAllowed: .methodNotAllowed
        case .snippetNotFound: .notFound
        case .evaluationFailed: .badRequest
        case .evaluationTimeout: .gatewayTimeout
        case .evaluationUnavailable: .serviceUnavailable
        }
    }

    /// The problem's `type` URI.
    public var typeURI: String { "https://jaas.projects.metio.wtf/errors/\(rawValue)" }

    /// The title, as the original writes it.
    public var title: String {
        switch self {
        case .methodNotAllowed: "Method not allowed"
        case .snippetNotFound: "Snippet not found"
        case .evaluationFailed: "Jsonnet evaluation failed"
        case .evaluationTimeout: "Evaluation timed out"
        case .evaluationUnavailable: "Evaluation unavailable"
        }
    }

    /// The `detail`, as the original writes it: constant but for the requested name
    /// (Go-quoted, `snippet "x" not found`) and the configured timeout (a Go duration,
    /// `evaluation exceeded 5s`). Diagnostics never reach the client.
    public func detail(snippet: String?, timeout: Duration?) -> String {
        switch self {
        case .methodNotAllowed: "only GET is supported"
        case .snippetNotFound: "snippet \(GoText.quote(snippet ?? "")) not found"
        case .evaluationFailed: "evaluation failed"
        case .evaluationTimeout: "evaluation exceeded \(GoText.duration(timeout ?? .zero))"
        case .evaluationUnavailable: "concurrent-eval cap is full; retry after backoff"
        }
    }

    /// The problem document for this code: `{type, title, status, detail, code,
    /// snippet?}` in that order, strings escaped as Go's `encoding/json` escapes them,
    /// no trailing newline (the original's bytes). `snippet` echoes the requested name
    /// when one was parsed and is not empty; a 405 carries none (the original answers
    /// before reading the name).
    func response(snippet: String?, timeout: Duration? = nil) -> Response {
        let echoed = self == .methodNotAllowed ? nil : snippet
        var body = "{\"type\":\(GoText.jsonMarshal(typeURI)),\"title\":\(GoText.jsonMarshal(title)),"
            + "\"status\":\(status.code),\"detail\":\(GoText.jsonMarshal(detail(snippet: echoed, timeout: timeout))),"
            + "\"code\":\(GoText.jsonMarshal(rawValue))"
        if let echoed, !echoed.isEmpty { body += ",\"snippet\":\(GoText.jsonMarshal(echoed))" }
        body += "}"
        var headers: HTTPFields = [.contentType: "application/problem+json"]
        switch self {
        case .methodNotAllowed: headers[.allow] = "GET"
        case .evaluationUnavailable: headers[.retryAfter] = "1"
        default: break
        }
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }
}

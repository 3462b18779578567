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

    /// A short, constant summary.
    public var title: String {
        switch self {
        case .methodNotAllowed: "Method not allowed"
        case .snippetNotFound: "Snippet not found"
        case .evaluationFailed: "Evaluation failed"
        case .evaluationTimeout: "Evaluation timed out"
        case .evaluationUnavailable: "Evaluation unavailable"
        }
    }

    /// The constant `detail` text; diagnostics never reach the client.
    public var detail: String {
        switch self {
        case .methodNotAllowed: "only GET is allowed"
        case .snippetNotFound: "no snippet with this name"
        case .evaluationFailed: "evaluation failed"
        case .evaluationTimeout: "evaluation exceeded the timeout"
        case .evaluationUnavailable: "too many concurrent evaluations"
        }
    }

    /// The problem document for this code, echoing `snippet` when a name was parsed;
    /// the body ends with a newline, like the rendered documents.
    func response(snippet: String?) -> Response {
        var body = "{\"type\":\(jsonStringLiteral(typeURI)),\"title\":\(jsonStringLiteral(title)),"
            + "\"status\":\(status.code),\"detail\":\(jsonStringLiteral(detail)),\"code\":\(jsonStringLiteral(rawValue))"
        if let snippet, !snippet.isEmpty { body += ",\"snippet\":\(jsonStringLiteral(snippet))" }
        body += "}\n"
        var headers: HTTPFields = [.contentType: "application/problem+json"]
        switch self {
        case .methodNotAllowed: headers[.allow] = "GET"
        case .evaluationUnavailable: headers[.retryAfter] = "1"
        default: break
        }
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }
}

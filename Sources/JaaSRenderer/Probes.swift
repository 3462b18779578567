import Hummingbird
import JaaSCore

/// The management server's probes, with the original's exact answers:
/// `/live` always `200 {"status":"ok"}`; `/start` `200 {"status":"ok"}` once the
/// renderer listens, else `503 {"status":"not_started"}`; `/ready` `200
/// {"status":"ok"}` when ready, else `503 {"status":"not_ready"}` (also while shutting
/// down). Any method but GET gets `405 {"status":"method_not_allowed"}` with
/// `Allow: GET`. Bodies are `application/json`, without a trailing newline.
struct Probes<Context: RequestContext>: RouterMiddleware {
    /// nil: only `/live` (the rendering port's own liveness probe).
    let state: ServerState?

    func handle(_ request: Request, context: Context,
                next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        switch path {
        case "/live":
            guard request.method == .get else { return Self.methodNotAllowed() }
            return Self.status(.ok, "ok")
        case "/start", "/ready":
            guard let state else { return try await next(request, context) }
            guard request.method == .get else { return Self.methodNotAllowed() }
            if path == "/start" {
                return state.isStarted ? Self.status(.ok, "ok") : Self.status(.serviceUnavailable, "not_started")
            }
            return state.isReady ? Self.status(.ok, "ok") : Self.status(.serviceUnavailable, "not_ready")
        default:
            return try await next(request, context)
        }
    }

    static func methodNotAllowed() -> Response {
        var response = status(.methodNotAllowed, "method_not_allowed")
        response.headers[.allow] = "GET"
        return response
    }

    /// `{"status":"<text>"}` as `application/json`.
    static func status(_ code: HTTPResponse.Status, _ text: String) -> Response {
        Response(status: code, headers: [.contentType: "application/json"],
                 body: ResponseBody(byteBuffer: ByteBuffer(string: "{\"status\":\(jsonStringLiteral(text))}")))
    }
}

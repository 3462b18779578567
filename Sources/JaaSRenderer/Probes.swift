import Hummingbird
import JaaSCore

/// The management server's routes: `/live` (always 200), `/start` and `/ready`
/// (200 when started/ready, else 503), each with a `{"status":"..."}` body.
enum Probes {
    static func addRoutes<Context: RequestContext>(to router: Router<Context>, state: ServerState) {
        router.get("live") { _, _ in status(.ok, "alive") }
        router.get("start") { _, _ in
            state.isStarted ? status(.ok, "started") : status(.serviceUnavailable, "starting")
        }
        router.get("ready") { _, _ in
            if state.isReady { return status(.ok, "ready") }
            return status(.serviceUnavailable, state.isShuttingDown ? "shutting down" : "starting")
        }
    }

    /// A small JSON status answer, ending with a newline (as every JSON body of the
    /// renderer does, so `curl` output ends its line).
    static func status(_ code: HTTPResponse.Status, _ text: String) -> Response {
        Response(status: code, headers: [.contentType: "application/json"],
                 body: ResponseBody(byteBuffer: ByteBuffer(string: "{\"status\":\(jsonStringLiteral(text))}\n")))
    }
}

import Hummingbird
import JaaSCore
import Jsonnet
import Logging
import NIOCore

/// `GET /<endpoint>/{snippet...}`: resolves the snippet, answers from the render
/// cache or evaluates, and turns every failure into a problem document.
///
/// A middleware rather than a route so that it sees the raw path (percent escapes,
/// `..` and empty segments untouched) and every method, including unknown ones.
struct RenderEndpoint: RouterMiddleware {
    typealias Context = RendererRequestContext

    /// `/<endpoint path>`, without a trailing slash.
    let prefix: String
    let resolver: SnippetResolver
    let renderer: FileRenderer
    let libraryPaths: [String]
    let externalVariables: [String: ExternalValue]
    let maxStack: Int
    let memoryLimit: Int?
    /// `--evaluation-timeout`, named in the timeout problem's detail.
    let evaluationTimeout: Duration?
    let metrics: RendererMetrics

    func handle(_ request: Request, context: Context,
                next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        guard path.hasPrefix(prefix) else { return try await next(request, context) }
        let rest = path.utf8.dropFirst(prefix.utf8.count)
        guard rest.isEmpty || rest.first == UInt8(ascii: "/") else { return try await next(request, context) }
        let name = percentDecode(Substring(rest.dropFirst()), plusAsSpace: false)
        return await RequestTracing.serverSpan(for: request, route: prefix + "/{snippet}") { span in
            if let name { span.attributes["jaas.snippet"] = name }
            return await respond(request, name: name, context: context)
        }
    }

    /// The answer to a request for the snippet `name` (nil: undecodable).
    private func respond(_ request: Request, name: String?, context: Context) async -> Response {
        guard request.method == .get else { return problem(.methodNotAllowed, snippet: name) }
        let start = ContinuousClock.now
        guard let name, let snippet = resolver.resolve(name) else { return problem(.snippetNotFound, snippet: name) }
        let renderRequest = RenderRequest(entryPath: snippet.entryPath, fileName: snippet.fileName,
                                          libraryPaths: libraryPaths, externalVariables: externalVariables,
                                          topLevelArguments: QueryArguments.parse(request.uri.query),
                                          maxStack: maxStack, memoryLimit: memoryLimit)
        if let output = renderer.cachedOutput(for: renderRequest) {
            metrics.recordDuration(.now - start, cacheHit: true)
            return success(output, cache: "hit")
        }
        let result = await evaluateUntilDisconnect(renderRequest, channel: context.channel)
        metrics.recordDuration(.now - start, cacheHit: false)
        switch result {
        case .success(let output):
            return success(output, cache: "miss")
        case .failure(.evaluationFailed(let diagnostic)):
            context.logger.warning("evaluation failed", metadata: ["snippet": "\(name)", "diagnostic": "\(diagnostic)"])
            return problem(.evaluationFailed, snippet: name)
        case .failure(.timedOut):
            context.logger.warning("evaluation timed out", metadata: ["snippet": "\(name)"])
            return problem(.evaluationTimeout, snippet: name)
        case .failure(.unavailable):
            return problem(.evaluationUnavailable, snippet: name)
        case .failure(.entryNotFound):
            return problem(.snippetNotFound, snippet: name)
        case .failure(.cancelled):
            // The client is gone: write nothing, close the connection.
            metrics.countRequest(code: RendererMetrics.clientDisconnected)
            context.logger.info("client disconnected, evaluation cancelled", metadata: ["snippet": "\(name)"])
            context.channel.close(promise: nil)
            return Response(status: .init(code: 499, reasonPhrase: "Client Closed Request"))
        }
    }

    /// Evaluates in a task of its own that is cancelled (stopping the evaluation)
    /// when the client disconnects first.
    private func evaluateUntilDisconnect(_ request: RenderRequest,
                                         channel: any Channel) async -> Result<String, RenderError> {
        let renderer = self.renderer
        let work = Task { () async -> Result<String, RenderError> in
            do throws(RenderError) { return .success(try await renderer.evaluate(request)) } catch { return .failure(error) }
        }
        let observer = try? await channel.pipeline.handler(type: DisconnectObserver.self).get()
        let registration = observer?.onDisconnect { work.cancel() }
        let result = await work.value
        if let registration { observer?.remove(registration) }
        return result
    }

    private func success(_ output: String, cache: String) -> Response {
        metrics.countRequest(code: "ok")
        return Response(status: .ok, headers: [.contentType: "application/json", .jaasCache: cache],
                        body: ResponseBody(byteBuffer: ByteBuffer(string: output)))
    }

    private func problem(_ code: ProblemCode, snippet: String?) -> Response {
        metrics.countRequest(code: code.rawValue)
        return code.response(snippet: snippet, timeout: evaluationTimeout)
    }
}

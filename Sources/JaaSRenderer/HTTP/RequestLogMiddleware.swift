import HTTPTypes
import Hummingbird
import Logging

/// Writes one log line per request: method, path (without the query, which may
/// carry argument values), status, duration and, for renders, whether the cache
/// answered.
struct RequestLogMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context,
                next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        do {
            let response = try await next(request, context)
            log(request, context: context, status: response.status.code, start: start,
                cache: response.headers[.jaasCache])
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status.code ?? 500
            log(request, context: context, status: status, start: start, cache: nil)
            throw error
        }
    }

    private func log(_ request: Request, context: Context, status: Int, start: ContinuousClock.Instant,
                     cache: String?) {
        var metadata: Logger.Metadata = [
            "method": "\(request.method.rawValue)",
            "path": "\(request.uri.path)",
            "status": "\(status)",
            "duration_ms": "\(Double((ContinuousClock.now - start).microseconds) / 1000)",
        ]
        if let cache { metadata["cache"] = "\(cache)" }
        context.logger.info("request", metadata: metadata)
    }
}

extension HTTPField.Name {
    /// `X-JaaS-Cache: hit|miss` on successful renders.
    static let jaasCache = HTTPField.Name("X-JaaS-Cache")!
}

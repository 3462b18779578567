import HTTPTypes
import Hummingbird
import Tracing

/// Server spans for rendering requests (docs/tracing.md).
///
/// A request's W3C `traceparent` makes its span a child of the caller's; without
/// one, or with a malformed one, the span starts a new trace. The
/// attributes carry the method, the path without its query (which may hold argument
/// values), the route, the status and, for successful renders, the cache outcome.
enum RequestTracing {
    /// Runs `respond` inside a server span named `<METHOD> <route>`.
    static func serverSpan(for request: Request, route: String,
                           _ respond: (any Span) async throws -> Response) async rethrows -> Response {
        var context = InstrumentationContext.current ?? .topLevel
        InstrumentationSystem.instrument.extract(request.headers, into: &context, using: HTTPFieldsExtractor())
        return try await withSpan("\(request.method.rawValue) \(route)", context: context, ofKind: .server) { span in
            span.attributes["http.request.method"] = request.method.rawValue
            span.attributes["url.path"] = request.uri.path
            span.attributes["http.route"] = route
            let response = try await respond(span)
            span.attributes["http.response.status_code"] = Int(response.status.code)
            if let cache = response.headers[.jaasCache] { span.attributes["jaas.cache"] = cache }
            if response.status.code >= 500 { span.setStatus(SpanStatus(code: .error)) }
            return response
        }
    }
}

/// Reads a request's `traceparent`, and only a well-formed one: the tracer would log
/// a malformed value together with every header of the request (credentials
/// included). `tracestate` is not read: the renderer calls nothing it would matter to.
struct HTTPFieldsExtractor: Extractor {
    func extract(key: String, from carrier: HTTPFields) -> String? {
        guard key == "traceparent", let value = carrier[.traceparent], Self.isWellFormed(value) else { return nil }
        return value
    }

    /// `version-traceid-parentid-flags` in lowercase hex (2, 32, 16 and 2 digits), the
    /// version not `ff`, neither id all zeros.
    static func isWellFormed(_ value: String) -> Bool {
        let bytes = Array(value.utf8)
        guard bytes.count == 55, bytes[2] == UInt8(ascii: "-"), bytes[35] == UInt8(ascii: "-"),
              bytes[52] == UInt8(ascii: "-") else { return false }
        let fields = [bytes[0..<2], bytes[3..<35], bytes[36..<52], bytes[53..<55]]
        let hex = Set("0123456789abcdef".utf8)
        guard fields.allSatisfy({ $0.allSatisfy(hex.contains) }), fields[0] != ArraySlice("ff".utf8) else { return false }
        return fields[1].contains { $0 != UInt8(ascii: "0") } && fields[2].contains { $0 != UInt8(ascii: "0") }
    }
}

extension HTTPField.Name {
    /// W3C trace context: the caller's trace and span.
    static let traceparent = HTTPField.Name("traceparent")!
}

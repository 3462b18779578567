import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import Tracing

/// A client for the Kubernetes REST API: CRUD on any resource as `KubeObject`s, the
/// status subresource, TokenRequest, and watches.
///
/// Create one per process with `init(config:)` and call `shutdown()` once at exit;
/// `withToken(_:)` derives clients that share its connections but authenticate as
/// another identity. Values are cheap to copy and `Sendable`.
public struct KubeClient: Sendable {
    /// The server and credentials this client uses.
    public let config: KubeConfig
    /// Retries for 429, 5xx and transport failures.
    public var retryPolicy: RetryPolicy
    /// The deadline for one request to receive its response head (watches stream on past it).
    public var requestTimeout: Duration
    /// Where retries and failures are logged.
    public var logger: Logger
    /// The `User-Agent` header.
    public var userAgent: String
    /// The largest response body read for a non-watch request.
    public var maxResponseBytes: Int
    /// The user every request impersonates (see `impersonating(_:)`); nil: none.
    public internal(set) var impersonation: UserInfo?

    let transport: Transport
    let credentials: Credentials
    let usesTokenOnlyConnections: Bool

    /// A client for `config`; throws if its TLS material is not valid PEM.
    public init(
        config: KubeConfig, retryPolicy: RetryPolicy = .default, requestTimeout: Duration = .seconds(30),
        logger: Logger = Logger(label: "kubernetes")
    ) throws {
        self.config = config
        self.retryPolicy = retryPolicy
        self.requestTimeout = requestTimeout
        self.logger = logger
        self.userAgent = "jaas-kubernetes"
        self.maxResponseBytes = 256 << 20
        self.transport = try Transport(config: config)
        self.credentials = Credentials(config.authentication)
        self.usesTokenOnlyConnections = false
    }

    private init(deriving base: KubeClient, authentication: KubeConfig.Authentication) {
        var config = base.config
        config.authentication = authentication
        config.clientCertificate = nil
        self.config = config
        self.retryPolicy = base.retryPolicy
        self.requestTimeout = base.requestTimeout
        self.logger = base.logger
        self.userAgent = base.userAgent
        self.maxResponseBytes = base.maxResponseBytes
        self.transport = base.transport
        self.credentials = Credentials(authentication)
        self.usesTokenOnlyConnections = true
    }

    /// A client that sends `Authorization: Bearer <token>` instead of this client's
    /// credentials (and never this client's TLS client certificate). It shares the
    /// connection pools; do not shut it down separately.
    public func withToken(_ token: String) -> KubeClient {
        KubeClient(deriving: self, authentication: .bearerToken(token))
    }

    /// Closes the connection pools. Call once, on the client made with `init(config:)`.
    public func shutdown() async throws {
        try await transport.shutdown()
    }

    private var http: HTTPClient { usesTokenOnlyConnections ? transport.tokenOnly : transport.primary }
}

/// One API call before it is sent.
struct KubeRequest: Sendable {
    var method: HTTPMethod
    /// Path and query, e.g. `/api/v1/namespaces/a/configmaps?limit=10`.
    var target: String
    var body: Data?
    var contentType: String?
    /// Safe to repeat after a 5xx or a lost connection.
    var idempotent: Bool

    init(_ method: HTTPMethod, _ target: String, body: Data? = nil, contentType: String? = nil, idempotent: Bool? = nil) {
        self.method = method
        self.target = target
        self.body = body
        self.contentType = contentType ?? (body == nil ? nil : "application/json")
        self.idempotent = idempotent ?? (method != .POST)
    }
}

extension KubeClient {
    /// Sends a request, retrying per `retryPolicy`, and returns the 2xx body.
    func perform(_ request: KubeRequest) async throws -> [UInt8] {
        let response = try await open(request, timeout: requestTimeout)
        var body = try await response.body.collect(upTo: maxResponseBytes)
        return body.readBytes(length: body.readableBytes) ?? []
    }

    /// Sends a request, retrying per `retryPolicy` until a 2xx head arrives; the caller
    /// streams the body. Non-2xx answers become `KubeError`. Each call is one client
    /// span (`kubernetes <METHOD>`, ended when the head arrives) whose context travels
    /// to the API server as a W3C `traceparent`.
    func open(_ request: KubeRequest, timeout: Duration) async throws -> HTTPClientResponse {
        try await withSpan("kubernetes \(request.method.rawValue)", ofKind: .client) { span in
            span.attributes["http.request.method"] = request.method.rawValue
            span.attributes["url.path"] = String(request.target.prefix { $0 != "?" })
            do {
                let response = try await open(request, timeout: timeout, span: span)
                span.attributes["http.response.status_code"] = Int(response.status.code)
                return response
            } catch let error as KubeError {
                span.attributes["http.response.status_code"] = error.code
                throw error
            }
        }
    }

    private func open(_ request: KubeRequest, timeout: Duration, span: any Span) async throws -> HTTPClientResponse {
        var retry = 0
        while true {
            if retry > 0 { span.attributes["http.request.resend_count"] = retry }
            let outcome: Result<HTTPClientResponse, any Error>
            do {
                outcome = .success(try await http.execute(try makeHTTPRequest(request), timeout: .init(timeout)))
            } catch let error as KubeConfigError {
                throw error
            } catch {
                if Task.isCancelled { throw CancellationError() }
                outcome = .failure(error)
            }
            retry += 1
            RequestCounts.shared.record(code: (try? outcome.get()).map { String($0.status.code) } ?? "<error>",
                                        method: request.method.rawValue, server: config.server)
            switch outcome {
            case .success(let response) where (200..<300).contains(Int(response.status.code)):
                return response
            case .success(let response):
                let code = Int(response.status.code)
                var buffer = (try? await response.body.collect(upTo: 1 << 20)) ?? ByteBuffer()
                let error = KubeError.fromResponse(
                    code: code, body: buffer.readBytes(length: buffer.readableBytes) ?? [],
                    retryAfterHeader: response.headers.first(name: "Retry-After"))
                guard retry < retryPolicy.maxAttempts, retryPolicy.shouldRetry(code: code, idempotent: request.idempotent)
                else { throw error }
                let delay = retryPolicy.delay(retry: retry, retryAfter: error.retryAfter)
                logger.debug(
                    "retrying Kubernetes request",
                    metadata: ["method": "\(request.method.rawValue)", "target": "\(request.target)", "code": "\(code)", "delay": "\(delay)"])
                try await Task.sleep(for: delay)
            case .failure(let error):
                guard retry < retryPolicy.maxAttempts, request.idempotent else { throw error }
                let delay = retryPolicy.delay(retry: retry, retryAfter: nil)
                logger.debug(
                    "retrying Kubernetes request after transport error",
                    metadata: ["method": "\(request.method.rawValue)", "target": "\(request.target)", "error": "\(error)"])
                try await Task.sleep(for: delay)
            }
        }
    }

    private func makeHTTPRequest(_ request: KubeRequest) throws -> HTTPClientRequest {
        var http = HTTPClientRequest(url: config.server + request.target)
        http.method = request.method
        http.headers.add(name: "Accept", value: "application/json")
        http.headers.add(name: "User-Agent", value: userAgent)
        if let impersonation {
            for (name, value) in Self.impersonationHeaders(impersonation) { http.headers.add(name: name, value: value) }
        }
        if let authorization = try credentials.authorization() {
            http.headers.add(name: "Authorization", value: authorization)
        }
        InstrumentationSystem.instrument.inject(InstrumentationContext.current ?? .topLevel, into: &http.headers,
                                                using: HTTPHeadersInjector())
        if let body = request.body {
            http.headers.add(name: "Content-Type", value: request.contentType ?? "application/json")
            http.body = .bytes(ByteBuffer(bytes: body))
        }
        return http
    }

    /// Sends a request and decodes the JSON answer.
    func performJSON(_ request: KubeRequest) async throws -> JSONValue {
        let body = try await perform(request)
        return try JSONValue(json: body)
    }
}

extension TimeAmount {
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}

/// Writes propagation headers (`traceparent`, `tracestate`) into a request.
struct HTTPHeadersInjector: Injector {
    func inject(_ value: String, forKey key: String, into carrier: inout HTTPHeaders) {
        carrier.replaceOrAdd(name: key, value: value)
    }
}

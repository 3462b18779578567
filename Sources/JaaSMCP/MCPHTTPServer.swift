import Foundation
import HTTPTypes
import Hummingbird
import JaaSRenderer
import Logging
import MCP
import NIOCore

/// MCP's streamable HTTP transport at `/mcp` (`--enable-mcp`, `--mcp-bind-address`),
/// stateless: each POSTed JSON-RPC message gets a fresh MCP server and its answer as
/// one JSON body, with no session to keep, so a client cannot make the server hold
/// state. GET (a server-to-client stream) and DELETE (ending a session) are
/// answered 405 as the transport allows for servers without sessions.
///
/// With an ``authenticator`` (`--mcp-authentication=kubernetes`, the default) each
/// POST must carry `Authorization: Bearer <token>`; one without, or with a token the
/// authenticator rejects, is answered 401 with `WWW-Authenticate: Bearer` and a small
/// JSON body before its body is read or any MCP handling starts, and the tools act
/// as the token's user.
public struct MCPHTTPServer: Sendable {
    /// The toolbox.
    public let toolbox: MCPToolbox
    /// The host.
    public let host: String
    /// The port.
    public let port: Int
    /// Checks each request's bearer token; nil: no authentication (`--mcp-authentication=none`).
    public let authenticator: (any MCPAuthenticator)?
    /// Longest a request may take before its MCP server is stopped and it is answered 500.
    public let requestDeadline: Duration
    /// Handlers added to each connection's pipeline, such as read and write deadlines.
    public let channelHandlers: @Sendable () -> [any RemovableChannelHandler]

    /// The endpoint path.
    public static let path = "/mcp"
    /// Largest request body accepted; larger ones are answered 413.
    public static let maxBodyBytes = 4 << 20

    /// A server for `toolbox` on `host:port`, checking tokens with `authenticator` (nil: none).
    public init(toolbox: MCPToolbox, host: String, port: Int, requestDeadline: Duration,
                authenticator: (any MCPAuthenticator)?,
                channelHandlers: @escaping @Sendable () -> [any RemovableChannelHandler] = { [] }) {
        self.toolbox = toolbox
        self.authenticator = authenticator
        self.host = host
        self.port = port
        self.requestDeadline = requestDeadline
        self.channelHandlers = channelHandlers
    }

    /// The routes, for embedding or testing.
    public func router(logger: Logger) -> Router<BasicRequestContext> {
        let router = Router()
        let server = self
        router.post(RouterPath(Self.path)) { request, _ in try await server.answer(request, logger: logger) }
        for method in [HTTPTypes.HTTPRequest.Method.get, .delete, .put, .patch] {
            router.on(RouterPath(Self.path), method: method) { _, _ in
                Response(status: .methodNotAllowed, headers: [.allow: "POST", .contentType: "application/json"],
                         body: ResponseBody(byteBuffer: ByteBuffer(string: #"{"jsonrpc":"2.0","error":{"code":-32000,"message":"Method Not Allowed: this server keeps no sessions; POST JSON-RPC messages"},"id":null}"#)))
            }
        }
        return router
    }

    /// Serves until cancelled; `onRunning` receives the bound port.
    public func run(logger: Logger, onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        try await serveHTTP1(router: router(logger: logger), host: host, port: port, channelHandlers: channelHandlers,
                             logger: logger, onRunning: onRunning)
    }

    /// The caller of `request`, or the 401 (or 503) answer refusing it.
    func caller(of request: Request, logger: Logger) async -> Result<MCPCaller, Refusal> {
        guard let authenticator else { return .success(.anonymous) }
        guard let header = request.headers[.authorization] else {
            return .failure(.unauthorized("missing bearer token: send Authorization: Bearer <token> (e.g. kubectl create token)"))
        }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            return .failure(.unauthorized("the Authorization header is not a bearer token"))
        }
        let token = parts[1].trimmingCharacters(in: .whitespaces)
        guard !token.isEmpty else { return .failure(.unauthorized("empty bearer token")) }
        switch await authenticator.authenticate(token) {
        case .authenticated(let user):
            return .success(MCPCaller(user: user))
        case .rejected(let why):
            logger.info("MCP request with an invalid token refused", metadata: ["reason": "\(why)"])
            return .failure(.invalidToken)
        case .unavailable(let why):
            logger.warning("MCP request refused: its token could not be checked", metadata: ["reason": "\(why)"])
            return .failure(.unavailable)
        }
    }

    /// Why a request is refused before MCP handling.
    enum Refusal: Error, Equatable {
        /// No usable `Authorization` header.
        case unauthorized(String)
        /// The token was reviewed and is not valid.
        case invalidToken
        /// The token could not be checked now.
        case unavailable

        var response: Response {
            let (status, error, message): (HTTPTypes.HTTPResponse.Status, String, String)
            var fields: HTTPFields = [.contentType: "application/json"]
            switch self {
            case .unauthorized(let why):
                (status, error, message) = (.unauthorized, "unauthorized", why)
                fields[.wwwAuthenticate] = #"Bearer realm="jaas-mcp""#
            case .invalidToken:
                (status, error, message) = (.unauthorized, "invalid_token", "the bearer token is not valid (TokenReview)")
                fields[.wwwAuthenticate] = #"Bearer realm="jaas-mcp", error="invalid_token""#
            case .unavailable:
                (status, error, message) = (.serviceUnavailable, "temporarily_unavailable", "the bearer token cannot be checked now; retry shortly")
                fields[.retryAfter] = "1"
            }
            let body: Value = ["error": .string(error), "message": .string(message)]
            let data = (try? JSONEncoder().encode(body)) ?? Data()
            return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
        }
    }

    private func answer(_ request: Request, logger: Logger) async throws -> Response {
        let caller: MCPCaller
        switch await self.caller(of: request, logger: logger) {
        case .success(let found): caller = found
        case .failure(let refusal): return refusal.response
        }
        let body = try await request.body.collect(upTo: Self.maxBodyBytes)
        var headers: [String: String] = [:]
        for field in request.headers {
            let name = field.name.canonicalName
            headers[name] = headers[name].map { $0 + ", " + field.value } ?? field.value
        }
        let message = MCP.HTTPRequest(method: "POST", headers: headers, body: Data(body.readableBytesView),
                                      path: request.uri.path)
        let server = await toolbox.makeServer(caller: caller)
        let transport = StatelessHTTPServerTransport(validationPipeline: StandardValidationPipeline(validators: [
            SameOriginValidator(), AcceptHeaderValidator(mode: .jsonOnly), ContentTypeValidator(), ProtocolVersionValidator(),
        ]), logger: logger)
        try await server.start(transport: transport)
        let deadline = requestDeadline
        let timer = Task {
            try await Task.sleep(for: deadline)
            logger.warning("MCP request ran past its deadline", metadata: ["deadline": "\(deadline)"])
            await server.stop()
        }
        let answer = await transport.handleRequest(message)
        timer.cancel()
        await server.stop()
        return Self.response(answer)
    }

    /// The Hummingbird response for the transport's answer.
    static func response(_ answer: MCP.HTTPResponse) -> Response {
        var fields = HTTPFields()
        for (name, value) in answer.headers {
            if let name = HTTPField.Name(name) { fields[name] = value }
        }
        let status = HTTPTypes.HTTPResponse.Status(code: answer.statusCode)
        if case .stream(let stream, _) = answer {
            return Response(status: status, headers: fields, body: ResponseBody { writer in
                for try await chunk in stream { try await writer.write(ByteBuffer(bytes: chunk)) }
                try await writer.finish(nil)
            })
        }
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: answer.bodyData ?? Data())))
    }
}

/// Refuses a request whose `Origin` (sent by browsers) is neither the server it
/// reached (`Host`) nor a loopback page, so a web page cannot drive the tools
/// through a visitor's browser (DNS rebinding). Clients that send no `Origin`
/// (every non-browser MCP client) pass.
struct SameOriginValidator: HTTPRequestValidator {
    func validate(_ request: MCP.HTTPRequest, context: HTTPValidationContext) -> MCP.HTTPResponse? {
        guard let origin = request.header("Origin") else { return nil }
        let authority = origin.split(separator: "/", omittingEmptySubsequences: true).dropFirst().first.map(String.init)
        let host = authority.map { Self.hostName($0) }
        if let authority, authority == request.header("Host") { return nil }
        if let host, ["localhost", "127.0.0.1", "[::1]"].contains(host) { return nil }
        return .error(statusCode: 403, .invalidRequest("Forbidden: Origin \(origin.prefix(100)) is not allowed"))
    }

    /// `host` of `host:port` (brackets kept for IPv6).
    static func hostName(_ authority: String) -> String {
        if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
            return String(authority[...close])
        }
        return String(authority.split(separator: ":", maxSplits: 1).first ?? "")
    }
}

import Foundation
import Kubernetes
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix

/// One request as the fake server received it.
struct RecordedRequest: Sendable {
    var method: String
    /// Path without query.
    var path: String
    /// Decoded query items (last value wins).
    var query: [String: String]
    var headers: HTTPHeaders
    var body: [UInt8]

    var json: JSONValue? { body.isEmpty ? nil : try? JSONValue(json: body) }
    func header(_ name: String) -> String? { headers.first(name: name) }
}

/// What the fake server answers: a status, headers, and body pieces written one by one
/// (with optional pauses between them, to exercise streaming).
struct ScriptedResponse: Sendable {
    enum Piece: Sendable {
        case bytes([UInt8])
        case pause(Duration)
    }

    var status: Int
    var headers: [(String, String)] = []
    var pieces: [Piece] = []
    /// Stream with chunked encoding instead of a Content-Length.
    var streaming = false
    /// Drop the connection after the pieces instead of ending the response.
    var abort = false

    static func json(_ value: JSONValue, status: Int = 200, headers: [(String, String)] = []) -> ScriptedResponse {
        ScriptedResponse(
            status: status, headers: headers + [("Content-Type", "application/json")],
            pieces: [.bytes(Array(try! value.jsonData()))])
    }

    static func status(
        _ code: Int, reason: String, message: String, details: JSONValue? = nil, headers: [(String, String)] = []
    ) -> ScriptedResponse {
        var status: JSONValue = [
            "kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Failure", "message": .string(message),
            "reason": .string(reason), "code": .int(Int64(code)),
        ]
        if let details { status["details"] = details }
        return json(status, status: code, headers: headers)
    }

    /// A watch response: each piece is raw text (lines of events, possibly split anywhere).
    static func watch(_ pieces: [Piece], abort: Bool = false) -> ScriptedResponse {
        ScriptedResponse(
            status: 200, headers: [("Content-Type", "application/json")], pieces: pieces, streaming: true, abort: abort)
    }
}

/// Encodes one watch event line.
func eventLine(_ type: String, _ object: JSONValue) -> String {
    let event: JSONValue = ["type": .string(type), "object": object]
    return (try! event.jsonString()) + "\n"
}

/// A ConfigMap-like object for tests.
func testObject(_ name: String, namespace: String = "ns", rv: String, data: JSONValue = [:]) -> JSONValue {
    [
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": ["name": .string(name), "namespace": .string(namespace), "resourceVersion": .string(rv)],
        "data": data,
    ]
}

/// A tiny HTTP/1.1 server on 127.0.0.1 that records requests and answers from a script.
final class FakeAPIServer: Sendable {
    typealias Handler = @Sendable (RecordedRequest) async -> ScriptedResponse

    let port: Int
    private let recorded = NIOLockedValueBox<[RecordedRequest]>([])
    private let serverChannel: NIOAsyncChannel<NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>, Never>
    private let acceptTask = NIOLockedValueBox<Task<Void, Never>?>(nil)

    var url: String { "http://127.0.0.1:\(port)" }
    var requests: [RecordedRequest] { recorded.withLockedValue { $0 } }

    private init(channel: NIOAsyncChannel<NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>, Never>) {
        serverChannel = channel
        port = channel.channel.localAddress?.port ?? 0
    }

    static func start(_ handler: @escaping Handler) async throws -> FakeAPIServer {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: "127.0.0.1", port: 0) { child in
                child.eventLoop.makeCompletedFuture {
                    try child.pipeline.syncOperations.configureHTTPServerPipeline()
                    return try NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>(
                        wrappingChannelSynchronously: child)
                }
            }
        let server = FakeAPIServer(channel: channel)
        let task = Task {
            _ = try? await withThrowingDiscardingTaskGroup { group in
                try await channel.executeThenClose { connections in
                    for try await connection in connections {
                        group.addTask { await server.serve(connection, handler) }
                    }
                }
            }
        }
        server.acceptTask.withLockedValue { $0 = task }
        return server
    }

    func stop() async {
        try? await serverChannel.channel.close()
        acceptTask.withLockedValue { $0 }?.cancel()
    }

    private func serve(_ connection: NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>, _ handler: Handler) async {
        try? await connection.executeThenClose { inbound, outbound in
            var head: HTTPRequestHead?
            var body: [UInt8] = []
            for try await part in inbound {
                switch part {
                case .head(let h):
                    head = h
                    body = []
                case .body(let buffer):
                    body.append(contentsOf: buffer.readableBytesView)
                case .end:
                    guard let head else { continue }
                    let request = Self.record(head, body)
                    recorded.withLockedValue { $0.append(request) }
                    let response = await handler(request)
                    var headers = HTTPHeaders(response.headers)
                    if !response.streaming {
                        let length = response.pieces.reduce(0) { n, p in if case .bytes(let b) = p { n + b.count } else { n } }
                        headers.replaceOrAdd(name: "Content-Length", value: String(length))
                    }
                    try await outbound.write(
                        .head(HTTPResponseHead(version: .http1_1, status: .init(statusCode: response.status), headers: headers)))
                    for piece in response.pieces {
                        switch piece {
                        case .bytes(let bytes): try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: bytes))))
                        case .pause(let duration): try await Task.sleep(for: duration)
                        }
                    }
                    if response.abort { return }
                    try await outbound.write(.end(nil))
                }
            }
        }
    }

    private static func record(_ head: HTTPRequestHead, _ body: [UInt8]) -> RecordedRequest {
        let components = URLComponents(string: head.uri)
        var query: [String: String] = [:]
        for item in components?.queryItems ?? [] { query[item.name] = item.value ?? "" }
        return RecordedRequest(
            method: head.method.rawValue, path: components?.percentEncodedPath ?? head.uri, query: query,
            headers: head.headers, body: body)
    }
}

/// Runs `body` with a fake server and a client for it (fast retries), then tears both down.
func withFakeServer(
    retryPolicy: RetryPolicy = RetryPolicy(maxAttempts: 4, initialBackoff: .milliseconds(10), maxBackoff: .milliseconds(50)),
    _ handler: @escaping FakeAPIServer.Handler,
    body: (FakeAPIServer, KubeClient) async throws -> Void
) async throws {
    let server = try await FakeAPIServer.start(handler)
    let client = try KubeClient(
        config: KubeConfig(server: server.url, authentication: .bearerToken("operator-token")), retryPolicy: retryPolicy,
        requestTimeout: .seconds(5))
    do {
        try await body(server, client)
    } catch {
        try? await client.shutdown()
        await server.stop()
        throw error
    }
    try await client.shutdown()
    await server.stop()
}

/// A thread-safe counter/recorder for handlers.
final class Box<Value: Sendable>: Sendable {
    private let value: NIOLockedValueBox<Value>
    init(_ initial: Value) { value = NIOLockedValueBox(initial) }
    func get() -> Value { value.withLockedValue { $0 } }
    @discardableResult
    func update<R: Sendable>(_ body: @Sendable (inout Value) -> R) -> R { value.withLockedValue(body) }
}

extension ScriptedResponse.Piece {
    static func text(_ string: String) -> Self { .bytes(Array(string.utf8)) }
}

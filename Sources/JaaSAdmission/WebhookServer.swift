import Foundation
import Hummingbird
import HummingbirdCore
import JaaSOperatorAPI
import JaaSRenderer
import Kubernetes
import Logging
import NIOCore
import NIOSSL
import NIOTLS
import Synchronization

/// The validating admission webhook's HTTPS server (docs/operator/webhook.md): POST AdmissionReviews
/// to `SnippetAdmission.path`; TLS from a `ServingCertificate`, so a renewed
/// certificate is used without a restart.
///
/// Any pod that can reach the Service can connect, so the server bounds what a
/// client can hold (see ``Limits``): a connection count, a TLS handshake deadline,
/// read and write deadlines, a body size, and a fixed number of reviews at once.
public struct WebhookServer: Sendable {
    /// The largest AdmissionReview accepted (the apiserver's own request limit is 3 MiB).
    public static let maxBodyBytes = 3 << 20

    /// What one client can hold of the server.
    public struct Limits: Sendable, Equatable {
        /// Connections open at once; a connection accepted beyond it is closed at once.
        public var maxConnections = 1024
        /// How long a client has to complete the TLS handshake.
        public var handshakeTimeout: Duration = .seconds(5)
        /// How long a client has to send a whole request (headers and body), from the
        /// connection's start or the end of the previous response, so it is also the
        /// keep-alive idle timeout (nil = none).
        public var readTimeout: Duration? = .seconds(10)
        /// How long a response may take, from the end of its request (nil = none).
        public var writeTimeout: Duration? = .seconds(10)
        /// Reviews evaluated at once; more wait their turn.
        public var maxConcurrentReviews = 4

        /// The defaults: 1024 connections, 5 s handshake, 10 s read and write, 4 reviews.
        public init() {}
    }

    /// The admission.
    public let admission: SnippetAdmission
    /// The certificate.
    public let certificate: ServingCertificate
    /// The host.
    public let host: String
    /// The port.
    public let port: Int
    /// The limits.
    public let limits: Limits
    private let reviews: ReviewSlots
    private let connections: ConnectionCount

    /// Creates one from the given values.
    public init(admission: SnippetAdmission, certificate: ServingCertificate, host: String = "0.0.0.0", port: Int = 9443,
                limits: Limits = Limits()) {
        self.admission = admission
        self.certificate = certificate
        self.host = host
        self.port = port
        self.limits = limits
        self.reviews = ReviewSlots(width: limits.maxConcurrentReviews)
        self.connections = ConnectionCount(limit: limits.maxConnections)
    }

    /// Connections open right now (those being refused over the limit included until they close).
    public var openConnections: Int { connections.current }

    /// The routes, for embedding or testing.
    public func router(logger: Logger) -> Router<BasicRequestContext> {
        let router = Router()
        let admission = self.admission
        let reviews = self.reviews
        router.post(RouterPath(SnippetAdmission.path)) { request, _ -> Response in
            var request = request
            let body: ByteBuffer
            do {
                body = try await request.collectBody(upTo: Self.maxBodyBytes)
            } catch {
                return Self.text(.contentTooLarge, "request body over \(Self.maxBodyBytes) bytes\n")
            }
            do {
                let first = try await reviews.run { () throws(SnippetAdmission.MalformedReview) in
                    try admission.answer(body.readableBytesView)
                }.get()
                let review = await admission.answer(body.readableBytesView, checkingCyclesAfter: first)
                if review[path: "response", "allowed"]?.boolValue == false {
                    logger.info("admission refused", metadata: [
                        "message": "\(review[path: "response", "status", "message"]?.stringValue ?? "")"])
                }
                return Response(status: .ok, headers: [.contentType: "application/json"],
                                body: ResponseBody(byteBuffer: ByteBuffer(bytes: try review.jsonData())))
            } catch let error as SnippetAdmission.MalformedReview {
                return Self.text(.badRequest, "\(error.description)\n")
            }
        }
        return router
    }

    private static func text(_ status: HTTPResponse.Status, _ message: String) -> Response {
        Response(status: status, headers: [.contentType: "text/plain"], body: ResponseBody(byteBuffer: ByteBuffer(string: message)))
    }

    /// Serves until cancelled; the certificate must have been loaded. `onRunning` receives the bound port.
    public func run(logger: Logger, onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let certificate = self.certificate
        let port = self.port
        let (limits, connections) = (self.limits, self.connections)
        let server = HTTPServerBuilder { responder in
            let http = HTTP1Channel(responder: responder, configuration: .init(additionalChannelHandlers: [
                ConnectionDeadlineHandler(readTimeout: limits.readTimeout, writeTimeout: limits.writeTimeout),
            ]))
            return GuardedTLSChannel(base: http, certificate: certificate, connections: connections,
                                     handshakeTimeout: limits.handshakeTimeout)
        }
        let app = Application(
            router: router(logger: logger), server: server,
            configuration: ApplicationConfiguration(address: .hostname(host, port: port)),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) },
            logger: logger)
        try await app.run()
    }
}

/// At most `width` reviews at once, each on a thread of its own: parsing inline
/// Jsonnet waits for a large-stack thread, which must not hold one of the few
/// threads of Swift's cooperative pool. Further reviews wait, first come first served,
/// so however many clients send reviews, at most `width` threads work on them.
final class ReviewSlots: Sendable {
    private struct State {
        var free: Int
        var waiting: [CheckedContinuation<Void, Never>] = []
        var next = 0
        var running = 0
        var peak = 0
    }

    private let state: Mutex<State>

    /// `width` slots (at least 1).
    init(width: Int) {
        state = Mutex(State(free: max(1, width)))
    }

    /// The most reviews that ran at once so far.
    var peak: Int { state.withLock { $0.peak } }

    /// Runs `body` on a thread of its own once a slot is free.
    func run<Failure: Error>(_ body: @escaping @Sendable () throws(Failure) -> JSONValue) async -> Result<JSONValue, Failure> {
        await acquire()
        defer { release() }
        return await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: Result(catching: body)) }.start()
        }
    }

    private func acquire() async {
        let granted = state.withLock { state -> Bool in
            guard state.free > 0 else { return false }
            state.free -= 1
            state.running += 1
            state.peak = max(state.peak, state.running)
            return true
        }
        if granted { return }
        await withCheckedContinuation { continuation in
            let now = state.withLock { state -> Bool in
                // A slot may have been freed between the two locks.
                if state.free > 0 {
                    state.free -= 1
                    state.running += 1
                    state.peak = max(state.peak, state.running)
                    return true
                }
                state.waiting.append(continuation)
                return false
            }
            if now { continuation.resume() }
        }
    }

    private func release() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if state.next < state.waiting.count {
                // The slot passes straight to the first waiter: running stays the same.
                let first = state.waiting[state.next]
                state.next += 1
                if state.next == state.waiting.count {
                    state.waiting.removeAll(keepingCapacity: true)
                    state.next = 0
                }
                return first
            }
            state.free += 1
            state.running -= 1
            return nil
        }
        next?.resume()
    }
}

/// Counts the server's open connections against a limit.
final class ConnectionCount: Sendable {
    let limit: Int
    private let count = Atomic<Int>(0)

    init(limit: Int) {
        self.limit = max(1, limit)
    }

    var current: Int { count.load(ordering: .relaxed) }

    /// Counts `channel` until it closes; false when it is over the limit (it is counted all the same).
    func open(_ channel: any Channel) -> Bool {
        let now = count.wrappingAdd(1, ordering: .relaxed).newValue
        channel.closeFuture.whenComplete { [self] _ in count.wrappingSubtract(1, ordering: .relaxed) }
        return now <= limit
    }
}

/// Closes its connection as soon as it is active: a connection over the limit, or one
/// accepted before any certificate is loaded. (Failing the channel's set-up instead
/// would end the server's accept loop.)
final class CloseOnActive: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { context.close(promise: nil) }
    }

    func channelActive(context: ChannelHandlerContext) {
        context.close(promise: nil)
    }
}

/// Closes a connection whose TLS handshake is not complete `timeout` after it started.
final class HandshakeDeadline: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny
    typealias InboundOut = NIOAny

    private let timeout: TimeAmount
    private var deadline: Scheduled<Void>?
    private var done = false

    init(timeout: Duration) {
        self.timeout = timeAmount(timeout)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { arm(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        arm(context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        disarm()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        disarm()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let tls = event as? TLSUserEvent, case .handshakeCompleted = tls {
            done = true
            disarm()
        }
        context.fireUserInboundEventTriggered(event)
    }

    private func arm(_ context: ChannelHandlerContext) {
        guard !done, deadline == nil else { return }
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        deadline = context.eventLoop.scheduleTask(in: timeout) { loopBound.value.close(promise: nil) }
    }

    private func disarm() {
        deadline?.cancel()
        deadline = nil
    }
}

/// `duration` as a NIO time amount, saturating at about 292 years.
func timeAmount(_ duration: Duration) -> TimeAmount {
    let (seconds, attoseconds) = duration.components
    guard seconds < Int64.max / 1_000_000_000 else { return .nanoseconds(.max) }
    guard seconds >= 0 else { return .zero }
    return .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
}

/// Counts each new connection (closing it at once over the limit), then adds TLS with
/// the certificate's current context and the handshake deadline in front of it.
struct GuardedTLSChannel<Base: ServerChildChannel>: ServerChildChannel {
    typealias Value = Base.Value
    let base: Base
    let certificate: ServingCertificate
    let connections: ConnectionCount
    let handshakeTimeout: Duration

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let admitted = connections.open(channel)
        return channel.eventLoop.makeCompletedFuture {
            let pipeline = channel.pipeline.syncOperations
            guard admitted, let context = certificate.context else {
                if admitted { logger.warning("webhook connection refused: no certificate loaded yet") }
                try pipeline.addHandler(CloseOnActive())
                return
            }
            try pipeline.addHandler(NIOSSLServerHandler(context: context))
            try pipeline.addHandler(HandshakeDeadline(timeout: handshakeTimeout))
        }.flatMap {
            base.setup(channel: channel, logger: logger)
        }
    }

    func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}

extension GuardedTLSChannel: HTTPChannelHandler where Base: HTTPChannelHandler {
    var responder: HTTPChannelHandler.Responder { base.responder }
}

import Foundation
import Hummingbird
import HummingbirdCore
import Kubernetes
import Logging
import NIOCore
import NIOSSL

/// The validating admission webhook's HTTPS server (SPEC §9): POST AdmissionReviews
/// to `SnippetAdmission.path`; TLS from a `ServingCertificate`, so a renewed
/// certificate is used without a restart.
public struct WebhookServer: Sendable {
    /// The largest AdmissionReview accepted (the apiserver's own request limit is 3 MiB).
    public static let maxBodyBytes = 3 << 20

    public let admission: SnippetAdmission
    public let certificate: ServingCertificate
    public let host: String
    public let port: Int

    public init(admission: SnippetAdmission, certificate: ServingCertificate, host: String = "0.0.0.0", port: Int = 9443) {
        self.admission = admission
        self.certificate = certificate
        self.host = host
        self.port = port
    }

    /// The routes, for embedding or testing.
    public func router(logger: Logger) -> Router<BasicRequestContext> {
        let router = Router()
        let admission = self.admission
        router.post(RouterPath(SnippetAdmission.path)) { request, _ -> Response in
            var request = request
            let body: ByteBuffer
            do {
                body = try await request.collectBody(upTo: Self.maxBodyBytes)
            } catch {
                return Self.text(.contentTooLarge, "request body over \(Self.maxBodyBytes) bytes\n")
            }
            do {
                let review = try await Self.offThePool { () throws(SnippetAdmission.MalformedReview) in
                    try admission.answer(body.readableBytesView)
                }.get()
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

    /// Runs `body` on a thread of its own: parsing inline Jsonnet waits for a large-stack
    /// thread, which must not hold one of the few threads of Swift's cooperative pool.
    private static func offThePool(_ body: @escaping @Sendable () throws(SnippetAdmission.MalformedReview) -> JSONValue)
        async -> Result<JSONValue, SnippetAdmission.MalformedReview> {
        await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: Result(catching: body)) }.start()
        }
    }

    private static func text(_ status: HTTPResponse.Status, _ message: String) -> Response {
        Response(status: status, headers: [.contentType: "text/plain"], body: ResponseBody(byteBuffer: ByteBuffer(string: message)))
    }

    /// Serves until cancelled; the certificate must have been loaded. `onRunning` receives the bound port.
    public func run(logger: Logger, onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let certificate = self.certificate
        let port = self.port
        let server = HTTPServerBuilder { responder in
            ReloadingTLSChannel(base: HTTP1Channel(responder: responder), certificate: certificate)
        }
        let app = Application(
            router: router(logger: logger), server: server,
            configuration: ApplicationConfiguration(address: .hostname(host, port: port)),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) },
            logger: logger)
        try await app.run()
    }
}

/// Adds TLS with the certificate's current context in front of each new connection.
struct ReloadingTLSChannel<Base: ServerChildChannel>: ServerChildChannel {
    typealias Value = Base.Value
    let base: Base
    let certificate: ServingCertificate

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            guard let context = certificate.context else {
                throw ServingCertificate.LoadError(description: "no webhook certificate loaded yet")
            }
            try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context))
        }.flatMap {
            base.setup(channel: channel, logger: logger)
        }
    }

    func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}

extension ReloadingTLSChannel: HTTPChannelHandler where Base: HTTPChannelHandler {
    var responder: HTTPChannelHandler.Responder { base.responder }
}

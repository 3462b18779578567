import Hummingbird
import JaaSArtifacts
import Logging
import NIOCore

/// Serves stored artifacts over HTTP at `/<namespace>/<name>/<hex>.tar.gz`
/// (`--storage-listen-address:--storage-port`), the URLs the ExternalArtifacts name.
public struct StorageServer: Sendable {
    public let storage: LocalStorage
    public let host: String
    public let port: Int
    /// Handlers added to each connection's pipeline, such as read and write deadlines.
    public let channelHandlers: @Sendable () -> [any RemovableChannelHandler]

    public init(storage: LocalStorage, host: String = "0.0.0.0", port: Int = 8082,
                channelHandlers: @escaping @Sendable () -> [any RemovableChannelHandler] = { [] }) {
        self.storage = storage
        self.host = host
        self.port = port
        self.channelHandlers = channelHandlers
    }

    /// The routes, for embedding or testing.
    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        let storage = self.storage
        router.get("**") { request, _ -> Response in
            let key = String(request.uri.path.drop { $0 == "/" })
            guard key.hasSuffix(".tar.gz"), key.split(separator: "/").count == 3,
                  let bytes = try? storage.get(key) else {
                return Response(status: .notFound, headers: [.contentType: "text/plain"],
                                body: ResponseBody(byteBuffer: ByteBuffer(string: "artifact not found\n")))
            }
            return Response(status: .ok, headers: [.contentType: "application/gzip", .contentLength: "\(bytes.count)"],
                            body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
        }
        return router
    }

    /// Serves until cancelled; `onRunning` receives the bound port.
    public func run(logger: Logger = Logger(label: "jaas.storage"), onRunning: @escaping @Sendable (Int) async -> Void = { _ in })
        async throws {
        let port = self.port
        let app = Application(
            router: router(),
            server: .http1(configuration: .init(additionalChannelHandlers: channelHandlers())),
            configuration: ApplicationConfiguration(address: .hostname(host, port: port)),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) },
            logger: logger)
        try await app.run()
    }
}

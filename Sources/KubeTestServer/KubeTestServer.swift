import Kubernetes
import Foundation
import Hummingbird
import Logging

/// An in-process Kubernetes API server for tests: plain HTTP on 127.0.0.1, real
/// Kubernetes-shaped JSON, resourceVersions, watches, status subresources, finalizers,
/// CRDs with structural schemas, TokenRequest and RBAC.
///
/// ```swift
/// let server = try await KubeTestServer.start()
/// defer { Task { await server.stop() } }
/// try server.writeKubeconfig(to: "/tmp/kubeconfig")
/// ```
public final class KubeTestServer: Sendable {
    /// How to run the server.
    public struct Configuration: Sendable {
        /// Address to bind; loopback by default.
        public var host: String
        /// Port to bind; `0` picks a free one.
        public var port: Int
        /// Bearer token with full access; random when `nil`.
        public var adminToken: String?
        /// How many watch events are retained for resuming watches; older ones get 410 Gone.
        public var watchHistoryLimit: Int
        /// How often watches that allow bookmarks receive a BOOKMARK event.
        public var bookmarkInterval: Duration
        /// Treat requests without an `Authorization` header as the admin, like the old
        /// kube-apiserver insecure port. kubectl (client-go) never sends credentials over
        /// plain HTTP, so kubectl needs this; a request that carries a token is always
        /// authenticated by it (an unknown token is 401).
        public var anonymousIsAdmin: Bool
        /// Called with the message of every request RBAC denies (who, verb, resource, scope).
        public var onDenied: (@Sendable (String) -> Void)?
        /// Where validating webhooks named by `clientConfig.service` are reached:
        /// `namespace/name` → `host:port` (tests run no Services).
        public var webhookServiceAddresses: [String: String] = [:]

        /// Creates a configuration; the defaults suit tests.
        public init(host: String = "127.0.0.1", port: Int = 0, adminToken: String? = nil, watchHistoryLimit: Int = 10_000,
                    bookmarkInterval: Duration = .seconds(1), anonymousIsAdmin: Bool = false,
                    onDenied: (@Sendable (String) -> Void)? = nil) {
            self.onDenied = onDenied
            self.host = host
            self.port = port
            self.adminToken = adminToken
            self.watchHistoryLimit = watchHistoryLimit
            self.bookmarkInterval = bookmarkInterval
            self.anonymousIsAdmin = anonymousIsAdmin
        }
    }

    /// The bound port.
    public let port: Int
    /// The host the server listens on.
    public let host: String
    /// The bearer token with full access (`system:masters`).
    public let adminToken: String
    let cluster: Cluster
    private let task: Task<Void, Never>

    /// `http://host:port`.
    public var baseURL: String { "http://\(host):\(port)" }

    private init(host: String, port: Int, adminToken: String, cluster: Cluster, task: Task<Void, Never>) {
        self.host = host
        self.port = port
        self.adminToken = adminToken
        self.cluster = cluster
        self.task = task
    }

    /// Starts a server and returns once it accepts connections.
    public static func start(_ configuration: Configuration = Configuration()) async throws -> KubeTestServer {
        let token = configuration.adminToken ?? (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
        let cluster = Cluster(adminToken: token, watchHistoryLimit: configuration.watchHistoryLimit,
                              anonymousIsAdmin: configuration.anonymousIsAdmin)
        await cluster.seed()
        let admission = ValidatingAdmission(serviceAddresses: configuration.webhookServiceAddresses, client: .shared)
        let handler = APIHandler(cluster: cluster, settings: ServerSettings(bookmarkInterval: configuration.bookmarkInterval,
                                                                                  onDenied: configuration.onDenied,
                                                                                  admission: admission))
        let (ports, continuation) = AsyncStream.makeStream(of: Result<Int, any Error>.self)
        var logger = Logger(label: "kube-test-server")
        logger.logLevel = .critical
        let app = Application(
            responder: handler,
            configuration: ApplicationConfiguration(address: .hostname(configuration.host, port: configuration.port)),
            onServerRunning: { channel in continuation.yield(.success(channel.localAddress?.port ?? configuration.port)) },
            logger: logger)
        let task = Task {
            do {
                try await app.run()
            } catch {
                continuation.yield(.failure(error))
            }
            continuation.finish()
        }
        for await result in ports {
            let port = try result.get()
            return KubeTestServer(host: configuration.host, port: port, adminToken: token, cluster: cluster, task: task)
        }
        throw CancellationError()
    }

    /// Closes open watches and stops serving.
    public func stop() async {
        await cluster.closeAllWatches()
        task.cancel()
        await task.value
    }

    // MARK: kubeconfig

    /// An admin kubeconfig pointing at this server. (kubectl drops the token over plain
    /// HTTP; start the server with `anonymousIsAdmin` for kubectl.)
    public func kubeconfig() -> String {
        """
        apiVersion: v1
        kind: Config
        clusters:
        - name: kube-test-server
          cluster:
            server: \(baseURL)
        users:
        - name: admin
          user:
            token: \(adminToken)
        contexts:
        - name: kube-test-server
          context:
            cluster: kube-test-server
            user: admin
            namespace: default
        current-context: kube-test-server

        """
    }

    /// Writes ``kubeconfig()`` to a file.
    public func writeKubeconfig(to path: String) throws {
        try kubeconfig().write(toFile: path, atomically: true, encoding: .utf8)
    }

    // MARK: test hooks

    /// Makes every watch of `resource` (in `group`) that resumes from an older
    /// resourceVersion fail with 410 Gone, and closes its open watches.
    public func expireWatchHistory(group: String, resource: String) async {
        await cluster.expireHistory(storageKey: "\(group)/\(resource)")
    }

    /// Changes how many watch events are retained (`0` keeps none: every resume from an
    /// older resourceVersion gets 410 Gone).
    public func setWatchHistoryLimit(_ limit: Int) async {
        await cluster.setWatchHistoryLimit(limit)
    }

    /// Queues a failure for the next matching request(s).
    public func injectFault(_ fault: InjectedFault) async {
        await cluster.addFault(fault)
    }

    /// Drops all queued faults.
    public func clearFaults() async {
        await cluster.clearFaults()
    }

    /// Ends every open watch stream (clients see the stream close and must re-watch).
    public func closeAllWatches() async {
        await cluster.closeAllWatches()
    }

    /// The number of watch streams currently open.
    public func openWatchCount() async -> Int {
        await cluster.openWatchCount
    }

    /// The current global resourceVersion.
    public func currentResourceVersion() async -> Int {
        await cluster.resourceVersion
    }

    /// Mints a ServiceAccount token as TokenRequest would (the ServiceAccount must exist).
    public func mintToken(namespace: String, serviceAccount: String, expirationSeconds: Int = 3600) async throws -> String {
        let response = try await cluster.requestToken(namespace: namespace, serviceAccount: serviceAccount,
                                                      body: ["spec": ["expirationSeconds": .int(Int64(expirationSeconds))]])
        return response[path: ["status", "token"]]?.stringValue ?? ""
    }

    /// Creates an object directly (as the admin, bypassing HTTP), finding its resource by
    /// `apiVersion` and `kind`. A `status` in the object is written through the status
    /// subresource afterwards, so fixtures such as a Flux source with a ready artifact can
    /// be seeded in one call. Returns the stored object.
    @discardableResult
    public func create(_ object: JSONValue) async throws -> JSONValue {
        let apiVersion = object["apiVersion"]?.stringValue ?? ""
        let kind = object["kind"]?.stringValue ?? ""
        guard let type = await cluster.allTypes().first(where: { $0.apiVersion == apiVersion && $0.kind == kind }) else {
            throw APIError.badRequest("no resource serves \(kind) in \(apiVersion)")
        }
        let namespace = type.namespaced ? (object[path: ["metadata", "namespace"]]?.stringValue ?? "default") : nil
        var created = try await cluster.create(type, namespace: namespace, body: object, options: .init()).object
        if type.hasStatus, let status = object["status"] {
            created["status"] = status
            created = try await cluster.update(type, namespace: namespace, name: created[path: ["metadata", "name"]]?.stringValue ?? "",
                                               body: created, subresource: "status", options: .init()).object
        }
        return created
    }

    /// Reads a stored object directly, bypassing HTTP; `nil` when absent.
    public func object(group: String, resource: String, namespace: String?, name: String) async -> JSONValue? {
        guard let type = await cluster.type(group: group, plural: resource) else { return nil }
        return try? await cluster.get(type, namespace: namespace, name: name)
    }
}

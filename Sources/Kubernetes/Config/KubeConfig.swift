import Foundation

/// Where and how to reach an API server: the resolved form of a kubeconfig context or
/// of in-cluster service-account credentials.
public struct KubeConfig: Sendable, Hashable {
    /// The server's base URL, e.g. `https://10.0.0.1:443` or `http://127.0.0.1:8080`
    /// (no trailing slash; a path prefix is kept).
    public var server: String
    /// The default namespace: the context's, the pod's, or `default`.
    public var namespace: String
    /// PEM bytes of the CA bundle that signs the server's certificate; `nil` uses the system trust store.
    public var certificateAuthority: [UInt8]?
    /// Skip server certificate verification (`insecure-skip-tls-verify`).
    public var insecureSkipTLSVerify: Bool
    /// How requests authenticate.
    public var authentication: Authentication
    /// A TLS client certificate and key (PEM), when the user authenticates with one.
    public var clientCertificate: ClientCertificate?

    /// Request authentication.
    public enum Authentication: Sendable, Hashable {
        /// No credentials (e.g. a local test server).
        case none
        /// A fixed bearer token.
        case bearerToken(String)
        /// A bearer token re-read from a file (projected service-account tokens rotate).
        case tokenFile(String)
        /// HTTP basic authentication.
        case basic(username: String, password: String)
    }

    /// A client certificate chain and its private key, both PEM.
    public struct ClientCertificate: Sendable, Hashable {
        /// The certificate chain (PEM).
        public var certificate: [UInt8]
        /// The private key (PEM).
        public var key: [UInt8]

        /// A certificate and key from PEM bytes.
        public init(certificate: [UInt8], key: [UInt8]) {
            self.certificate = certificate
            self.key = key
        }
    }

    /// A configuration from its parts.
    public init(
        server: String, namespace: String = "default", certificateAuthority: [UInt8]? = nil,
        insecureSkipTLSVerify: Bool = false, authentication: Authentication = .none,
        clientCertificate: ClientCertificate? = nil
    ) {
        var server = server
        while server.hasSuffix("/") { server.removeLast() }
        self.server = server
        self.namespace = namespace
        self.certificateAuthority = certificateAuthority
        self.insecureSkipTLSVerify = insecureSkipTLSVerify
        self.authentication = authentication
        self.clientCertificate = clientCertificate
    }
}

/// Why a configuration could not be loaded.
public struct KubeConfigError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, naming the file or field.
    public var message: String

    /// An error with a message.
    public init(_ message: String) { self.message = message }

    /// The message.
    public var description: String { message }
}

extension KubeConfig {
    /// Resolves the configuration the way the operator's `--kubeconfig` flag documents:
    /// the explicit path if given, else the `KUBECONFIG` environment variable (a
    /// `:`-separated list of files, merged first-wins), else in-cluster credentials.
    public static func load(
        kubeconfigPath: String? = nil, context: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        serviceAccountDirectory: String = InCluster.serviceAccountDirectory
    ) throws -> KubeConfig {
        if let kubeconfigPath, !kubeconfigPath.isEmpty {
            return try fromKubeconfigFiles([kubeconfigPath], context: context)
        }
        if let list = environment["KUBECONFIG"], !list.isEmpty {
            let paths = list.split(separator: ":").map(String.init).filter { !$0.isEmpty }
            return try fromKubeconfigFiles(paths, context: context)
        }
        return try inCluster(environment: environment, serviceAccountDirectory: serviceAccountDirectory)
    }
}

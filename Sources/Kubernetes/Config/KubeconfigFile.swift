import Foundation
import Yams

/// The parts of a kubeconfig file (`kind: Config`) this client understands.
struct KubeconfigFile: Decodable {
    var clusters: [NamedCluster]?
    var users: [NamedUser]?
    var contexts: [NamedContext]?
    var currentContext: String?

    enum CodingKeys: String, CodingKey {
        case clusters, users, contexts
        case currentContext = "current-context"
    }

    struct NamedCluster: Decodable {
        var name: String
        var cluster: Cluster?
    }

    struct Cluster: Decodable {
        var server: String?
        var certificateAuthority: String?
        var certificateAuthorityData: String?
        var insecureSkipTLSVerify: Bool?

        enum CodingKeys: String, CodingKey {
            case server
            case certificateAuthority = "certificate-authority"
            case certificateAuthorityData = "certificate-authority-data"
            case insecureSkipTLSVerify = "insecure-skip-tls-verify"
        }
    }

    struct NamedUser: Decodable {
        var name: String
        var user: User?
    }

    struct User: Decodable {
        var token: String?
        var tokenFile: String?
        var clientCertificate: String?
        var clientCertificateData: String?
        var clientKey: String?
        var clientKeyData: String?
        var username: String?
        var password: String?
        var exec: Present?
        var authProvider: Present?

        enum CodingKeys: String, CodingKey {
            case token, tokenFile, username, password, exec
            case clientCertificate = "client-certificate"
            case clientCertificateData = "client-certificate-data"
            case clientKey = "client-key"
            case clientKeyData = "client-key-data"
            case authProvider = "auth-provider"
        }
    }

    /// Records only that a section exists.
    struct Present: Decodable {
        init(from decoder: any Decoder) throws {}
    }

    struct NamedContext: Decodable {
        var name: String
        var context: Context?
    }

    struct Context: Decodable {
        var cluster: String?
        var user: String?
        var namespace: String?
    }
}

extension KubeConfig {
    /// Loads kubeconfig files, merged the way kubectl merges `KUBECONFIG`: for each
    /// cluster, user and context name, and for `current-context`, the first file that
    /// sets it wins. Missing files in a list of several are skipped. Relative file
    /// references resolve against the directory of the file that made them.
    public static func fromKubeconfigFiles(_ paths: [String], context: String? = nil) throws -> KubeConfig {
        var merged = MergedKubeconfig()
        var loaded = 0
        for path in paths {
            guard let data = FileManager.default.contents(atPath: path) else {
                if paths.count == 1 { throw KubeConfigError("cannot read kubeconfig \(path)") }
                continue
            }
            let directory = (path as NSString).deletingLastPathComponent
            try merged.add(yaml: String(decoding: data, as: UTF8.self), directory: directory, origin: path)
            loaded += 1
        }
        guard loaded > 0 else { throw KubeConfigError("none of the kubeconfig files exist: \(paths.joined(separator: ":"))") }
        return try merged.resolve(context: context)
    }

    /// Parses kubeconfig YAML; relative file references resolve against `directory`.
    public static func fromKubeconfig(yaml: String, directory: String = ".", context: String? = nil) throws -> KubeConfig {
        var merged = MergedKubeconfig()
        try merged.add(yaml: yaml, directory: directory, origin: "kubeconfig")
        return try merged.resolve(context: context)
    }
}

/// Several kubeconfig files folded into one, each entry remembering its file's directory.
struct MergedKubeconfig {
    var clusters: [String: (KubeconfigFile.Cluster, String)] = [:]
    var users: [String: (KubeconfigFile.User, String)] = [:]
    var contexts: [String: KubeconfigFile.Context] = [:]
    var currentContext: String?

    mutating func add(yaml: String, directory: String, origin: String) throws {
        let file: KubeconfigFile
        do {
            file = try YAMLDecoder().decode(KubeconfigFile.self, from: yaml)
        } catch {
            throw KubeConfigError("invalid kubeconfig \(origin): \(error)")
        }
        for entry in file.clusters ?? [] where clusters[entry.name] == nil {
            clusters[entry.name] = (entry.cluster ?? .init(), directory)
        }
        for entry in file.users ?? [] where users[entry.name] == nil {
            users[entry.name] = (entry.user ?? .init(), directory)
        }
        for entry in file.contexts ?? [] where contexts[entry.name] == nil {
            contexts[entry.name] = entry.context ?? .init()
        }
        if currentContext == nil, let current = file.currentContext, !current.isEmpty {
            currentContext = current
        }
    }

    func resolve(context requested: String?) throws -> KubeConfig {
        guard let contextName = requested ?? currentContext else {
            throw KubeConfigError("kubeconfig has no current-context")
        }
        guard let context = contexts[contextName] else {
            throw KubeConfigError("kubeconfig has no context \"\(contextName)\"")
        }
        guard let clusterName = context.cluster, let (cluster, clusterDirectory) = clusters[clusterName] else {
            throw KubeConfigError("context \"\(contextName)\" names no known cluster")
        }
        guard let server = cluster.server, !server.isEmpty else {
            throw KubeConfigError("cluster \"\(clusterName)\" has no server")
        }
        var config = KubeConfig(
            server: server,
            namespace: context.namespace.flatMap { $0.isEmpty ? nil : $0 } ?? "default",
            insecureSkipTLSVerify: cluster.insecureSkipTLSVerify ?? false)
        config.certificateAuthority = try Self.bytes(
            data: cluster.certificateAuthorityData, file: cluster.certificateAuthority, directory: clusterDirectory,
            what: "certificate-authority")

        guard let userName = context.user, !userName.isEmpty else { return config }
        guard let (user, userDirectory) = users[userName] else {
            throw KubeConfigError("context \"\(contextName)\" names unknown user \"\(userName)\"")
        }
        if let token = user.token, !token.isEmpty {
            config.authentication = .bearerToken(token)
        } else if let tokenFile = user.tokenFile, !tokenFile.isEmpty {
            config.authentication = .tokenFile(Self.absolute(tokenFile, in: userDirectory))
        } else if let username = user.username, let password = user.password {
            config.authentication = .basic(username: username, password: password)
        }
        let certificate = try Self.bytes(
            data: user.clientCertificateData, file: user.clientCertificate, directory: userDirectory, what: "client-certificate")
        let key = try Self.bytes(data: user.clientKeyData, file: user.clientKey, directory: userDirectory, what: "client-key")
        switch (certificate, key) {
        case (let certificate?, let key?):
            config.clientCertificate = .init(certificate: certificate, key: key)
        case (nil, nil):
            break
        default:
            throw KubeConfigError("user \"\(userName)\" has a client certificate without a key or a key without a certificate")
        }
        if config.authentication == .none, config.clientCertificate == nil, user.exec != nil || user.authProvider != nil {
            throw KubeConfigError("user \"\(userName)\" uses exec or auth-provider credentials, which are not supported")
        }
        return config
    }

    /// Inline base64 data wins over a file reference.
    private static func bytes(data: String?, file: String?, directory: String, what: String) throws -> [UInt8]? {
        if let data, !data.isEmpty {
            guard let decoded = Data(base64Encoded: data, options: .ignoreUnknownCharacters) else {
                throw KubeConfigError("\(what)-data is not valid base64")
            }
            return [UInt8](decoded)
        }
        if let file, !file.isEmpty {
            let path = absolute(file, in: directory)
            guard let contents = FileManager.default.contents(atPath: path) else {
                throw KubeConfigError("cannot read \(what) file \(path)")
            }
            return [UInt8](contents)
        }
        return nil
    }

    private static func absolute(_ path: String, in directory: String) -> String {
        if path.hasPrefix("/") || directory.isEmpty { return path }
        return directory + "/" + path
    }
}

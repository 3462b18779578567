import ArgumentParser
import Foundation
import JaaSArtifacts
import JaaSOperator
import Kubernetes

/// The flags of a replicated operator (docs/operator/ha.md): leader election and S3 storage.
struct HAOptions: ParsableArguments {
    @Option(help: "Only the replica holding a Lease reconciles and writes (true or false; the bare flag means true).")
    var leaderElection = "true"

    @Option(help: "Name of the leader-election Lease.")
    var leaderElectionId = "jaas-operator"

    @Option(help: "Namespace of the leader-election Lease (else POD_NAMESPACE, else the service account's, else default).")
    var leaderElectionNamespace: String?

    @Option(help: "S3 endpoint host:port (--storage-backend s3; required).")
    var s3Endpoint: String?

    @Option(help: "S3 bucket artifacts are stored in (--storage-backend s3; required).")
    var s3Bucket: String?

    @Option(help: "Key prefix of the artifacts in the bucket.")
    var s3Prefix = ""

    @Option(help: "S3 region requests are signed for (empty: the endpoint decides; signed as us-east-1).")
    var s3Region = ""

    @Option(help: "Talk to S3 over HTTPS (true or false; the bare flag means true).")
    var s3UseSsl = "true"

    @Option(help: "S3 access key (else the AWS credential chain: environment, web identity, instance metadata).")
    var s3AccessKey: String?

    @Option(help: "S3 secret key (with --s3-access-key).")
    var s3SecretKey: String?

    @Option(help: "S3 session token for temporary credentials (with --s3-access-key).")
    var s3SessionToken: String?

    @Option(help: "Send unsigned S3 requests (true or false; the bare flag means true).")
    var s3Anonymous = "false"

    /// The election's settings, or nil with `--leader-election=false`.
    func election(environment: [String: String]) throws -> ElectionSettings? {
        guard try Self.bool(leaderElection, "--leader-election") else { return nil }
        guard !leaderElectionId.isEmpty else { throw ValidationError("--leader-election-id: must not be empty") }
        let serviceAccountNamespace = (try? String(
            contentsOfFile: "/var/run/secrets/kubernetes.io/serviceaccount/namespace", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let namespace = [leaderElectionNamespace, environment["POD_NAMESPACE"], serviceAccountNamespace]
            .compactMap { $0 }.first { !$0.isEmpty } ?? "default"
        let base = environment["POD_NAME"].flatMap { $0.isEmpty ? nil : $0 } ?? ProcessInfo.processInfo.hostName
        let suffix = String(UInt64.random(in: 0...UInt64.max), radix: 36)
        return ElectionSettings(namespace: namespace, name: leaderElectionId, identity: "\(base)_\(suffix)")
    }

    /// The S3 storage of `--storage-backend s3`.
    func s3Storage(environment: [String: String]) throws -> S3Storage {
        guard let endpoint = s3Endpoint, !endpoint.isEmpty else {
            throw ValidationError("--s3-endpoint: required with --storage-backend s3 (host:port)")
        }
        guard !endpoint.contains("/"), !endpoint.contains("@"), !endpoint.contains(where: \.isWhitespace) else {
            throw ValidationError("--s3-endpoint \(endpoint): must be host or host:port, without a scheme")
        }
        guard let bucket = s3Bucket, !bucket.isEmpty else {
            throw ValidationError("--s3-bucket: required with --storage-backend s3")
        }
        guard !bucket.contains("/") else { throw ValidationError("--s3-bucket \(bucket): must not contain /") }
        let useSSL = try Self.bool(s3UseSsl, "--s3-use-ssl")
        let anonymous = try Self.bool(s3Anonymous, "--s3-anonymous")
        let provider: (any CredentialProvider)?
        switch (s3AccessKey, s3SecretKey) {
        case (let key?, let secret?):
            guard !anonymous else { throw ValidationError("--s3-anonymous: cannot be combined with --s3-access-key") }
            provider = StaticCredentials(AWSCredentials(accessKeyID: key, secretAccessKey: secret,
                                                        sessionToken: s3SessionToken))
        case (nil, nil):
            provider = anonymous ? nil : CredentialChain.provider(environment: environment, region: s3Region)
        default:
            throw ValidationError("--s3-access-key and --s3-secret-key: give both or neither")
        }
        var configuration = S3Client.Configuration(endpoint: endpoint, bucket: bucket, region: s3Region, useSSL: useSSL,
                                                   credentials: provider)
        configuration.maxAttempts = 4
        return S3Storage(client: S3Client(configuration), prefix: s3Prefix)
    }

    private static func bool(_ text: String, _ flag: String) throws -> Bool {
        switch text {
        case "true": return true
        case "false": return false
        default: throw ValidationError("\(flag) \(text): must be true or false")
        }
    }
}

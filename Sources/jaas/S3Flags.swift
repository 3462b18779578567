import ArgumentParser
import GoFormats
import JaaSArtifacts

/// The flags of `--storage-backend s3`, the storage replicas share (docs/operator/ha.md).
struct S3Flags: ParsableArguments {
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

    /// The S3 storage of `--storage-backend s3` (the rules are ``S3Storage/fromFlags(endpoint:bucket:prefix:region:useSSL:accessKey:secretKey:sessionToken:anonymous:environment:)``').
    func s3Storage(environment: [String: String]) throws(FlagError) -> S3Storage {
        try S3Storage.fromFlags(endpoint: s3Endpoint, bucket: s3Bucket, prefix: s3Prefix, region: s3Region,
                                useSSL: s3UseSsl, accessKey: s3AccessKey, secretKey: s3SecretKey,
                                sessionToken: s3SessionToken, anonymous: s3Anonymous, environment: environment)
    }
}

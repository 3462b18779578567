import GoFormats

extension S3Storage {
    /// The storage of `--storage-backend s3`, from the `--s3-*` flags of the same names
    /// (the Booleans spelled `true` or `false`), or the ``FlagError`` of the first rule
    /// broken: an endpoint without scheme, path or user, a bucket without `/`,
    /// both keys or neither (an empty region signs as `us-east-1`), and no keys with `--s3-anonymous`. Without keys,
    /// credentials come from the AWS chain in `environment`.
    public static func fromFlags(endpoint: String?, bucket: String?, prefix: String, region: String, useSSL: String,
                                 accessKey: String?, secretKey: String?, sessionToken: String?, anonymous: String,
                                 environment: [String: String]) throws(FlagError) -> S3Storage {
        guard let endpoint, !endpoint.isEmpty else {
            throw FlagError("--s3-endpoint: required with --storage-backend s3 (host:port)")
        }
        guard !endpoint.contains("/"), !endpoint.contains("@"), !endpoint.contains(where: \.isWhitespace) else {
            throw FlagError("--s3-endpoint \(endpoint): must be host or host:port, without a scheme")
        }
        guard let bucket, !bucket.isEmpty else {
            throw FlagError("--s3-bucket: required with --storage-backend s3")
        }
        guard !bucket.contains("/") else { throw FlagError("--s3-bucket \(bucket): must not contain /") }
        let useSSL = try strictBoolean(useSSL, "--s3-use-ssl")
        let anonymous = try strictBoolean(anonymous, "--s3-anonymous")
        let provider: (any CredentialProvider)?
        switch (accessKey, secretKey) {
        case (let key?, let secret?):
            guard !anonymous else { throw FlagError("--s3-anonymous: cannot be combined with --s3-access-key") }
            provider = StaticCredentials(AWSCredentials(accessKeyID: key, secretAccessKey: secret,
                                                        sessionToken: sessionToken))
        case (nil, nil):
            provider = anonymous ? nil : CredentialChain.provider(environment: environment, region: region)
        default:
            throw FlagError("--s3-access-key and --s3-secret-key: give both or neither")
        }
        var configuration = S3Client.Configuration(endpoint: endpoint, bucket: bucket, region: region, useSSL: useSSL,
                                                   credentials: provider)
        configuration.maxAttempts = 4
        return S3Storage(client: S3Client(configuration), prefix: prefix)
    }
}

/// `true` or `false`, nothing else (the replication flags' spelling).
func strictBoolean(_ text: String, _ flag: String) throws(FlagError) -> Bool {
    switch text {
    case "true": return true
    case "false": return false
    default: throw FlagError("\(flag) \(text): must be true or false")
    }
}

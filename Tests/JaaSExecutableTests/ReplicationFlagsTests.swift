import Testing

extension FlagTests {
    static let operatorBase = ["--enable-flux-integration", "--storage-base-url", "http://127.0.0.1:8082"]

    /// Bad replication flags (docs/operator/ha.md) exit 2 with one line naming the flag.
    @Test(arguments: [
        (["--storage-backend", "s3"], "--s3-endpoint"),
        (["--storage-backend", "gcs"], "--storage-backend"),
        (["--storage-backend", "s3", "--s3-endpoint", "http://minio:9000", "--s3-bucket", "b"], "--s3-endpoint"),
        (["--storage-backend", "s3", "--s3-endpoint", "minio:9000"], "--s3-bucket"),
        (["--storage-backend", "s3", "--s3-endpoint", "minio:9000", "--s3-bucket", "b", "--s3-use-ssl=maybe"], "--s3-use-ssl"),
        (["--storage-backend", "s3", "--s3-endpoint", "minio:9000", "--s3-bucket", "b", "--s3-access-key", "k"],
         "--s3-access-key"),
        (["--storage-path", "/tmp/jaas-flags-test", "--leader-election=perhaps"], "--leader-election"),
    ])
    func badReplicationFlagsExitTwo(arguments: [String], flag: String) async throws {
        let (status, stdout, stderr) = try await runJaaS(Self.operatorBase + arguments)
        #expect(status == 2)
        #expect(stdout.isEmpty)
        #expect(stderr.hasPrefix("jaas: \(flag)"), "\(stderr)")
        #expect(stderr.split(separator: "\n").count == 1, "\(stderr)")
    }

    /// The Go-style boolean forms parse: the bare flag and `=true`/`=false` (shown by
    /// the error being about the next, bad flag).
    @Test(arguments: ["--leader-election", "--leader-election=false", "--leader-election=true", "--s3-use-ssl=false",
                      "--s3-anonymous", "--s3-use-ssl"])
    func booleanFormsParse(form: String) async throws {
        let (status, _, stderr) = try await runJaaS([form, "--port", "70000"])
        #expect(status == 2)
        #expect(stderr.hasPrefix("jaas: --port 70000"), "\(stderr)")
    }
}

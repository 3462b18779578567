import Testing

extension FlagTests {
    static let webhookOperator = operatorBase + ["--storage-path", "/tmp/jaas-webhook-flags-test"]

    /// The renderer alone has no webhook: `--enable-webhook` without operator mode exits 2 saying so.
    @Test(arguments: ["--enable-webhook", "--enable-webhook=true"])
    func webhookNeedsOperatorMode(flag: String) async throws {
        let (status, stdout, stderr) = try await runJaaS([flag])
        #expect(status == 2)
        #expect(stdout.isEmpty)
        #expect(stderr == "jaas: --enable-webhook: requires operator mode (--enable-flux-integration); the renderer alone has no webhook\n")
    }

    /// Bad webhook flags (docs/operator/webhook.md) exit 2 with one line naming the flag.
    @Test(arguments: [
        (["--enable-webhook", "--webhook-cert-mode", "acme"], "--webhook-cert-mode acme"),
        (["--enable-webhook", "--webhook-port", "70000"], "--webhook-port 70000"),
        (["--enable-webhook", "--webhook-cert-validity", "30s"], "--webhook-cert-validity 30s"),
        (["--enable-webhook", "--webhook-cert-validity", "forever"], "--webhook-cert-validity forever"),
        (["--enable-webhook", "--webhook-service-name", ""], "--webhook-service-name"),
        // The original's default is empty: self-signed mode must be told which configuration to patch.
        (["--enable-webhook", "--webhook-cert-mode", "self-signed"], "--webhook-validating-config-name"),
        (["--enable-webhook=maybe"], "--enable-webhook maybe"),
        (["--enable-webhook", "--webhook-max-connections", "0"], "--webhook-max-connections 0"),
        (["--enable-webhook", "--webhook-max-concurrent-reviews", "0"], "--webhook-max-concurrent-reviews 0"),
        (["--enable-webhook", "--webhook-max-concurrent-reviews", "1000"], "--webhook-max-concurrent-reviews 1000"),
        (["--enable-webhook", "--webhook-tls-handshake-timeout", "0"], "--webhook-tls-handshake-timeout 0"),
        (["--enable-webhook", "--webhook-read-timeout", "forever"], "--webhook-read-timeout forever"),
        (["--enable-webhook", "--webhook-write-timeout", "2h"], "--webhook-write-timeout 2h"),
    ])
    func badWebhookFlagsExitTwo(arguments: [String], flag: String) async throws {
        let (status, stdout, stderr) = try await runJaaS(Self.webhookOperator + arguments)
        #expect(status == 2)
        #expect(stdout.isEmpty)
        #expect(stderr.hasPrefix("jaas: \(flag)"), "\(stderr)")
        #expect(stderr.split(separator: "\n").count == 1, "\(stderr)")
    }
}

import GoFormats
import JaaSAdmission
import JaaSArtifacts
import JaaSOperator
import Kubernetes
import Testing

/// The rules of the operator's flags that live in the libraries: tenant budgets,
/// S3 storage, the webhook and the election, in process (JaaSExecutableTests runs
/// the same flags through the binary).
@Suite struct OperatorFlagRulesTests {
    func budgets(download: String = "64Mi", rendered: String = "32Mi", idle: String = "30s", workers: Int = 4,
                 perNamespace: Int = 0) throws(FlagError) -> TenantBudgets {
        try TenantBudgets(maxSourceDownloadBytes: download, maxSourceExtractedBytes: "64Mi",
                          maxEvaluationInputBytes: "64Mi", maxRenderedBytes: rendered, sourceIdleTimeout: idle,
                          sourceDownloadTimeout: "5m", reconcileTimeout: "10m", reconcileWorkers: workers,
                          maxReconcilesPerNamespace: perNamespace)
    }

    @Test func tenantBudgets() throws {
        let defaults = try budgets()
        #expect(defaults.fetcherLimits.maxDownloadBytes == 64 << 20)
        #expect(defaults.fetcherLimits.idleTimeout == .seconds(30))
        #expect(defaults.maxPerNamespace == nil && defaults.workers == 4)
        #expect(try budgets(rendered: "2Gi").maxRenderedBytes == 1 << 30 - 64)
        #expect(try budgets(perNamespace: 3).maxPerNamespace == 3)
        #expect(throws: FlagError("--max-source-download-bytes 0: must be a positive size such as 64Mi or 1Gi")) {
            try budgets(download: "0")
        }
        #expect(throws: FlagError("--source-idle-timeout 169h: must be a duration above 0 and at most 168h, such as 30s or 5m")) {
            try budgets(idle: "169h")
        }
        #expect(throws: FlagError("--reconcile-workers 0: must be 1 to 1024")) { try budgets(workers: 0) }
        #expect(throws: FlagError("--max-reconciles-per-namespace 5: must be 0 to --reconcile-workers")) {
            try budgets(perNamespace: 5)
        }
    }

    func s3(endpoint: String? = "s3.local:9000", bucket: String? = "b", accessKey: String? = nil,
            secretKey: String? = nil, anonymous: String = "false", useSSL: String = "true") throws(FlagError) -> S3Storage {
        try S3Storage.fromFlags(endpoint: endpoint, bucket: bucket, prefix: "", region: "us-east-1", useSSL: useSSL,
                                accessKey: accessKey, secretKey: secretKey, sessionToken: nil, anonymous: anonymous,
                                environment: [:])
    }

    @Test func s3Storage() throws {
        _ = try s3(accessKey: "a", secretKey: "s")
        _ = try s3(anonymous: "true")
        #expect(throws: FlagError("--s3-endpoint: required with --storage-backend s3 (host:port)")) { try s3(endpoint: nil) }
        #expect(throws: FlagError("--s3-endpoint https://x: must be host or host:port, without a scheme")) {
            try s3(endpoint: "https://x")
        }
        #expect(throws: FlagError("--s3-bucket a/b: must not contain /")) { try s3(bucket: "a/b") }
        #expect(throws: FlagError("--s3-use-ssl 1: must be true or false")) { try s3(useSSL: "1") }
        #expect(throws: FlagError("--s3-access-key and --s3-secret-key: give both or neither")) { try s3(accessKey: "a") }
        #expect(throws: FlagError("--s3-anonymous: cannot be combined with --s3-access-key")) {
            try s3(accessKey: "a", secretKey: "s", anonymous: "true")
        }
    }

    func webhook(enable: String = "true", mode: String = "cert-manager", validity: String = "8760h",
                 connections: Int = 1024, read: String = "10s", namespace: String? = "team",
                 operatorMode: Bool = true) throws(FlagError) -> WebhookSettings? {
        try WebhookSettings.fromFlags(
            enableWebhook: enable, webhookPort: 9443, webhookCertDir: "/tmp/certs", webhookCertMode: mode,
            webhookServiceName: "jaas-webhook", webhookServiceNamespace: namespace,
            webhookValidatingConfigName: "jaas-validating-webhook", webhookCertValidity: validity,
            webhookMaxConnections: connections, webhookTlsHandshakeTimeout: "5s", webhookReadTimeout: read,
            webhookWriteTimeout: "10s", webhookMaxConcurrentReviews: 4, operatorMode: operatorMode,
            environment: ["POD_NAMESPACE": "from-pod"])
    }

    @Test func webhookSettings() throws {
        #expect(try webhook(enable: "false") == nil)
        #expect(try webhook()?.serviceNamespace == "team")
        #expect(try webhook(namespace: nil)?.serviceNamespace == "from-pod")
        #expect(try webhook(read: "0")?.limits.readTimeout == nil)
        #expect(throws: FlagError("--enable-webhook: requires operator mode (--enable-flux-integration); the renderer alone has no webhook")) {
            try webhook(operatorMode: false)
        }
        #expect(throws: FlagError("--webhook-cert-mode vault: must be cert-manager or self-signed")) { try webhook(mode: "vault") }
        #expect(throws: FlagError("--webhook-cert-validity 59s: must be a duration of at least 1m")) {
            try webhook(validity: "59s")
        }
        #expect(throws: FlagError("--webhook-max-connections 0: must be 1 to 1000000")) { try webhook(connections: 0) }
        #expect(throws: FlagError("--webhook-read-timeout 2h: must be a duration of at most 1h (0 = none)")) {
            try webhook(read: "2h")
        }
    }

    @Test func theElectionsIdentityIsThePodsPlusASuffix() {
        let a = ElectionSettings.forPod(name: "lease", namespace: nil, environment: ["POD_NAME": "jaas-0", "POD_NAMESPACE": "ops"])
        let b = ElectionSettings.forPod(name: "lease", namespace: "explicit", environment: ["POD_NAME": "jaas-0"])
        #expect(a.namespace == "ops" && b.namespace == "explicit" && a.name == "lease")
        #expect(a.identity.hasPrefix("jaas-0_") && b.identity.hasPrefix("jaas-0_") && a.identity != b.identity)
        #expect(podNamespace(explicit: "", environment: ["POD_NAMESPACE": ""]) != "")
    }
}

import GoFormats
import JaaSRenderer
import Kubernetes
import Logging
import ServiceLifecycle

extension WebhookSettings {
    /// The settings the `--enable-webhook` and `--webhook-*` flags of the same names give;
    /// nil when the webhook is off (`operatorMode` is `--enable-flux-integration`, which
    /// it needs). Throws the ``FlagError`` of the first rule broken. The Service's
    /// namespace falls back to ``Kubernetes/podNamespace(explicit:environment:)``.
    public static func fromFlags(
        enableWebhook: String, webhookPort: Int, webhookCertDir: String, webhookCertMode: String,
        webhookServiceName: String, webhookServiceNamespace: String?, webhookValidatingConfigName: String,
        webhookCertValidity: String, webhookMaxConnections: Int, webhookTlsHandshakeTimeout: String,
        webhookReadTimeout: String, webhookWriteTimeout: String, webhookMaxConcurrentReviews: Int,
        operatorMode: Bool, environment: [String: String]
    ) throws(FlagError) -> WebhookSettings? {
        guard try FlagValues.checkedBoolean(enableWebhook, "--enable-webhook") else { return nil }
        guard operatorMode else {
            throw FlagError("--enable-webhook: requires operator mode (--enable-flux-integration); the renderer alone has no webhook")
        }
        let port = try FlagValues.check(FlagValues.port(webhookPort), "--webhook-port", webhookPort, "must be 0 to 65535")
        let mode = try FlagValues.check(WebhookCertificateMode(rawValue: webhookCertMode), "--webhook-cert-mode",
                                        webhookCertMode, "must be cert-manager or self-signed")
        guard !webhookCertDir.isEmpty else { throw FlagError("--webhook-cert-dir: must not be empty") }
        guard let validity = FlagValues.duration(webhookCertValidity), validity >= .seconds(60) else {
            throw FlagError("--webhook-cert-validity \(webhookCertValidity): must be a duration of at least 1m")
        }
        guard !webhookServiceName.isEmpty else { throw FlagError("--webhook-service-name: must not be empty") }
        guard mode != .selfSigned || !webhookValidatingConfigName.isEmpty else {
            throw FlagError("--webhook-validating-config-name: required with --webhook-cert-mode self-signed")
        }
        var settings = WebhookSettings(
            certificateDirectory: webhookCertDir, mode: mode, serviceName: webhookServiceName,
            serviceNamespace: podNamespace(explicit: webhookServiceNamespace, environment: environment),
            validatingConfigurationName: webhookValidatingConfigName, certificateValidity: validity)
        settings.port = port
        guard (1...1_000_000).contains(webhookMaxConnections) else {
            throw FlagError("--webhook-max-connections \(webhookMaxConnections): must be 1 to 1000000")
        }
        settings.limits.maxConnections = webhookMaxConnections
        guard (1...256).contains(webhookMaxConcurrentReviews) else {
            throw FlagError("--webhook-max-concurrent-reviews \(webhookMaxConcurrentReviews): must be 1 to 256")
        }
        settings.limits.maxConcurrentReviews = webhookMaxConcurrentReviews
        guard let handshake = FlagValues.duration(webhookTlsHandshakeTimeout), handshake > .zero,
              handshake <= .seconds(3600) else {
            throw FlagError("--webhook-tls-handshake-timeout \(webhookTlsHandshakeTimeout): must be a duration above 0 and at most 1h")
        }
        settings.limits.handshakeTimeout = handshake
        settings.limits.readTimeout = try deadline(webhookReadTimeout, "--webhook-read-timeout")
        settings.limits.writeTimeout = try deadline(webhookWriteTimeout, "--webhook-write-timeout")
        return settings
    }

    /// A deadline flag: a duration up to 1h, `0` for none.
    private static func deadline(_ text: String, _ flag: String) throws(FlagError) -> Duration? {
        guard let duration = FlagValues.duration(text), duration <= .seconds(3600) else {
            throw FlagError("\(flag) \(text): must be a duration of at most 1h (0 = none)")
        }
        return duration == .zero ? nil : duration
    }
}

/// The admission webhook as a service, refusing what the operator would refuse with
/// the `--ext-var` names `operatorExternalVariables` and the `--library-path` `aliases`.
public func webhookService(_ settings: WebhookSettings, operatorExternalVariables: Set<String>, aliases: Set<String>,
                           client: KubeClient, renewalFailed: @escaping @Sendable () -> Void = {},
                           logger: Logger) -> any Service {
    let validator = SnippetValidator(operatorExternalVariables: operatorExternalVariables, libraryAliases: aliases)
    let webhook = AdmissionWebhook(settings: settings, admission: SnippetAdmission(validator: validator), client: client,
                                   renewalFailed: renewalFailed)
    return TaskService { try await webhook.run(logger: logger) }
}

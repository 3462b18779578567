import ArgumentParser
import Foundation
import JaaSAdmission
import JaaSOperator
import Kubernetes
import Logging
import ServiceLifecycle

/// The flags of the validating admission webhook (docs/operator/webhook.md).
struct WebhookOptions: ParsableArguments {
    @Option(help: "Serve the JsonnetSnippet validating admission webhook over HTTPS (operator mode only; bare, or =true/false).")
    var enableWebhook = "false"

    @Option(help: "Port of the admission webhook's HTTPS server.")
    var webhookPort = 9443

    @Option(help: "Directory holding the webhook's tls.crt and tls.key; changed files are picked up without a restart.")
    var webhookCertDir = "/tmp/k8s-webhook-server/serving-certs"

    @Option(help: "Who provides the webhook certificate: cert-manager (only read the files) or self-signed (make a CA and certificate, write them, patch caBundle).")
    var webhookCertMode = "cert-manager"

    @Option(help: "Service the apiserver reaches the webhook through, for the self-signed certificate's names (an IP literal becomes an IP SAN).")
    var webhookServiceName = "jaas-webhook"

    @Option(help: "Namespace of the webhook Service (else POD_NAMESPACE, else the service account's, else default).")
    var webhookServiceNamespace: String?

    @Option(help: "ValidatingWebhookConfiguration whose caBundle is patched in self-signed mode (required there).")
    var webhookValidatingConfigName = ""

    @Option(help: "Lifetime of a self-signed webhook certificate, renewed after two thirds of it (Go duration, at least 1m).")
    var webhookCertValidity = "8760h"

    @Option(help: "Connections the webhook server keeps open at once; one accepted beyond it is closed at once.")
    var webhookMaxConnections = 1024

    @Option(help: "Time a webhook client has to complete the TLS handshake (Go duration).")
    var webhookTlsHandshakeTimeout = "5s"

    @Option(help: "Time a webhook client has to send a whole request, from the connection's start or the previous response's end; also the keep-alive idle timeout (Go duration, 0 = none).")
    var webhookReadTimeout = "10s"

    @Option(help: "Time a webhook response may take from the end of its request (Go duration, 0 = none).")
    var webhookWriteTimeout = "10s"

    @Option(help: "AdmissionReviews evaluated at once; more wait their turn.")
    var webhookMaxConcurrentReviews = 4

    /// The webhook's settings; nil when it is off. `operatorMode` is `--enable-flux-integration`.
    func settings(operatorMode: Bool, environment: [String: String]) throws -> WebhookSettings? {
        guard let enabled = FlagValues.boolean(enableWebhook) else {
            throw ValidationError("--enable-webhook \(enableWebhook): must be true or false")
        }
        guard enabled else { return nil }
        guard operatorMode else {
            throw ValidationError("--enable-webhook: requires operator mode (--enable-flux-integration); the renderer alone has no webhook")
        }
        guard let port = FlagValues.port(webhookPort) else {
            throw ValidationError("--webhook-port \(webhookPort): must be 0 to 65535")
        }
        guard let mode = WebhookCertificateMode(rawValue: webhookCertMode) else {
            throw ValidationError("--webhook-cert-mode \(webhookCertMode): must be cert-manager or self-signed")
        }
        guard !webhookCertDir.isEmpty else { throw ValidationError("--webhook-cert-dir: must not be empty") }
        guard let validity = FlagValues.duration(webhookCertValidity), validity >= .seconds(60) else {
            throw ValidationError("--webhook-cert-validity \(webhookCertValidity): must be a duration of at least 1m")
        }
        guard !webhookServiceName.isEmpty else { throw ValidationError("--webhook-service-name: must not be empty") }
        guard mode != .selfSigned || !webhookValidatingConfigName.isEmpty else {
            throw ValidationError("--webhook-validating-config-name: required with --webhook-cert-mode self-signed")
        }
        let serviceAccountNamespace = (try? String(
            contentsOfFile: "/var/run/secrets/kubernetes.io/serviceaccount/namespace", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let namespace = [webhookServiceNamespace, environment["POD_NAMESPACE"], serviceAccountNamespace]
            .compactMap { $0 }.first { !$0.isEmpty } ?? "default"
        var settings = WebhookSettings(
            certificateDirectory: webhookCertDir, mode: mode, serviceName: webhookServiceName, serviceNamespace: namespace,
            validatingConfigurationName: webhookValidatingConfigName, certificateValidity: validity)
        settings.port = port
        settings.limits = try limits()
        return settings
    }

    /// The server's bounds from the `--webhook-max-*` and `--webhook-*-timeout` flags.
    private func limits() throws -> WebhookServer.Limits {
        var limits = WebhookServer.Limits()
        guard (1...1_000_000).contains(webhookMaxConnections) else {
            throw ValidationError("--webhook-max-connections \(webhookMaxConnections): must be 1 to 1000000")
        }
        limits.maxConnections = webhookMaxConnections
        guard (1...256).contains(webhookMaxConcurrentReviews) else {
            throw ValidationError("--webhook-max-concurrent-reviews \(webhookMaxConcurrentReviews): must be 1 to 256")
        }
        limits.maxConcurrentReviews = webhookMaxConcurrentReviews
        guard let handshake = FlagValues.duration(webhookTlsHandshakeTimeout), handshake > .zero,
              handshake <= .seconds(3600) else {
            throw ValidationError("--webhook-tls-handshake-timeout \(webhookTlsHandshakeTimeout): must be a duration above 0 and at most 1h")
        }
        limits.handshakeTimeout = handshake
        limits.readTimeout = try Self.deadline(webhookReadTimeout, "--webhook-read-timeout")
        limits.writeTimeout = try Self.deadline(webhookWriteTimeout, "--webhook-write-timeout")
        return limits
    }

    /// A deadline flag: a duration up to 1h, `0` for none.
    private static func deadline(_ text: String, _ flag: String) throws -> Duration? {
        guard let duration = FlagValues.duration(text), duration <= .seconds(3600) else {
            throw ValidationError("\(flag) \(text): must be a duration of at most 1h (0 = none)")
        }
        return duration == .zero ? nil : duration
    }
}

/// The admission webhook as a service, refusing what the operator would refuse with
/// `renderer`'s `--ext-var` names and the `--library-path` `aliases`.
func webhookService(_ settings: WebhookSettings, renderer: SnippetRenderer, aliases: Set<String>, client: KubeClient,
                    metrics: OperatorMetrics, logger: Logger) -> any Service {
    let validator = SnippetValidator(operatorExternalVariables: Set(renderer.operatorExternalVariables.keys),
                                     libraryAliases: aliases)
    let webhook = AdmissionWebhook(settings: settings, admission: SnippetAdmission(validator: validator), client: client,
                                   renewalFailed: { metrics.countWebhookCertRenewalFailure() })
    return TaskService { try await webhook.run(logger: logger) }
}

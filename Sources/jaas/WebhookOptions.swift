import ArgumentParser
import Foundation
import JaaSOperator
import Kubernetes
import Logging
import ServiceLifecycle

/// The flags of the validating admission webhook (SPEC §9).
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

    @Option(help: "ValidatingWebhookConfiguration whose caBundle is patched in self-signed mode.")
    var webhookValidatingConfigName = "jaas-validating-webhook"

    @Option(help: "Lifetime of a self-signed webhook certificate, renewed after two thirds of it (Go duration, at least 1m).")
    var webhookCertValidity = "8760h"

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
        guard !webhookValidatingConfigName.isEmpty else {
            throw ValidationError("--webhook-validating-config-name: must not be empty")
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
        return settings
    }
}

/// The admission webhook as a service, refusing what the operator would refuse with
/// `renderer`'s `--ext-var` names and the `--library-path` `aliases`.
func webhookService(_ settings: WebhookSettings, renderer: SnippetRenderer, aliases: Set<String>, client: KubeClient,
                    logger: Logger) -> any Service {
    let validator = SnippetValidator(operatorExternalVariables: Set(renderer.operatorExternalVariables.keys),
                                     libraryAliases: aliases)
    let webhook = AdmissionWebhook(settings: settings, admission: SnippetAdmission(validator: validator), client: client)
    return TaskService { try await webhook.run(logger: logger) }
}

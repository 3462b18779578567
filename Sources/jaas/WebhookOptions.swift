import ArgumentParser
import JaaSAdmission

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

    /// The webhook's settings; nil when it is off. `operatorMode` is `--enable-flux-integration`
    /// (the rules are ``WebhookSettings/fromFlags(enableWebhook:webhookPort:webhookCertDir:webhookCertMode:webhookServiceName:webhookServiceNamespace:webhookValidatingConfigName:webhookCertValidity:webhookMaxConnections:webhookTlsHandshakeTimeout:webhookReadTimeout:webhookWriteTimeout:webhookMaxConcurrentReviews:operatorMode:environment:)``').
    func settings(operatorMode: Bool, environment: [String: String]) throws -> WebhookSettings? {
        try WebhookSettings.fromFlags(
            enableWebhook: enableWebhook, webhookPort: webhookPort, webhookCertDir: webhookCertDir,
            webhookCertMode: webhookCertMode, webhookServiceName: webhookServiceName,
            webhookServiceNamespace: webhookServiceNamespace, webhookValidatingConfigName: webhookValidatingConfigName,
            webhookCertValidity: webhookCertValidity, webhookMaxConnections: webhookMaxConnections,
            webhookTlsHandshakeTimeout: webhookTlsHandshakeTimeout, webhookReadTimeout: webhookReadTimeout,
            webhookWriteTimeout: webhookWriteTimeout, webhookMaxConcurrentReviews: webhookMaxConcurrentReviews,
            operatorMode: operatorMode, environment: environment)
    }
}

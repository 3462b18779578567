import GoFormats
import Foundation
import JaaSOperatorAPI
import Kubernetes
import Logging

/// Who provides the webhook's serving certificate (`--webhook-cert-mode`).
public enum WebhookCertificateMode: String, Sendable, CaseIterable {
    /// cert-manager writes the files and its CA injector owns `caBundle`; the webhook only reads.
    case certManager = "cert-manager"
    /// The webhook makes its own CA and certificate, writes them and patches `caBundle`.
    case selfSigned = "self-signed"
}

/// The webhook's flags once checked (docs/operator/webhook.md).
public struct WebhookSettings: Sendable {
    /// Every interface, IPv6 and IPv4 (`:9443`, as the original's webhook server listens).
    public var host = GoListen.wildcardHost
    /// The port.
    public var port = 9443
    /// The certificate directory.
    public var certificateDirectory: String
    /// The mode.
    public var mode: WebhookCertificateMode
    /// The service name.
    public var serviceName: String
    /// The service namespace.
    public var serviceNamespace: String
    /// The validating configuration name.
    public var validatingConfigurationName: String
    /// The certificate validity.
    public var certificateValidity: Duration
    /// How often the certificate files are checked for changes.
    public var reloadInterval: Duration = .seconds(2)
    /// How often (self-signed mode) the configuration is checked for the CA in `caBundle`.
    public var bundleCheckInterval: Duration = .seconds(30)
    /// Connection, deadline and concurrency bounds of the HTTPS server.
    public var limits = WebhookServer.Limits()

    /// Creates one from the given values.
    public init(certificateDirectory: String, mode: WebhookCertificateMode, serviceName: String, serviceNamespace: String,
                validatingConfigurationName: String, certificateValidity: Duration) {
        self.certificateDirectory = certificateDirectory
        self.mode = mode
        self.serviceName = serviceName
        self.serviceNamespace = serviceNamespace
        self.validatingConfigurationName = validatingConfigurationName
        self.certificateValidity = certificateValidity
    }

    /// When a certificate made at `issued` is replaced: after two thirds of its validity.
    func renewal(after issued: Date) -> Date {
        issued.addingTimeInterval(Double(certificateValidity.components.seconds) * 2 / 3)
    }
}

/// The whole admission webhook: the certificate (made and renewed in self-signed mode,
/// reloaded from disk in both), the `caBundle` patch, and the HTTPS server.
public struct AdmissionWebhook: Sendable {
    /// The settings.
    public let settings: WebhookSettings
    /// The admission.
    public let admission: SnippetAdmission
    /// The operator's own client, for the `caBundle` patch (self-signed mode).
    public let client: KubeClient?
    /// Called on each failed step of a renewal (the new CA not patched into `caBundle`,
    /// the new files not written); the operator counts it in
    /// `jaas_webhook_cert_renewal_failures_total`. The step is retried.
    public let renewalFailed: @Sendable () -> Void

    /// A webhook serving `admission` with `settings`; `client` patches the `caBundle` in
    /// self-signed mode. With a `client`, the admission also refuses `sourceRef` cycles
    /// through stored snippets (unless `admission` brings its own cycle check).
    public init(settings: WebhookSettings, admission: SnippetAdmission, client: KubeClient?,
                renewalFailed: @escaping @Sendable () -> Void = {}) {
        self.settings = settings
        var admission = admission
        if admission.cycles == nil, let client { admission.cycles = SourceCycles(client: client) }
        self.admission = admission
        self.client = client
        self.renewalFailed = renewalFailed
    }

    /// Serves until cancelled. `onRunning` receives the bound port.
    public func run(logger: Logger, onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let certificate = ServingCertificate(directory: settings.certificateDirectory)
        var issued: (certificates: SelfSignedCertificates, at: Date)?
        if settings.mode == .selfSigned {
            let now = Date()
            let made = try SelfSignedCertificates.make(service: settings.serviceName, namespace: settings.serviceNamespace,
                                                       validity: settings.certificateValidity, now: now)
            try made.write(to: settings.certificateDirectory)
            issued = (made, now)
        }
        while true {
            do {
                try certificate.reload()
                break
            } catch {
                logger.warning("waiting for the webhook certificate", metadata: ["error": "\(error)"])
                try await Task.sleep(for: settings.reloadInterval)
            }
        }
        let server = WebhookServer(admission: admission, certificate: certificate, host: settings.host, port: settings.port,
                                   limits: settings.limits)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await server.run(logger: logger) { port in
                    logger.info("webhook server listening", metadata: ["port": "\(port)"])
                    await onRunning(port)
                }
            }
            group.addTask { try await certificate.watch(every: settings.reloadInterval, logger: logger) }
            if let issued, let client {
                let patcher = CABundlePatcher(client: client, configurationName: settings.validatingConfigurationName)
                group.addTask { try await maintain(issued.certificates, issuedAt: issued.at, patcher: patcher, logger: logger) }
            }
            try await group.next()
            group.cancelAll()
        }
    }

    /// Keeps the CA in `caBundle`: patches it at once (retrying after 1 s, doubling up to
    /// 10 s), then checks every `bundleCheckInterval` and patches again when the configuration lost it
    /// (re-created, or re-applied with a bundle). After two thirds of the validity it renews:
    /// the new CA goes into the bundle first, then the new files are written.
    private func maintain(_ first: SelfSignedCertificates, issuedAt: Date, patcher: CABundlePatcher,
                          logger: Logger) async throws {
        var current = first, renewAt = settings.renewal(after: issuedAt), renewed = false
        let configuration: Logger.Metadata = ["configuration": "\(settings.validatingConfigurationName)"]
        var retry = Duration.seconds(1)
        while !Task.isCancelled {
            do {
                if try await patcher.patch(caPEM: current.caPEM) { logger.info("webhook caBundle patched", metadata: configuration) }
                retry = .seconds(1)
            } catch {
                // Past the renewal time the new CA cannot go in first: the renewal is failing.
                if renewed || renewAt.timeIntervalSinceNow <= 0 { renewalFailed() }
                logger.warning("cannot patch the webhook caBundle, retrying",
                               metadata: configuration.merging(["error": "\(error)"]) { $1 })
                try await Task.sleep(for: retry)
                retry = min(retry * 2, .seconds(10))
                continue
            }
            if renewed {
                do {
                    try current.write(to: settings.certificateDirectory)
                } catch {
                    // The old files stay valid until their end; keep trying to replace them.
                    renewalFailed()
                    logger.warning("cannot write the renewed webhook certificate, retrying",
                                   metadata: ["directory": "\(settings.certificateDirectory)", "error": "\(error)"])
                    try await Task.sleep(for: retry)
                    retry = min(retry * 2, .seconds(10))
                    continue
                }
                renewed = false
                logger.info("webhook certificate renewed", metadata: ["notAfter": "\(current.notValidAfter)"])
            }
            let untilRenewal = renewAt.timeIntervalSinceNow
            if untilRenewal > 0 {
                try await Task.sleep(for: min(settings.bundleCheckInterval, .seconds(untilRenewal)))
                continue
            }
            let now = Date()
            current = try SelfSignedCertificates.make(service: settings.serviceName, namespace: settings.serviceNamespace,
                                                      validity: settings.certificateValidity, now: now)
            renewAt = settings.renewal(after: now)
            renewed = true
        }
    }
}

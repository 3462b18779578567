import Foundation
import JaaSOperatorAPI
import Kubernetes
import SwiftASN1
import X509

extension GroupVersionResource {
    /// `admissionregistration.k8s.io/v1` ValidatingWebhookConfigurations (cluster-scoped).
    public static let validatingWebhookConfigurations = GroupVersionResource(
        group: "admissionregistration.k8s.io", version: "v1", resource: "validatingwebhookconfigurations", namespaced: false)
}

/// Writes the self-signed CA into `clientConfig.caBundle` of every webhook of one
/// ValidatingWebhookConfiguration. The bundle keeps the CAs already there that are still
/// valid (the previous CA during a renewal, other replicas' CAs), newest first, up to
/// `maxCertificates`, so no replica's certificate stops being trusted while it serves.
public struct CABundlePatcher: Sendable {
    /// The most CA certificates kept in one bundle.
    public static let maxCertificates = 8

    /// The client.
    public let client: KubeClient
    /// `--webhook-validating-config-name`.
    public let configurationName: String

    /// Creates one from the given values.
    public init(client: KubeClient, configurationName: String) {
        self.client = client
        self.configurationName = configurationName
    }

    /// Adds `caPEM` to the bundle of every webhook entry; retries write conflicts a few
    /// times. Returns false, writing nothing, when every bundle already starts with it.
    @discardableResult
    public func patch(caPEM: String, now: Date = Date()) async throws -> Bool {
        var attempt = 0
        while true {
            attempt += 1
            var configuration = try await client.get(.validatingWebhookConfigurations, name: configurationName)
            guard var webhooks = configuration["webhooks"]?.arrayValue else { return false }
            var changed = false
            for index in webhooks.indices {
                let encoded = webhooks[index][path: "clientConfig", "caBundle"]?.stringValue
                let existing = encoded.flatMap { Data(base64Encoded: $0) }.map { String(decoding: $0, as: UTF8.self) } ?? ""
                let bundle = Data(Self.bundle(adding: caPEM, to: existing, now: now).utf8).base64EncodedString()
                if bundle != encoded {
                    webhooks[index][path: "clientConfig", "caBundle"] = .string(bundle)
                    changed = true
                }
            }
            guard changed else { return false }
            configuration.json["webhooks"] = .array(webhooks)
            do {
                _ = try await client.update(.validatingWebhookConfigurations, configuration)
                return true
            } catch let error as KubeError where error.code == 409 && attempt < 5 {
                continue
            }
        }
    }

    /// `caPEM` followed by the certificates of `existing` that still parse, are not
    /// expired and are not `caPEM` itself, capped at `maxCertificates`.
    public static func bundle(adding caPEM: String, to existing: String, now: Date) -> String {
        var kept: [String] = [caPEM.hasSuffix("\n") ? caPEM : caPEM + "\n"]
        let documents = (try? PEMDocument.parseMultiple(pemString: existing)) ?? []
        let own = try? Certificate(pemEncoded: caPEM)
        for document in documents where kept.count < maxCertificates {
            guard let certificate = try? Certificate(pemEncoded: document.pemString),
                  certificate.notValidAfter > now, certificate != own else { continue }
            kept.append(document.pemString + "\n")
        }
        return kept.joined()
    }
}

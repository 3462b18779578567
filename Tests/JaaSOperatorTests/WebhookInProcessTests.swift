import Foundation
import JaaSAdmission
import JaaSOperator
import KubeTestServer
import Kubernetes
import Logging
import Testing
import TestSupport

/// The webhook in process against kube-test-server: a `clientConfig.service` mapped to
/// the local port, `caBundle` kept patched, and call timeouts.
@Suite(.serialized) struct WebhookInProcessTests {
    typealias Cluster = ReconcilerIntegrationTests.Cluster

    static func configuration(_ name: String, clientConfig: JSONValue, timeoutSeconds: Int64 = 5) -> KubeObject {
        var object = KubeObject(apiVersion: "admissionregistration.k8s.io/v1", kind: "ValidatingWebhookConfiguration", name: name)
        object["webhooks"] = [[
            "name": "snippets.jaas.metio.wtf", "admissionReviewVersions": ["v1"], "sideEffects": "None",
            "failurePolicy": "Fail", "timeoutSeconds": .int(timeoutSeconds), "clientConfig": clientConfig,
            "rules": [["apiGroups": ["jaas.metio.wtf"], "apiVersions": ["v1"], "operations": ["CREATE", "UPDATE"],
                       "resources": ["jsonnetsnippets"]]],
        ]]
        return object
    }

    static func snippet(_ name: String, extVar: String) -> KubeObject {
        var object = KubeObject(apiVersion: "jaas.metio.wtf/v1", kind: "JsonnetSnippet", namespace: "team-a", name: name)
        object["spec"] = ["files": ["main.jsonnet": "{}"], "externalVariables": [["name": .string(extVar), "value": "x"]]]
        return object
    }

    func bundle(_ cluster: Cluster, _ name: String) async -> String? {
        let stored = await cluster.server.object(group: "admissionregistration.k8s.io", resource: "validatingwebhookconfigurations",
                                                 namespace: nil, name: name)
        return stored?[path: ["webhooks"]]?.arrayValue?.first?[path: ["clientConfig", "caBundle"]]?.stringValue
    }

    @Test func serviceReferenceAndCABundleKeptPatched() async throws {
        let port = try freePort()
        var server = KubeTestServer.Configuration(anonymousIsAdmin: true)
        server.webhookServiceAddresses = ["team-a/jaas-webhook": "127.0.0.1:\(port)"]
        let cluster = try await Cluster.start(serverConfiguration: server)
        defer { Task { await cluster.stop() } }
        let directory = temporaryPath("webhook-inproc-")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let service: JSONValue = ["service": ["namespace": "team-a", "name": "jaas-webhook",
                                         "path": "/validate-jaas-metio-wtf-v1-jsonnetsnippet", "port": 443]]
        _ = try await cluster.admin.create(.validatingWebhookConfigurations, Self.configuration("inproc", clientConfig: service))
        var settings = WebhookSettings(certificateDirectory: directory, mode: .selfSigned, serviceName: "jaas-webhook",
                                       serviceNamespace: "team-a", validatingConfigurationName: "inproc",
                                       certificateValidity: .seconds(3600))
        settings.host = "127.0.0.1"
        settings.port = port
        settings.bundleCheckInterval = .milliseconds(200)
        let validator = SnippetValidator(operatorExternalVariables: ["cluster"], libraryAliases: [])
        let webhook = AdmissionWebhook(settings: settings, admission: SnippetAdmission(validator: validator), client: cluster.admin)
        let running = Task { try await webhook.run(logger: Logger(label: "webhook-test")) }
        defer { running.cancel() }
        try await eventually { await bundle(cluster, "inproc") != nil }

        // The certificate names jaas-webhook.team-a.svc; the test server reaches it on 127.0.0.1 and checks the chain.
        _ = try await cluster.admin.create(.jsonnetSnippets, Self.snippet("good", extVar: "env"))
        do {
            _ = try await cluster.admin.create(.jsonnetSnippets, Self.snippet("bad", extVar: "cluster"))
            Issue.record("a snippet setting an operator-owned ext var was admitted")
        } catch let error as KubeError {
            #expect(error.code == 403)
            #expect(error.message == "admission webhook \"snippets.jaas.metio.wtf\" denied the request: "
                + "spec.externalVariables[0].name: \"cluster\" is set by the operator (--ext-var) and cannot be overridden")
        }

        // Re-created without a bundle: patched again.
        try await cluster.admin.delete(.validatingWebhookConfigurations, name: "inproc")
        _ = try await cluster.admin.create(.validatingWebhookConfigurations, Self.configuration("inproc", clientConfig: service))
        try await eventually { await bundle(cluster, "inproc") != nil }
        _ = try await cluster.admin.create(.jsonnetSnippets, Self.snippet("good-again", extVar: "env"))
    }

    @Test func aWebhookThatDoesNotAnswerTimesOut() async throws {
        let cluster = try await Cluster.start()
        defer { Task { await cluster.stop() } }
        // Connections complete in the kernel's backlog; nothing ever answers the TLS handshake.
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        #expect(bound == 0)
        #expect(listen(fd, 16) == 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        let port = Int(UInt16(bigEndian: address.sin_port))
        _ = try await cluster.admin.create(.validatingWebhookConfigurations, Self.configuration(
            "silent", clientConfig: ["url": .string("https://127.0.0.1:\(port)/validate")], timeoutSeconds: 1))
        let start = ContinuousClock.now
        do {
            _ = try await cluster.admin.create(.jsonnetSnippets, Self.snippet("slow", extVar: "env"))
            Issue.record("admitted although the webhook never answered")
        } catch let error as KubeError {
            #expect(error.code == 500)
            #expect(error.message.contains("failed calling webhook \"snippets.jaas.metio.wtf\""), "\(error.message)")
        }
        #expect(ContinuousClock.now - start < .seconds(8), "timeoutSeconds 1 was not applied (the default is 10 s)")
    }

    @Test func renewsAfterTwoThirdsOfTheValidity() async throws {
        let port = try freePort()
        let cluster = try await Cluster.start()
        defer { Task { await cluster.stop() } }
        let directory = temporaryPath("webhook-renew-")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let url: JSONValue = ["url": .string("https://127.0.0.1:\(port)/validate-jaas-metio-wtf-v1-jsonnetsnippet")]
        _ = try await cluster.admin.create(.validatingWebhookConfigurations, Self.configuration("renew", clientConfig: url))
        var settings = WebhookSettings(certificateDirectory: directory, mode: .selfSigned, serviceName: "127.0.0.1",
                                       serviceNamespace: "team-a", validatingConfigurationName: "renew",
                                       certificateValidity: .seconds(3))
        settings.host = "127.0.0.1"
        settings.port = port
        settings.reloadInterval = .milliseconds(100)
        let validator = SnippetValidator(operatorExternalVariables: [], libraryAliases: [])
        let webhook = AdmissionWebhook(settings: settings, admission: SnippetAdmission(validator: validator), client: cluster.admin)
        let running = Task { try await webhook.run(logger: Logger(label: "webhook-test")) }
        defer { running.cancel() }
        try await eventually { await bundle(cluster, "renew") != nil }
        let first = try String(contentsOfFile: directory + "/ca.crt", encoding: .utf8)
        // Renewed after 2 s: a new CA on disk, first in caBundle, and the server presents the new certificate.
        try await eventually { try String(contentsOfFile: directory + "/ca.crt", encoding: .utf8) != first }
        let second = try String(contentsOfFile: directory + "/ca.crt", encoding: .utf8)
        let stored = try #require(await bundle(cluster, "renew").flatMap { Data(base64Encoded: $0) })
        #expect(String(decoding: stored, as: UTF8.self).hasPrefix(second))
        try await eventually {
            try await WebhookEndToEndTests.review(port: port, caFile: directory + "/ca.crt",
                                                  spec: ["files": ["main.jsonnet": "{}"]])[path: "response", "allowed"] == true
        }
        _ = try await cluster.admin.create(.jsonnetSnippets, Self.snippet("after-renewal", extVar: "env"))
    }

    @Test func aRenewalThatCannotPatchTheBundleIsCountedAndRetried() async throws {
        let port = try freePort()
        let cluster = try await Cluster.start()
        defer { Task { await cluster.stop() } }
        let directory = NSTemporaryDirectory() + "webhook-renew-fail-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let url: JSONValue = ["url": .string("https://127.0.0.1:\(port)/validate-jaas-metio-wtf-v1-jsonnetsnippet")]
        _ = try await cluster.admin.create(.validatingWebhookConfigurations, Self.configuration("renew-fail", clientConfig: url))
        var settings = WebhookSettings(certificateDirectory: directory, mode: .selfSigned, serviceName: "127.0.0.1",
                                       serviceNamespace: "team-a", validatingConfigurationName: "renew-fail",
                                       certificateValidity: .seconds(9))
        settings.host = "127.0.0.1"
        settings.port = port
        settings.reloadInterval = .milliseconds(100)
        let metrics = OperatorMetrics()
        let validator = SnippetValidator(operatorExternalVariables: [], libraryAliases: [])
        let webhook = AdmissionWebhook(settings: settings, admission: SnippetAdmission(validator: validator),
                                       client: cluster.admin, renewalFailed: { metrics.countWebhookCertRenewalFailure() })
        let running = Task { try await webhook.run(logger: Logger(label: "webhook-test")) }
        defer { running.cancel() }
        try await eventually { await bundle(cluster, "renew-fail") != nil }
        let first = try String(contentsOfFile: directory + "/ca.crt", encoding: .utf8)
        // The configuration disappears before the renewal: the new CA cannot be patched in.
        try await cluster.admin.delete(.validatingWebhookConfigurations, name: "renew-fail")
        // (Renewal after two thirds of the 9 s validity, 3 s before the old certificate ends.)
        try await eventually {
            let text = String(decoding: metrics.exposition(), as: UTF8.self)
            return text.contains("\njaas_webhook_cert_renewal_failures_total ")
                && !text.contains("\njaas_webhook_cert_renewal_failures_total 0")
        }
        // The old certificate stays on disk (a CA nobody trusts is never served), and the server still answers.
        #expect(try String(contentsOfFile: directory + "/ca.crt", encoding: .utf8) == first)
        #expect(try await WebhookEndToEndTests.review(port: port, caFile: directory + "/ca.crt",
                                                      spec: ["files": ["main.jsonnet": "{}"]])[path: "response", "allowed"] == true)
        // Once the configuration is back, the renewal completes.
        _ = try await cluster.admin.create(.validatingWebhookConfigurations, Self.configuration("renew-fail", clientConfig: url))
        try await eventually(seconds: 20) { try String(contentsOfFile: directory + "/ca.crt", encoding: .utf8) != first }
    }

    func eventually(seconds: Int = 10, _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            if (try? await condition()) == true { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TestFailure("condition not met within \(seconds) s")
    }
}

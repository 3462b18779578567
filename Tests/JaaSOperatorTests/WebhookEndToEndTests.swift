import AsyncHTTPClient
import Foundation
import JaaSAdmission
import JaaSOperator
import Kubernetes
import NIOCore
import NIOSSL
import Testing
import TestSupport

/// The admission webhook end to end: a `jaas` operator process in self-signed mode,
/// kube-test-server calling it like an apiserver, and the real kubectl.
@Suite(.serialized) struct WebhookEndToEndTests {
    typealias Cluster = ReconcilerIntegrationTests.Cluster
    static let path = "/validate-jaas-metio-wtf-v1-jsonnetsnippet"

    /// A ValidatingWebhookConfiguration for snippet creates and updates, as kubectl YAML.
    static func configuration(name: String, url: String, failurePolicy: String) -> String {
        """
        apiVersion: admissionregistration.k8s.io/v1
        kind: ValidatingWebhookConfiguration
        metadata:
          name: \(name)
        webhooks:
        - name: snippets.jaas.metio.wtf
          admissionReviewVersions: ["v1"]
          sideEffects: None
          failurePolicy: \(failurePolicy)
          timeoutSeconds: 5
          clientConfig:
            url: \(url)
          rules:
          - apiGroups: ["jaas.metio.wtf"]
            apiVersions: ["v1"]
            operations: ["CREATE", "UPDATE"]
            resources: ["jsonnetsnippets"]

        """
    }

    static func snippet(_ name: String, extVar: String) -> String {
        """
        apiVersion: jaas.metio.wtf/v1
        kind: JsonnetSnippet
        metadata:
          name: \(name)
          namespace: team-a
        spec:
          serviceAccountName: renderer
          files:
            main.jsonnet: "{ a: std.extVar('\(extVar)') }"
          externalVariables:
          - name: \(extVar)
            value: x

        """
    }

    static func write(_ text: String) throws -> String {
        let file = temporaryPath("webhook-", suffix: ".yaml")
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }

    /// `kubectl apply -f` of `yaml`: (succeeded, output).
    static func apply(_ yaml: String, kubeconfig: String) async -> (Bool, String) {
        do {
            let file = try write(yaml)
            defer { try? FileManager.default.removeItem(atPath: file) }
            return (true, try await SeedDocumentTests.kubectlAsync(["apply", "-f", file], kubeconfig: kubeconfig))
        } catch {
            return (false, "\(error)")
        }
    }

    /// POSTs an AdmissionReview over TLS trusting only `caFile`.
    static func review(port: Int, caFile: String, spec: JSONValue) async throws -> JSONValue {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(caFile))
        let body: JSONValue = ["apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
                          "request": ["uid": "direct-1", "operation": "CREATE",
                                      "kind": ["group": "jaas.metio.wtf", "version": "v1", "kind": "JsonnetSnippet"],
                                      "object": ["spec": spec]]]
        var request = HTTPClientRequest(url: "https://127.0.0.1:\(port)\(path)")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(data: try body.jsonData()))
        request.tlsConfiguration = tls
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        guard response.status == .ok else { throw TestFailure("webhook answered \(response.status)") }
        return try JSONValue(json: Data(bytes.readableBytesView))
    }

    @Test func selfSignedWebhookRefusesThroughKubectl() async throws {
        let cluster = try await Cluster.start()
        defer { Task { await cluster.stop() } }
        let kubeconfig = temporaryPath("webhook-", suffix: ".kubeconfig")
        try cluster.server.writeKubeconfig(to: kubeconfig)
        defer { try? FileManager.default.removeItem(atPath: kubeconfig) }
        let port = try freePort()
        let certDir = temporaryPath("webhook-certs-")
        let storage = temporaryPath("webhook-storage-")
        defer {
            try? FileManager.default.removeItem(atPath: certDir)
            try? FileManager.default.removeItem(atPath: storage)
        }
        let (created, output) = await Self.apply(Self.configuration(name: "jaas-test", url: "https://127.0.0.1:\(port)\(Self.path)",
                                                                    failurePolicy: "Fail"), kubeconfig: kubeconfig)
        #expect(created, "\(output)")
        let replica = try await OperatorReplica(name: "webhook", arguments: [
            "--kubeconfig", kubeconfig, "--storage-path", storage, "--leader-election=false", "--ext-var", "cluster=test",
            "--enable-webhook", "--webhook-cert-mode", "self-signed", "--webhook-service-name", "127.0.0.1",
            "--webhook-port", "\(port)", "--webhook-cert-dir", certDir, "--webhook-validating-config-name", "jaas-test",
        ], environment: ["POD_NAMESPACE": "team-a"])
        defer { replica.terminate() }

        // caBundle is patched with the CA the operator wrote.
        try await eventually(seconds: 20) {
            let stored = await cluster.server.object(group: "admissionregistration.k8s.io", resource: "validatingwebhookconfigurations",
                                                     namespace: nil, name: "jaas-test")
            guard let bundle = stored?[path: ["webhooks"]]?.arrayValue?.first?[path: ["clientConfig", "caBundle"]]?.stringValue,
                  let pem = Data(base64Encoded: bundle), let ca = FileManager.default.contents(atPath: certDir + "/ca.crt")
            else { return false }
            return String(decoding: pem, as: UTF8.self).hasPrefix(String(decoding: ca, as: UTF8.self))
        }

        let (admitted, admittedOutput) = await Self.apply(Self.snippet("good", extVar: "env"), kubeconfig: kubeconfig)
        #expect(admitted, "\(admittedOutput)\n\(replica.logText)")
        let (refusedOK, refused) = await Self.apply(Self.snippet("bad", extVar: "cluster"), kubeconfig: kubeconfig)
        #expect(!refusedOK)
        #expect(refused.contains("Error from server (Forbidden)"), "\(refused)")
        #expect(refused.contains("admission webhook \"snippets.jaas.metio.wtf\" denied the request: "
            + "spec.externalVariables[0].name: \"cluster\" is set by the operator (--ext-var)"), "\(refused)")
        #expect(await cluster.server.object(group: "jaas.metio.wtf", resource: "jsonnetsnippets", namespace: "team-a", name: "bad") == nil)

        // Unparseable inline Jsonnet, straight over TLS: admitted with a warning naming the position (the original's decision).
        let answer = try await Self.review(port: port, caFile: certDir + "/ca.crt",
                                           spec: ["files": ["main.jsonnet": "{\n  a: 1 +,\n}"]])
        #expect(answer[path: "response", "uid"] == "direct-1")
        #expect(answer[path: "response", "allowed"] == true)
        let warning = answer[path: "response", "warnings"]?.arrayValue?.first?.stringValue ?? ""
        #expect(warning.hasPrefix("spec.files[\"main.jsonnet\"]: does not parse: main.jsonnet:2:"), "\(warning)")

        // New files in the directory are served without a restart: only the new CA verifies afterwards.
        let renewed = try SelfSignedCertificates.make(service: "127.0.0.1", namespace: "team-a", validity: .seconds(3600))
        try renewed.write(to: certDir + "-next")
        defer { try? FileManager.default.removeItem(atPath: certDir + "-next") }
        try renewed.write(to: certDir)
        try await eventually(seconds: 10) {
            try await Self.review(port: port, caFile: certDir + "-next/ca.crt", spec: ["files": ["main.jsonnet": "{}"]])[
                path: "response", "allowed"] == true
        }
        #expect(replica.isRunning)
    }

    @Test func failurePolicyDecidesWhenTheWebhookIsDown() async throws {
        let cluster = try await Cluster.start()
        defer { Task { await cluster.stop() } }
        let kubeconfig = temporaryPath("webhook-", suffix: ".kubeconfig")
        try cluster.server.writeKubeconfig(to: kubeconfig)
        defer { try? FileManager.default.removeItem(atPath: kubeconfig) }
        let down = "https://127.0.0.1:\(try freePort())\(Self.path)"
        var (ok, output) = await Self.apply(Self.configuration(name: "down", url: down, failurePolicy: "Ignore"), kubeconfig: kubeconfig)
        #expect(ok, "\(output)")
        (ok, output) = await Self.apply(Self.snippet("ignored", extVar: "env"), kubeconfig: kubeconfig)
        #expect(ok, "\(output)")
        (ok, output) = await Self.apply(Self.configuration(name: "down", url: down, failurePolicy: "Fail"), kubeconfig: kubeconfig)
        #expect(ok, "\(output)")
        (ok, output) = await Self.apply(Self.snippet("failed", extVar: "env"), kubeconfig: kubeconfig)
        #expect(!ok)
        #expect(output.contains("failed calling webhook \"snippets.jaas.metio.wtf\""), "\(output)")
    }

    func eventually(seconds: Int, _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            if (try? await condition()) == true { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestFailure("condition not met within \(seconds) s")
    }
}

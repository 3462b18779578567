import Foundation
import Kubernetes
import Testing
import TestSupport

/// A self-signed EC certificate and its key, valid until 2126 (test fixture only).
let testCertificatePEM = """
    -----BEGIN CERTIFICATE-----
    MIIBgDCCASWgAwIBAgIUJr0LwaqPXetG1PjOvh1I0KOJd0cwCgYIKoZIzj0EAwIw
    FDESMBAGA1UEAwwJamFhcy10ZXN0MCAXDTI2MTEyNTE1NDMwNVoYDzIxMjYxMTAx
    MTU0MzA1WjAUMRIwEAYDVQQDDAlqYWFzLXRlc3QwWTATBgcqhkjOPQIBBggqhkjO
    PQMBBwNCAAQe7wngB8j2ZMSi4wEuRlkueLxZX1//1T/1pyH/GQwZURuOMqwtrCab
    68WK/Zn0VHuQseklr01GLI4QOem1iGtpo1MwUTAdBgNVHQ4EFgQUkMnAw6iU6xVt
    LJXLGy6h5kUgS/QwHwYDVR0jBBgwFoAUkMnAw6iU6xVtLJXLGy6h5kUgS/QwDwYD
    VR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNJADBGAiEA6tqGboMG0EbnTLBz06Es
    9IFucfhznl5pZaQUtdHLSJECIQCUBIpOajanqfnksLO3coocOEUa1U3AjlFzpgaf
    JFeV6g==
    -----END CERTIFICATE-----

    """

let testKeyPEM = """
    -----BEGIN PRIVATE KEY-----
    MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgMKXsEMHK6L+/nAhQ
    gGXPPtSavyx9saAEi1Va4ffi2zihRANCAAQe7wngB8j2ZMSi4wEuRlkueLxZX1//
    1T/1pyH/GQwZURuOMqwtrCab68WK/Zn0VHuQseklr01GLI4QOem1iGtp
    -----END PRIVATE KEY-----

    """

/// A fresh temporary directory, removed after `body`.
func withTempDirectory(_ body: (String) throws -> Void) throws {
    let temporaryDir = try TemporaryDirectory(prefix: "kubecfg-")
    defer { temporaryDir.remove() }
    let dir = temporaryDir.path
    try body(dir)
}

func write(_ text: String, to path: String) throws {
    try text.write(toFile: path, atomically: true, encoding: .utf8)
}

func base64(_ text: String) -> String { Data(text.utf8).base64EncodedString() }

@Suite struct KubeConfigTests {
    @Test func tokenUserAndCurrentContext() throws {
        let yaml = """
            apiVersion: v1
            kind: Config
            current-context: dev
            clusters:
            - name: local
              cluster:
                server: http://127.0.0.1:6443/
            - name: other
              cluster: {server: https://other:443}
            users:
            - name: admin
              user:
                token: abc123
            contexts:
            - name: dev
              context: {cluster: local, user: admin, namespace: team-a}
            - name: prod
              context: {cluster: other, user: admin}
            """
        let config = try KubeConfig.fromKubeconfig(yaml: yaml)
        #expect(config.server == "http://127.0.0.1:6443")
        #expect(config.namespace == "team-a")
        #expect(config.authentication == .bearerToken("abc123"))
        #expect(config.certificateAuthority == nil)
        #expect(config.clientCertificate == nil)

        let prod = try KubeConfig.fromKubeconfig(yaml: yaml, context: "prod")
        #expect(prod.server == "https://other:443")
        #expect(prod.namespace == "default")
    }

    @Test func inlineClientCertificateAndCAData() async throws {
        let yaml = """
            current-context: c
            clusters:
            - name: k
              cluster:
                server: https://127.0.0.1:6443
                certificate-authority-data: \(base64(testCertificatePEM))
            users:
            - name: u
              user:
                client-certificate-data: \(base64(testCertificatePEM))
                client-key-data: \(base64(testKeyPEM))
            contexts:
            - name: c
              context: {cluster: k, user: u}
            """
        let config = try KubeConfig.fromKubeconfig(yaml: yaml)
        #expect(config.certificateAuthority == Array(testCertificatePEM.utf8))
        #expect(config.clientCertificate == .init(certificate: Array(testCertificatePEM.utf8), key: Array(testKeyPEM.utf8)))
        #expect(config.authentication == .none)
        // The TLS material must be usable: building a client parses it.
        let client = try KubeClient(config: config)
        #expect(client.withToken("t").config.clientCertificate == nil)
        try await client.shutdown()
    }

    @Test func fileReferencesResolveAgainstTheKubeconfigDirectory() throws {
        try withTempDirectory { dir in
            try FileManager.default.createDirectory(atPath: dir + "/pki", withIntermediateDirectories: true)
            try write(testCertificatePEM, to: dir + "/pki/ca.crt")
            try write(testCertificatePEM, to: dir + "/pki/client.crt")
            try write(testKeyPEM, to: dir + "/pki/client.key")
            try write("file-token\n", to: dir + "/token")
            try write(
                """
                current-context: c
                clusters:
                - name: k
                  cluster: {server: "https://k:6443", certificate-authority: pki/ca.crt, insecure-skip-tls-verify: true}
                users:
                - name: u
                  user: {client-certificate: pki/client.crt, client-key: \(dir)/pki/client.key, tokenFile: token}
                contexts:
                - name: c
                  context: {cluster: k, user: u}
                """, to: dir + "/config")
            let config = try KubeConfig.load(kubeconfigPath: dir + "/config", environment: [:])
            #expect(config.certificateAuthority == Array(testCertificatePEM.utf8))
            #expect(config.insecureSkipTLSVerify)
            #expect(config.clientCertificate?.key == Array(testKeyPEM.utf8))
            #expect(config.authentication == .tokenFile(dir + "/token"))
        }
    }

    @Test func resolutionOrderFlagThenKUBECONFIGThenInCluster() throws {
        try withTempDirectory { dir in
            func kubeconfig(_ server: String) -> String {
                """
                current-context: c
                clusters: [{name: k, cluster: {server: "\(server)"}}]
                users: [{name: u, user: {token: t}}]
                contexts: [{name: c, context: {cluster: k, user: u}}]
                """
            }
            try write(kubeconfig("http://flag:1"), to: dir + "/flag")
            try write(kubeconfig("http://env:1"), to: dir + "/env")
            try FileManager.default.createDirectory(atPath: dir + "/sa", withIntermediateDirectories: true)
            try write("sa-token", to: dir + "/sa/token")
            try write(testCertificatePEM, to: dir + "/sa/ca.crt")
            try write("jaas-system\n", to: dir + "/sa/namespace")
            let env = [
                "KUBECONFIG": dir + "/missing:" + dir + "/env", "KUBERNETES_SERVICE_HOST": "10.0.0.1",
                "KUBERNETES_SERVICE_PORT": "443",
            ]
            let sa = dir + "/sa"
            #expect(try KubeConfig.load(kubeconfigPath: dir + "/flag", environment: env, serviceAccountDirectory: sa).server == "http://flag:1")
            #expect(try KubeConfig.load(environment: env, serviceAccountDirectory: sa).server == "http://env:1")
            var noKubeconfig = env
            noKubeconfig["KUBECONFIG"] = nil
            let inCluster = try KubeConfig.load(environment: noKubeconfig, serviceAccountDirectory: sa)
            #expect(inCluster.server == "https://10.0.0.1:443")
            #expect(inCluster.namespace == "jaas-system")
            #expect(inCluster.authentication == .tokenFile(sa + "/token"))
            #expect(inCluster.certificateAuthority == Array(testCertificatePEM.utf8))
            noKubeconfig["KUBERNETES_SERVICE_HOST"] = "fd00::1"
            #expect(try KubeConfig.load(environment: noKubeconfig, serviceAccountDirectory: sa).server == "https://[fd00::1]:443")
            #expect(throws: KubeConfigError.self) { try KubeConfig.load(environment: [:], serviceAccountDirectory: sa) }
        }
    }

    @Test func kubeconfigListMergesFirstWins() throws {
        try withTempDirectory { dir in
            try write(
                """
                current-context: a
                clusters: [{name: k, cluster: {server: "http://first:1"}}]
                contexts: [{name: a, context: {cluster: k, user: u}}]
                """, to: dir + "/one")
            try write(
                """
                current-context: b
                clusters: [{name: k, cluster: {server: "http://second:1"}}]
                users: [{name: u, user: {username: me, password: pw}}]
                contexts: [{name: b, context: {cluster: k, user: u}}]
                """, to: dir + "/two")
            let config = try KubeConfig.load(environment: ["KUBECONFIG": "\(dir)/one:\(dir)/two"])
            #expect(config.server == "http://first:1")
            #expect(config.authentication == .basic(username: "me", password: "pw"))
        }
    }

    @Test func errorsNameTheProblem() throws {
        #expect(throws: KubeConfigError.self) { try KubeConfig.fromKubeconfig(yaml: "clusters: []") }
        let exec = """
            current-context: c
            clusters: [{name: k, cluster: {server: "https://k"}}]
            users: [{name: u, user: {exec: {command: aws}}}]
            contexts: [{name: c, context: {cluster: k, user: u}}]
            """
        #expect(throws: KubeConfigError.self) { try KubeConfig.fromKubeconfig(yaml: exec) }
        let halfCert = """
            current-context: c
            clusters: [{name: k, cluster: {server: "https://k"}}]
            users: [{name: u, user: {client-certificate-data: \(base64(testCertificatePEM))}}]
            contexts: [{name: c, context: {cluster: k, user: u}}]
            """
        #expect(throws: KubeConfigError.self) { try KubeConfig.fromKubeconfig(yaml: halfCert) }
        let badPEM = KubeConfig(server: "https://k", certificateAuthority: Array("not pem".utf8))
        #expect(throws: KubeConfigError.self) { _ = try KubeClient(config: badPEM) }
    }
}

import Foundation
import KubeTestServer
import Kubernetes
import Testing
import TestSupport
import Yams

/// SIGTERM to a real `jaas --enable-flux-integration` process ends it in under 10 s
/// (with the default 5 s shutdown delay) whatever its API server does — answering,
/// gone (connection refused) or hanging (accepting connections, never answering) —
/// as the leader or without leader election, and the shutdown logs nothing
/// misleading. The operator reaches kube-test-server through a TCP proxy the test
/// controls; the JsonnetLibrary CRD is left out, so the start-up check is still
/// retrying when the shutdown begins.
@Suite(.serialized) struct OperatorShutdownTests {

    enum APIServer: String, CaseIterable, Sendable {
        case up, gone, hanging
    }

    static let cases: [(APIServer, Bool)] = APIServer.allCases.flatMap { api in [(api, true), (api, false)] }

    @Test(arguments: cases)
    func sigtermEndsTheProcessPromptly(api: APIServer, leaderElection: Bool) async throws {
        let server = try await KubeTestServer.start(.init(anonymousIsAdmin: true))
        defer { Task { await server.stop() } }
        let admin = try KubeClient(config: KubeConfig(server: server.baseURL, authentication: .bearerToken(server.adminToken)))
        defer { Task { try? await admin.shutdown() } }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        for file in ["config/crd/jaas.metio.wtf_jsonnetsnippets.yaml",
                     "config/crd/test/source.toolkit.fluxcd.io_externalartifacts.yaml"] {
            let yaml = try String(contentsOf: root.appendingPathComponent(file), encoding: .utf8)
            _ = try await admin.create(.customResourceDefinitions, KubeObject(json: try JSONValue(encoding: AnyCodable(try Yams.load(yaml: yaml)))))
        }
        _ = try await admin.create(.namespaces, KubeObject(apiVersion: "v1", kind: "Namespace", name: "team-a"))

        let proxy = try TCPProxy(to: server.port)
        let kubeconfig = temporaryPath("jaas-shutdown-", suffix: ".kubeconfig")
        try server.kubeconfig().replacingOccurrences(of: server.baseURL, with: "http://127.0.0.1:\(proxy.port)")
            .write(toFile: kubeconfig, atomically: true, encoding: .utf8)
        let storage = temporaryPath("jaas-shutdown-")
        defer {
            try? FileManager.default.removeItem(atPath: kubeconfig)
            try? FileManager.default.removeItem(atPath: storage)
        }
        let replica = try await OperatorReplica(
            name: "shutdown", arguments: ["--kubeconfig", kubeconfig, "--storage-path", storage, "--shutdown-delay", "5s",
                                          "--leader-election=\(leaderElection)"],
            environment: ["POD_NAMESPACE": "team-a"])
        if leaderElection {
            try await eventually(seconds: 15) { try await replica.leader() }
            let lease = try await admin.get(.leases, namespace: "team-a", name: "jaas-operator")
            #expect(lease[path: "spec", "holderIdentity"]?.stringValue?.hasPrefix("shutdown_") == true)
        }
        try await eventually(seconds: 15) { replica.logText.contains("operator start-up check: the JsonnetLibrary CRD") }

        switch api {
        case .up: break
        case .gone:
            proxy.refuse()
            #expect(!canConnect(port: proxy.port), "the proxy still accepts connections")
        case .hanging:
            proxy.blackhole()
        }
        // Let the operator notice (watches break or go silent, requests start to wait).
        try await Task.sleep(for: .seconds(1))

        let start = ContinuousClock.now
        replica.terminate()
        let exited = try await replica.waitForExit(seconds: 30)
        let took = ContinuousClock.now - start
        let seconds = Double(took.components.seconds) + Double(took.components.attoseconds) / 1e18
        print("SIGTERM -> exit: \(String(format: "%.2f", seconds)) s (API server \(api.rawValue), "
              + "\(leaderElection ? "leader" : "no leader election"))")
        let log = replica.logText
        let tail = log.split(separator: "\n").suffix(30).joined(separator: "\n")
        #expect(exited, "still running 30 s after SIGTERM:\n\(tail)")
        #expect(took < .seconds(10), "SIGTERM to exit took \(took):\n\(tail)")
        #expect(took >= .seconds(5), "the shutdown delay (5 s) was cut short: \(took)")
        let shutdownLog = log.components(separatedBy: "shutting down").dropFirst().joined()
        for misleading in ["Already closed", "CancellationError", "now in place", "Server shutdown error"] {
            #expect(!log.contains(misleading), "the log says \(misleading):\n\(tail)")
        }
        #expect(!shutdownLog.isEmpty, "no shutdown line in the log:\n\(tail)")
        if leaderElection && api == .up {
            // Released on the way out: a successor need not wait for the lease to expire.
            let lease = try await admin.get(.leases, namespace: "team-a", name: "jaas-operator")
            #expect(lease[path: "spec", "holderIdentity"]?.stringValue == "")
        }
    }

    /// Whether a TCP connection to 127.0.0.1:`port` is accepted.
    func canConnect(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }

    /// Polls `condition` every 50 ms until it holds; fails after `seconds`.
    func eventually(seconds: Int, _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            if (try? await condition()) == true { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TestFailure("condition not met within \(seconds) s")
    }
}

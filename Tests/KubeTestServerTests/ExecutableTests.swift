import Foundation
import KubeTestServer
import Kubernetes
import Testing
import Yams
import TestSupport

@Suite("The kube-test-server executable")
struct ExecutableTests {
    /// The executable is built beside the test bundle.
    static var executable: URL {
        URL(fileURLWithPath: BuiltProducts.path(of: "kube-test-server"))
    }

    @Test func printsItsPortAndWritesAKubeconfig() async throws {
        let temporaryDirectory = try TemporaryDirectory(prefix: "kts-")
        defer { temporaryDirectory.remove() }
        let directory = URL(fileURLWithPath: temporaryDirectory.path)
        let kubeconfig = directory.appendingPathComponent("kubeconfig")
        let process = Process()
        process.executableURL = Self.executable
        process.arguments = ["--port", "0", "--kubeconfig-out", kubeconfig.path, "--token", "secret-admin"]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        defer { if process.isRunning { process.terminate() } }

        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        let port = try #require(Int(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(port > 0)
        let config = JSONValue(yamlObject: try Yams.load(yaml: try String(contentsOf: kubeconfig, encoding: .utf8)) as Any)
        #expect(config[path: ["clusters"]]?.arrayValue?.first?[path: ["cluster", "server"]]?.stringValue == "http://127.0.0.1:\(port)")
        #expect(config[path: ["users"]]?.arrayValue?.first?[path: ["user", "token"]] == "secret-admin")
        let kube = KubeHTTP(baseURL: "http://127.0.0.1:\(port)", token: "secret-admin")
        #expect(try await kube.get("/api/v1/namespaces/default")["metadata", "name"] == "default")
        #expect(try await KubeHTTP(baseURL: kube.baseURL, token: nil).get("/api/v1/namespaces").code == 200)
        #expect(try await KubeHTTP(baseURL: kube.baseURL, token: "wrong").get("/api/v1/namespaces").code == 401)
    }
}

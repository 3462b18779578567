import Foundation
import Testing

extension EndToEnd.BinaryTests {
    /// The `jaas eval-worker` children of `pid`, waiting up to 10 s for at least one.
    static func workers(of pid: Int32) async throws -> [Int32] {
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            let children = (try FileManager.default.contentsOfDirectory(atPath: "/proc")).compactMap(Int32.init).filter { child in
                guard let stat = try? String(contentsOfFile: "/proc/\(child)/stat", encoding: .utf8),
                      let close = stat.lastIndex(of: ")") else { return false }
                // Field 4, the parent's pid, is the second after the command name.
                let fields = stat[stat.index(after: close)...].split(separator: " ")
                guard fields.count > 1, Int32(fields[1]) == pid,
                      let cmdline = FileManager.default.contents(atPath: "/proc/\(child)/cmdline") else { return false }
                return String(decoding: cmdline, as: UTF8.self).contains("eval-worker")
            }
            if !children.isEmpty { return children }
            try await Task.sleep(for: .milliseconds(50))
        }
        return []
    }

    /// `/proc/<pid>/environ` as `NAME=value` entries.
    static func environment(of pid: Int32) -> [String] {
        let bytes = FileManager.default.contents(atPath: "/proc/\(pid)/environ") ?? Data()
        return bytes.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Issue 22: evaluation workers hold none of the server's secrets, whatever its environment.
    @Test func workersInheritNoSecrets() async throws {
        let fixture = try standardFixture()
        let secret = "secret-\(UUID().uuidString)"
        let environment = [
            "AWS_ACCESS_KEY_ID": "AKIA\(secret)", "AWS_SECRET_ACCESS_KEY": secret, "AWS_SESSION_TOKEN": secret,
            "JAAS_S3_SECRET_ACCESS_KEY": secret, "KUBERNETES_SERVICE_HOST": "10.96.0.1", "KUBERNETES_SERVICE_PORT": "443",
            "GITHUB_TOKEN": secret, "PATH": "/usr/bin:/bin", "HOME": "/root", "TZ": "UTC", "JAAS_PARSE_CACHE_BYTES": "1048576",
        ]
        let jaas = try await JaaSProcess(["--snippet-directory", fixture.at("snippets"), "--evaluation-isolation", "process"],
                                         environment: environment)
        let reply = try await RawHTTP.request(port: jaas.ports["renderer"]!, target: "/jsonnet/hello")
        #expect(reply.status == 200, "\(reply.body)")
        // The server itself has them, so reading environ works and this test can fail.
        #expect(Self.environment(of: jaas.pid).contains("AWS_SECRET_ACCESS_KEY=\(secret)"))
        let workers = try await Self.workers(of: jaas.pid)
        #expect(!workers.isEmpty, "no eval-worker child found")
        for worker in workers {
            let seen = Self.environment(of: worker)
            #expect(Set(seen) == ["SWIFT_BACKTRACE=enable=no", "TZ=UTC", "JAAS_PARSE_CACHE_BYTES=1048576"], "\(seen)")
            #expect(!seen.contains { $0.contains(secret) })
        }
    }

    /// `--worker-network`: `auto` gives workers a network namespace of their own where
    /// the kernel allows it (and says so when it does not); `host` keeps the server's.
    @Test func workersLeaveTheHostNetworkUnlessTold() async throws {
        let fixture = try standardFixture()
        func namespace(_ pid: Int32) throws -> String {
            try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/ns/net")
        }
        let auto = try await JaaSProcess(["--snippet-directory", fixture.at("snippets"), "--log-level", "debug"])
        let reply = try await RawHTTP.request(port: auto.ports["renderer"]!, target: "/jsonnet/hello")
        #expect(reply.status == 200, "\(reply.body)")
        let autoWorkers = try await Self.workers(of: auto.pid)
        #expect(!autoWorkers.isEmpty)
        let refused = auto.logText.contains("evaluation workers keep the host network")
        let serverNamespace = try namespace(auto.pid)
        for worker in autoWorkers {
            let workerNamespace = try namespace(worker)
            #expect((workerNamespace == serverNamespace) == refused,
                    "auto: worker \(worker) in \(workerNamespace), server in \(serverNamespace); notice logged: \(refused)")
        }
        print("worker network (auto): \(refused ? "host, the kernel refused a namespace" : "a namespace of their own")")

        let host = try await JaaSProcess(["--snippet-directory", fixture.at("snippets"), "--worker-network", "host"])
        let hostWorkers = try await Self.workers(of: host.pid)
        #expect(!hostWorkers.isEmpty)
        for worker in hostWorkers { #expect(try namespace(worker) == namespace(host.pid)) }

        let (status, stdout, stderr) = try await JaaSProcess.run(["--worker-network", "off"])
        #expect(status == 2 && stdout.isEmpty)
        #expect(stderr == "jaas: --worker-network off: must be none, auto or host\n", "\(stderr)")
    }
}

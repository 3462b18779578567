import ArgumentParser
import Foundation
import KubeTestServer

/// Runs the in-process Kubernetes API server stand-in as a process, e.g. for kubectl.
@main
struct KubeTestServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kube-test-server",
        abstract: "A Kubernetes API server stand-in for tests (plain HTTP on loopback).")

    @Option(help: "Port to listen on; 0 picks a free port and prints it.")
    var port: Int = 0

    @Option(help: "Address to bind.")
    var host: String = "127.0.0.1"

    @Option(name: .customLong("kubeconfig-out"), help: "Write an admin kubeconfig (bearer token) to this path.")
    var kubeconfigOut: String?

    @Option(help: "Admin bearer token (random when omitted).")
    var token: String?

    @Option(name: .customLong("watch-history"), help: "Watch events retained for resuming watches.")
    var watchHistory: Int = 10_000

    @Flag(name: .customLong("require-auth"),
          help: "Reject requests without a bearer token (kubectl sends none over plain HTTP, so it then cannot connect).")
    var requireAuth = false

    @Flag(name: .customLong("log-denials"), help: "Write one line to stderr for every request RBAC denies.")
    var logDenials = false

    @Option(name: .customLong("webhook-service-address"),
            help: "Where a webhook clientConfig.service is reached: namespace/name=host:port (repeatable).")
    var webhookServiceAddresses: [String] = []

    func run() async throws {
        var services: [String: String] = [:]
        for mapping in webhookServiceAddresses {
            let parts = mapping.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, parts[0].split(separator: "/").count == 2, !parts[1].isEmpty else {
                throw ValidationError("--webhook-service-address \(mapping): must be namespace/name=host:port")
            }
            services[parts[0]] = parts[1]
        }
        let logDenial: @Sendable (String) -> Void = { FileHandle.standardError.write(Data("denied: \($0)\n".utf8)) }
        var configuration = KubeTestServer.Configuration(host: host, port: port, adminToken: token,
                                                         watchHistoryLimit: watchHistory, anonymousIsAdmin: !requireAuth,
                                                         onDenied: logDenials ? logDenial : nil)
        configuration.webhookServiceAddresses = services
        let server = try await KubeTestServer.start(configuration)
        if let kubeconfigOut { try server.writeKubeconfig(to: kubeconfigOut) }
        FileHandle.standardOutput.write(Data("\(server.port)\n".utf8))
        while true { try await Task.sleep(for: .seconds(3600)) }
    }
}

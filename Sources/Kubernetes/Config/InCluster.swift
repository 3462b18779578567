import Foundation

/// Where a pod finds its service-account credentials.
public enum InCluster {
    /// The directory the kubelet mounts the token, CA bundle and namespace into.
    public static let serviceAccountDirectory = "/var/run/secrets/kubernetes.io/serviceaccount"
}

extension KubeConfig {
    /// Credentials of the pod this process runs in: `https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT`,
    /// the service-account token (re-read as it rotates), `ca.crt`, and the pod's namespace.
    public static func inCluster(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        serviceAccountDirectory: String = InCluster.serviceAccountDirectory
    ) throws -> KubeConfig {
        guard let host = environment["KUBERNETES_SERVICE_HOST"], !host.isEmpty,
            let port = environment["KUBERNETES_SERVICE_PORT"], !port.isEmpty
        else {
            throw KubeConfigError(
                "no kubeconfig given (--kubeconfig or KUBECONFIG) and not running in a cluster (KUBERNETES_SERVICE_HOST/PORT unset)")
        }
        let tokenPath = serviceAccountDirectory + "/token"
        guard FileManager.default.isReadableFile(atPath: tokenPath) else {
            throw KubeConfigError("in-cluster token \(tokenPath) is missing or unreadable")
        }
        let hostPart = host.contains(":") ? "[\(host)]" : host
        let ca = FileManager.default.contents(atPath: serviceAccountDirectory + "/ca.crt").map { [UInt8]($0) }
        let namespace = FileManager.default.contents(atPath: serviceAccountDirectory + "/namespace")
            .map { String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) }
        return KubeConfig(
            server: "https://\(hostPart):\(port)",
            namespace: namespace.flatMap { $0.isEmpty ? nil : $0 } ?? "default",
            certificateAuthority: ca,
            authentication: .tokenFile(tokenPath))
    }
}

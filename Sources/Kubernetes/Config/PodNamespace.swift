import Foundation

/// The namespace this process works in: the first non-empty of `explicit` (a flag),
/// `POD_NAMESPACE` in `environment`, the mounted service account's namespace, else
/// `default`.
public func podNamespace(explicit: String?, environment: [String: String]) -> String {
    let serviceAccountNamespace = (try? String(
        contentsOfFile: "/var/run/secrets/kubernetes.io/serviceaccount/namespace", encoding: .utf8))?
        .trimmingCharacters(in: .whitespacesAndNewlines)
    return [explicit, environment["POD_NAMESPACE"], serviceAccountNamespace]
        .compactMap { $0 }.first { !$0.isEmpty } ?? "default"
}

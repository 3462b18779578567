import Foundation

/// A token minted for a ServiceAccount by the TokenRequest API.
public struct ServiceAccountToken: Sendable, Hashable {
    /// The bearer token.
    public var token: String
    /// When the API server stops accepting it.
    public var expiration: Date
}

extension KubeClient {
    /// Mints a short-lived token for a ServiceAccount:
    /// `POST /api/v1/namespaces/{namespace}/serviceaccounts/{name}/token` with an
    /// `authentication.k8s.io/v1` TokenRequest. Needs `create` on `serviceaccounts/token`.
    /// The server may shorten (or lengthen to its minimum) `expirationSeconds`; read `expiration`.
    public func requestToken(
        namespace: String, serviceAccount: String, audiences: [String] = [], expirationSeconds: Int = 3600
    ) async throws -> ServiceAccountToken {
        var spec: JSONValue = ["expirationSeconds": .int(Int64(expirationSeconds))]
        if !audiences.isEmpty { spec["audiences"] = .array(audiences.map(JSONValue.string)) }
        let body: JSONValue = ["apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest", "spec": spec]
        let target = GroupVersionResource.serviceAccounts.path(namespace: namespace, name: serviceAccount, subresource: "token")
        let answer = try await performJSON(KubeRequest(.POST, target, body: try body.jsonData()))
        guard let token = answer[path: "status", "token"]?.stringValue, !token.isEmpty else {
            throw KubeError(code: 500, reason: .internalError, message: "TokenRequest answer carries no status.token")
        }
        let expiration =
            answer[path: "status", "expirationTimestamp"]?.stringValue.flatMap(Timestamps.parse)
            ?? Date().addingTimeInterval(TimeInterval(expirationSeconds))
        return ServiceAccountToken(token: token, expiration: expiration)
    }
}

/// RFC 3339 timestamps as Kubernetes writes them (`Time` in seconds, `MicroTime` in microseconds).
public enum Timestamps {
    /// Parses `2024-05-01T10:00:00Z`, with or without fractional seconds.
    public static func parse(_ string: String) -> Date? {
        if let date = try? Date(string, strategy: .iso8601) { return date }
        return try? Date(string, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    /// `2024-05-01T10:00:00Z` (metav1.Time).
    public static func format(_ date: Date) -> String {
        date.formatted(.iso8601)
    }

    /// `2024-05-01T10:00:00.123456Z` (metav1.MicroTime, as Leases need).
    public static func formatMicro(_ date: Date) -> String {
        let seconds = date.timeIntervalSince1970.rounded(.down)
        let micros = Int(((date.timeIntervalSince1970 - seconds) * 1_000_000).rounded(.down))
        let whole = Date(timeIntervalSince1970: seconds).formatted(.iso8601)
        return String(whole.dropLast()) + "." + String(format: "%06d", micros) + "Z"
    }
}

import Foundation
import Kubernetes

/// Short-lived ServiceAccount tokens minted with the TokenRequest API, reused
/// until they are close to expiry (the last fifth of their lifetime).
public actor TokenCache {
    private struct Entry {
        let token: ServiceAccountToken
        let refreshAt: Date
    }

    private let client: KubeClient
    private let lifetime: Int
    private var entries: [String: Entry] = [:]

    public init(client: KubeClient, lifetimeSeconds: Int = 3600) {
        self.client = client
        self.lifetime = lifetimeSeconds
    }

    /// A token for `namespace/serviceAccount`, minted when none is cached or it is near expiry.
    public func token(namespace: String, serviceAccount: String, now: Date = Date()) async throws -> String {
        let key = "\(namespace)/\(serviceAccount)"
        if let e = entries[key], now < e.refreshAt { return e.token.token }
        let token = try await client.requestToken(namespace: namespace, serviceAccount: serviceAccount,
                                                  expirationSeconds: lifetime)
        let remaining = token.expiration.timeIntervalSince(now)
        entries[key] = Entry(token: token, refreshAt: now.addingTimeInterval(remaining * 0.8))
        return token.token
    }

    /// Forgets a token (after the apiserver rejected it).
    public func invalidate(namespace: String, serviceAccount: String) {
        entries["\(namespace)/\(serviceAccount)"] = nil
    }
}

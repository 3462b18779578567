import Foundation
import Kubernetes

/// Short-lived ServiceAccount tokens minted with the TokenRequest API, reused
/// until they are close to expiry (the last fifth of their lifetime) or until
/// the apiserver rejects them (``invalidate(namespace:serviceAccount:)``).
public actor TokenCache {
    private struct Entry {
        let token: ServiceAccountToken
        let refreshAt: Date
    }

    private let client: KubeClient
    private let lifetime: Int
    private let onMintFailure: @Sendable (_ namespace: String, _ serviceAccount: String) -> Void
    private var entries: [String: Entry] = [:]

    /// A cache minting through `client`; `onMintFailure` is called with the namespace and
    /// ServiceAccount of each failed TokenRequest.
    public init(client: KubeClient, lifetimeSeconds: Int = 3600, onMintFailure: @escaping @Sendable (_ namespace: String, _ serviceAccount: String) -> Void = { _, _ in }) {
        self.client = client
        self.lifetime = lifetimeSeconds
        self.onMintFailure = onMintFailure
    }

    /// A token for `namespace/serviceAccount`, minted when none is cached or it is near expiry.
    public func token(namespace: String, serviceAccount: String, now: Date = Date()) async throws -> String {
        let key = "\(namespace)/\(serviceAccount)"
        if let e = entries[key], now < e.refreshAt { return e.token.token }
        let token: ServiceAccountToken
        do {
            token = try await client.requestToken(namespace: namespace, serviceAccount: serviceAccount,
                                                  expirationSeconds: lifetime)
        } catch {
            onMintFailure(namespace, serviceAccount)
            throw error
        }
        let remaining = token.expiration.timeIntervalSince(now)
        entries[key] = Entry(token: token, refreshAt: now.addingTimeInterval(remaining * 0.8))
        return token.token
    }

    /// Forgets a token (after the apiserver rejected it).
    public func invalidate(namespace: String, serviceAccount: String) {
        entries["\(namespace)/\(serviceAccount)"] = nil
    }
}

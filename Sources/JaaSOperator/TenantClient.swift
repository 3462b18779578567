import Kubernetes

/// Calls made as a snippet's ServiceAccount, with a token from the ``TokenCache``.
/// A call answered 401 (a token revoked or rotated before its expiry) drops the
/// cached token and is made once more with a freshly minted one.
struct TenantClient: Sendable {
    let admin: KubeClient
    let tokens: TokenCache
    let namespace: String
    let serviceAccount: String

    /// A client carrying the tenant's token; a missing ServiceAccount is `ServiceAccountMissing`.
    func client() async throws -> KubeClient {
        do {
            return admin.withToken(try await tokens.token(namespace: namespace, serviceAccount: serviceAccount))
        } catch let e as KubeError where e.code == 404 {
            throw ReconcileFailure(.serviceAccountMissing, "ServiceAccount \(namespace)/\(serviceAccount) does not exist")
        }
    }

    /// Runs `body` with the tenant's client, re-minting the token once on a 401.
    func call<T: Sendable>(_ body: @Sendable (KubeClient) async throws -> T) async throws -> T {
        do {
            return try await body(try await client())
        } catch let e as KubeError where e.code == 401 {
            await tokens.invalidate(namespace: namespace, serviceAccount: serviceAccount)
            return try await body(try await client())
        }
    }
}

extension SnippetReconciler {
    /// The tenant side of `namespace/serviceAccount`.
    func tenant(namespace: String, serviceAccount: String) -> TenantClient {
        TenantClient(admin: admin, tokens: tokens, namespace: namespace, serviceAccount: serviceAccount)
    }

    /// Runs `body` as `namespace/serviceAccount` (see ``TenantClient/call(_:)``).
    func asTenant<T: Sendable>(namespace: String, serviceAccount: String,
                               _ body: @Sendable (KubeClient) async throws -> T) async throws -> T {
        try await tenant(namespace: namespace, serviceAccount: serviceAccount).call(body)
    }
}

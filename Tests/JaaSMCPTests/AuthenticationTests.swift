import Foundation
@testable import JaaSMCP
import KubeTestServer
import Kubernetes
import Testing

/// The HTTP server's token checks (TokenReview, remembered briefly) and per-caller evaluation limits.
struct AuthenticationTests {
    /// A kube-test-server, an admin client on it, and a ServiceAccount `team-a/<name>` for each of `accounts`.
    func withCluster(accounts: [String], _ body: (KubeTestServer, KubeClient) async throws -> Void) async throws {
        let server = try await KubeTestServer.start()
        let client = try KubeClient(config: KubeConfig(server: server.baseURL, authentication: .bearerToken(server.adminToken)))
        do {
            _ = try await client.create(.namespaces, KubeObject(apiVersion: "v1", kind: "Namespace", name: "team-a"))
            for name in accounts {
                _ = try await client.create(.serviceAccounts, KubeObject(apiVersion: "v1", kind: "ServiceAccount",
                                                                         namespace: "team-a", name: name))
            }
            try await body(server, client)
        } catch {
            try? await client.shutdown()
            await server.stop()
            throw error
        }
        try await client.shutdown()
        await server.stop()
    }

    @Test func acceptedTokensAreRememberedBrieflyRejectedOnesNot() async throws {
        try await withCluster(accounts: ["agent", "b", "c"]) { server, client in
            let token = try await server.mintToken(namespace: "team-a", serviceAccount: "agent")
            let authenticator = TokenReviewAuthenticator(client: client, ttl: .milliseconds(600), maxEntries: 2)
            guard case .authenticated(let user) = await authenticator.authenticate(token) else {
                Issue.record("a minted token should authenticate")
                return
            }
            #expect(user.username == "system:serviceaccount:team-a:agent")
            #expect(user.groups.contains("system:serviceaccounts:team-a"))
            #expect(user.extra["authentication.kubernetes.io/credential-id"]?.first?.hasPrefix("JTI=") == true)
            #expect(await authenticator.cachedCount == 1)

            // Remembered: the ServiceAccount's deletion is seen only once the entry expires.
            _ = try await client.delete(.serviceAccounts, namespace: "team-a", name: "agent")
            #expect(await authenticator.authenticate(token) == .authenticated(user))
            try await Task.sleep(for: .milliseconds(700))
            guard case .rejected = await authenticator.authenticate(token) else {
                Issue.record("an expired entry must be reviewed again")
                return
            }
            // Rejections are not remembered, and the cache stays within its bound.
            #expect(await authenticator.cachedCount == 0)
            guard case .rejected = await authenticator.authenticate("made-up") else {
                Issue.record("a made-up token must be rejected")
                return
            }
            #expect(await authenticator.cachedCount == 0)
            for name in ["b", "c"] {
                _ = await authenticator.authenticate(try await server.mintToken(namespace: "team-a", serviceAccount: name))
            }
            _ = await authenticator.authenticate(server.adminToken)
            #expect(await authenticator.cachedCount == 2)
        }
    }

    @Test func anUnreachableAPIServerIsUnavailableNotUnauthorized() async throws {
        let client = try KubeClient(config: KubeConfig(server: "http://127.0.0.1:1", authentication: .bearerToken("x")),
                                    retryPolicy: RetryPolicy(maxAttempts: 1), requestTimeout: .seconds(1))
        let authenticator = TokenReviewAuthenticator(client: client)
        guard case .unavailable = await authenticator.authenticate("some-token") else {
            Issue.record("a failed review is not a verdict on the token")
            try await client.shutdown()
            return
        }
        try await client.shutdown()
    }

    @Test func callerLimitsCapConcurrencyAndRate() async throws {
        let limits = CallerEvaluationLimits(maxConcurrent: 1, perMinute: 6, burst: 2)
        #expect(await limits.acquire("a") == nil)
        #expect(await limits.acquire("a")?.contains("at once") == true, "a second concurrent evaluation")
        #expect(await limits.acquire("b") == nil, "another caller has its own limits")
        await limits.release("a")
        #expect(await limits.acquire("a") == nil, "the burst's second evaluation")
        await limits.release("a")
        #expect(await limits.acquire("a")?.contains("a minute") == true, "the burst is spent (one more every 10 s)")
        let unlimited = CallerEvaluationLimits(maxConcurrent: 0, perMinute: 0)
        for _ in 0..<100 { #expect(await unlimited.acquire("a") == nil) }
    }
}

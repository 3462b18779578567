import Foundation
import KubeTestServer
import Kubernetes
import Testing

/// TokenReview, SubjectAccessReview and impersonation checked by RBAC, as the API
/// server answers them (what the MCP server's Kubernetes authentication relies on).
@Suite("TokenReview, SubjectAccessReview and impersonation")
struct ReviewTests {
    let tokenReviews = "/apis/authentication.k8s.io/v1/tokenreviews"
    let accessReviews = "/apis/authorization.k8s.io/v1/subjectaccessreviews"

    /// A ServiceAccount `namespace/name` and a token minted for it.
    private func account(_ kube: KubeHTTP, _ server: KubeTestServer, _ namespace: String, _ name: String,
                         audiences: [String]? = nil) async throws -> (uid: String, token: String) {
        if namespace != "default" { _ = try await kube.post("/api/v1/namespaces", ["metadata": ["name": .string(namespace)]]) }
        let created = try await kube.post("/api/v1/namespaces/\(namespace)/serviceaccounts", ["metadata": ["name": .string(name)]])
        var spec: JSONValue = ["expirationSeconds": 3600]
        if let audiences { spec["audiences"] = .array(audiences.map(JSONValue.string)) }
        let minted = try await kube.post("/api/v1/namespaces/\(namespace)/serviceaccounts/\(name)/token", ["spec": spec])
        return (try #require(created["metadata", "uid"]?.stringValue), try #require(minted["status", "token"]?.stringValue))
    }

    /// Grants `rules` to a subject cluster-wide.
    private func grant(_ kube: KubeHTTP, _ name: String, _ rules: JSONValue, to subject: JSONValue) async throws {
        #expect(try await kube.post("/apis/rbac.authorization.k8s.io/v1/clusterroles", ["metadata": ["name": .string(name)], "rules": rules]).code == 201)
        #expect(try await kube.post("/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", [
            "metadata": ["name": .string(name)],
            "roleRef": ["apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": .string(name)],
            "subjects": [subject],
        ]).code == 201)
    }

    @Test func tokenReviewTellsWhoATokenBelongsTo() async throws {
        try await withServer { server, kube in
            let (uid, token) = try await account(kube, server, "team-a", "agent")
            let review = try await kube.post(tokenReviews, ["apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview",
                                                            "spec": ["token": .string(token)]])
            #expect(review.code == 201)
            #expect(review["kind"] == "TokenReview" && review["apiVersion"] == "authentication.k8s.io/v1")
            #expect(review["status", "authenticated"] == true)
            #expect(review["status", "user", "username"] == "system:serviceaccount:team-a:agent")
            #expect(review["status", "user", "uid"]?.stringValue == uid)
            #expect(review["status", "user", "groups"] == ["system:serviceaccounts", "system:serviceaccounts:team-a", "system:authenticated"])
            let credential = review["status", "user", "extra", "authentication.kubernetes.io/credential-id"]?.arrayValue
            #expect(credential?.count == 1 && credential?.first?.stringValue?.hasPrefix("JTI=") == true, "\(review.body)")
            #expect(review["status", "audiences"] == ["https://kubernetes.default.svc.cluster.local"])
            #expect(review["status", "error"] == nil)

            let admin = try await kube.post(tokenReviews, ["spec": ["token": .string(server.adminToken)]])
            #expect(admin["status", "user", "groups"]?.arrayValue?.contains("system:masters") == true)

            // An unknown token is a 201 answer saying so, not an error.
            let bad = try await kube.post(tokenReviews, ["spec": ["token": "not-a-token"]])
            #expect(bad.code == 201)
            #expect(bad["status", "authenticated"] == nil && bad["status", "user"] == [:])
            #expect(bad["status", "error"] == "invalid bearer token")
            #expect(try await kube.post(tokenReviews, ["spec": [:]]).code == 400)

            // Audiences: a token minted for another audience is refused for the default one, accepted for its own.
            let (_, scoped) = try await account(kube, server, "team-a", "scoped", audiences: ["jaas-mcp"])
            let wrong = try await kube.post(tokenReviews, ["spec": ["token": .string(scoped)]])
            #expect(wrong["status", "authenticated"] == nil)
            #expect(wrong["status", "error"]?.stringValue?.contains("token audiences [\"jaas-mcp\"] is invalid") == true, "\(wrong.body)")
            let right = try await kube.post(tokenReviews, ["spec": ["token": .string(scoped), "audiences": ["jaas-mcp", "other"]]])
            #expect(right["status", "authenticated"] == true && right["status", "audiences"] == ["jaas-mcp"])

            // A deleted ServiceAccount's tokens stop authenticating.
            _ = try await kube.delete("/api/v1/namespaces/team-a/serviceaccounts/agent")
            let gone = try await kube.post(tokenReviews, ["spec": ["token": .string(token)]])
            #expect(gone["status", "authenticated"] == nil && gone["status", "error"]?.stringValue?.isEmpty == false)
        }
    }

    @Test func reviewsNeedTheirOwnCreateRight() async throws {
        try await withServer { server, kube in
            let (_, reviewer) = try await account(kube, server, "default", "reviewer")
            let asReviewer = KubeHTTP(server, token: reviewer)
            let deniedToken = try await asReviewer.post(tokenReviews, ["spec": ["token": .string(reviewer)]])
            #expect(deniedToken.code == 403)
            #expect(deniedToken["message"] == "tokenreviews.authentication.k8s.io is forbidden: User \"system:serviceaccount:default:reviewer\" cannot create resource \"tokenreviews\" in API group \"authentication.k8s.io\" at the cluster scope")
            let sar: JSONValue = ["spec": ["user": "x", "resourceAttributes": ["verb": "get", "resource": "pods"]]]
            #expect(try await asReviewer.post(accessReviews, sar).code == 403)
            var anonymous = kube
            anonymous.token = nil
            #expect(try await anonymous.post(tokenReviews, ["spec": ["token": "x"]]).code == 401)
            try await grant(kube, "reviewer", [
                ["apiGroups": ["authentication.k8s.io"], "resources": ["tokenreviews"], "verbs": ["create"]],
                ["apiGroups": ["authorization.k8s.io"], "resources": ["subjectaccessreviews"], "verbs": ["create"]],
            ], to: ["kind": "ServiceAccount", "name": "reviewer", "namespace": "default"])
            #expect(try await asReviewer.post(tokenReviews, ["spec": ["token": .string(reviewer)]])["status", "authenticated"] == true)
            #expect(try await asReviewer.post(accessReviews, sar).code == 201)
            #expect(try await kube.get(tokenReviews).code == 405)
        }
    }

    @Test func subjectAccessReviewAnswersForTheNamedUser() async throws {
        try await withServer { server, kube in
            _ = try await kube.post("/api/v1/namespaces", ["metadata": ["name": "team-a"]])
            _ = try await kube.post("/apis/rbac.authorization.k8s.io/v1/namespaces/team-a/roles", [
                "metadata": ["name": "reader"], "rules": [["apiGroups": [""], "resources": ["configmaps"], "verbs": ["get", "list"]]],
            ])
            _ = try await kube.post("/apis/rbac.authorization.k8s.io/v1/namespaces/team-a/rolebindings", [
                "metadata": ["name": "agent-reads"], "roleRef": ["apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "reader"],
                "subjects": [["kind": "ServiceAccount", "name": "agent", "namespace": "team-a"]],
            ])
            func review(_ user: String, groups: [String] = [], verb: String = "get", namespace: String = "team-a") async throws -> Reply {
                try await kube.post(accessReviews, [
                    "apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview",
                    "spec": ["user": .string(user), "groups": .array(groups.map(JSONValue.string)),
                             "resourceAttributes": ["namespace": .string(namespace), "verb": .string(verb), "resource": "configmaps",
                                                    "name": "settings"]],
                ])
            }
            let allowed = try await review("system:serviceaccount:team-a:agent")
            #expect(allowed.code == 201 && allowed["kind"] == "SubjectAccessReview")
            #expect(allowed["status", "allowed"] == true)
            #expect(allowed["status", "reason"] == "RBAC: allowed by RoleBinding \"agent-reads/team-a\" of Role \"reader\" to ServiceAccount \"agent/team-a\"")
            #expect(allowed["spec", "user"] == "system:serviceaccount:team-a:agent", "the request comes back with its status")
            for denied in [try await review("system:serviceaccount:team-a:agent", verb: "delete"),
                           try await review("system:serviceaccount:team-a:agent", namespace: "team-b"),
                           try await review("system:serviceaccount:team-b:agent")] {
                #expect(denied.code == 201 && denied["status", "allowed"] == false && denied["status", "denied"] == nil, "\(denied.body)")
            }
            #expect(try await review("someone", groups: ["system:masters"])["status", "allowed"] == true)
            let invalid = try await kube.post(accessReviews, ["spec": ["resourceAttributes": ["verb": "get", "resource": "pods"]]])
            #expect(invalid.code == 422 && invalid["reason"] == "Invalid")
            #expect(invalid["message"]?.stringValue?.contains("at least one of user or group must be specified") == true)
            #expect(try await kube.post(accessReviews, ["spec": ["user": "x"]]).code == 422)
        }
    }

    @Test func impersonationIsCheckedByRBAC() async throws {
        try await withServer { server, kube in
            let (_, impersonator) = try await account(kube, server, "default", "impersonator")
            let asImpersonator = KubeHTTP(server, token: impersonator)
            _ = try await kube.post("/api/v1/namespaces", ["metadata": ["name": "team-a"]])
            _ = try await kube.post("/api/v1/namespaces/team-a/configmaps", ["metadata": ["name": "settings"]])
            _ = try await kube.post("/apis/rbac.authorization.k8s.io/v1/namespaces/team-a/roles", [
                "metadata": ["name": "reader"], "rules": [["apiGroups": [""], "resources": ["configmaps"], "verbs": ["get"]]],
            ])
            _ = try await kube.post("/apis/rbac.authorization.k8s.io/v1/namespaces/team-a/rolebindings", [
                "metadata": ["name": "agent-reads"], "roleRef": ["apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "reader"],
                "subjects": [["kind": "ServiceAccount", "name": "agent", "namespace": "team-a"]],
            ])
            let path = "/api/v1/namespaces/team-a/configmaps/settings"
            let asAgent: [(String, String)] = [
                ("Impersonate-User", "system:serviceaccount:team-a:agent"), ("Impersonate-Group", "system:serviceaccounts"),
                ("Impersonate-Group", "system:serviceaccounts:team-a"), ("Impersonate-Group", "system:authenticated"),
                ("Impersonate-Extra-authentication.kubernetes.io%2Fcredential-id", "JTI=1"),
            ]
            let refused = try await asImpersonator.send(.GET, path, headers: asAgent)
            #expect(refused.code == 403)
            #expect(refused["message"] == "serviceaccounts \"agent\" is forbidden: User \"system:serviceaccount:default:impersonator\" cannot impersonate resource \"serviceaccounts\" in API group \"\" in the namespace \"team-a\"")
            try await grant(kube, "impersonator", [
                ["apiGroups": [""], "resources": ["users", "groups", "serviceaccounts"], "verbs": ["impersonate"]],
            ], to: ["kind": "ServiceAccount", "name": "impersonator", "namespace": "default"])
            let noExtra = try await asImpersonator.send(.GET, path, headers: asAgent)
            #expect(noExtra.code == 403)
            #expect(noExtra["message"]?.stringValue?.contains("cannot impersonate resource \"userextras/authentication.kubernetes.io/credential-id\" in API group \"authentication.k8s.io\"") == true,
                    "\(noExtra.body)")
            #expect(try await asImpersonator.send(.GET, path, headers: Array(asAgent.dropLast())).code == 200,
                    "the agent's own rights, without the extra")
            try await grant(kube, "impersonator-extras", [
                ["apiGroups": ["authentication.k8s.io"], "resources": ["userextras/authentication.kubernetes.io/credential-id"],
                 "verbs": ["impersonate"]],
            ], to: ["kind": "ServiceAccount", "name": "impersonator", "namespace": "default"])
            #expect(try await asImpersonator.send(.GET, path, headers: asAgent).code == 200)
            // The impersonated user's rights, not the impersonator's: no list, nothing in other namespaces.
            #expect(try await asImpersonator.send(.GET, "/api/v1/namespaces/team-a/configmaps", headers: asAgent).code == 403)
            let asWho = try await asImpersonator.send(.GET, "/api/v1/namespaces/default/configmaps", headers: asAgent)
            #expect(asWho["message"]?.stringValue?.contains("User \"system:serviceaccount:team-a:agent\" cannot list") == true)
            // A ServiceAccount user without groups gets its ServiceAccount groups, as the API server gives them.
            _ = try await kube.post("/apis/rbac.authorization.k8s.io/v1/namespaces/team-a/rolebindings", [
                "metadata": ["name": "group-reads"], "roleRef": ["apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "reader"],
                "subjects": [["kind": "Group", "name": "system:serviceaccounts:team-a"]],
            ])
            #expect(try await asImpersonator.send(.GET, path, headers: [("Impersonate-User", "system:serviceaccount:team-a:other")]).code == 200)
            #expect(try await asImpersonator.send(.GET, path, headers: [("Impersonate-Group", "system:masters")]).code == 400,
                    "groups without a user")
        }
    }
}

import Foundation
import KubeTestServer
import Kubernetes
import Testing

@Suite("Authentication, TokenRequest, RBAC and injected faults")
struct AuthTests {
    let artifacts = "/apis/source.toolkit.fluxcd.io/v1/namespaces/default/externalartifacts"

    private func artifact(_ name: String) -> JSONValue {
        ["apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "ExternalArtifact", "metadata": ["name": .string(name)],
         "spec": ["sourceRef": ["apiVersion": "jaas.metio.wtf/v1", "kind": "JsonnetSnippet", "name": .string(name)]]]
    }

    private func tenantToken(_ kube: KubeHTTP) async throws -> String {
        _ = try await kube.post("/api/v1/namespaces/default/serviceaccounts", ["metadata": ["name": "tenant"]])
        let reply = try await kube.post("/api/v1/namespaces/default/serviceaccounts/tenant/token",
                                        ["apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest", "spec": ["expirationSeconds": 3600]])
        #expect(reply.code == 201)
        #expect(reply["kind"] == "TokenRequest")
        #expect(reply["status", "expirationTimestamp"]?.stringValue?.hasSuffix("Z") == true)
        return try #require(reply["status", "token"]?.stringValue)
    }

    @Test func tokensAuthenticate() async throws {
        try await withServer { _, kube in
            var anonymous = kube
            anonymous.token = nil
            #expect(try await anonymous.get("/api/v1/namespaces").code == 401)
            #expect(try await anonymous.get("/version").code == 200)
            var wrong = kube
            wrong.token = "nope"
            let denied = try await wrong.get("/api/v1/namespaces")
            #expect(denied.code == 401)
            #expect(denied["reason"] == "Unauthorized")
            #expect(try await kube.post("/api/v1/namespaces/default/serviceaccounts/ghost/token", ["spec": [:]]).code == 404)
            let token = try await tenantToken(kube)
            #expect(token.split(separator: ".").count == 3)
            let tenant = KubeHTTP(baseURL: kube.baseURL, token: token)
            #expect(try await tenant.get("/apis").code == 200)
            #expect(try await kube.post("/api/v1/namespaces/default/serviceaccounts/tenant/token", ["spec": ["expirationSeconds": 60]]).code == 422)
            _ = try await kube.delete("/api/v1/namespaces/default/serviceaccounts/tenant")
            #expect(try await tenant.get("/apis").code == 401)
        }
    }

    @Test func rbacDeniesWithKubernetesShapedStatus() async throws {
        try await withServer { server, kube in
            try await kube.createCRD("config/crd/test/source.toolkit.fluxcd.io_externalartifacts.yaml")
            let tenant = KubeHTTP(server, token: try await tenantToken(kube))
            let denied = try await tenant.post(artifacts, artifact("x"))
            #expect(denied.code == 403)
            #expect(denied["kind"] == "Status")
            #expect(denied["reason"] == "Forbidden")
            #expect(denied["message"] == "externalartifacts.source.toolkit.fluxcd.io is forbidden: User \"system:serviceaccount:default:tenant\" cannot create resource \"externalartifacts\" in API group \"source.toolkit.fluxcd.io\" in the namespace \"default\"")
            #expect(denied["details", "group"] == "source.toolkit.fluxcd.io")
            #expect(denied["details", "kind"] == "externalartifacts")
            let named = try await tenant.get(artifacts + "/x")
            #expect(named["message"] == "externalartifacts.source.toolkit.fluxcd.io \"x\" is forbidden: User \"system:serviceaccount:default:tenant\" cannot get resource \"externalartifacts\" in API group \"source.toolkit.fluxcd.io\" in the namespace \"default\"")
            let cluster = try await tenant.get("/api/v1/namespaces")
            #expect(cluster["message"] == "namespaces is forbidden: User \"system:serviceaccount:default:tenant\" cannot list resource \"namespaces\" in API group \"\" at the cluster scope")

            for object in try yamlDocuments("examples/operator/tenant-rbac.yaml") where object["kind"] != "ServiceAccount" {
                let plural = object["kind"] == "Role" ? "roles" : "rolebindings"
                #expect(try await kube.post("/apis/rbac.authorization.k8s.io/v1/namespaces/default/\(plural)", object).code == 201)
            }
            // The example Role binds to dashboards-tenant; bind it to this tenant as well.
            _ = try await kube.post("/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings", [
                "metadata": ["name": "tenant"], "roleRef": ["apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "jaas-tenant"],
                "subjects": [["kind": "ServiceAccount", "name": "tenant", "namespace": "default"]],
            ])
            let created = try await tenant.post(artifacts, artifact("x"))
            #expect(created.code == 201)
            var withStatus = created.body
            withStatus["status"] = ["artifact": ["url": "http://s/x.tar.gz", "path": "default/x/a.tar.gz", "revision": "sha256:1",
                                                 "digest": "sha256:2", "size": 10, "lastUpdateTime": "2025-01-01T00:00:00Z"]]
            #expect(try await tenant.put(artifacts + "/x/status", withStatus).code == 200)
            #expect(try await tenant.get("/api/v1/namespaces/default/secrets").code == 403)
            #expect(try await tenant.get("/apis/source.toolkit.fluxcd.io/v1/namespaces/other/externalartifacts").code == 403)
        }
    }

    @Test func subresourcesResourceNamesAndClusterBindings() async throws {
        try await withServer { server, kube in
            let tenant = KubeHTTP(server, token: try await tenantToken(kube))
            _ = try await kube.post("/apis/rbac.authorization.k8s.io/v1/clusterroles", [
                "metadata": ["name": "token-minter"],
                "rules": [["apiGroups": [""], "resources": ["serviceaccounts/token"], "verbs": ["create"], "resourceNames": ["tenant"]],
                          ["apiGroups": [""], "resources": ["configmaps"], "verbs": ["get"], "resourceNames": ["visible"]]],
            ])
            _ = try await kube.post("/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", [
                "metadata": ["name": "token-minter"], "roleRef": ["apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "token-minter"],
                "subjects": [["kind": "Group", "name": "system:serviceaccounts:default"]],
            ])
            #expect(try await tenant.post("/api/v1/namespaces/default/serviceaccounts/tenant/token", ["spec": [:]]).code == 201)
            let other = try await tenant.post("/api/v1/namespaces/default/serviceaccounts/default/token", ["spec": [:]])
            #expect(other.code == 403)
            #expect(other["message"]?.stringValue?.contains("cannot create resource \"serviceaccounts/token\" in API group \"\"") == true)
            _ = try await kube.post("/api/v1/namespaces/default/configmaps", ["metadata": ["name": "visible"]])
            #expect(try await tenant.get("/api/v1/namespaces/default/configmaps/visible").code == 200)
            #expect(try await tenant.get("/api/v1/namespaces/default/configmaps").code == 403)
            #expect(try await tenant.get("/api/v1/namespaces/default").code == 403)
            _ = try await kube.post("/apis/rbac.authorization.k8s.io/v1/namespaces/default/roles", [
                "metadata": ["name": "ns-reader"], "rules": [["apiGroups": [""], "resources": ["namespaces"], "verbs": ["get"]]],
            ])
            _ = try await kube.post("/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings", [
                "metadata": ["name": "ns-reader"], "roleRef": ["apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "ns-reader"],
                "subjects": [["kind": "ServiceAccount", "name": "tenant"]],
            ])
            #expect(try await tenant.get("/api/v1/namespaces/default").code == 200)
            let review = try await tenant.post("/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", [
                "spec": ["resourceAttributes": ["namespace": "default", "verb": "get", "resource": "configmaps", "name": "visible"]],
            ])
            #expect(review["status", "allowed"] == true)
        }
    }

    @Test func injectedFaultsFailOnceThenRecover() async throws {
        try await withServer { server, kube in
            let path = "/api/v1/namespaces/default/configmaps"
            let created = try await kube.post(path, ["metadata": ["name": "c"]])
            await server.injectFault(InjectedFault(verb: "update", resource: "configmaps", code: 409))
            let first = try await kube.put(path + "/c", created.body)
            #expect(first.code == 409)
            #expect(first["reason"] == "Conflict")
            #expect(try await kube.put(path + "/c", created.body).code == 200)
            await server.injectFault(InjectedFault(verb: "get", code: 429, retryAfterSeconds: 2, times: 2))
            let limited = try await kube.get(path + "/c")
            #expect(limited.code == 429)
            #expect(limited.headers["Retry-After"].first == "2")
            #expect(limited["details", "retryAfterSeconds"] == 2)
            #expect(try await kube.get(path + "/c").code == 429)
            #expect(try await kube.get(path + "/c").code == 200)
            await server.injectFault(InjectedFault(resource: "configmaps", code: 500))
            #expect(try await kube.get(path).code == 500)
            #expect(try await kube.get(path).code == 200)
        }
    }

    @Test func adminsImpersonateOthersDoNot() async throws {
        try await withServer { server, kube in
            let token = try await tenantToken(kube)
            let impersonating = try await kube.send(.GET, "/api/v1/namespaces/default/configmaps",
                                                    headers: [("Impersonate-User", "system:serviceaccount:default:tenant")])
            #expect(impersonating.code == 403)
            #expect(impersonating["message"]?.stringValue?.contains("User \"system:serviceaccount:default:tenant\" cannot list") == true)
            let tenant = KubeHTTP(server, token: token)
            let refused = try await tenant.send(.GET, "/api/v1/namespaces/default/configmaps", headers: [("Impersonate-User", "admin")])
            #expect(refused.code == 403)
            let masters = try await kube.send(.GET, "/api/v1/namespaces/default/configmaps",
                                              headers: [("Impersonate-User", "someone"), ("Impersonate-Group", "system:masters")])
            #expect(masters.code == 200)
        }
    }
}

import Foundation
import Kubernetes
import Testing

let snippets = GroupVersionResource(group: "jaas.metio.wtf", version: "v1", resource: "jsonnetsnippets")

@Suite struct ClientRequestTests {
    @Test func resourcePaths() {
        #expect(snippets.path(namespace: "a", name: "b", subresource: "status") == "/apis/jaas.metio.wtf/v1/namespaces/a/jsonnetsnippets/b/status")
        #expect(snippets.path() == "/apis/jaas.metio.wtf/v1/jsonnetsnippets")
        #expect(GroupVersionResource.configMaps.path(namespace: "x") == "/api/v1/namespaces/x/configmaps")
        #expect(GroupVersionResource.namespaces.path(namespace: "ignored", name: "x") == "/api/v1/namespaces/x")
        #expect(snippets.apiVersion == "jaas.metio.wtf/v1")
        #expect(GroupVersionResource.secrets.apiVersion == "v1")
    }

    @Test func getListCreateUpdateShapes() async throws {
        try await withFakeServer({ request in
            switch (request.method, request.path) {
            case ("GET", "/apis/jaas.metio.wtf/v1/namespaces/ns/jsonnetsnippets/a"):
                return .json(testObject("a", rv: "5"))
            case ("GET", "/apis/jaas.metio.wtf/v1/namespaces/ns/jsonnetsnippets"):
                if request.query["continue"] == nil {
                    return .json(["kind": "JsonnetSnippetList", "apiVersion": "jaas.metio.wtf/v1",
                                  "metadata": ["continue": "page2", "resourceVersion": "10"],
                                  "items": [["metadata": ["name": "a", "namespace": "ns"]]]])
                }
                return .json(["kind": "JsonnetSnippetList", "apiVersion": "jaas.metio.wtf/v1",
                              "metadata": ["resourceVersion": "11"],
                              "items": [["metadata": ["name": "b", "namespace": "ns"]]]])
            default:
                return .json(request.json ?? [:], status: request.method == "POST" ? 201 : 200)
            }
        }) { server, client in
            let a = try await client.get(snippets, namespace: "ns", name: "a")
            #expect(a.name == "a" && a.resourceVersion == "5")

            let list = try await client.list(
                snippets, namespace: "ns", options: ListOptions(labelSelector: "app=jaas,tier!=x", fieldSelector: "metadata.name=a", limit: 1))
            #expect(list.items.map(\.name) == ["a", "b"])
            #expect(list.items.allSatisfy { $0.kind == "JsonnetSnippet" && $0.apiVersion == "jaas.metio.wtf/v1" })
            #expect(list.resourceVersion == "11")

            var object = KubeObject(apiVersion: "jaas.metio.wtf/v1", kind: "JsonnetSnippet", namespace: "ns", name: "new")
            object["spec"] = ["entryFile": "main.jsonnet"]
            _ = try await client.create(snippets, object, fieldManager: "jaas")
            object.resourceVersion = "7"
            _ = try await client.update(snippets, object)

            let requests = server.requests
            #expect(requests[0].header("Authorization") == "Bearer operator-token")
            #expect(requests[0].header("Accept") == "application/json")
            #expect(requests[1].query["labelSelector"] == "app=jaas,tier!=x")
            #expect(requests[1].query["fieldSelector"] == "metadata.name=a")
            #expect(requests[1].query["limit"] == "1")
            #expect(requests[2].query["continue"] == "page2")
            #expect(requests[3].method == "POST")
            #expect(requests[3].path == "/apis/jaas.metio.wtf/v1/namespaces/ns/jsonnetsnippets")
            #expect(requests[3].query["fieldManager"] == "jaas")
            #expect(requests[3].header("Content-Type") == "application/json")
            #expect(requests[3].json?[path: "spec", "entryFile"] == "main.jsonnet")
            #expect(requests[4].method == "PUT")
            #expect(requests[4].path == "/apis/jaas.metio.wtf/v1/namespaces/ns/jsonnetsnippets/new")
            #expect(requests[4].json?[path: "metadata", "resourceVersion"] == "7")
        }
    }

    @Test func patchDeleteStatusAndTokenShapes() async throws {
        try await withFakeServer({ request in
            if request.path.hasSuffix("/token") {
                return .json(["apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest",
                              "status": ["token": "tenant-token", "expirationTimestamp": "2030-01-02T03:04:05Z"]], status: 201)
            }
            return .json(testObject("a", rv: "9"))
        }) { server, client in
            _ = try await client.patch(snippets, namespace: "ns", name: "a", patch: ["metadata": ["finalizers": nil]])
            _ = try await client.patchStatus(snippets, namespace: "ns", name: "a", patch: ["status": ["revision": "sha256:ab"]])
            _ = try await client.getStatus(snippets, namespace: "ns", name: "a")
            var status = KubeObject(json: testObject("a", rv: "9"))
            status[path: "status", "observedGeneration"] = 3
            _ = try await client.updateStatus(snippets, status)
            try await client.delete(
                snippets, namespace: "ns", name: "a",
                options: DeleteOptions(propagationPolicy: .foreground, preconditionUID: "u1", preconditionResourceVersion: "9"))
            try await client.delete(snippets, namespace: "ns", name: "b")
            let token = try await client.requestToken(
                namespace: "team-a", serviceAccount: "renderer", audiences: ["https://kubernetes.default.svc"], expirationSeconds: 600)
            #expect(token.token == "tenant-token")
            #expect(token.expiration == Date(timeIntervalSince1970: 1_893_553_445))
            _ = try await client.withToken(token.token).get(snippets, namespace: "team-a", name: "x")

            let r = server.requests
            #expect(r[0].method == "PATCH")
            #expect(r[0].header("Content-Type") == "application/merge-patch+json")
            #expect(r[0].json == ["metadata": ["finalizers": nil]])
            #expect(r[1].method == "PATCH" && r[1].path == "/apis/jaas.metio.wtf/v1/namespaces/ns/jsonnetsnippets/a/status")
            #expect(r[1].header("Content-Type") == "application/merge-patch+json")
            #expect(r[2].method == "GET" && r[2].path.hasSuffix("/a/status"))
            #expect(r[3].method == "PUT" && r[3].path.hasSuffix("/a/status"))
            #expect(r[3].json?[path: "status", "observedGeneration"] == 3)
            #expect(r[4].method == "DELETE")
            #expect(r[4].json == ["apiVersion": "v1", "kind": "DeleteOptions", "propagationPolicy": "Foreground",
                                  "preconditions": ["uid": "u1", "resourceVersion": "9"]])
            #expect(r[5].method == "DELETE" && r[5].body.isEmpty)
            #expect(r[6].method == "POST" && r[6].path == "/api/v1/namespaces/team-a/serviceaccounts/renderer/token")
            #expect(r[6].json == ["apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest",
                                  "spec": ["audiences": ["https://kubernetes.default.svc"], "expirationSeconds": 600]])
            #expect(r[6].header("Authorization") == "Bearer operator-token")
            #expect(r[7].header("Authorization") == "Bearer tenant-token")
        }
    }
}

@Suite struct ClientErrorTests {
    @Test func retriesAfter429HonouringRetryAfter() async throws {
        let calls = Box(0)
        try await withFakeServer({ _ in
            calls.update { $0 += 1; return $0 } == 1
                ? .status(429, reason: "TooManyRequests", message: "slow down", headers: [("Retry-After", "1")])
                : .json(testObject("a", rv: "1"))
        }) { _, client in
            let start = ContinuousClock.now
            let object = try await client.create(.configMaps, KubeObject(json: testObject("a", rv: "")))
            #expect(object.name == "a")
            #expect(ContinuousClock.now - start >= .milliseconds(950))
            #expect(calls.get() == 2)
        }
    }

    @Test func retries5xxOnlyForIdempotentCalls() async throws {
        let calls = Box(0)
        try await withFakeServer({ request in
            let n = calls.update { $0 += 1; return $0 }
            if request.method == "POST" { return .status(500, reason: "InternalError", message: "boom") }
            return n < 3 ? .status(503, reason: "ServiceUnavailable", message: "later") : .json(testObject("a", rv: "1"))
        }) { _, client in
            let object = try await client.get(.configMaps, namespace: "ns", name: "a")
            #expect(object.name == "a")
            #expect(calls.get() == 3)
            let error = await #expect(throws: KubeError.self) {
                try await client.create(.configMaps, KubeObject(json: testObject("a", rv: "")))
            }
            #expect(error?.code == 500)
            #expect(calls.get() == 4)
        }
    }

    @Test func givesUpAfterMaxAttempts() async throws {
        let calls = Box(0)
        try await withFakeServer({ _ in
            calls.update { $0 += 1 }
            return .status(503, reason: "ServiceUnavailable", message: "down")
        }) { _, client in
            let error = await #expect(throws: KubeError.self) { try await client.get(.configMaps, namespace: "ns", name: "a") }
            #expect(error?.reason == .serviceUnavailable)
            #expect(calls.get() == 4)
        }
    }

    @Test func statusErrorsMapToKubeError() async throws {
        try await withFakeServer({ request in
            switch request.path {
            case "/api/v1/namespaces/ns/configmaps/missing":
                return .status(404, reason: "NotFound", message: "configmaps \"missing\" not found",
                               details: ["name": "missing", "kind": "configmaps"])
            case "/api/v1/namespaces/ns/configmaps/raced":
                return .status(409, reason: "Conflict", message: "the object has been modified")
            case "/api/v1/namespaces/ns/configmaps":
                return .status(409, reason: "AlreadyExists", message: "configmaps \"a\" already exists")
            case "/api/v1/namespaces/ns/configmaps/plain":
                return ScriptedResponse(status: 422, pieces: [.text("not json")])
            default:
                return .status(403, reason: "Forbidden",
                               message: "externalartifacts.source.toolkit.fluxcd.io \"snip\" is forbidden: User \"system:serviceaccount:team-a:renderer\" cannot patch resource \"externalartifacts/status\" in API group \"source.toolkit.fluxcd.io\" in the namespace \"team-a\"",
                               details: ["name": "snip", "group": "source.toolkit.fluxcd.io", "kind": "externalartifacts"])
            }
        }) { _, client in
            let notFound = await #expect(throws: KubeError.self) { try await client.get(.configMaps, namespace: "ns", name: "missing") }
            #expect(notFound?.isNotFound == true)
            #expect(notFound?.details?.name == "missing")

            let conflict = await #expect(throws: KubeError.self) {
                try await client.update(.configMaps, KubeObject(json: testObject("raced", rv: "1")))
            }
            #expect(conflict?.isConflict == true && conflict?.code == 409)

            let exists = await #expect(throws: KubeError.self) { try await client.create(.configMaps, KubeObject(json: testObject("a", rv: ""))) }
            #expect(exists?.isAlreadyExists == true && exists?.isConflict == false)

            let invalid = await #expect(throws: KubeError.self) { try await client.get(.configMaps, namespace: "ns", name: "plain") }
            #expect(invalid?.reason == .invalid && invalid?.message == "not json")

            let artifacts = GroupVersionResource(group: "source.toolkit.fluxcd.io", version: "v1", resource: "externalartifacts")
            let forbidden = await #expect(throws: KubeError.self) {
                try await client.patchStatus(artifacts, namespace: "team-a", name: "snip", patch: ["status": [:]])
            }
            #expect(forbidden?.reason == .forbidden)
            #expect(forbidden?.forbidden == KubeError.Forbidden(
                user: "system:serviceaccount:team-a:renderer", verb: "patch", resource: "externalartifacts/status",
                group: "source.toolkit.fluxcd.io", namespace: "team-a", name: "snip"))
        }
    }

    @Test func forbiddenAtClusterScopeAndCoreGroup() {
        let error = KubeError(
            code: 403,
            message: "namespaces is forbidden: User \"bob\" cannot list resource \"namespaces\" in API group \"\" at the cluster scope")
        #expect(error.forbidden?.verb == "list")
        #expect(error.forbidden?.resource == "namespaces")
        #expect(error.forbidden?.group == "")
        #expect(error.forbidden?.namespace == nil)
        #expect(error.forbidden?.user == "bob")
    }
}

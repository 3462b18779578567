import Foundation
import KubeTestServer
import Kubernetes
import Testing

@Suite("Object store semantics over HTTP")
struct ObjectStoreTests {
    @Test func discoveryListsBuiltinsAndRegistersCRDs() async throws {
        try await withServer { server, kube in
            let core = try await kube.get("/api/v1")
            let resources = core["resources"]?.arrayValue ?? []
            let sa = try #require(resources.first { $0["name"] == "serviceaccounts" })
            #expect(sa["kind"] == "ServiceAccount")
            #expect(sa["namespaced"] == true)
            #expect(sa["shortNames"] == ["sa"])
            #expect(sa["singularName"] == "serviceaccount")
            #expect(resources.contains { $0["name"] == "serviceaccounts/token" && $0["kind"] == "TokenRequest" })
            #expect(try await kube.get("/apis/jaas.metio.wtf/v1").code == 404)

            try await kube.createCRD("config/crd/jaas.metio.wtf_jsonnetsnippets.yaml")
            let groups = try await kube.get("/apis")
            #expect(groups["groups"]?.arrayValue?.contains { $0["name"] == "jaas.metio.wtf" } == true)
            let list = try await kube.get("/apis/jaas.metio.wtf/v1")
            let entries = list["resources"]?.arrayValue ?? []
            let snip = try #require(entries.first { $0["name"] == "jsonnetsnippets" })
            #expect(snip["shortNames"] == ["jsnip"])
            #expect(snip["kind"] == "JsonnetSnippet")
            #expect(entries.contains { $0["name"] == "jsonnetsnippets/status" })
            let crd = try await kube.get("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/jsonnetsnippets.jaas.metio.wtf")
            #expect(crd["status", "conditions"]?.arrayValue?.contains { $0["type"] == "Established" && $0["status"] == "True" } == true)

            #expect(try await kube.post(snippets, snippet("a")).code == 201)
            let watch = try await kube.watch(snippets + "?watch=true&resourceVersion=\(await server.currentResourceVersion())")
            #expect(try await kube.delete("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/jsonnetsnippets.jaas.metio.wtf").code == 200)
            #expect(try await kube.get("/apis/jaas.metio.wtf/v1").code == 404)
            #expect(try await kube.get(snippets + "/a").code == 404)
            #expect(try await watch.next()?["type"] == "DELETED")
            #expect(try await watch.next() == nil)
            #expect(try await kube.post("/api/v1/namespaces", ["metadata": ["name": "Not.A.Label"]]).code == 422)
        }
    }

    @Test func objectNamesMustBeDNS1123Subdomains() async throws {
        try await withServer { _, kube in
            let configmaps = "/api/v1/namespaces/default/configmaps"
            for bad in ["Upper", "a..b", "-a", "a.", "a_b", "a\n", String(repeating: "a", count: 254)] {
                let reply = try await kube.post(configmaps, ["metadata": ["name": .string(bad)]])
                #expect(reply.code == 422, "\(bad.prefix(20))")
                #expect(reply["details", "causes"]?.arrayValue?.first?["field"] == "metadata.name")
            }
            for good in ["a", "my-app.v2", String(repeating: "a", count: 253)] {
                #expect(try await kube.post(configmaps, ["metadata": ["name": .string(good)]]).code == 201, "\(good.prefix(20))")
            }
        }
    }

    @Test func generationStatusSubresourceAndConflicts() async throws {
        try await withServer { _, kube in
            try await kube.createCRD("config/crd/jaas.metio.wtf_jsonnetsnippets.yaml")
            var created = try await kube.post(snippets, snippet("s", spec: ["files": ["main.jsonnet": "{}"]]))
            #expect(created.code == 201)
            #expect(created["metadata", "generation"] == 1)
            #expect(created["metadata", "uid"]?.stringValue?.isEmpty == false)
            #expect(created["metadata", "creationTimestamp"] != nil)
            let rv1 = try #require(created["metadata", "resourceVersion"]?.stringValue)

            // Status written through the main resource is ignored.
            var object = created.body
            object["status"] = ["revision": "sha256:ignored"]
            object[path: ["spec", "history"]] = 3
            let updated = try await kube.put(snippets + "/s", object)
            #expect(updated.code == 200)
            #expect(updated["metadata", "generation"] == 2)
            #expect(updated["status"] == nil)
            #expect(updated["spec", "history"] == 3)

            // A stale resourceVersion conflicts.
            let stale = try await kube.put(snippets + "/s", created.body)
            #expect(stale.code == 409)
            #expect(stale["kind"] == "Status")
            #expect(stale["status"] == "Failure")
            #expect(stale["reason"] == "Conflict")
            #expect(stale["message"]?.stringValue == "Operation cannot be fulfilled on jsonnetsnippets.jaas.metio.wtf \"s\": the object has been modified; please apply your changes to the latest version and try again")
            #expect(stale["details", "group"] == "jaas.metio.wtf")
            #expect(stale["details", "kind"] == "jsonnetsnippets")
            #expect(stale["details", "name"] == "s")
            #expect(rv1 != updated["metadata", "resourceVersion"]?.stringValue)

            // The status subresource changes only status and does not bump generation.
            var withStatus = updated.body
            withStatus["status"] = ["observedGeneration": 2, "revision": "sha256:abc"]
            withStatus[path: ["spec", "history"]] = 9
            let status = try await kube.put(snippets + "/s/status", withStatus)
            #expect(status.code == 200)
            #expect(status["status", "revision"] == "sha256:abc")
            #expect(status["spec", "history"] == 3)
            #expect(status["metadata", "generation"] == 2)
            let patched = try await kube.mergePatch(snippets + "/s/status", ["status": ["revision": "sha256:def"]])
            #expect(patched["status", "revision"] == "sha256:def")
            #expect(patched["status", "observedGeneration"] == 2)

            // A metadata-only change keeps the generation; a no-op keeps the resourceVersion.
            let labelled = try await kube.mergePatch(snippets + "/s", ["metadata": ["labels": ["a": "b"]]])
            #expect(labelled["metadata", "generation"] == 2)
            let again = try await kube.mergePatch(snippets + "/s", ["metadata": ["labels": ["a": "b"]]])
            #expect(again["metadata", "resourceVersion"] == labelled["metadata", "resourceVersion"])

            created = try await kube.post(snippets, snippet("s"))
            #expect(created.code == 409)
            #expect(created["reason"] == "AlreadyExists")
            #expect(created["message"] == "jsonnetsnippets.jaas.metio.wtf \"s\" already exists")

            let missing = try await kube.get(snippets + "/nope")
            #expect(missing.code == 404)
            #expect(missing["reason"] == "NotFound")
            #expect(missing["message"] == "jsonnetsnippets.jaas.metio.wtf \"nope\" not found")
            let missingCore = try await kube.get("/api/v1/namespaces/default/configmaps/nope")
            #expect(missingCore["message"] == "configmaps \"nope\" not found")
            #expect(try await kube.post("/api/v1/namespaces/nowhere/configmaps", ["metadata": ["name": "x"]]).code == 404)
        }
    }

    @Test func finalizersDelayDeletion() async throws {
        try await withServer { _, kube in
            let path = "/api/v1/namespaces/default/configmaps"
            _ = try await kube.post(path, ["metadata": ["name": "f", "finalizers": ["example.com/hold"]], "data": ["k": "v"]])
            let deleting = try await kube.delete(path + "/f")
            #expect(deleting.code == 200)
            #expect(deleting["metadata", "deletionTimestamp"] != nil)
            let still = try await kube.get(path + "/f")
            #expect(still.code == 200)
            #expect(still["metadata", "deletionTimestamp"] != nil)
            let released = try await kube.jsonPatch(path + "/f", [["op": "remove", "path": "/metadata/finalizers"]])
            #expect(released.code == 200)
            #expect(try await kube.get(path + "/f").code == 404)

            _ = try await kube.post(path, ["metadata": ["name": "g"]])
            #expect(try await kube.delete(path + "/g", ["preconditions": ["uid": "other"]]).code == 409)
            #expect(try await kube.delete(path + "/g").code == 200)
            #expect(try await kube.get(path + "/g").code == 404)
        }
    }

    @Test func labelAndFieldSelectors() async throws {
        try await withServer { _, kube in
            let path = "/api/v1/namespaces/default/configmaps"
            for (name, labels) in [("a", ["tier": "web", "env": "prod"]), ("b", ["tier": "db", "env": "prod"]), ("c", ["tier": "web"])] {
                _ = try await kube.post(path, ["metadata": ["name": .string(name), "labels": .object(labels.mapValues { .string($0) })]])
            }
            func names(_ query: String) async throws -> [String] {
                let encoded = query.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? query
                let reply = try await kube.get(path + "?labelSelector=" + encoded)
                return (reply["items"]?.arrayValue ?? []).compactMap { $0[path: ["metadata", "name"]]?.stringValue }
            }
            #expect(try await names("tier=web") == ["a", "c"])
            #expect(try await names("tier==web,env=prod") == ["a"])
            #expect(try await names("tier!=web") == ["b"])
            #expect(try await names("tier in (db,cache)") == ["b"])
            #expect(try await names("tier notin (db)") == ["a", "c"])
            #expect(try await names("env") == ["a", "b"])
            #expect(try await names("!env") == ["c"])
            let byName = try await kube.get(path + "?fieldSelector=metadata.name%3Db")
            #expect(byName["items"]?.arrayValue?.count == 1)
            let all = try await kube.get("/api/v1/configmaps?fieldSelector=metadata.namespace%3Ddefault")
            #expect(all["items"]?.arrayValue?.count == 3)
            #expect(all["kind"] == "ConfigMapList")
            #expect(Int(all["metadata", "resourceVersion"]?.stringValue ?? "") != nil)
        }
    }

    @Test func jsonPatchAndStrategicMergePatch() async throws {
        try await withServer { _, kube in
            let path = "/api/v1/namespaces/default/configmaps"
            _ = try await kube.post(path, ["metadata": ["name": "p"], "data": ["a": "1"]])
            let patched = try await kube.jsonPatch(path + "/p", [
                ["op": "add", "path": "/data/b", "value": "2"], ["op": "replace", "path": "/data/a", "value": "3"],
            ])
            #expect(patched["data"] == ["a": "3", "b": "2"])
            let failed = try await kube.jsonPatch(path + "/p", [["op": "test", "path": "/data/a", "value": "1"]])
            #expect(failed.code == 422)
            let smp = try await kube.send(.PATCH, path + "/p", ["data": ["c": "4"], "$setElementOrder/x": []],
                                          contentType: "application/strategic-merge-patch+json")
            #expect(smp["data"] == ["a": "3", "b": "2", "c": "4"])
            let unsupported = try await kube.send(.PATCH, path + "/p", ["data": [:]], contentType: "text/plain")
            #expect(unsupported.code == 415)
        }
    }

    @Test func serverSideApplyCreatesThenMerges() async throws {
        try await withServer { _, kube in
            let path = "/api/v1/namespaces/default/configmaps/ssa?fieldManager=test"
            let body: JSONValue = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "ssa"], "data": ["a": "1"]]
            let created = try await kube.send(.PATCH, path, body, contentType: "application/apply-patch+yaml")
            #expect(created.code == 201)
            let yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\ndata:\n  b: \"2\"\n"
            let request = try await kube.send(.PATCH, path, raw: yaml, contentType: "application/apply-patch+yaml")
            #expect(request.code == 200)
            #expect(request["data"] == ["a": "1", "b": "2"])
            let noManager = try await kube.send(.PATCH, "/api/v1/namespaces/default/configmaps/ssa", body,
                                                contentType: "application/apply-patch+yaml")
            #expect(noManager.code == 400)
        }
    }

    @Test func ownerReferencesAreGarbageCollected() async throws {
        try await withServer { _, kube in
            let path = "/api/v1/namespaces/default/configmaps"
            let owner = try await kube.post(path, ["metadata": ["name": "owner"]])
            let uid = try #require(owner["metadata", "uid"])
            let reference: JSONValue = ["apiVersion": "v1", "kind": "ConfigMap", "name": "owner", "uid": uid]
            _ = try await kube.post(path, ["metadata": ["name": "child", "ownerReferences": [reference]]])
            _ = try await kube.post(path, ["metadata": ["name": "orphan", "ownerReferences": [reference]]])
            _ = try await kube.post(path, ["metadata": ["name": "unrelated"]])
            _ = try await kube.delete(path + "/owner")
            #expect(try await kube.get(path + "/child").code == 404)
            #expect(try await kube.get(path + "/orphan").code == 404)
            #expect(try await kube.get(path + "/unrelated").code == 200)
            let kept = try await kube.post(path, ["metadata": ["name": "owner2"]])
            _ = try await kube.post(path, ["metadata": ["name": "kept", "ownerReferences": [
                ["apiVersion": "v1", "kind": "ConfigMap", "name": "owner2", "uid": kept["metadata", "uid"] ?? ""],
            ]]])
            _ = try await kube.delete(path + "/owner2", ["propagationPolicy": "Orphan"])
            #expect(try await kube.get(path + "/kept").code == 200)
        }
    }

    @Test func secretsStoreStringDataAsBase64() async throws {
        try await withServer { _, kube in
            let secret = try await kube.post("/api/v1/namespaces/default/secrets", ["metadata": ["name": "s"], "stringData": ["k": "v"]])
            #expect(secret["data"] == ["k": "dg=="])
            #expect(secret["stringData"] == nil)
        }
    }

    @Test func listsPaginateWithContinueTokens() async throws {
        try await withServer { _, kube in
            let path = "/api/v1/namespaces/default/configmaps"
            for name in ["a", "b", "c", "d", "e"] { _ = try await kube.post(path, ["metadata": ["name": .string(name)]]) }
            var names: [String] = []
            var token = ""
            var pages = 0
            repeat {
                let page = try await kube.get(path + "?limit=2" + (token.isEmpty ? "" : "&continue=" + (token.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")))
                names += (page["items"]?.arrayValue ?? []).compactMap { $0[path: ["metadata", "name"]]?.stringValue }
                token = page["metadata", "continue"]?.stringValue ?? ""
                pages += 1
            } while !token.isEmpty
            #expect(names == ["a", "b", "c", "d", "e"])
            #expect(pages == 3)
            #expect(try await kube.get(path + "?limit=2&continue=garbage").code == 400)
        }
    }

    @Test func fixturesCanBeSeededWithStatus() async throws {
        try await withServer { server, kube in
            try await kube.createCRD("config/crd/test/source.toolkit.fluxcd.io_gitrepositories.yaml")
            let created = try await server.create([
                "apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "GitRepository",
                "metadata": ["name": "dashboards-source", "namespace": "default"],
                "spec": ["interval": "5m", "url": "https://github.com/example-org/grafana-dashboards", "ref": ["branch": "main"]],
                "status": ["artifact": ["url": "http://source-controller/a.tar.gz", "path": "a.tar.gz", "revision": "main@sha1:abc",
                                        "digest": "sha256:0123", "lastUpdateTime": "2025-01-01T00:00:00Z"],
                           "conditions": [["type": "Ready", "status": "True", "reason": "Succeeded", "message": "stored",
                                           "lastTransitionTime": "2025-01-01T00:00:00Z"]]],
            ])
            #expect(created[path: ["status", "artifact", "digest"]] == "sha256:0123")
            let fetched = try await kube.get("/apis/source.toolkit.fluxcd.io/v1/namespaces/default/gitrepositories/dashboards-source")
            #expect(fetched["status", "artifact", "url"] == "http://source-controller/a.tar.gz")
            #expect(fetched["metadata", "generation"] == 1)
        }
    }
}

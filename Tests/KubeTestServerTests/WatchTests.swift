import Foundation
import KubeTestServer
import Kubernetes
import Testing

@Suite("Watch streams")
struct WatchTests {
    let configmaps = "/api/v1/namespaces/default/configmaps"

    @Test func eventsFollowWritesFromAListResourceVersion() async throws {
        try await withServer { _, kube in
            _ = try await kube.post(configmaps, ["metadata": ["name": "before"]])
            let list = try await kube.get(configmaps)
            let rv = try #require(list["metadata", "resourceVersion"]?.stringValue)
            let watch = try await kube.watch(configmaps + "?watch=true&resourceVersion=\(rv)")
            _ = try await kube.post(configmaps, ["metadata": ["name": "w"], "data": ["a": "1"]])
            _ = try await kube.mergePatch(configmaps + "/w", ["data": ["a": "2"]])
            _ = try await kube.delete(configmaps + "/w")
            let added = try #require(try await watch.nextChange())
            #expect(added["type"] == "ADDED")
            #expect(added[path: ["object", "metadata", "name"]] == "w")
            #expect(added[path: ["object", "kind"]] == "ConfigMap")
            let modified = try #require(try await watch.nextChange())
            #expect(modified["type"] == "MODIFIED")
            #expect(modified[path: ["object", "data", "a"]] == "2")
            let deleted = try #require(try await watch.nextChange())
            #expect(deleted["type"] == "DELETED")
            let rvs = [added, modified, deleted].compactMap { Int($0[path: ["object", "metadata", "resourceVersion"]]?.stringValue ?? "") }
            #expect(rvs == rvs.sorted() && Set(rvs).count == 3)
        }
    }

    @Test func resourceVersionZeroStartsWithTheCurrentState() async throws {
        try await withServer { _, kube in
            _ = try await kube.post(configmaps, ["metadata": ["name": "x"]])
            let watch = try await kube.watch(configmaps + "?watch=1&resourceVersion=0")
            let first = try #require(try await watch.nextChange())
            #expect(first["type"] == "ADDED")
            #expect(first[path: ["object", "metadata", "name"]] == "x")
        }
    }

    @Test func bookmarksCarryTheCurrentResourceVersion() async throws {
        try await withServer(.init(bookmarkInterval: .milliseconds(100))) { server, kube in
            let watch = try await kube.watch(configmaps + "?watch=true&allowWatchBookmarks=true&resourceVersion=\(await server.currentResourceVersion())")
            let bookmark = try #require(try await watch.next())
            #expect(bookmark["type"] == "BOOKMARK")
            #expect(bookmark[path: ["object", "kind"]] == "ConfigMap")
            #expect(bookmark[path: ["object", "metadata", "resourceVersion"]]?.stringValue == String(await server.currentResourceVersion()))
        }
    }

    @Test func expiredHistoryAnswersGone() async throws {
        try await withServer { server, kube in
            _ = try await kube.post(configmaps, ["metadata": ["name": "old"]])
            let rv = try #require(try await kube.get(configmaps)["metadata", "resourceVersion"]?.stringValue)
            let open = try await kube.watch(configmaps + "?watch=true&resourceVersion=\(rv)")
            await server.expireWatchHistory(group: "", resource: "configmaps")
            #expect(try await open.next() == nil)
            let watch = try await kube.watch(configmaps + "?watch=true&resourceVersion=\(rv)")
            let error = try #require(try await watch.next())
            #expect(error["type"] == "ERROR")
            #expect(error[path: ["object", "kind"]] == "Status")
            #expect(error[path: ["object", "code"]] == 410)
            #expect(error[path: ["object", "reason"]] == "Expired")
            #expect(try await watch.next() == nil)
            // A relist's resourceVersion is fresh again.
            let fresh = try #require(try await kube.get(configmaps)["metadata", "resourceVersion"]?.stringValue)
            let resumed = try await kube.watch(configmaps + "?watch=true&resourceVersion=\(fresh)")
            _ = try await kube.post(configmaps, ["metadata": ["name": "new"]])
            #expect(try await resumed.nextChange()?["type"] == "ADDED")
            // Other resources are unaffected.
            let secrets = try await kube.watch("/api/v1/namespaces/default/secrets?watch=true&resourceVersion=\(rv)")
            _ = try await kube.post("/api/v1/namespaces/default/secrets", ["metadata": ["name": "s"]])
            #expect(try await secrets.nextChange()?["type"] == "ADDED")
        }
    }

    @Test func aSmallHistoryWindowExpiresOldVersions() async throws {
        try await withServer(.init(watchHistoryLimit: 2)) { _, kube in
            let rv = try #require(try await kube.get(configmaps)["metadata", "resourceVersion"]?.stringValue)
            for name in ["a", "b", "c"] { _ = try await kube.post(configmaps, ["metadata": ["name": .string(name)]]) }
            let watch = try await kube.watch(configmaps + "?watch=true&resourceVersion=\(rv)")
            #expect(try await watch.next()?[path: ["object", "code"]] == 410)
        }
    }

    @Test func timeoutSecondsEndsTheStream() async throws {
        try await withServer { server, kube in
            let start = Date()
            let watch = try await kube.watch(configmaps + "?watch=true&timeoutSeconds=1&resourceVersion=\(await server.currentResourceVersion())")
            #expect(try await watch.next() == nil)
            #expect(Date().timeIntervalSince(start) >= 0.9)
        }
    }

    @Test func selectorWatchesSeeObjectsEnterAndLeave() async throws {
        try await withServer { server, kube in
            _ = try await kube.post(configmaps, ["metadata": ["name": "m", "labels": ["team": "a"]]])
            let rv = await server.currentResourceVersion()
            let watch = try await kube.watch(configmaps + "?watch=true&labelSelector=team%3Db&resourceVersion=\(rv)")
            _ = try await kube.mergePatch(configmaps + "/m", ["metadata": ["labels": ["team": "b"]]])
            _ = try await kube.mergePatch(configmaps + "/m", ["metadata": ["labels": ["team": "c"]]])
            #expect(try await watch.nextChange()?["type"] == "ADDED")
            #expect(try await watch.nextChange()?["type"] == "DELETED")
            let byName = try await kube.watch(configmaps + "?watch=true&fieldSelector=metadata.name%3Dother&resourceVersion=\(rv)")
            _ = try await kube.post(configmaps, ["metadata": ["name": "other"]])
            #expect(try await byName.nextChange()?[path: ["object", "metadata", "name"]] == "other")
        }
    }
}

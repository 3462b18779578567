import Kubernetes
import Testing

@Suite struct WatchTests {
    @Test func decodesEventsSplitAcrossChunks() async throws {
        let text = eventLine("ADDED", testObject("a", rv: "11")) + "\n"
            + eventLine("MODIFIED", testObject("a", rv: "12", data: ["k": "v"]))
            + eventLine("BOOKMARK", ["kind": "ConfigMap", "apiVersion": "v1", "metadata": ["resourceVersion": "15"]])
            + eventLine("DELETED", testObject("a", rv: "16"))
            + String(eventLine("ERROR", ["kind": "Status", "code": 410, "reason": "Expired", "message": "too old resource version: 1 (16)"]).dropLast())
        // Cut the text into uneven pieces with pauses, so lines straddle chunk boundaries.
        let bytes = Array(text.utf8)
        var pieces: [ScriptedResponse.Piece] = []
        var index = 0
        for size in [7, 1, 90, 3, 150, 40] where index < bytes.count {
            pieces.append(.bytes(Array(bytes[index..<min(index + size, bytes.count)])))
            pieces.append(.pause(.milliseconds(5)))
            index += size
        }
        if index < bytes.count { pieces.append(.bytes(Array(bytes[index...]))) }

        let script = pieces
        try await withFakeServer({ _ in .watch(script) }) { server, client in
            var events: [WatchEvent] = []
            for try await event in try await client.watch(
                .configMaps, namespace: "ns", options: WatchOptions(labelSelector: "a=b", resourceVersion: "10", timeoutSeconds: 60))
            {
                events.append(event)
            }
            #expect(events.count == 5)
            #expect(events[0] == .added(KubeObject(json: testObject("a", rv: "11"))))
            #expect(events[1].object?[path: "data", "k"] == "v")
            #expect(events[2] == .bookmark(resourceVersion: "15"))
            #expect(events[3] == .deleted(KubeObject(json: testObject("a", rv: "16"))))
            guard case .error(let error) = events[4] else {
                Issue.record("expected an ERROR event")
                return
            }
            #expect(error.isGone && error.reason == .expired)

            let request = server.requests[0]
            #expect(request.path == "/api/v1/namespaces/ns/configmaps")
            #expect(request.query == ["watch": "true", "resourceVersion": "10", "allowWatchBookmarks": "true",
                                      "labelSelector": "a=b", "timeoutSeconds": "60"])
        }
    }

    @Test func refusedWatchThrowsKubeError() async throws {
        try await withFakeServer({ _ in
            .status(410, reason: "Gone", message: "too old")
        }) { _, client in
            let error = await #expect(throws: KubeError.self) {
                _ = try await client.watch(.configMaps, namespace: "ns", options: WatchOptions(resourceVersion: "1"))
            }
            #expect(error?.isGone == true)
        }
    }
}

@Suite struct ListWatcherTests {
    /// Lists at rv 10; the first watch delivers two events then ends, the second (which
    /// must resume from rv 12) delivers a bookmark then drops the connection, the third
    /// (from the bookmark's rv 20) answers 410, forcing a relist at rv 30.
    @Test func reconnectsFromLastVersionAndRelistsOnGone() async throws {
        let lists = Box(0)
        let watches = Box(0)
        try await withFakeServer({ request in
            if request.query["watch"] == nil {
                let n = lists.update { $0 += 1; return $0 }
                let items: JSONValue = n == 1 ? [testObject("a", rv: "10")] : [testObject("b", rv: "30")]
                return .json(["kind": "ConfigMapList", "apiVersion": "v1", "metadata": ["resourceVersion": n == 1 ? "10" : "30"],
                              "items": items])
            }
            switch watches.update({ $0 += 1; return $0 }) {
            case 1:
                return .watch([.text(eventLine("MODIFIED", testObject("a", rv: "11"))), .pause(.milliseconds(10)),
                               .text(eventLine("ADDED", testObject("c", rv: "12")))])
            case 2:
                return .watch([.text(eventLine("BOOKMARK", ["metadata": ["resourceVersion": "20"]]))], abort: true)
            case 3:
                return .watch([.text(eventLine("ERROR", ["kind": "Status", "code": 410, "reason": "Expired", "message": "too old"]))])
            default:
                return .watch([.pause(.seconds(5))])
            }
        }) { server, client in
            let watcher = ListWatcher(client: client, resource: .configMaps, namespace: "ns",
                                      initialBackoff: .milliseconds(10), maxBackoff: .milliseconds(50))
            var seen: [ListWatchEvent] = []
            for await event in watcher.events() {
                seen.append(event)
                if case .listed(_, "30") = event { break }
            }
            #expect(seen.count == 5)
            #expect(seen[0] == .listed([KubeObject(json: testObject("a", rv: "10"))], resourceVersion: "10"))
            #expect(seen[1] == .event(.modified(KubeObject(json: testObject("a", rv: "11")))))
            #expect(seen[2] == .event(.added(KubeObject(json: testObject("c", rv: "12")))))
            #expect(seen[3] == .event(.bookmark(resourceVersion: "20")))
            #expect(seen[4] == .listed([KubeObject(json: testObject("b", rv: "30"))], resourceVersion: "30"))

            let watchVersions = server.requests.filter { $0.query["watch"] == "true" }.map { $0.query["resourceVersion"] }
            #expect(Array(watchVersions.prefix(3)) == ["10", "12", "20"])
            #expect(server.requests.first?.query["limit"] == "500")
        }
    }
}

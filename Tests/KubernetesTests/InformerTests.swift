import Kubernetes
import Testing

/// A test object whose `spec.sourceRef.name` is `source`.
func withSource(_ name: String, _ source: String, rv: String) -> JSONValue {
    var o = testObject(name, rv: rv)
    o[path: "spec", "sourceRef", "name"] = .string(source)
    return o
}

@Suite struct InformerTests {
    @Test func cacheIndexesAndHandlers() async throws {
        let watches = Box(0)
        try await withFakeServer({ request in
            if request.query["watch"] == nil {
                return .json(["kind": "ConfigMapList", "apiVersion": "v1", "metadata": ["resourceVersion": "3"],
                              "items": [withSource("a", "git1", rv: "1"), withSource("b", "git1", rv: "2")]])
            }
            guard watches.update({ $0 += 1; return $0 }) == 1 else { return .watch([.pause(.seconds(5))]) }
            return .watch([
                .pause(.milliseconds(50)),
                .text(eventLine("MODIFIED", withSource("a", "git2", rv: "4"))),
                .text(eventLine("DELETED", withSource("b", "git1", rv: "5"))),
                .text(eventLine("ADDED", withSource("c", "git2", rv: "6"))),
                .pause(.seconds(5)),
            ])
        }) { _, client in
            let informer = Informer(
                client: client, resource: .configMaps, namespace: "ns",
                indexers: ["source": { [$0[path: "spec", "sourceRef", "name"]?.stringValue ?? ""] }])
            let log = Box<[String]>([])
            informer.addHandler(InformerHandler(
                onAdd: { o in log.update { $0.append("add \(o.key)@\(o.resourceVersion ?? "")") } },
                onUpdate: { old, new in log.update { $0.append("update \(new.key) \(old.resourceVersion ?? "")->\(new.resourceVersion ?? "")") } },
                onDelete: { o in log.update { $0.append("delete \(o.key)") } }))
            #expect(!informer.hasSynced)
            let task = Task { await informer.run() }
            await informer.waitForSync()
            #expect(informer.hasSynced)
            #expect(informer.store.keys == ["ns/a", "ns/b"])
            #expect(informer.store.byIndex("source", "git1").map(\.name) == ["a", "b"])

            for _ in 0..<200 where log.get().count < 5 { try await Task.sleep(for: .milliseconds(10)) }
            task.cancel()
            await task.value
            #expect(log.get() == ["add ns/a@1", "add ns/b@2", "update ns/a 1->4", "delete ns/b", "add ns/c@6"])
            #expect(informer.store.keys == ["ns/a", "ns/c"])
            #expect(informer.store.get(namespace: "ns", name: "a")?.resourceVersion == "4")
            #expect(informer.store.byIndex("source", "git1").isEmpty)
            #expect(informer.store.byIndex("source", "git2").map(\.name) == ["a", "c"])
        }
    }
}

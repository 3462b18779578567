import Foundation
import Kubernetes
import Testing

@Suite struct ModelTests {
    @Test func jsonKeepsIntegersApartFromDoubles() throws {
        let value = try JSONValue(json: Array(#"{"a":3,"b":1.5,"c":[true,null,"x"],"d":{"e":-7}}"#.utf8))
        #expect(value["a"] == .int(3))
        #expect(value["b"] == .double(1.5))
        #expect(value["c"] == [true, nil, "x"])
        #expect(value[path: "d", "e"]?.intValue == -7)
        #expect(try value.jsonString() == #"{"a":3,"b":1.5,"c":[true,null,"x"],"d":{"e":-7}}"#)
    }

    @Test func kubeObjectAccessorsAndTypedConversion() throws {
        struct Spec: Codable, Equatable { var entryFile: String }
        struct Snippet: Codable, Equatable { var apiVersion: String; var kind: String; var spec: Spec }

        var object = KubeObject(apiVersion: "jaas.metio.wtf/v1", kind: "JsonnetSnippet", namespace: "ns", name: "a")
        object.labels = ["app": "jaas"]
        object.finalizers = ["jaas.metio.wtf/artifacts"]
        object[path: "spec", "entryFile"] = "main.jsonnet"
        #expect(object.key == "ns/a")
        #expect(object.labels == ["app": "jaas"])
        #expect(object.finalizers == ["jaas.metio.wtf/artifacts"])
        let typed = try object.decode(as: Snippet.self)
        #expect(typed == Snippet(apiVersion: "jaas.metio.wtf/v1", kind: "JsonnetSnippet", spec: Spec(entryFile: "main.jsonnet")))
        #expect(try KubeObject(encoding: typed)[path: "spec", "entryFile"] == "main.jsonnet")
        object.finalizers = []
        #expect(object[path: "metadata", "finalizers"] == nil)
        #expect(ObjectKey("ns/a") == ObjectKey(namespace: "ns", name: "a"))
        #expect(ObjectKey("cluster-wide").namespace == nil)
    }

    @Test func objectNamesAreDNS1123Subdomains() {
        for good in ["a", "hello", "my-app.v2", "0", "a.b.c", "a--b", String(repeating: "a", count: 253)] {
            #expect(KubeObject.isName(good), "\(good.prefix(20))")
        }
        for bad in ["", "-a", "a-", ".a", "a.", "a..b", "a.-b", "a-.b", "A", "a_b", "a/b", "..", "é", "a b", "a\u{0}", String(repeating: "a", count: 254)] {
            #expect(!KubeObject.isName(bad), "\(bad.prefix(20))")
        }
    }

    @Test func timestamps() {
        let date = Date(timeIntervalSince1970: 1_700_000_000.25)
        #expect(Timestamps.formatMicro(date) == "2023-11-14T22:13:20.250000Z")
        #expect(Timestamps.format(date) == "2023-11-14T22:13:20Z")
        #expect(Timestamps.parse("2023-11-14T22:13:20Z") == Date(timeIntervalSince1970: 1_700_000_000))
        #expect(Timestamps.parse("2023-11-14T22:13:20.250000Z")?.timeIntervalSince1970 == 1_700_000_000.25)
    }
}

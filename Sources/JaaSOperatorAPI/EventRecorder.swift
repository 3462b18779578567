import Foundation
import Kubernetes

/// Records Kubernetes Events (core `v1`) on snippets, as `kubectl describe` shows
/// them: Normal for a published revision, Warning for a failed reconcile.
/// Events are best effort: a failure to record one never fails a reconcile.
public struct EventRecorder: Sendable {
    /// The client.
    public let client: KubeClient
    /// The component.
    public let component: String

    /// Creates one from the given values.
    public init(client: KubeClient, component: String = "jaas-operator") {
        self.client = client
        self.component = component
    }

    /// Records `reason`/`message` on `object`.
    public func record(_ object: KubeObject, type: String, reason: String, message: String) async {
        let namespace = object.namespace ?? "default"
        let now = Timestamps.format(Date())
        var event = KubeObject(apiVersion: "v1", kind: "Event", namespace: namespace,
                               name: "\(object.name).\(UInt64.random(in: 0...UInt64.max) & 0xffff_ffff_ffff)")
        event["involvedObject"] = [
            "apiVersion": .string(object.apiVersion ?? "jaas.metio.wtf/v1"), "kind": .string(object.kind ?? "JsonnetSnippet"),
            "name": .string(object.name), "namespace": .string(namespace), "uid": .string(object.uid ?? ""),
        ]
        event["type"] = .string(type)
        event["reason"] = .string(reason)
        event["message"] = .string(String(message.prefix(1024)))
        event["source"] = ["component": .string(component)]
        event["firstTimestamp"] = .string(now)
        event["lastTimestamp"] = .string(now)
        event["count"] = 1
        _ = try? await client.create(.events, event)
    }
}

import Foundation
import JaaSOperatorAPI
import Kubernetes
import MCP

// The mutations of `--mcp-allow-mutations`, each recorded as an Event on the snippet.
extension SnippetTools {
    /// Sets `reconcile.fluxcd.io/requestedAt` to now, which makes the operator reconcile at once.
    func reconcile(_ arguments: [String: Value]) async throws -> CallTool.Result {
        let (namespace, name) = try Self.identity(arguments, allowed: ["namespace", "name"])
        let stamp = Timestamps.formatMicro(Date())
        let patch: JSONValue = ["metadata": ["annotations": .object([OperatorNames.requestedAt: .string(stamp)])]]
        return await mutate(namespace, name, patch: patch, reason: "MCPReconcileRequested",
                            message: "reconcile requested through MCP (reconcile_snippet) at \(stamp)",
                            result: "reconcile requested at \(stamp)")
    }

    /// Sets (`suspend_snippet`) or clears (`resume_snippet`) `spec.suspend`; no change, no Event.
    func setSuspended(_ suspend: Bool, _ arguments: [String: Value]) async throws -> CallTool.Result {
        let (namespace, name) = try Self.identity(arguments, allowed: ["namespace", "name"])
        let current: KubeObject
        do {
            current = try await client.get(.jsonnetSnippets, namespace: namespace, name: name)
        } catch {
            return .failure("cannot get JsonnetSnippet \(namespace)/\(name): \(error)")
        }
        if (current[path: "spec", "suspend"]?.boolValue ?? false) == suspend {
            return .answer(.object(["namespace": .string(namespace), "name": .string(name),
                                    "result": .string(suspend ? "already suspended" : "not suspended; no change")]))
        }
        let tool = suspend ? "suspend_snippet" : "resume_snippet"
        return await mutate(namespace, name, patch: ["spec": ["suspend": suspend ? true : .null]],
                            reason: suspend ? "MCPSuspended" : "MCPResumed",
                            message: "\(suspend ? "suspended" : "resumed") through MCP (\(tool))",
                            result: suspend ? "suspended" : "resumed")
    }

    /// Merge-patches the snippet, then records a Normal Event on it.
    private func mutate(_ namespace: String, _ name: String, patch: JSONValue, reason: String, message: String,
                        result: String) async -> CallTool.Result {
        let updated: KubeObject
        do {
            updated = try await client.patch(.jsonnetSnippets, namespace: namespace, name: name, patch: patch)
        } catch {
            return .failure("cannot update JsonnetSnippet \(namespace)/\(name): \(error)")
        }
        let by = caller.map { " by \($0.username)" } ?? ""
        await events.record(updated, type: "Normal", reason: reason, message: message + by)
        return .answer(.object(["namespace": .string(namespace), "name": .string(name), "result": .string(result)]))
    }
}

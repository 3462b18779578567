import Foundation
import JaaSArtifacts
import Kubernetes

// Deletion and garbage collection.
extension SnippetReconciler {
    /// Removes the tarballs of a deleted snippet and then its finalizer.
    func withdraw(_ snippet: KubeObject) async throws -> ReconcileResult {
        guard snippet.finalizers.contains(OperatorNames.finalizer) else { return .done }
        let namespace = snippet.namespace ?? "default"
        var withdrawn = true
        do {
            try settings.storage.deleteAll(namespace: namespace, name: snippet.name)
        } catch {
            withdrawn = false
        }
        let deletedAt = snippet.deletionTimestamp.flatMap(Timestamps.parse) ?? Date()
        let gaveUp = Date().timeIntervalSince(deletedAt) > settings.maxWithdrawWait
        if !withdrawn && !gaveUp { return .requeue(after: 10) }
        let remaining = JSONValue.array(snippet.finalizers.filter { $0 != OperatorNames.finalizer }.map(JSONValue.string))
        _ = try await admin.patch(.jsonnetSnippets, namespace: namespace, name: snippet.name,
                                  patch: ["metadata": ["finalizers": remaining]])
        return .done
    }

    /// Deletes stored revisions no longer in `status.history` once they are older than the grace period.
    func collectGarbage(_ snippet: KubeObject, keep: Set<String>) {
        guard !keep.isEmpty else { return }
        let namespace = snippet.namespace ?? "default"
        for hex in settings.storage.revisions(namespace: namespace, name: snippet.name) where !keep.contains(hex) {
            let key = LocalStorage.key(namespace: namespace, name: snippet.name, hex: hex)
            if let age = settings.storage.age(of: key), age > settings.gcGrace {
                try? settings.storage.delete(key)
            }
        }
    }
}

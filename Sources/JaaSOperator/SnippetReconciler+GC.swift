import Foundation
import JaaSArtifacts
import Kubernetes

// Deletion and garbage collection.
extension SnippetReconciler {
    /// Withdraws a deleted snippet: deletes its ExternalArtifact as the tenant, then
    /// its stored revisions, then the finalizer. If the ExternalArtifact cannot be
    /// deleted within `--max-withdraw-wait`, the finalizer goes anyway, with a
    /// WithdrawForced Warning event and `jaas_snippet_force_drop_total`.
    func withdraw(_ snippet: KubeObject) async throws -> ReconcileResult {
        guard snippet.finalizers.contains(OperatorNames.finalizer) else { return .done }
        let namespace = snippet.namespace ?? "default"
        let deletedAt = snippet.deletionTimestamp.flatMap(Timestamps.parse) ?? Date()
        let left = settings.maxWithdrawWait - Date().timeIntervalSince(deletedAt)
        var problem: String?
        do {
            try await deleteExternalArtifact(snippet)
        } catch {
            problem = "\(error)"
        }
        if let problem {
            if left > 0 { return .requeue(after: min(jittered(settings.failureRetryInterval), left + 0.5)) }
            settings.metrics.countForceDrop(namespace: namespace, name: snippet.name, reason: "WithdrawTimeout")
            await events.record(snippet, type: "Warning", reason: "WithdrawForced",
                                message: "the ExternalArtifact could not be withdrawn within --max-withdraw-wait; "
                                    + "dropping the finalizer: \(problem)")
        }
        try ensureLeading()
        do {
            try await settings.storage.deleteAll(namespace: namespace, name: snippet.name)
        } catch {
            settings.metrics.countSweepFailures()
            if left > 0 { return .requeue(after: min(10, left + 0.5)) }
        }
        let remaining = JSONValue.array(snippet.finalizers.filter { $0 != OperatorNames.finalizer }.map(JSONValue.string))
        try ensureLeading()
        _ = try await admin.patch(.jsonnetSnippets, namespace: namespace, name: snippet.name,
                                  patch: ["metadata": ["finalizers": remaining]])
        memory.forget("\(namespace)/\(snippet.name)")
        settings.metrics.forget(namespace: namespace, name: snippet.name)
        return .done
    }

    /// Deletes the snippet's ExternalArtifact as its ServiceAccount; one that is
    /// absent or was not published for this snippet counts as withdrawn.
    private func deleteExternalArtifact(_ snippet: KubeObject) async throws {
        let namespace = snippet.namespace ?? "default"
        do {
            let existing = try await admin.get(.externalArtifacts, namespace: namespace, name: snippet.name)
            guard Self.isPublished(existing, by: snippet) else { return }
        } catch let e as KubeError where e.code == 404 {
            return
        } catch {
            // The operator may not be allowed to read it: the tenant's delete decides.
        }
        guard let sa = snippet[path: "spec", "serviceAccountName"]?.stringValue ?? settings.defaultServiceAccount else {
            throw ReconcileFailure(.serviceAccountMissing, "no ServiceAccount to withdraw the ExternalArtifact as")
        }
        do {
            try await asTenant(namespace: namespace, serviceAccount: sa) { tenant in
                try ensureLeading()
                _ = try await tenant.delete(.externalArtifacts, namespace: namespace, name: snippet.name)
            }
        } catch let e as KubeError where e.code == 404 {
            return
        }
    }

    /// Records when stored revisions left `keep` (the hexes in `status.history`) in
    /// the snippet's superseded index, deletes those whose grace has passed and
    /// schedules the next collection.
    func collectGarbage(namespace: String, name: String, keep: Set<String>, now: Date = Date()) async {
        guard !keep.isEmpty else {
            memory.scheduleCollection("\(namespace)/\(name)", at: nil)
            return
        }
        let storage = settings.storage
        let indexKey = SupersededIndex.key(namespace: namespace, name: name)
        let original: SupersededIndex
        let stored: Set<String>
        do {
            original = SupersededIndex(bytes: try await storage.readAll(indexKey))
            stored = Set(try await storage.revisions(namespace: namespace, name: name))
        } catch {
            // Storage unavailable: keep the index as it is and look again shortly.
            settings.metrics.countSweepFailures()
            memory.scheduleCollection("\(namespace)/\(name)", at: now.addingTimeInterval(10))
            return
        }
        var index = original
        index.left = index.left.filter { stored.contains($0.key) && !keep.contains($0.key) }
        var due: Date?
        for hex in stored.subtracting(keep) {
            let left = index.left[hex].map { Date(timeIntervalSince1970: $0) } ?? now
            index.left[hex] = left.timeIntervalSince1970
            var next = left.addingTimeInterval(settings.gcGrace)
            if next <= now {
                guard isLeading else { return }
                do {
                    try await storage.delete(artifactKey(namespace: namespace, name: name, hex: hex))
                    index.left[hex] = nil
                    continue
                } catch {
                    settings.metrics.countSweepFailures()
                    next = now.addingTimeInterval(10)
                }
            }
            due = min(due ?? .distantFuture, next)
        }
        if index != original, isLeading {
            do {
                if index.left.isEmpty { try await storage.delete(indexKey) } else { try await storage.put(indexKey, index.bytes) }
            } catch {
                settings.metrics.countSweepFailures()
            }
        }
        memory.scheduleCollection("\(namespace)/\(name)", at: due)
    }

    /// Runs every collection that is due, each against the snippet's current
    /// `status.history` (called periodically by the controller).
    public func collectDueGarbage() async {
        for key in memory.dueCollections() {
            let parts = key.split(separator: "/", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { continue }
            _ = try? await locks.withLock(key) {
                guard let snippet = try? await admin.get(.jsonnetSnippets, namespace: parts[0], name: parts[1]),
                      snippet.deletionTimestamp == nil else {
                    memory.scheduleCollection(key, at: nil)
                    return
                }
                let keep = Set((snippet[path: "status", "history"]?.arrayValue ?? []).compactMap {
                    $0["revision"]?.stringValue.map { String($0.dropFirst("sha256:".count)) }
                })
                await collectGarbage(namespace: parts[0], name: parts[1], keep: keep)
            }
        }
    }
}

/// When each superseded revision of a snippet left its history, kept as a small
/// JSON object next to the revisions (`<ns>/<name>/superseded.json`) so that the
/// grace survives a restart and works the same on every storage backend.
struct SupersededIndex: Equatable {
    /// Revision hex to seconds since 1970 when it left the history.
    var left: [String: Double] = [:]

    static func key(namespace: String, name: String) -> String {
        "\(namespace)/\(name)/superseded.json"
    }

    /// The index stored in `bytes`; empty when absent or unreadable.
    init(bytes: [UInt8]?) {
        guard let bytes, let decoded = try? JSONDecoder().decode([String: Double].self, from: Data(bytes)) else { return }
        left = decoded
    }

    var bytes: [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return [UInt8]((try? encoder.encode(left)) ?? Data("{}".utf8))
    }
}

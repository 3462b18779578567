import Foundation
import Kubernetes

// The snippet's status.
extension SnippetReconciler {
    enum Outcome {
        case published(Published, history: Int)
        case failure(ReconcileFailure)
        case suspended
    }

    /// Writes the snippet's status; a 409 (someone else wrote in between) re-reads and retries.
    /// Returns the revision hexes now listed in `status.history`.
    @discardableResult
    func writeStatus(_ snippet: KubeObject, _ outcome: Outcome) async throws -> Set<String> {
        var current = snippet
        for attempt in 0..<5 {
            var status = current["status"]?.objectValue ?? [:]
            let now = Timestamps.format(Date())
            let (ready, reason, message): (String, String, String)
            switch outcome {
            case .published(let p, let keep):
                (ready, reason, message) = ("True", ReadyReason.synced.rawValue, "published revision \(p.artifact.revision)")
                status["revision"] = .string(p.artifact.revision)
                status["artifactURL"] = .string(p.url)
                status["lastSyncTime"] = .string(now)
                var history = status["history"]?.arrayValue ?? []
                if history.first?["revision"]?.stringValue != p.artifact.revision {
                    history.insert(["revision": .string(p.artifact.revision), "time": .string(now)], at: 0)
                }
                status["history"] = .array(Array(history.prefix(max(1, min(50, keep)))))
            case .failure(let f):
                (ready, reason, message) = ("False", f.reason.rawValue,
                                            RunbookLinks.message(f.message, reason: f.reason.rawValue, base: settings.runbookBaseURL))
            case .suspended:
                (ready, reason, message) = ("False", ReadyReason.suspended.rawValue, "reconciliation is suspended")
            }
            let previous = (status["conditions"]?.arrayValue ?? []).first { $0["type"]?.stringValue == "Ready" }
            let transition = previous?["status"]?.stringValue == ready ? (previous?["lastTransitionTime"] ?? .string(now)) : .string(now)
            status["conditions"] = [[
                "type": "Ready", "status": .string(ready), "reason": .string(reason), "message": .string(message),
                "lastTransitionTime": transition, "observedGeneration": .int(current.generation ?? 0),
            ]]
            status["observedGeneration"] = .int(current.generation ?? 0)
            if let requested = current.annotations[OperatorNames.requestedAt] {
                status["lastHandledReconcileAt"] = .string(requested)
            }
            if current["status"] == .object(status) { return historyHexes(status) }
            current["status"] = .object(status)
            do {
                try ensureLeading()
                _ = try await admin.updateStatus(.jsonnetSnippets, current)
                return historyHexes(status)
            } catch let e as KubeError where e.code == 409 && attempt < 4 {
                current = try await admin.get(.jsonnetSnippets, namespace: snippet.namespace, name: snippet.name)
            }
        }
        return []
    }

    /// The revision hexes listed in `status.history`.
    private func historyHexes(_ status: [String: JSONValue]) -> Set<String> {
        Set((status["history"]?.arrayValue ?? []).compactMap {
            $0["revision"]?.stringValue.map { String($0.dropFirst("sha256:".count)) }
        })
    }
}

import Kubernetes
import Foundation

/// One entry of the event log that watches replay.
struct WatchEventRecord: Sendable {
    var resourceVersion: Int
    var storageKey: String
    var type: String
    var object: JSONValue
    var old: JSONValue?
}

/// An open watch stream.
struct Watcher: Sendable {
    var type: ResourceType
    var filter: ListFilter
    var continuation: AsyncStream<Data>.Continuation
    /// Whether events carry `meta.k8s.io` Table objects (kubectl get -w).
    var asTable = false

    func send(_ type: String, _ object: JSONValue) {
        let payload = asTable && type != "ERROR" && type != "BOOKMARK"
            ? TableRenderer(type: self.type).table(for: [object], resourceVersion: object[path: ["metadata", "resourceVersion"]])
            : object
        continuation.yield(Cluster.line(type, payload))
    }
}

extension Cluster {
    /// Appends an event to the log (dropping the oldest beyond the limit) and fans it out.
    func record(_ type: ResourceType, _ eventType: String, _ object: JSONValue, old: JSONValue?) {
        let event = WatchEventRecord(resourceVersion: resourceVersion, storageKey: type.storageKey, type: eventType,
                                     object: object, old: old)
        eventLog.append(event)
        while eventLog.count > max(watchHistoryLimit, 0) {
            droppedThrough = eventLog.removeFirst().resourceVersion
        }
        for watcher in watchers.values where watcher.type.storageKey == event.storageKey {
            deliver(event, to: watcher)
        }
    }

    /// Sends one event to a watcher, translating it for the watcher's selectors: an
    /// object that stops matching is reported as DELETED, one that starts as ADDED.
    private func deliver(_ event: WatchEventRecord, to watcher: Watcher) {
        let matchesNow = watcher.filter.matches(event.object)
        let matchedBefore = event.old.map { watcher.filter.matches($0) } ?? false
        var type = event.type
        switch event.type {
        case "MODIFIED":
            if matchesNow && !matchedBefore { type = "ADDED" }
            if !matchesNow && matchedBefore { type = "DELETED" }
            if !matchesNow && !matchedBefore { return }
        default:
            if !matchesNow { return }
        }
        watcher.send(type, present(event.object, watcher.type))
    }

    static func line(_ type: String, _ object: JSONValue) -> Data {
        var data = JSONValue.object(["type": .string(type), "object": object]).encoded()
        data.append(UInt8(ascii: "\n"))
        return data
    }

    /// Opens a watch: replays what happened after `resourceVersion` (or the current state
    /// as ADDED events when it is empty or "0"), then streams live events. A version older
    /// than the retained history yields one ERROR event (410 Expired) and ends the stream.
    func openWatch(_ type: ResourceType, filter: ListFilter, resourceVersion requested: String?,
                   asTable: Bool = false) throws -> (UUID, AsyncStream<Data>) {
        let (stream, continuation) = AsyncStream.makeStream(of: Data.self)
        let id = UUID()
        let watcher = Watcher(type: type, filter: filter, continuation: continuation, asTable: asTable)
        if let requested, !requested.isEmpty, requested != "0" {
            guard let version = Int(requested) else {
                throw APIError.badRequest("invalid resource version: \(requested)")
            }
            let oldest = max(droppedThrough, expiredBelow[type.storageKey] ?? 0)
            if version < oldest {
                continuation.yield(Cluster.line("ERROR", APIError.expired(requested: version, oldest: oldest).status))
                continuation.finish()
                return (id, stream)
            }
            for event in eventLog where event.resourceVersion > version && event.storageKey == type.storageKey {
                deliver(event, to: watcher)
            }
        } else {
            for item in (try? list(type, filter: filter))?["items"]?.arrayValue ?? [] {
                watcher.send("ADDED", item)
            }
        }
        watchers[id] = watcher
        continuation.onTermination = { [weak self] _ in
            Task { await self?.closeWatch(id) }
        }
        return (id, stream)
    }

    /// Sends a BOOKMARK carrying the current resourceVersion.
    func bookmark(_ id: UUID) {
        guard let watcher = watchers[id] else { return }
        let object: JSONValue = [
            "kind": .string(watcher.type.kind), "apiVersion": .string(watcher.type.apiVersion),
            "metadata": ["resourceVersion": .string(String(resourceVersion))],
        ]
        watcher.continuation.yield(Cluster.line("BOOKMARK", object))
    }

    /// Ends a watch stream.
    func closeWatch(_ id: UUID) {
        watchers.removeValue(forKey: id)?.continuation.finish()
    }

    /// Ends every open watch (server shutdown).
    func closeAllWatches() {
        for id in watchers.keys { closeWatch(id) }
    }

    /// Test hook: from now on a watch of this resource from any older resourceVersion gets
    /// 410 Gone; open watches of it are closed so that clients must resume.
    func expireHistory(storageKey: String) {
        expiredBelow[storageKey] = nextResourceVersion()
        for (id, watcher) in watchers where watcher.type.storageKey == storageKey { closeWatch(id) }
    }

    func setWatchHistoryLimit(_ limit: Int) {
        watchHistoryLimit = limit
        while eventLog.count > max(limit, 0) {
            droppedThrough = eventLog.removeFirst().resourceVersion
        }
    }

    var openWatchCount: Int { watchers.count }
}

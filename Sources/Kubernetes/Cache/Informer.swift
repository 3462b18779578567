import NIOConcurrencyHelpers

/// Callbacks an `Informer` makes as its cache changes, in event order.
public struct InformerHandler: Sendable {
    /// An object appeared (including every object of the first list).
    public var onAdd: @Sendable (KubeObject) async -> Void
    /// An object changed: `(old, new)`.
    public var onUpdate: @Sendable (KubeObject, KubeObject) async -> Void
    /// An object disappeared; the argument is its last known state.
    public var onDelete: @Sendable (KubeObject) async -> Void

    /// A handler; omitted callbacks do nothing.
    public init(
        onAdd: @escaping @Sendable (KubeObject) async -> Void = { _ in },
        onUpdate: @escaping @Sendable (KubeObject, KubeObject) async -> Void = { _, _ in },
        onDelete: @escaping @Sendable (KubeObject) async -> Void = { _ in }
    ) {
        self.onAdd = onAdd
        self.onUpdate = onUpdate
        self.onDelete = onDelete
    }

    /// One callback for every change, given the object concerned (the new state, or the
    /// last one for deletions): the usual way to feed a work queue with keys.
    public init(onChange: @escaping @Sendable (KubeObject) async -> Void) {
        self.init(onAdd: onChange, onUpdate: { _, new in await onChange(new) }, onDelete: onChange)
    }
}

/// A local cache of one collection kept current by a `ListWatcher`, with event
/// handlers and secondary indexes.
///
/// Add handlers, start `run()` in a task, then `await waitForSync()` before trusting
/// `store`. Relists (after 410 Gone) are diffed against the cache so handlers see only
/// real changes.
public final class Informer: Sendable {
    /// The cache.
    public let store: ObjectStore
    /// The list-watcher feeding it.
    public let listWatcher: ListWatcher
    private let handlers = NIOLockedValueBox<[InformerHandler]>([])
    private let synced = NIOLockedValueBox(false)

    /// An informer over `listWatcher` maintaining `indexers`.
    public init(listWatcher: ListWatcher, indexers: [String: IndexFunction] = [:]) {
        self.listWatcher = listWatcher
        self.store = ObjectStore(indexers: indexers)
    }

    /// An informer for `resource` in `namespace` (all if `nil`).
    public convenience init(
        client: KubeClient, resource: GroupVersionResource, namespace: String? = nil, labelSelector: String? = nil,
        fieldSelector: String? = nil, indexers: [String: IndexFunction] = [:]
    ) {
        self.init(
            listWatcher: ListWatcher(
                client: client, resource: resource, namespace: namespace, labelSelector: labelSelector,
                fieldSelector: fieldSelector),
            indexers: indexers)
    }

    /// Registers a handler. Handlers added after `run()` started miss earlier events.
    public func addHandler(_ handler: InformerHandler) {
        handlers.withLockedValue { $0.append(handler) }
    }

    /// Whether the first full list has been stored (and its handlers called).
    public var hasSynced: Bool { synced.withLockedValue { $0 } }

    /// Returns once `hasSynced` is true (polling every 20 ms), or when the task is cancelled.
    public func waitForSync() async {
        while !hasSynced, !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Lists, watches and updates the cache until the calling task is cancelled.
    public func run() async {
        await listWatcher.run { event in await self.apply(event) }
    }

    private func apply(_ event: ListWatchEvent) async {
        let handlers = self.handlers.withLockedValue { $0 }
        switch event {
        case .listed(let objects, _):
            let changes = store.replace(with: objects)
            for object in changes.added { for h in handlers { await h.onAdd(object) } }
            for (old, new) in changes.updated { for h in handlers { await h.onUpdate(old, new) } }
            for object in changes.deleted { for h in handlers { await h.onDelete(object) } }
            synced.withLockedValue { $0 = true }
        case .event(.added(let object)), .event(.modified(let object)):
            if let old = store.upsert(object) {
                for h in handlers { await h.onUpdate(old, object) }
            } else {
                for h in handlers { await h.onAdd(object) }
            }
        case .event(.deleted(let object)):
            store.remove(key: object.key)
            for h in handlers { await h.onDelete(object) }
        case .event(.bookmark), .event(.error):
            break
        }
    }
}

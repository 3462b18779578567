import Logging

/// What a `ListWatcher` reports.
public enum ListWatchEvent: Sendable, Hashable {
    /// A full list (the first, or a relist after 410 Gone): the complete current state.
    case listed([KubeObject], resourceVersion: String)
    /// A change seen by the watch (`ADDED`, `MODIFIED`, `DELETED` or `BOOKMARK`; never `ERROR`).
    case event(WatchEvent)
}

/// Keeps an up-to-date view of a collection: lists it, then watches from the list's
/// resourceVersion; when a watch ends or the connection breaks it resumes from the
/// last resourceVersion seen (events and bookmarks), waiting with exponential backoff
/// after failures; when the server answers 410 Gone it lists again.
public struct ListWatcher: Sendable {
    /// The client used for list and watch.
    public var client: KubeClient
    /// What is watched.
    public var resource: GroupVersionResource
    /// The namespace; `nil` watches all namespaces.
    public var namespace: String?
    /// Label selector for both list and watch.
    public var labelSelector: String?
    /// Field selector for both list and watch.
    public var fieldSelector: String?
    /// Page size of lists.
    public var pageSize: Int?
    /// The first wait after a failure; doubles per consecutive failure.
    public var initialBackoff: Duration
    /// The cap on that wait.
    public var maxBackoff: Duration
    /// The range from which each watch's `timeoutSeconds` is drawn (spreads reconnects).
    public var watchTimeoutSeconds: ClosedRange<Int>
    /// Called with each failed list (the first, or a relist): a caller that must know a
    /// collection could not be engaged (RBAC refused, the server failing) counts it here.
    public var onListFailure: (@Sendable (any Error) -> Void)?

    /// A list-watcher for `resource` in `namespace` (all namespaces if `nil`).
    public init(
        client: KubeClient, resource: GroupVersionResource, namespace: String? = nil, labelSelector: String? = nil,
        fieldSelector: String? = nil, pageSize: Int? = 500, initialBackoff: Duration = .milliseconds(500),
        maxBackoff: Duration = .seconds(30), watchTimeoutSeconds: ClosedRange<Int> = 300...600
    ) {
        self.client = client
        self.resource = resource
        self.namespace = namespace
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.pageSize = pageSize
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
        self.watchTimeoutSeconds = watchTimeoutSeconds
    }

    /// Lists and watches until the calling task is cancelled, handing every event to
    /// `handle` in order. Never throws: failures are logged and retried.
    public func run(_ handle: @Sendable (ListWatchEvent) async -> Void) async {
        var resourceVersion: String?
        var failures = 0
        let logger = client.logger

        func backOff() async {
            let delay = Backoff.exponential(initial: initialBackoff, max: maxBackoff, step: failures)
            failures += 1
            try? await Task.sleep(for: delay)
        }

        while !Task.isCancelled {
            guard let currentVersion = resourceVersion else {
                do {
                    let list = try await client.list(
                        resource, namespace: namespace,
                        options: ListOptions(labelSelector: labelSelector, fieldSelector: fieldSelector, limit: pageSize))
                    resourceVersion = list.resourceVersion
                    failures = 0
                    await handle(.listed(list.items, resourceVersion: list.resourceVersion))
                } catch {
                    if Task.isCancelled { return }
                    logger.warning("list failed", metadata: ["resource": "\(resource)", "error": "\(error)"])
                    onListFailure?(error)
                    await backOff()
                }
                continue
            }
            var receivedAny = false
            do {
                let options = WatchOptions(
                    labelSelector: labelSelector, fieldSelector: fieldSelector, resourceVersion: currentVersion,
                    allowBookmarks: true, timeoutSeconds: Int.random(in: watchTimeoutSeconds))
                for try await event in try await client.watch(resource, namespace: namespace, options: options) {
                    if case .error(let error) = event { throw error }
                    receivedAny = true
                    failures = 0
                    if let rv = event.resourceVersion, !rv.isEmpty { resourceVersion = rv }
                    await handle(.event(event))
                }
                if !receivedAny { await backOff() }
            } catch let error as KubeError where error.isGone {
                logger.debug("watch expired; relisting", metadata: ["resource": "\(resource)"])
                resourceVersion = nil
            } catch {
                if Task.isCancelled { return }
                logger.warning("watch failed", metadata: ["resource": "\(resource)", "error": "\(error)"])
                await backOff()
            }
        }
    }

    /// The same events as `run`, as an async sequence; the watching stops when the
    /// consumer stops iterating or is cancelled.
    public func events() -> AsyncStream<ListWatchEvent> {
        AsyncStream { continuation in
            let task = Task {
                await run { continuation.yield($0) }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}

import Foundation
import Kubernetes
import Logging
import Synchronization

/// Watches JsonnetSnippets and drives `SnippetReconciler`: a change that needs a
/// render (a new generation, the `reconcile.fluxcd.io/requestedAt` annotation,
/// deletion, a source's new artifact, a library edit) or a requeue puts the
/// snippet's key on a de-duplicating work queue — the operator's own status
/// writes never do. Workers reconcile keys one at a time per key, retrying errors
/// with per-key exponential backoff and limiting re-renders with a token bucket;
/// superseded revisions are collected once their grace has passed.
public final class SnippetController: Sendable {
    /// The options.
    public struct Options: Sendable {
        /// `--watch-namespaces` (empty: all).
        public var namespaces: [String]
        /// `--label-selector`.
        public var labelSelector: String?
        /// `--reconcile-workers`: reconciles run at once.
        public var workers: Int
        /// `--max-reconciles-per-namespace`: reconciles of one namespace run at once
        /// (nil: half the workers, at least 1), so one namespace never holds every worker.
        public var maxPerNamespace: Int?
        /// `--rerender-rate` per minute and `--rerender-burst`.
        public var rerenderPerMinute: Double
        /// The rerender burst.
        public var rerenderBurst: Double

        /// Creates one from the given values.
        public init(namespaces: [String] = [], labelSelector: String? = nil, workers: Int = 4,
                    maxPerNamespace: Int? = nil, rerenderPerMinute: Double = 60, rerenderBurst: Double = 120) {
            self.namespaces = namespaces
            self.labelSelector = labelSelector
            self.workers = workers
            self.maxPerNamespace = maxPerNamespace
            self.rerenderPerMinute = rerenderPerMinute
            self.rerenderBurst = rerenderBurst
        }

        /// The per-namespace cap in force.
        public var namespaceCap: Int { maxPerNamespace ?? max(1, workers / 2) }
    }

    /// The reconciler.
    public let reconciler: SnippetReconciler
    /// The queue.
    public let queue: WorkQueue<ObjectKey>
    private let options: Options
    /// The reconciles in progress, by key, so an edit or a deletion can cancel one.
    private let running = Mutex<[ObjectKey: Task<ReconcileResult, any Error>]>([:])
    private let informers: [Informer]
    /// Informers on the Flux source kinds: a new artifact re-renders every snippet that uses it.
    private let sourceInformers: [(kind: String, informer: Informer)]
    /// Informers on JsonnetLibraries: a changed library re-renders the snippets that import it.
    private let libraryInformers: [Informer]
    private let buckets = Mutex<[ObjectKey: TokenBucket]>([:])
    private let logger: Logger

    /// Creates one with the defaults.
    public init(reconciler: SnippetReconciler, options: Options = Options(),
                logger: Logger = Logger(label: "jaas.operator")) {
        self.reconciler = reconciler
        self.options = options
        self.logger = logger
        queue = WorkQueue(baseDelay: .milliseconds(200), maxDelay: .seconds(300),
                          fairness: .init(maxInFlight: options.namespaceCap) { $0.namespace ?? "" })
        let namespaces: [String?] = options.namespaces.isEmpty ? [nil] : options.namespaces
        let metrics = reconciler.settings.metrics
        /// A list-watcher on `kind` that counts a refused list (anything but a missing
        /// CRD, which is retried quietly until Flux installs it) as a watch engagement failure.
        func watcher(_ kind: String, _ resource: GroupVersionResource, _ namespace: String?,
                     labelSelector: String? = nil, maxBackoff: Duration = .seconds(30)) -> Informer {
            var listWatcher = ListWatcher(client: reconciler.admin, resource: resource, namespace: namespace,
                                          labelSelector: labelSelector, maxBackoff: maxBackoff)
            let gvk = "\(resource.group.isEmpty ? "" : resource.group + "/")\(resource.version), Kind=\(kind)"
            listWatcher.onListFailure = { error in
                if let error = error as? KubeError, error.isNotFound { return }
                metrics.countCRDWatchEngagementFailure(gvk: gvk)
            }
            return Informer(listWatcher: listWatcher)
        }
        informers = namespaces.map {
            watcher("JsonnetSnippet", .jsonnetSnippets, $0, labelSelector: options.labelSelector)
        }
        // A kind whose CRD is missing keeps retrying with backoff, so a Flux CRD
        // installed after start-up is picked up without a restart.
        libraryInformers = namespaces.map { watcher("JsonnetLibrary", .jsonnetLibraries, $0) }
        // Retrying at most every 5 s keeps that delay short.
        sourceInformers = SourceKinds.all.flatMap { kind, resource in
            namespaces.map { (kind, watcher(kind, resource, $0, maxBackoff: .seconds(5))) }
        }
    }

    /// Keys of the snippets whose `spec.sourceRef` names `source`, directly or through a library.
    private func dependents(of source: KubeObject, kind: String) -> [ObjectKey] {
        let namespace = source.namespace ?? "default"
        func refers(_ object: KubeObject) -> Bool {
            guard let ref = object[path: "spec", "sourceRef"], ref["kind"]?.stringValue == kind,
                  ref["name"]?.stringValue == source.name else { return false }
            return (ref["namespace"]?.stringValue ?? object.namespace ?? "default") == namespace
        }
        let snippets = informers.flatMap { $0.store.objects }
        var keys = snippets.filter(refers).map { ObjectKey(namespace: $0.namespace, name: $0.name) }
        for library in libraryInformers.flatMap({ $0.store.objects }) where refers(library) {
            keys += users(of: library, among: snippets)
        }
        return keys
    }

    /// Keys of the snippets listing `library` in `spec.libraries`.
    private func users(of library: KubeObject, among snippets: [KubeObject]) -> [ObjectKey] {
        let namespace = library.namespace ?? "default"
        return snippets.filter { snippet in
            (snippet[path: "spec", "libraries"]?.arrayValue ?? []).contains {
                $0["name"]?.stringValue == library.name
                    && ($0["namespace"]?.stringValue ?? snippet.namespace ?? "default") == namespace
            }
        }.map { ObjectKey(namespace: $0.namespace, name: $0.name) }
    }

    /// Whether the JsonnetSnippet and JsonnetLibrary caches hold their first full list.
    public var hasSynced: Bool {
        (informers + libraryInformers).allSatisfy(\.hasSynced)
    }

    /// Runs until the task is cancelled; `onSynced` is called once the snippet and
    /// library caches are filled (what `/ready` waits for).
    public func run(onSynced: @escaping @Sendable () -> Void = {}) async {
        addHandlers()
        let metrics = reconciler.settings.metrics
        metrics.observeQueueDepth { [queue] in queue.count }
        metrics.controller.setWorkers(max(1, options.workers))
        queue.observeAdds { metrics.controller.added("\($0)") }
        await withTaskGroup(of: Void.self) { group in
            for informer in informers { group.addTask { await informer.run() } }
            for informer in libraryInformers { group.addTask { await informer.run() } }
            for (_, informer) in sourceInformers { group.addTask { await informer.run() } }
            for _ in 0..<max(1, options.workers) { group.addTask { await self.work() } }
            group.addTask {
                for informer in self.informers + self.libraryInformers { await informer.waitForSync() }
                if !Task.isCancelled { onSynced() }
            }
            group.addTask {
                while !Task.isCancelled {
                    await self.reconciler.collectDueGarbage()
                    try? await Task.sleep(for: .seconds(1))
                }
            }
            await withTaskCancellationHandler {
                while !Task.isCancelled { try? await Task.sleep(for: .seconds(3600)) }
            } onCancel: { [queue] in
                queue.shutdown()
            }
            group.cancelAll()
        }
    }

    private func addHandlers() {
        let queue = self.queue
        let enqueue: @Sendable (KubeObject) -> Void = { queue.add(ObjectKey(namespace: $0.namespace, name: $0.name)) }
        // An edit or a deletion makes work in progress moot: it is cancelled, and
        // the key, queued again, starts over from the new object.
        let restart: @Sendable (KubeObject) -> Void = { [weak self] object in
            self?.cancelInFlight(ObjectKey(namespace: object.namespace, name: object.name))
            enqueue(object)
        }
        for informer in informers {
            informer.addHandler(InformerHandler(
                onAdd: { enqueue($0) },
                onUpdate: { old, new in if Self.needsReconcile(old, new) { restart(new) } },
                onDelete: { restart($0) }))
        }
        // The first list of a source or library kind queues nothing: every snippet is
        // queued by its own first list, so a start-up renders each snippet once.
        for (kind, informer) in sourceInformers {
            let changed = { @Sendable [weak self] (source: KubeObject) in
                guard let self else { return }
                for key in self.dependents(of: source, kind: kind) { queue.add(key) }
            }
            // A deleted ExternalArtifact frees its name: the snippet of that name,
            // if it was refused the name (ArtifactConflict), may take it now.
            let freesName = kind == "ExternalArtifact"
            informer.addHandler(InformerHandler(
                onAdd: { [weak informer] in if informer?.hasSynced == true { changed($0) } },
                onUpdate: { old, new in if Self.artifactChanged(old, new) { changed(new) } },
                onDelete: { (source: KubeObject) in
                    changed(source)
                    if freesName { queue.add(ObjectKey(namespace: source.namespace, name: source.name)) }
                }))
        }
        for informer in libraryInformers {
            let changed = { @Sendable [weak self] (library: KubeObject) in
                guard let self else { return }
                for key in self.users(of: library, among: self.informers.flatMap { $0.store.objects }) { queue.add(key) }
            }
            informer.addHandler(InformerHandler(
                onAdd: { [weak informer] in if informer?.hasSynced == true { changed($0) } },
                onUpdate: { old, new in if Self.needsReconcile(old, new) { changed(new) } },
                onDelete: { changed($0) }))
        }
    }

    /// Whether an update of a snippet (or library) asks for a render: a spec change
    /// (generation), a `requestedAt` annotation or deletion — not a status or finalizer write.
    static func needsReconcile(_ old: KubeObject, _ new: KubeObject) -> Bool {
        old.generation != new.generation
            || old.annotations[OperatorNames.requestedAt] != new.annotations[OperatorNames.requestedAt]
            || (old.deletionTimestamp == nil) != (new.deletionTimestamp == nil)
    }

    /// Whether a Flux source's update changes what its dependents render from.
    static func artifactChanged(_ old: KubeObject, _ new: KubeObject) -> Bool {
        func ready(_ o: KubeObject) -> String? {
            (o[path: "status", "conditions"]?.arrayValue ?? []).first { $0["type"]?.stringValue == "Ready" }?["status"]?.stringValue
        }
        return old[path: "status", "artifact", "url"] != new[path: "status", "artifact", "url"]
            || old[path: "status", "artifact", "digest"] != new[path: "status", "artifact", "digest"]
            || ready(old) != ready(new)
            || (old.deletionTimestamp == nil) != (new.deletionTimestamp == nil)
    }

    private func work() async {
        let metrics = reconciler.settings.metrics.controller
        while let key = await queue.get() {
            metrics.started("\(key)")
            defer {
                metrics.finished("\(key)")
                queue.done(key)
            }
            if let wait = takeToken(key) {
                logger.info("re-render rate limit reached", metadata: ["snippet": "\(key)"])
                reconciler.settings.metrics.countRateLimited(namespace: key.namespace ?? "default", name: key.name)
                queue.addAfter(key, delay: .seconds(wait))
                if let snippet = informers.lazy.compactMap({ $0.store.get(namespace: key.namespace, name: key.name) }).first {
                    let message = "re-render rate limit reached (--rerender-rate \(Self.perMinute(options.rerenderPerMinute))/min, "
                        + "--rerender-burst \(Self.perMinute(options.rerenderBurst))): the next render runs in \(Int(wait.rounded(.up))) s"
                    await reconciler.events.record(snippet, type: "Warning", reason: "RateLimited", message: message)
                }
                continue
            }
            let started = ContinuousClock.now
            let outcome = await reconcileWithDeadline(key)
            switch outcome {
            case .success(.done): metrics.reconciled(result: "success", elapsed: .now - started)
            case .success(.requeue): metrics.reconciled(result: "requeue_after", elapsed: .now - started)
            case .failure(is CancellationError): break
            case .failure: metrics.reconciled(result: "error", elapsed: .now - started)
            }
            switch outcome {
            case .success(.done):
                queue.forget(key)
            case .success(.requeue(let after)):
                queue.forget(key)
                queue.addAfter(key, delay: .milliseconds(requeueMilliseconds(after)))
            case .failure(let error as ReconcileDeadlineExceeded):
                logger.warning("reconcile cancelled at its deadline; retrying with backoff",
                               metadata: ["snippet": "\(key)", "deadline": "\(error.deadline)"])
                metrics.retried()
                queue.addRateLimited(key)
            case .failure where Task.isCancelled:
                return
            case .failure(is CancellationError):
                // An edit or a deletion cancelled it and queued the key again.
                logger.debug("reconcile cancelled by a change of the snippet", metadata: ["snippet": "\(key)"])
            case .failure(let error):
                logger.warning("reconcile failed; retrying with backoff",
                               metadata: ["snippet": "\(key)", "error": "\(error)"])
                metrics.retried()
                queue.addRateLimited(key)
            }
        }
    }

    /// One reconcile of `key` as a task of its own (so a change of the snippet can
    /// cancel it), cancelled at `--reconcile-timeout`.
    private func reconcileWithDeadline(_ key: ObjectKey) async -> Result<ReconcileResult, any Error> {
        let reconciler = self.reconciler
        let deadline = reconciler.settings.reconcileTimeout
        let task = Task<ReconcileResult, any Error> {
            try await withThrowingTaskGroup(of: ReconcileResult?.self) { group in
                group.addTask { try await reconciler.reconcile(namespace: key.namespace ?? "default", name: key.name) }
                group.addTask {
                    try await Task.sleep(for: deadline)
                    return nil
                }
                defer { group.cancelAll() }
                guard let first = try await group.next(), let result = first else {
                    throw ReconcileDeadlineExceeded(deadline: deadline)
                }
                return result
            }
        }
        running.withLock { $0[key] = task }
        let result = await withTaskCancellationHandler { await task.result } onCancel: { task.cancel() }
        running.withLock { running in
            if running[key] == task { running[key] = nil }
        }
        return result
    }

    /// Cancels the reconcile of `key` in progress, if any.
    private func cancelInFlight(_ key: ObjectKey) {
        running.withLock { $0[key] }?.cancel()
    }

    /// nil when a re-render may run now, else seconds to wait.
    /// A rate as the flag spells it: `60`, or `0.5`.
    static func perMinute(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }

    private func takeToken(_ key: ObjectKey) -> Double? {
        buckets.withLock { buckets in
            var bucket = buckets[key] ?? TokenBucket(capacity: options.rerenderBurst, perSecond: options.rerenderPerMinute / 60)
            let wait = bucket.take(now: ContinuousClock.now)
            buckets[key] = bucket
            return wait
        }
    }
}

/// A reconcile ran past `--reconcile-timeout` and was cancelled.
struct ReconcileDeadlineExceeded: Error, CustomStringConvertible {
    let deadline: Duration
    var description: String { "reconcile exceeded \(deadline) (--reconcile-timeout)" }
}

/// A token bucket: `capacity` tokens, refilled at `perSecond`.
struct TokenBucket: Sendable {
    let capacity: Double
    let perSecond: Double
    var tokens: Double
    var last: ContinuousClock.Instant?

    init(capacity: Double, perSecond: Double) {
        self.capacity = max(1, capacity)
        self.perSecond = perSecond
        self.tokens = max(1, capacity)
    }

    /// Takes one token; returns nil on success or the seconds until one is available.
    mutating func take(now: ContinuousClock.Instant) -> Double? {
        if let last {
            let elapsed = now - last
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            tokens = min(capacity, tokens + seconds * perSecond)
        }
        last = now
        if tokens >= 1 {
            tokens -= 1
            return nil
        }
        return perSecond > 0 ? (1 - tokens) / perSecond : 60
    }
}

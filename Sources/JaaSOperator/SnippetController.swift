import Foundation
import Kubernetes
import Logging
import Synchronization

/// Watches JsonnetSnippets and drives `SnippetReconciler`: every change (and
/// every `interval`) puts the snippet's key on a de-duplicating work queue;
/// workers reconcile keys one at a time per key, retrying failures with
/// per-key exponential backoff and limiting re-renders with a token bucket.
public final class SnippetController: Sendable {
    public struct Options: Sendable {
        /// `--watch-namespaces` (empty: all).
        public var namespaces: [String]
        /// `--label-selector`.
        public var labelSelector: String?
        public var workers: Int
        /// `--rerender-rate` per minute and `--rerender-burst`.
        public var rerenderPerMinute: Double
        public var rerenderBurst: Double

        public init(namespaces: [String] = [], labelSelector: String? = nil, workers: Int = 4,
                    rerenderPerMinute: Double = 60, rerenderBurst: Double = 120) {
            self.namespaces = namespaces
            self.labelSelector = labelSelector
            self.workers = workers
            self.rerenderPerMinute = rerenderPerMinute
            self.rerenderBurst = rerenderBurst
        }
    }

    public let reconciler: SnippetReconciler
    public let queue = WorkQueue<ObjectKey>(baseDelay: .milliseconds(200), maxDelay: .seconds(300))
    private let options: Options
    private let informers: [Informer]
    /// Informers on the Flux source kinds: a new artifact re-renders every snippet that uses it.
    private let sourceInformers: [(kind: String, informer: Informer)]
    /// Informers on JsonnetLibraries: a changed library re-renders the snippets that import it.
    private let libraryInformers: [Informer]
    private let buckets = Mutex<[ObjectKey: TokenBucket]>([:])
    private let logger: Logger

    public init(reconciler: SnippetReconciler, options: Options = Options(),
                logger: Logger = Logger(label: "jaas.operator")) {
        self.reconciler = reconciler
        self.options = options
        self.logger = logger
        let namespaces: [String?] = options.namespaces.isEmpty ? [nil] : options.namespaces
        informers = namespaces.map {
            Informer(client: reconciler.admin, resource: .jsonnetSnippets, namespace: $0, labelSelector: options.labelSelector)
        }
        // A kind whose CRD is missing keeps retrying with backoff, so a Flux CRD
        // installed after start-up is picked up without a restart.
        libraryInformers = namespaces.map { Informer(client: reconciler.admin, resource: .jsonnetLibraries, namespace: $0) }
        // Retrying at most every 5 s keeps that delay short.
        sourceInformers = SourceKinds.all.flatMap { kind, resource in
            namespaces.map {
                (kind, Informer(listWatcher: ListWatcher(client: reconciler.admin, resource: resource, namespace: $0,
                                                         maxBackoff: .seconds(5))))
            }
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

    /// Runs until the task is cancelled.
    public func run() async {
        for informer in informers {
            informer.addHandler(InformerHandler { [queue] object in
                queue.add(ObjectKey(namespace: object.namespace, name: object.name))
            })
        }
        for (kind, informer) in sourceInformers {
            informer.addHandler(InformerHandler { [weak self] source in
                guard let self else { return }
                for key in self.dependents(of: source, kind: kind) { self.queue.add(key) }
            })
        }
        for informer in libraryInformers {
            informer.addHandler(InformerHandler { [weak self] library in
                guard let self else { return }
                for key in self.users(of: library, among: self.informers.flatMap { $0.store.objects }) { self.queue.add(key) }
            })
        }
        await withTaskGroup(of: Void.self) { group in
            for informer in informers { group.addTask { await informer.run() } }
            for informer in libraryInformers { group.addTask { await informer.run() } }
            for (_, informer) in sourceInformers { group.addTask { await informer.run() } }
            for _ in 0..<max(1, options.workers) { group.addTask { await self.work() } }
            await withTaskCancellationHandler {
                while !Task.isCancelled { try? await Task.sleep(for: .seconds(3600)) }
            } onCancel: { [queue] in
                queue.shutdown()
            }
            group.cancelAll()
        }
    }

    private func work() async {
        while let key = await queue.get() {
            defer { queue.done(key) }
            if let wait = takeToken(key) {
                logger.info("re-render rate limit reached", metadata: ["snippet": "\(key)"])
                queue.addAfter(key, delay: .seconds(wait))
                continue
            }
            do {
                switch try await reconciler.reconcile(namespace: key.namespace ?? "default", name: key.name) {
                case .done:
                    queue.forget(key)
                case .requeue(let after):
                    queue.forget(key)
                    queue.addAfter(key, delay: .milliseconds(Int64(after * 1000)))
                }
            } catch {
                logger.warning("reconcile failed; retrying with backoff",
                               metadata: ["snippet": "\(key)", "error": "\(error)"])
                queue.addRateLimited(key)
            }
        }
    }

    /// nil when a re-render may run now, else seconds to wait.
    private func takeToken(_ key: ObjectKey) -> Double? {
        buckets.withLock { buckets in
            var bucket = buckets[key] ?? TokenBucket(capacity: options.rerenderBurst, perSecond: options.rerenderPerMinute / 60)
            let wait = bucket.take(now: ContinuousClock.now)
            buckets[key] = bucket
            return wait
        }
    }
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

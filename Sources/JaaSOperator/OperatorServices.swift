import Foundation
import JaaSArtifacts
import JaaSCore
import JaaSOperatorAPI
import JaaSRenderer
import Kubernetes
import Logging
import ServiceLifecycle

/// The operator's flags once checked (docs/flags.md, "Operator mode").
public struct OperatorConfiguration {
    /// `--kubeconfig`; nil: KUBECONFIG, else in-cluster credentials.
    public var kubeconfig: String?
    /// Where artifacts are stored (`--storage-backend`).
    public var storage: any ArtifactStorage
    /// The local storage, whose stale temporary files are swept (nil with S3).
    public var localStorage: LocalStorage?
    /// nil with `--leader-election=false`: this replica always reconciles.
    public var election: ElectionSettings?
    /// `--storage-base-url`.
    public var storageBaseURL: String
    /// `--storage-listen-address`.
    public var storageListenAddress: String
    /// `--storage-port`.
    public var storagePort: Int
    /// `--storage-read-timeout`; nil: none.
    public var storageReadTimeout: Duration?
    /// `--storage-write-timeout`; nil: none.
    public var storageWriteTimeout: Duration?
    /// What the controller watches and how fast it may re-render.
    public var controller: SnippetController.Options
    /// `--max-source-*`, `--max-evaluation-input-bytes`, the download and reconcile timeouts.
    public var budgets: TenantBudgets
    /// `--default-service-account`.
    public var defaultServiceAccount: String?
    /// `--max-artifact-bytes` (0 = off).
    public var maxArtifactBytes: Int
    /// `--artifact-gc-grace`.
    public var gcGrace: Duration
    /// `--max-withdraw-wait`.
    public var maxWithdrawWait: Duration
    /// nil: no sweep (`--storage-sweep-interval 0`).
    public var sweepInterval: Duration?
    /// `--storage-sweep-max-tmp-age`.
    public var sweepMaxTmpAge: Duration
    /// `--no-cross-namespace-refs`.
    public var noCrossNamespaceRefs: Bool
    /// `--library-path`: each directory's subdirectories are library aliases.
    public var libraryPaths: [String]
    /// `--failure-retry-interval`.
    public var failureRetryInterval: Duration
    /// `--allow-loopback-sources`.
    public var allowLoopbackSources: Bool
    /// `--runbook-base-url`.
    public var runbookBaseURL: String

    /// A configuration of the given values.
    public init(kubeconfig: String?, storage: any ArtifactStorage, localStorage: LocalStorage?,
                election: ElectionSettings?, storageBaseURL: String, storageListenAddress: String, storagePort: Int,
                storageReadTimeout: Duration?, storageWriteTimeout: Duration?, controller: SnippetController.Options,
                budgets: TenantBudgets, defaultServiceAccount: String?, maxArtifactBytes: Int, gcGrace: Duration,
                maxWithdrawWait: Duration, sweepInterval: Duration?, sweepMaxTmpAge: Duration,
                noCrossNamespaceRefs: Bool, libraryPaths: [String], failureRetryInterval: Duration,
                allowLoopbackSources: Bool, runbookBaseURL: String = RunbookLinks.defaultBase) {
        self.kubeconfig = kubeconfig
        self.storage = storage
        self.localStorage = localStorage
        self.election = election
        self.storageBaseURL = storageBaseURL
        self.storageListenAddress = storageListenAddress
        self.storagePort = storagePort
        self.storageReadTimeout = storageReadTimeout
        self.storageWriteTimeout = storageWriteTimeout
        self.controller = controller
        self.budgets = budgets
        self.defaultServiceAccount = defaultServiceAccount
        self.maxArtifactBytes = maxArtifactBytes
        self.gcGrace = gcGrace
        self.maxWithdrawWait = maxWithdrawWait
        self.sweepInterval = sweepInterval
        self.sweepMaxTmpAge = sweepMaxTmpAge
        self.noCrossNamespaceRefs = noCrossNamespaceRefs
        self.libraryPaths = libraryPaths
        self.failureRetryInterval = failureRetryInterval
        self.allowLoopbackSources = allowLoopbackSources
        self.runbookBaseURL = runbookBaseURL
    }
}

/// Keeps `client` open until graceful shutdown reaches it, then shuts it down.
/// Listed first among the services so it is stopped last, after everything that
/// makes API calls (AsyncHTTPClient traps on a client deinitialized while open).
public func clientShutdownService(_ client: KubeClient, logger: Logger) -> TaskService {
    TaskService {
        do { try await waitForShutdown() } catch {}
        do { try await client.shutdown() } catch {
            logger.debug("Kubernetes client shutdown", metadata: ["error": "\(error)"])
        }
    }
}

/// The timeout of each request of the operator's Kubernetes client (to the response
/// head; watches stream on past it): shorter than the leader election's renew
/// deadline (10 s), so a leader-only write never hangs past the moment the fence
/// lapses and the leading work is cancelled.
public let operatorRequestTimeout: Duration = .seconds(5)

/// The services of `--enable-flux-integration`, in the order a ServiceGroup runs them:
/// the client's shutdown, the start-up check, the storage server, the sweep of local
/// temporary files, the admission webhook that `webhook` makes (given the client and
/// the `--library-path` aliases), and the snippet controller, which runs only while
/// this replica leads. Evaluations go through `gate` (shared with the renderer);
/// `onSynced` is called once the informer caches are filled, or at once on a replica
/// that campaigns for leadership (followers serve without caches).
public func operatorServices(_ config: OperatorConfiguration, renderer: SnippetRenderer, gate: EvaluationGate,
                             metrics: OperatorMetrics, onSynced: @escaping @Sendable () -> Void,
                             webhook: ((KubeClient, _ aliases: Set<String>) -> any Service)? = nil,
                             logger: Logger) throws -> [any Service] {
    let kubeConfig = try KubeConfig.load(kubeconfigPath: config.kubeconfig)
    let client = try KubeClient(config: kubeConfig, requestTimeout: operatorRequestTimeout, logger: logger)
    var settings = OperatorSettings(
        storage: config.storage, storageBaseURL: config.storageBaseURL,
        defaultServiceAccount: config.defaultServiceAccount, renderer: renderer,
        gcGrace: seconds(config.gcGrace), maxWithdrawWait: seconds(config.maxWithdrawWait))
    settings.noCrossNamespaceRefs = config.noCrossNamespaceRefs
    settings.libraryPathAliases = try loadLibraryAliases(config.libraryPaths)
    settings.failureRetryInterval = seconds(config.failureRetryInterval)
    settings.fetcher = SourceFetcher(limits: config.budgets.fetcherLimits,
                                     policy: AddressPolicy(allowLoopback: config.allowLoopbackSources))
    settings.maxEvaluationInputBytes = config.budgets.maxEvaluationInputBytes
    settings.reconcileTimeout = config.budgets.reconcileTimeout
    settings.gate = gate
    settings.metrics = metrics
    settings.runbookBaseURL = config.runbookBaseURL
    // Leader-only writes check the fence, which lapses at the election's renew deadline.
    let fence = LeaderFence()
    if config.election != nil { settings.leaderFence = fence }
    let reconciler = SnippetReconciler(admin: client, settings: settings)
    let options = config.controller
    if config.election != nil { onSynced() }
    // A controller does not restart, so each term of leadership gets a fresh one.
    let lead = Leadership(client: client, election: config.election, fence: fence, setGauge: metrics.makeLeaderGauge(lease: config.election?.name ?? "jaas-operator"),
                          logger: logger) {
        await SnippetController(reconciler: reconciler, options: options, logger: logger).run(onSynced: onSynced)
    }
    let (read, write) = (config.storageReadTimeout, config.storageWriteTimeout)
    let storageServer = StorageServer(storage: config.storage, host: config.storageListenAddress, port: config.storagePort) {
        [ConnectionDeadlineHandler(readTimeout: read, writeTimeout: write)]
    }
    let preflight = OperatorPreflight(client: client, namespace: config.controller.namespaces.first, logger: logger)
    var services: [any Service] = [
        clientShutdownService(client, logger: logger),
        TaskService {
            await preflight.run()
            // A service that returns would stop the group: stay until shutdown.
            try await waitForShutdown()
        },
        // Not a TaskService: the HTTP server drains on graceful shutdown by itself, and
        // cancelling it too would close its channel under that drain ("Already closed").
        ServerService {
            try await storageServer.run(logger: logger) { port in
                logger.info("storage server listening", metadata: ["port": "\(port)"])
            }
        },
    ]
    if let local = config.localStorage, let interval = config.sweepInterval {
        let maxAge = seconds(config.sweepMaxTmpAge)
        services.append(TaskService {
            // Leftover .tmp files from interrupted writes (a crash, a full disk) go after a while.
            while !Task.isCancelled {
                let removed = local.sweepTemporaryFiles(olderThan: maxAge) { path in
                    metrics.countSweepFailures()
                    logger.warning("cannot remove a stale temporary file", metadata: ["path": "\(path)"])
                }
                if removed > 0 { logger.info("swept stale temporary files", metadata: ["count": "\(removed)"]) }
                try await Task.sleep(for: interval)
            }
        })
    }
    if let webhook {
        services.append(webhook(client, Set(settings.libraryPathAliases.keys)))
    }
    // Last, so graceful shutdown stops it first: the Lease is released before anything drains.
    services.append(TaskService { await lead.run() })
    return services
}

private func seconds(_ d: Duration) -> TimeInterval {
    Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
}

import Foundation
import JaaSAdmission
import JaaSArtifacts
import JaaSCore
import JaaSOperator
import JaaSRenderer
import Kubernetes
import Logging
import ServiceLifecycle

/// The operator's flags once checked (docs/flags.md, "Operator mode").
struct OperatorConfiguration {
    var kubeconfig: String?
    var storage: any ArtifactStorage
    /// The local storage, whose stale temporary files are swept (nil with S3).
    var localStorage: LocalStorage?
    /// nil with `--leader-election=false`: this replica always reconciles.
    var election: ElectionSettings?
    var storageBaseURL: String
    var storageListenAddress: String
    var storagePort: Int
    var storageReadTimeout: Duration?
    var storageWriteTimeout: Duration?
    var controller: SnippetController.Options
    /// `--max-source-*`, `--max-evaluation-input-bytes`, the download and reconcile timeouts.
    var budgets: TenantLimitFlags.Checked
    var defaultServiceAccount: String?
    var maxArtifactBytes: Int
    var gcGrace: Duration
    var maxWithdrawWait: Duration
    /// nil: no sweep (`--storage-sweep-interval 0`).
    var sweepInterval: Duration?
    var sweepMaxTmpAge: Duration
    var noCrossNamespaceRefs: Bool
    var libraryPaths: [String]
    var failureRetryInterval: Duration
    var allowLoopbackSources: Bool
    /// `--runbook-base-url`.
    var runbookBaseURL = RunbookLinks.defaultBase
    /// nil without `--enable-webhook`.
    var webhook: WebhookSettings? = nil
}

/// Runs a closure as a ServiceLifecycle service that is cancelled on graceful shutdown.
/// The cancellation that graceful shutdown causes ends the service quietly: a
/// `CancellationError` thrown then would count as a failure and cancel the whole
/// group, cutting short the services still draining.
struct TaskService: Service {
    let body: @Sendable () async throws -> Void
    func run() async throws {
        do {
            try await cancelWhenGracefulShutdown { try await body() }
        } catch is CancellationError where Task.isCancelled || Task.isShuttingDownGracefully {
            return
        }
    }
}

/// Runs an HTTP server (a Hummingbird application) as a service: it handles
/// graceful shutdown itself (stops accepting, finishes the requests in flight).
struct ServerService: Service {
    let body: @Sendable () async throws -> Void
    func run() async throws {
        try await body()
    }
}

/// Keeps `client` open until graceful shutdown reaches it, then shuts it down.
/// Listed first among the services so it is stopped last, after everything that
/// makes API calls (AsyncHTTPClient traps on a client deinitialized while open).
func clientShutdownService(_ client: KubeClient, logger: Logger) -> TaskService {
    TaskService {
        do {
            while !Task.isCancelled { try await Task.sleep(for: .seconds(3600)) }
        } catch {}
        do { try await client.shutdown() } catch {
            logger.debug("Kubernetes client shutdown", metadata: ["error": "\(error)"])
        }
    }
}

/// The timeout of each request of the operator's Kubernetes client (to the response
/// head; watches stream on past it): shorter than the leader election's renew
/// deadline (10 s), so a leader-only write never hangs past the moment the fence
/// lapses and the leading work is cancelled.
let operatorRequestTimeout: Duration = .seconds(5)

/// The services of `--enable-flux-integration`: the storage server, the start-up
/// check, the sweep of local temporary files, and the snippet controller, which runs
/// only while this replica leads. Evaluations go through `gate` (shared with the
/// renderer); `onSynced` is called once the informer caches are filled, or at once on
/// a replica that campaigns for leadership (followers serve without caches).
func operatorServices(_ config: OperatorConfiguration, renderer: SnippetRenderer, gate: EvaluationGate,
                      metrics: OperatorMetrics, onSynced: @escaping @Sendable () -> Void,
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
            while !Task.isCancelled { try await Task.sleep(for: .seconds(3600)) }
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
    if let webhook = config.webhook {
        services.append(webhookService(webhook, renderer: renderer, aliases: Set(settings.libraryPathAliases.keys),
                                       client: client, metrics: metrics, logger: logger))
    }
    // Last, so graceful shutdown stops it first: the Lease is released before anything drains.
    services.append(TaskService { await lead.run() })
    return services
}

private func seconds(_ d: Duration) -> TimeInterval {
    Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
}

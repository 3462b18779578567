import Kubernetes
import Logging

/// Runs the reconciling side of the operator only while this replica holds the
/// Lease (or always, without election), keeping the `jaas_leader` gauge and the log
/// up to date; after a lost term it campaigns again. `fence` (shared with the
/// reconciler's leader-only writes) holds only while the Lease is held and renewed.
struct Leadership: Sendable {
    let client: KubeClient
    let election: ElectionSettings?
    let fence: LeaderFence
    let setGauge: @Sendable (Bool) -> Void
    let logger: Logger
    let work: @Sendable () async -> Void
    /// How long a cancelled `work` gets to end before shutdown goes on without it.
    static let stopTimeout: Duration = .milliseconds(1500)

    init(client: KubeClient, election: ElectionSettings?, fence: LeaderFence, setGauge: @escaping @Sendable (Bool) -> Void,
         logger: Logger, work: @escaping @Sendable () async -> Void) {
        self.client = client
        self.election = election
        self.fence = fence
        self.setGauge = setGauge
        self.logger = logger
        self.work = work
    }

    /// Until cancelled; cancellation stops the work (within `stopTimeout`) and
    /// releases the Lease (within the election's release timeout).
    func run() async {
        guard let election else {
            setGauge(true)
            _ = try? await withStopDeadline(Self.stopTimeout) { [work] in await work() }
            setGauge(false)
            return
        }
        let lease = LeaderElection(client: client, namespace: election.namespace, name: election.name,
                                   identity: election.identity, stopTimeout: Self.stopTimeout, fence: fence)
        let metadata: Logger.Metadata = ["lease": "\(election.namespace)/\(election.name)", "identity": "\(election.identity)"]
        logger.info("campaigning for leadership", metadata: metadata)
        setGauge(false)
        while !Task.isCancelled {
            do {
                try await lease.run { [setGauge, logger, work] in
                    setGauge(true)
                    logger.info("leading: reconciling", metadata: metadata)
                    await work()
                }
            } catch {
                logger.error("lost leadership; workers stopped", metadata: metadata.merging(["error": "\(error)"]) { $1 })
            }
            setGauge(false)
            if !Task.isCancelled { logger.info("following: not reconciling", metadata: metadata) }
        }
    }
}

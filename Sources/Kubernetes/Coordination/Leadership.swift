import Foundation
import Logging

/// Where the Lease lives and who this replica is.
public struct ElectionSettings: Sendable {
    /// The Lease's namespace.
    public var namespace: String
    /// The Lease's name.
    public var name: String
    /// This replica's identity (its pod name), written as the Lease's holder.
    public var identity: String
}

/// Runs the reconciling side of the operator only while this replica holds the
/// Lease (or always, without election), keeping a leader gauge (`setGauge`) and the
/// log up to date; after a lost term it campaigns again. `fence` (shared with the
/// reconciler's leader-only writes) holds only while the Lease is held and renewed.
public struct Leadership: Sendable {
    let client: KubeClient
    let election: ElectionSettings?
    let fence: LeaderFence
    let setGauge: @Sendable (Bool) -> Void
    let logger: Logger
    let work: @Sendable () async -> Void
    /// How long a cancelled `work` gets to end before shutdown goes on without it.
    public static let stopTimeout: Duration = .milliseconds(1500)

    /// A campaign as `client` for `election`'s Lease (nil: always lead), running `work`
    /// while leading and reporting leadership through `setGauge` and `logger`.
    public init(client: KubeClient, election: ElectionSettings?, fence: LeaderFence, setGauge: @escaping @Sendable (Bool) -> Void,
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
    public func run() async {
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

extension ElectionSettings {
    /// The settings `--leader-election-id` (`name`) and `--leader-election-namespace`
    /// give: the Lease in ``podNamespace(explicit:environment:)``, campaigned for as
    /// `POD_NAME` (else the host name) plus a random suffix, so that a restarted pod
    /// is a new candidate.
    public static func forPod(name: String, namespace: String?, environment: [String: String]) -> ElectionSettings {
        let base = environment["POD_NAME"].flatMap { $0.isEmpty ? nil : $0 } ?? ProcessInfo.processInfo.hostName
        let suffix = String(UInt64.random(in: 0...UInt64.max), radix: 36)
        return ElectionSettings(namespace: podNamespace(explicit: namespace, environment: environment), name: name,
                                identity: "\(base)_\(suffix)")
    }
}

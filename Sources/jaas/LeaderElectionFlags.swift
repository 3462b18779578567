import ArgumentParser
import Kubernetes

/// The leader-election flags of a replicated operator (docs/operator/ha.md).
struct LeaderElectionFlags: ParsableArguments {
    @Option(help: "Only the replica holding a Lease reconciles and writes (true or false; the bare flag means true).")
    var leaderElection = "true"

    @Option(help: "Name of the leader-election Lease.")
    var leaderElectionId = "jaas-operator"

    @Option(help: "Namespace of the leader-election Lease (else POD_NAMESPACE, else the service account's, else default).")
    var leaderElectionNamespace: String?

    /// The election's settings, or nil with `--leader-election=false`.
    func election(environment: [String: String]) throws -> ElectionSettings? {
        switch leaderElection {
        case "true": break
        case "false": return nil
        default: throw ValidationError("--leader-election \(leaderElection): must be true or false")
        }
        guard !leaderElectionId.isEmpty else { throw ValidationError("--leader-election-id: must not be empty") }
        return ElectionSettings.forPod(name: leaderElectionId, namespace: leaderElectionNamespace, environment: environment)
    }
}

import Kubernetes

// Leader fencing: the guard in front of every leader-only write.
extension SnippetReconciler {
    /// Throws `LeaderElection.LostLeadership` unless this replica may write as the
    /// leader now (its Lease was renewed within the renew deadline, or there is no
    /// election): called right before each leader-only write, so a reconcile that
    /// outlives leadership ends without writing.
    func ensureLeading() throws {
        try settings.leaderFence?.check()
    }

    /// Whether this replica may write as the leader now (see `ensureLeading()`).
    var isLeading: Bool {
        settings.leaderFence?.holds ?? true
    }
}

import Kubernetes

extension GroupVersionResource {
    /// `jaas.metio.wtf/v1` JsonnetSnippets.
    public static let jsonnetSnippets = GroupVersionResource(group: "jaas.metio.wtf", version: "v1", resource: "jsonnetsnippets")
    /// `jaas.metio.wtf/v1` JsonnetLibraries.
    public static let jsonnetLibraries = GroupVersionResource(group: "jaas.metio.wtf", version: "v1", resource: "jsonnetlibraries")
    /// Flux's `source.toolkit.fluxcd.io/v1` ExternalArtifacts, which the operator publishes.
    public static let externalArtifacts = GroupVersionResource(group: "source.toolkit.fluxcd.io", version: "v1",
                                                               resource: "externalartifacts")
}

/// Names the operator writes onto resources.
public enum OperatorNames {
    /// The finalizer that withdraws a snippet's artifacts before it goes away.
    public static let finalizer = "jaas.metio.wtf/finalizer"
    /// Flux's annotation that requests an immediate reconcile.
    public static let requestedAt = "reconcile.fluxcd.io/requestedAt"
}

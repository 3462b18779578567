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

/// The Flux source kinds a `sourceRef` may name, with their resources.
public enum SourceKinds {
    /// The all.
    public static let all: [(kind: String, resource: GroupVersionResource)] = [
        ("GitRepository", GroupVersionResource(group: "source.toolkit.fluxcd.io", version: "v1", resource: "gitrepositories")),
        ("OCIRepository", GroupVersionResource(group: "source.toolkit.fluxcd.io", version: "v1", resource: "ocirepositories")),
        ("Bucket", GroupVersionResource(group: "source.toolkit.fluxcd.io", version: "v1", resource: "buckets")),
        ("ExternalArtifact", .externalArtifacts),
    ]

    /// The plural resource name of `kind`, if it is a source kind.
    public static func plural(of kind: String) -> String? {
        all.first { $0.kind == kind }?.resource.resource
    }
}

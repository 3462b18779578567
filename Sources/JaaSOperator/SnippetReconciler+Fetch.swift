import Foundation
import JaaSArtifacts
import Kubernetes

// Fetching Flux source artifacts.
extension SnippetReconciler {
    /// The file tree of a Flux source (read as the tenant), narrowed to `sourceRef.path`,
    /// and the entry file within it: `entryFile` is looked up in the narrowed tree first,
    /// then from the artifact root (the seed document uses both forms).
    func sourceTree(_ ref: SourceReference, spec: JsonnetSnippetSpec, namespace: String, as tenant: TenantClient,
                    serviceAccount: String, budget: inout InputBudget) async throws -> (FileTree, String) {
        let (full, narrowed) = try await fetchSource(ref, namespace: namespace, as: tenant, serviceAccount: serviceAccount,
                                                     budget: &budget)
        let entry: String
        do {
            entry = try cleanRelativePath(spec.entry)
        } catch {
            throw ReconcileFailure(.invalidSpec, "entryFile \"\(spec.entry)\": \(error)")
        }
        if spec.output == .source || narrowed[entry] != nil { return (narrowed, entry) }
        if full[entry] != nil { return (full, entry) }
        throw ReconcileFailure(.invalidSpec, "entryFile \"\(entry)\" is neither in the source path nor at the artifact root")
    }

    /// A Flux source's whole artifact tree and the part under `sourceRef.path`; the
    /// whole tree is taken from `budget`.
    func fetchSource(_ ref: SourceReference, namespace: String, as tenant: TenantClient,
                     serviceAccount: String, budget: inout InputBudget) async throws -> (full: FileTree, narrowed: FileTree) {
        guard let plural = SourceKinds.plural(of: ref.kind) else {
            throw ReconcileFailure(.invalidSpec, "sourceRef.kind \(ref.kind) is not one of "
                                   + SourceKinds.all.map(\.kind).joined(separator: ", "))
        }
        let sourceNamespace = ref.namespace ?? namespace
        if sourceNamespace != namespace && settings.noCrossNamespaceRefs {
            throw ReconcileFailure(.crossNamespaceRefRejected,
                                   "sourceRef \(ref.kind) \(sourceNamespace)/\(ref.name) is in another namespace (--no-cross-namespace-refs)")
        }
        let apiVersion = (ref.apiVersion ?? "source.toolkit.fluxcd.io/v1").split(separator: "/")
        guard apiVersion.count == 2 else { throw ReconcileFailure(.invalidSpec, "sourceRef.apiVersion must be group/version") }
        let resource = GroupVersionResource(group: String(apiVersion[0]), version: String(apiVersion[1]), resource: plural)
        let source: KubeObject
        do {
            source = try await tenant.call { try await $0.get(resource, namespace: sourceNamespace, name: ref.name) }
        } catch let e as KubeError where e.code == 403 {
            throw ReconcileFailure(.rbacDenied, rbacMessage(e, serviceAccount: serviceAccount, namespace: namespace))
        } catch let e as KubeError where e.code == 404 {
            throw ReconcileFailure(.sourceNotReady, "\(ref.kind) \(sourceNamespace)/\(ref.name) does not exist")
        }
        let ready = (source[path: "status", "conditions"]?.arrayValue ?? []).first { $0["type"]?.stringValue == "Ready" }
        guard ready?["status"]?.stringValue == "True" else {
            throw ReconcileFailure(.sourceNotReady, "\(ref.kind) \(sourceNamespace)/\(ref.name) is not Ready")
        }
        guard let url = source[path: "status", "artifact", "url"]?.stringValue,
              let digest = source[path: "status", "artifact", "digest"]?.stringValue else {
            throw ReconcileFailure(.sourceNotReady, "\(ref.kind) \(sourceNamespace)/\(ref.name) has no artifact yet")
        }
        let full = try await settings.fetcher.fetch(url: url, digest: digest, budget: budget)
        try budget.take(full, what: "\(ref.kind) \(sourceNamespace)/\(ref.name)")
        var narrowed = full
        if let path = ref.path, !path.isEmpty, path != "." && path != "./" {
            let prefix: String
            do {
                prefix = try cleanRelativePath(path) + "/"
            } catch {
                throw ReconcileFailure(.invalidSpec, "sourceRef.path \"\(path)\": \(error)")
            }
            narrowed = [:]
            for (p, data) in full where p.hasPrefix(prefix) { narrowed[String(p.dropFirst(prefix.count))] = data }
            if narrowed.isEmpty {
                throw ReconcileFailure(.invalidSpec, "sourceRef.path \"\(path)\" matches no files in the artifact")
            }
        }
        return (full, narrowed)
    }
}

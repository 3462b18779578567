import Foundation
import JaaSArtifacts
import Kubernetes

// Libraries and dependency cycles.
extension SnippetReconciler {
    /// The snippet's libraries by import path, plus the `--library-path` aliases (docs/operator/sources.md).
    /// Each library's tree is taken from `budget`.
    func libraryTrees(_ spec: JsonnetSnippetSpec, namespace: String, as tenant: TenantClient,
                      serviceAccount: String, budget: inout InputBudget) async throws -> [String: FileTree] {
        var trees = settings.libraryPathAliases
        var own = Set<String>()
        for lib in spec.libraries ?? [] {
            let alias = lib.importPath ?? lib.name
            if settings.libraryPathAliases[alias] != nil {
                throw ReconcileFailure(.invalidSpec, "library import path \"\(alias)\" shadows a --library-path alias")
            }
            if !own.insert(alias).inserted {
                throw ReconcileFailure(.invalidSpec, "library import path \"\(alias)\" is used twice")
            }
            if let kind = lib.kind, kind != "JsonnetLibrary" {
                throw ReconcileFailure(.invalidSpec, "spec.libraries: kind \(kind) is not JsonnetLibrary")
            }
            let libNamespace = lib.namespace ?? namespace
            if libNamespace != namespace && settings.noCrossNamespaceRefs {
                throw ReconcileFailure(.crossNamespaceRefRejected,
                                       "library \(libNamespace)/\(lib.name) is in another namespace (--no-cross-namespace-refs)")
            }
            let library: KubeObject
            do {
                library = try await tenant.call { try await $0.get(.jsonnetLibraries, namespace: libNamespace, name: lib.name) }
            } catch let e as KubeError where e.code == 404 {
                throw ReconcileFailure(.libraryNotFound, "JsonnetLibrary \(libNamespace)/\(lib.name) does not exist")
            } catch let e as KubeError where e.code == 403 {
                throw ReconcileFailure(.rbacDenied, rbacMessage(e, serviceAccount: serviceAccount, namespace: namespace))
            }
            var tree = FileTree()
            if let ref = try? library[path: "spec", "sourceRef"]?.decode(as: SourceReference.self) {
                tree = try await fetchSource(ref, namespace: libNamespace, as: tenant, serviceAccount: serviceAccount,
                                             budget: &budget).narrowed
            } else {
                for (path, value) in library[path: "spec", "files"]?.objectValue ?? [:] {
                    guard let text = value.stringValue, let clean = try? cleanRelativePath(path) else {
                        throw ReconcileFailure(.invalidSpec, "JsonnetLibrary \(lib.name): bad file \"\(path)\"")
                    }
                    tree[clean] = Array(text.utf8)
                }
                try budget.take(tree, what: "JsonnetLibrary \(libNamespace)/\(lib.name)")
            }
            trees[alias] = tree
        }
        return trees
    }

    /// Follows `sourceRef`s to ExternalArtifacts (which the snippet of the same name
    /// publishes), directly or through a library, and fails when they come back here.
    func checkForCycles(_ start: KubeObject) async throws {
        let namespace = start.namespace ?? "default"
        var path = [start.name]
        var frontier = [start]
        var seen = Set<String>()
        while let current = frontier.popLast() {
            var refs: [(String, String)] = []
            if let ref = try? current[path: "spec", "sourceRef"]?.decode(as: SourceReference.self) {
                refs.append((ref.kind, ref.name))
            }
            for lib in current[path: "spec", "libraries"]?.arrayValue ?? [] {
                guard let name = lib["name"]?.stringValue,
                      let library = try? await admin.get(.jsonnetLibraries, namespace: namespace, name: name),
                      let ref = try? library[path: "spec", "sourceRef"]?.decode(as: SourceReference.self) else { continue }
                refs.append((ref.kind, ref.name))
            }
            for (kind, name) in refs where kind == "ExternalArtifact" {
                if name == start.name {
                    throw ReconcileFailure(.dependencyCycle, "sources form a cycle: \((path + [name]).joined(separator: " -> "))")
                }
                guard seen.insert(name).inserted, seen.count < 100,
                      let next = try? await admin.get(.jsonnetSnippets, namespace: namespace, name: name) else { continue }
                path.append(name)
                frontier.append(next)
            }
        }
    }
}

import Kubernetes

/// Minimal OpenAPI v3 documents (`/openapi/v3` and `/openapi/v3/<api|apis/g>/<v>`).
///
/// They carry no schemas, only one PATCH operation per kind with the
/// `x-kubernetes-group-version-kind` extension and a `fieldValidation` query parameter.
/// That is what kubectl looks for to decide that the server validates fields itself
/// (kubectl then sends `fieldValidation=Strict` and skips client-side validation). The
/// PATCH operations declare no request body, so `kubectl apply` computes strategic merge
/// patches for built-in kinds from its compiled-in types, and merge patches for CRs.
struct OpenAPIDocuments {
    var types: [ResourceType]

    private func groupVersions() -> [(path: String, group: String, version: String)] {
        var seen: Set<String> = []
        var result: [(String, String, String)] = []
        for type in types {
            let path = type.group.isEmpty ? "api/\(type.version)" : "apis/\(type.group)/\(type.version)"
            if seen.insert(path).inserted { result.append((path, type.group, type.version)) }
        }
        return result.sorted { $0.0 < $1.0 }
    }

    private func hash(_ text: String) -> String {
        var value: UInt64 = 5381
        for byte in text.utf8 { value = (value &* 33) ^ UInt64(byte) }
        return String(value, radix: 16, uppercase: true)
    }

    var root: JSONValue {
        var paths: [String: JSONValue] = [:]
        for gv in groupVersions() {
            let tag = hash(document(group: gv.group, version: gv.version)?.text ?? "")
            paths[gv.path] = ["serverRelativeURL": .string("/openapi/v3/\(gv.path)?hash=\(tag)")]
        }
        return ["paths": .object(paths)]
    }

    /// Resolves `/openapi/v3/...` segments (after `openapi`, `v3`) to a document.
    func document(segments: ArraySlice<String>) -> JSONValue? {
        let parts = Array(segments)
        switch parts.count {
        case 0: return root
        case 2 where parts[0] == "api": return document(group: "", version: parts[1])
        case 3 where parts[0] == "apis": return document(group: parts[1], version: parts[2])
        default: return nil
        }
    }

    func document(group: String, version: String) -> JSONValue? {
        let served = types.filter { $0.group == group && $0.version == version }
        if served.isEmpty { return nil }
        var paths: [String: JSONValue] = [:]
        let prefix = group.isEmpty ? "/api/\(version)" : "/apis/\(group)/\(version)"
        for type in served {
            let path = type.namespaced ? "\(prefix)/namespaces/{namespace}/\(type.plural)/{name}" : "\(prefix)/\(type.plural)/{name}"
            paths[path] = ["patch": [
                "operationId": .string("patch\(type.kind)"),
                "x-kubernetes-action": "patch",
                "x-kubernetes-group-version-kind": ["group": .string(group), "version": .string(version), "kind": .string(type.kind)],
                "parameters": [
                    ["name": "fieldValidation", "in": "query", "schema": ["type": "string", "uniqueItems": true]],
                    ["name": "dryRun", "in": "query", "schema": ["type": "string", "uniqueItems": true]],
                    ["name": "fieldManager", "in": "query", "schema": ["type": "string", "uniqueItems": true]],
                ],
                "responses": ["200": ["description": "OK"]],
            ]]
        }
        return ["openapi": "3.0.0", "info": ["title": "Kubernetes", "version": "v1.33.0"], "paths": .object(paths),
                "components": ["schemas": [:]]]
    }
}

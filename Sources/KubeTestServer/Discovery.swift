import Kubernetes

/// The discovery documents (`/version`, `/api`, `/api/v1`, `/apis`, `/apis/<g>`,
/// `/apis/<g>/<v>`), derived from the served resource types.
struct Discovery {
    var types: [ResourceType]
    var serverAddress: String

    /// Resources that are served by special handlers rather than the object store.
    static let virtual: [(group: String, version: String, entry: JSONValue)] = [
        ("authorization.k8s.io", "v1", [
            "name": "selfsubjectaccessreviews", "singularName": "selfsubjectaccessreview", "namespaced": false,
            "kind": "SelfSubjectAccessReview", "verbs": ["create"],
        ]),
    ]

    static let version: JSONValue = [
        "major": "1", "minor": "33", "gitVersion": "v1.33.0-kube-test-server", "gitCommit": "0000000000000000000000000000000000000000",
        "gitTreeState": "clean", "buildDate": "2025-01-01T00:00:00Z", "goVersion": "go1.24.0", "compiler": "gc",
        "platform": "linux/amd64",
    ]

    var coreVersions: JSONValue {
        ["kind": "APIVersions", "versions": ["v1"],
         "serverAddressByClientCIDRs": [["clientCIDR": "0.0.0.0/0", "serverAddress": .string(serverAddress)]]]
    }

    /// Orders versions the Kubernetes way: GA before beta before alpha, higher first.
    static func priority(_ version: String) -> (Int, Int, Int) {
        let scanner = version.dropFirst()
        let major = Int(scanner.prefix { $0.isNumber }) ?? 0
        let rest = scanner.drop { $0.isNumber }
        if rest.isEmpty { return (3, major, 0) }
        let stage = rest.hasPrefix("beta") ? 2 : rest.hasPrefix("alpha") ? 1 : 0
        let minor = Int(rest.drop { !$0.isNumber }) ?? 0
        return (stage, major, minor)
    }

    private func groupVersions() -> [String: [String]] {
        var result: [String: [String]] = [:]
        for type in types where !type.group.isEmpty && !(result[type.group]?.contains(type.version) ?? false) {
            result[type.group, default: []].append(type.version)
        }
        for v in Discovery.virtual where !(result[v.group]?.contains(v.version) ?? false) {
            result[v.group, default: []].append(v.version)
        }
        return result.mapValues { $0.sorted { Discovery.priority($0) > Discovery.priority($1) } }
    }

    private func groupEntry(_ name: String, _ versions: [String]) -> JSONValue {
        let list = versions.map { JSONValue.object(["groupVersion": .string("\(name)/\($0)"), "version": .string($0)]) }
        return ["name": .string(name), "versions": .array(list), "preferredVersion": list.first ?? .null]
    }

    var groupList: JSONValue {
        let groups = groupVersions().sorted { $0.key < $1.key }.map { groupEntry($0.key, $0.value) }
        return ["kind": "APIGroupList", "apiVersion": "v1", "groups": .array(groups)]
    }

    func group(_ name: String) -> JSONValue? {
        guard let versions = groupVersions()[name] else { return nil }
        var entry = groupEntry(name, versions)
        entry["kind"] = "APIGroup"
        entry["apiVersion"] = "v1"
        return entry
    }

    func resourceList(group: String, version: String) -> JSONValue? {
        let served = types.filter { $0.group == group && $0.version == version }
        let virtual = Discovery.virtual.filter { $0.group == group && $0.version == version }.map(\.entry)
        if served.isEmpty && virtual.isEmpty { return nil }
        var resources: [JSONValue] = []
        for type in served.sorted(by: { $0.plural < $1.plural }) {
            var entry: JSONValue = [
                "name": .string(type.plural), "singularName": .string(type.singular), "namespaced": .bool(type.namespaced),
                "kind": .string(type.kind), "verbs": .array(type.verbs.map { .string($0) }),
            ]
            if !type.shortNames.isEmpty { entry["shortNames"] = .array(type.shortNames.map { .string($0) }) }
            if !type.categories.isEmpty { entry["categories"] = .array(type.categories.map { .string($0) }) }
            resources.append(entry)
            if type.hasStatus && type.isCustom {
                resources.append(["name": .string(type.plural + "/status"), "singularName": "", "namespaced": .bool(type.namespaced),
                                  "kind": .string(type.kind), "verbs": ["get", "patch", "update"]])
            }
            for sub in Subresource.builtins where sub.group == group && sub.plural == type.plural {
                var subEntry: JSONValue = [
                    "name": .string("\(sub.plural)/\(sub.name)"), "singularName": "", "namespaced": .bool(type.namespaced),
                    "kind": .string(sub.kind), "verbs": .array(sub.verbs.map { .string($0) }),
                ]
                if sub.kind == "TokenRequest" {
                    subEntry["group"] = "authentication.k8s.io"
                    subEntry["version"] = "v1"
                }
                resources.append(subEntry)
            }
        }
        resources += virtual
        return ["kind": "APIResourceList", "apiVersion": "v1", "groupVersion": .string(group.isEmpty ? version : "\(group)/\(version)"),
                "resources": .array(resources)]
    }
}

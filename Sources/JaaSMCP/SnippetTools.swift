import Foundation
import JaaSArtifacts
import JaaSOperatorAPI
import Kubernetes
import MCP

/// The operator's tools over streamable HTTP (`--enable-mcp`): `list_snippets`,
/// `get_snippet` and `diff_revisions`, and with `--mcp-allow-mutations`
/// `reconcile_snippet`, `suspend_snippet` and `resume_snippet`. For an authenticated
/// caller (``acting(as:)``) every Kubernetes call impersonates the caller, and
/// artifacts are read from storage only after a SubjectAccessReview says the caller
/// may `get` the snippet, so a caller sees and changes only what its own RBAC allows.
/// Without a caller (`--mcp-authentication=none`) they act with the operator's rights.
public struct SnippetTools: Sendable {
    /// The client the tools' Kubernetes calls go through: the operator's, impersonating the caller if any.
    let client: KubeClient
    /// The operator's own client (reviews, Events, finding namespaces).
    let operatorClient: KubeClient
    /// The caller the tools act for (nil: the operator itself).
    let caller: UserInfo?
    let storage: any ArtifactStorage
    /// `--watch-namespaces` (empty = all): what `list_snippets` lists without a namespace.
    let namespaces: [String]
    let allowMutations: Bool
    let events: EventRecorder
    /// `--runbook-base-url`: the base of the runbook links.
    package let runbookBase: String

    /// Tools reading (and, when `allowMutations`, changing) snippets through `client`
    /// and their artifacts in `storage`.
    /// `runbookBase` is `--runbook-base-url`, the base of `get_snippet`'s `runbookURL`.
    public init(client: KubeClient, storage: any ArtifactStorage, namespaces: [String], allowMutations: Bool,
                runbookBase: String = RunbookLinks.defaultBase) {
        self.runbookBase = runbookBase
        self.client = client
        self.operatorClient = client
        self.caller = nil
        self.storage = storage
        self.namespaces = namespaces
        self.allowMutations = allowMutations
        self.events = EventRecorder(client: client, component: "jaas-mcp")
    }

    private init(_ tools: SnippetTools, caller: UserInfo) {
        client = tools.operatorClient.impersonating(caller)
        operatorClient = tools.operatorClient
        self.caller = caller
        storage = tools.storage
        namespaces = tools.namespaces
        allowMutations = tools.allowMutations
        events = tools.events
        runbookBase = tools.runbookBase
    }

    /// The tools acting as `caller`: each Kubernetes call impersonates it (the
    /// operator needs `impersonate` on users, groups, serviceaccounts and the
    /// caller's user extras). nil: these tools, with the operator's own rights.
    public func acting(as caller: UserInfo?) -> SnippetTools {
        caller.map { SnippetTools(self, caller: $0) } ?? self
    }

    /// Whether the caller may `get` the snippet `namespace/name` (always, without a
    /// caller): asked with a SubjectAccessReview before the tools read its artifacts
    /// from storage, which no Kubernetes RBAC guards.
    package func callerMayRead(_ namespace: String, _ name: String) async throws -> Bool {
        guard let caller else { return true }
        return try await operatorClient.reviewAccess(
            of: caller, ResourceAttributes(verb: "get", .jsonnetSnippets, namespace: namespace, name: name))
    }

    static let readTools: [Tool] = [
        Tool(name: "list_snippets",
             description: "List JsonnetSnippets with their Ready status and reason, suspend state, revision and artifact URL. Without a namespace, lists every namespace the operator watches that the caller may list snippets in.",
             inputSchema: schema(["namespace": "Namespace to list (default: every watched namespace the caller may list)."], required: []),
             annotations: .init(readOnlyHint: true)),
        Tool(name: "get_snippet",
             description: "One JsonnetSnippet's status: the Ready condition (status, reason, message), suspend state, revision, artifact URL, last sync time and the retained revision history (most recent first).",
             inputSchema: schema(identity, required: ["namespace", "name"]),
             annotations: .init(readOnlyHint: true)),
        Tool(name: "diff_revisions",
             description: "Per-file unified diff of a snippet's published output between two retained revisions. Without from/to, compares the two most recent revisions of status.history.",
             inputSchema: schema(identity.merging([
                 "from": "Earlier revision (sha256:<hex>); default: the second most recent in status.history.",
                 "to": "Later revision (sha256:<hex>); default: the most recent in status.history.",
             ]) { a, _ in a }, required: ["namespace", "name"]),
             annotations: .init(readOnlyHint: true)),
    ]

    static let mutationTools: [Tool] = [
        Tool(name: "reconcile_snippet",
             description: "Request an immediate reconcile of a JsonnetSnippet by setting its reconcile.fluxcd.io/requestedAt annotation (what `flux reconcile` does). Recorded as an Event on the snippet.",
             inputSchema: schema(identity, required: ["namespace", "name"]),
             annotations: .init(readOnlyHint: false, destructiveHint: false, idempotentHint: false)),
        Tool(name: "suspend_snippet",
             description: "Set spec.suspend=true so the operator stops re-rendering the snippet. Recorded as an Event on the snippet.",
             inputSchema: schema(identity, required: ["namespace", "name"]),
             annotations: .init(readOnlyHint: false, destructiveHint: false, idempotentHint: true)),
        Tool(name: "resume_snippet",
             description: "Clear spec.suspend so the operator reconciles the snippet again. Recorded as an Event on the snippet.",
             inputSchema: schema(identity, required: ["namespace", "name"]),
             annotations: .init(readOnlyHint: false, destructiveHint: false, idempotentHint: true)),
    ]

    /// The tools offered: the read tools, plus the mutations when allowed.
    var tools: [Tool] { Self.readTools + (allowMutations ? Self.mutationTools : []) }

    /// Runs tool `name`; nil when it is not one of ``tools``.
    func call(_ name: String, _ arguments: [String: Value]) async -> CallTool.Result? {
        do {
            switch name {
            case "list_snippets": return try await list(arguments)
            case "get_snippet": return try await get(arguments)
            case "diff_revisions": return try await diff(arguments)
            case "reconcile_snippet" where allowMutations: return try await reconcile(arguments)
            case "suspend_snippet" where allowMutations: return try await setSuspended(true, arguments)
            case "resume_snippet" where allowMutations: return try await setSuspended(false, arguments)
            default: return nil
            }
        } catch let error as ToolInputError {
            return .failure(error.message)
        } catch {
            return .failure("\(error)")
        }
    }

    private static let identity: [String: String] = [
        "namespace": "The snippet's namespace.", "name": "The snippet's name.",
    ]

    private static func schema(_ properties: [String: String], required: [String]) -> Value {
        .object([
            "type": "object",
            "properties": .object(properties.mapValues { .object(["type": "string", "description": .string($0)]) }),
            "required": .array(required.map(Value.string)),
            "additionalProperties": false,
        ])
    }

    // MARK: Reading

    private func list(_ arguments: [String: Value]) async throws -> CallTool.Result {
        let namespace = try Self.optionalName(arguments, "namespace", allowed: ["namespace"])
        let snippets: [KubeObject]
        do {
            snippets = try await self.snippets(in: namespace)
        } catch {
            return .failure("cannot list JsonnetSnippets: \(error)")
        }
        let rows: [Value] = snippets.map { snippet in
            let ready = Self.readyCondition(snippet)
            var row: [String: Value] = [
                "namespace": .string(snippet.namespace ?? ""), "name": .string(snippet.name),
                "ready": .string(ready.status), "suspended": .bool(snippet[path: "spec", "suspend"]?.boolValue ?? false),
            ]
            row["reason"] = ready.reason.map(Value.string)
            row["revision"] = snippet[path: "status", "revision"]?.stringValue.map(Value.string)
            row["artifactURL"] = snippet[path: "status", "artifactURL"]?.stringValue.map(Value.string)
            return .object(row)
        }
        return .answer(.object(["snippets": .array(rows)]))
    }

    private func get(_ arguments: [String: Value]) async throws -> CallTool.Result {
        let (namespace, name) = try Self.identity(arguments, allowed: ["namespace", "name"])
        let snippet: KubeObject
        do {
            snippet = try await client.get(.jsonnetSnippets, namespace: namespace, name: name)
        } catch {
            return .failure("cannot get JsonnetSnippet \(namespace)/\(name): \(error)")
        }
        let ready = Self.readyCondition(snippet)
        var detail: [String: Value] = [
            "namespace": .string(namespace), "name": .string(name), "ready": .string(ready.status),
            "suspended": .bool(snippet[path: "spec", "suspend"]?.boolValue ?? false),
            "observedGeneration": .int(Int(snippet[path: "status", "observedGeneration"]?.intValue ?? 0)),
        ]
        // The original's fields, each left out when empty.
        func set(_ key: String, _ value: String?) {
            if let value, !value.isEmpty { detail[key] = .string(value) }
        }
        set("reason", ready.reason)
        set("message", ready.message)
        set("runbookURL", ready.reason.flatMap { Self.runbookURL(base: runbookBase, reason: $0) })
        for field in ["revision", "artifactURL", "lastSyncTime"] {
            set(field, snippet[path: "status", field]?.stringValue)
        }
        let history = (snippet[path: "status", "history"]?.arrayValue ?? []).map { entry -> Value in
            .object(["revision": .string(entry["revision"]?.stringValue ?? ""), "time": .string(entry["time"]?.stringValue ?? "")])
        }
        if !history.isEmpty { detail["history"] = .array(history) }
        return .answer(.object(detail))
    }

    /// The snippets the caller may list, sorted by namespace and name: those of
    /// `namespace`, or without one those of every watched namespace (all when the
    /// operator watches all) where the caller's RBAC allows listing them.
    package func snippets(in namespace: String?) async throws -> [KubeObject] {
        var snippets: [KubeObject] = []
        if let namespace {
            snippets = try await client.list(.jsonnetSnippets, namespace: namespace).items
        } else if namespaces.isEmpty {
            snippets = try await listEverywhere()
        } else {
            for watched in namespaces { snippets += try await listIfAllowed(watched) }
        }
        snippets.sort { ($0.namespace ?? "", $0.name) < ($1.namespace ?? "", $1.name) }
        return snippets
    }

    /// The snippet `namespace/name`, read as the caller.
    package func snippet(_ namespace: String, _ name: String) async throws -> KubeObject {
        try await client.get(.jsonnetSnippets, namespace: namespace, name: name)
    }

    /// The Events about the snippet `namespace/name`, read as the caller, newest first.
    package func events(_ namespace: String, _ name: String) async throws -> [KubeObject] {
        let selector = "involvedObject.kind=JsonnetSnippet,involvedObject.name=\(name)"
        let items = try await client.list(.events, namespace: namespace, options: ListOptions(fieldSelector: selector)).items
        func time(_ event: KubeObject) -> String {
            event["lastTimestamp"]?.stringValue ?? event["eventTime"]?.stringValue
                ?? event[path: "metadata", "creationTimestamp"]?.stringValue ?? ""
        }
        return items.filter { $0[path: "involvedObject", "name"]?.stringValue == name }.sorted { time($0) > time($1) }
    }

    /// Every snippet the caller may list: one cluster-wide list when its RBAC allows
    /// that; otherwise one list in each namespace holding snippets (as the operator
    /// sees them) where the caller's RBAC allows it, the others skipped.
    private func listEverywhere() async throws -> [KubeObject] {
        do {
            return try await client.list(.jsonnetSnippets).items
        } catch let error as KubeError where callerForbidden(error) {
            let held = Set(try await operatorClient.list(.jsonnetSnippets).items.compactMap(\.namespace))
            var snippets: [KubeObject] = []
            for namespace in held.sorted() { snippets += try await listIfAllowed(namespace) }
            return snippets
        }
    }

    /// Whether `error` says the caller lacks a right; a refused impersonation (the
    /// operator lacking `impersonate` for one of the caller's attributes) is the
    /// operator's misconfiguration, not the caller's lack of rights, and is reported.
    private func callerForbidden(_ error: KubeError) -> Bool {
        caller != nil && error.isForbidden && error.forbidden?.verb != "impersonate"
    }

    /// The snippets of `namespace`; none when the caller may not list them there.
    private func listIfAllowed(_ namespace: String) async throws -> [KubeObject] {
        do {
            return try await client.list(.jsonnetSnippets, namespace: namespace).items
        } catch let error as KubeError where callerForbidden(error) {
            return []
        }
    }

    /// `get_snippet`'s `runbookURL`: the page for the Ready reason under `base`, for
    /// every reason (the original links Synced, Suspended and Pending too; they have
    /// pages); nil without a reason or a base.
    package static func runbookURL(base: String, reason: String) -> String? {
        guard !reason.isEmpty, !base.isEmpty else { return nil }
        return (base.hasSuffix("/") ? base : base + "/") + reason.lowercased() + "/"
    }

    /// The Ready condition's status (`Unknown` before the first reconcile), reason and message.
    package static func readyCondition(_ snippet: KubeObject) -> (status: String, reason: String?, message: String?) {
        let ready = (snippet[path: "status", "conditions"]?.arrayValue ?? []).first { $0["type"]?.stringValue == "Ready" }
        guard let ready else { return ("Unknown", nil, nil) }
        return (ready["status"]?.stringValue ?? "Unknown", ready["reason"]?.stringValue, ready["message"]?.stringValue)
    }

    // MARK: Arguments

    /// `namespace` and `name`, both required and well-formed.
    static func identity(_ arguments: [String: Value], allowed: Set<String>) throws(ToolInputError) -> (String, String) {
        guard let namespace = try optionalName(arguments, "namespace", allowed: allowed) else {
            throw ToolInputError("namespace: required")
        }
        guard let name = try optionalName(arguments, "name", allowed: allowed) else { throw ToolInputError("name: required") }
        return (namespace, name)
    }

    /// A Kubernetes object name argument (DNS-1123 subdomain), nil when absent or
    /// empty; any argument not in `allowed` is refused.
    static func optionalName(_ arguments: [String: Value], _ field: String,
                             allowed: Set<String>) throws(ToolInputError) -> String? {
        if let unknown = arguments.keys.filter({ !allowed.contains($0) }).sorted().first {
            throw ToolInputError("unknown argument \"\(unknown)\" (expected \(allowed.sorted().joined(separator: ", ")))")
        }
        guard let value = arguments[field], !value.isNull else { return nil }
        guard let text = value.stringValue else { throw ToolInputError("\(field): must be a string") }
        if text.isEmpty { return nil }
        guard KubeObject.isName(text) else {
            throw ToolInputError("\(field) \"\(text.prefix(80))\": not a Kubernetes name (lowercase letters, digits, '-' and '.')")
        }
        return text
    }
}

extension CallTool.Result {
    /// A successful answer: `value` as structured content and as pretty JSON text.
    static func answer(_ value: Value) -> CallTool.Result {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let text = (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        return CallTool.Result(content: [.plain(text)], structuredContent: .some(value), isError: false)
    }
}

/// Query parameters of list (and watch) calls.
public struct ListOptions: Sendable, Hashable {
    /// e.g. `app=jaas,tier!=cache`.
    public var labelSelector: String?
    /// e.g. `metadata.name=foo`.
    public var fieldSelector: String?
    /// `""`/`nil`: most recent; `"0"`: any cached version.
    public var resourceVersion: String?
    /// `NotOlderThan` or `Exact`, qualifying `resourceVersion`.
    public var resourceVersionMatch: String?
    /// Page size; `list` follows `continue` tokens until the last page.
    public var limit: Int?

    /// Options from their parts.
    public init(
        labelSelector: String? = nil, fieldSelector: String? = nil, resourceVersion: String? = nil,
        resourceVersionMatch: String? = nil, limit: Int? = nil
    ) {
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.resourceVersion = resourceVersion
        self.resourceVersionMatch = resourceVersionMatch
        self.limit = limit
    }

    var selectorItems: [(String, String)] {
        var items: [(String, String)] = []
        if let labelSelector, !labelSelector.isEmpty { items.append(("labelSelector", labelSelector)) }
        if let fieldSelector, !fieldSelector.isEmpty { items.append(("fieldSelector", fieldSelector)) }
        return items
    }
}

/// How `delete` treats dependents, and what must still hold for it to proceed.
public struct DeleteOptions: Sendable, Hashable {
    /// `Orphan`, `Background` or `Foreground`; `nil` leaves the resource's default.
    public var propagationPolicy: PropagationPolicy?
    /// Delete only if the object still has this UID.
    public var preconditionUID: String?
    /// Delete only if the object still has this resourceVersion.
    public var preconditionResourceVersion: String?
    /// Seconds the object may take to terminate.
    public var gracePeriodSeconds: Int?

    /// `DeleteOptions.propagationPolicy`.
    public enum PropagationPolicy: String, Sendable, Hashable {
        /// Leave dependents alone.
        case orphan = "Orphan"
        /// Delete now; the garbage collector removes dependents afterwards.
        case background = "Background"
        /// Delete dependents first; the object stays (with a finalizer) until they are gone.
        case foreground = "Foreground"
    }

    /// Options from their parts.
    public init(
        propagationPolicy: PropagationPolicy? = nil, preconditionUID: String? = nil,
        preconditionResourceVersion: String? = nil, gracePeriodSeconds: Int? = nil
    ) {
        self.propagationPolicy = propagationPolicy
        self.preconditionUID = preconditionUID
        self.preconditionResourceVersion = preconditionResourceVersion
        self.gracePeriodSeconds = gracePeriodSeconds
    }

    /// The `DeleteOptions` body, or `nil` when every option is unset.
    var body: JSONValue? {
        guard propagationPolicy != nil || preconditionUID != nil || preconditionResourceVersion != nil || gracePeriodSeconds != nil
        else { return nil }
        var json: JSONValue = ["apiVersion": "v1", "kind": "DeleteOptions"]
        if let propagationPolicy { json["propagationPolicy"] = .string(propagationPolicy.rawValue) }
        if let gracePeriodSeconds { json["gracePeriodSeconds"] = .int(Int64(gracePeriodSeconds)) }
        if preconditionUID != nil || preconditionResourceVersion != nil {
            var preconditions: JSONValue = [:]
            if let preconditionUID { preconditions["uid"] = .string(preconditionUID) }
            if let preconditionResourceVersion { preconditions["resourceVersion"] = .string(preconditionResourceVersion) }
            json["preconditions"] = preconditions
        }
        return json
    }
}

/// The patch formats the API server accepts.
public enum PatchType: String, Sendable, Hashable {
    /// RFC 7386 JSON merge patch (`application/merge-patch+json`): objects merge, `null` deletes, arrays replace.
    case merge = "application/merge-patch+json"
    /// RFC 6902 JSON patch (`application/json-patch+json`): a list of operations.
    case json = "application/json-patch+json"
    /// Kubernetes strategic merge patch (built-in types only).
    case strategicMerge = "application/strategic-merge-patch+json"
    /// Server-side apply (`application/apply-patch+yaml`; JSON is valid YAML). Needs a field manager.
    case apply = "application/apply-patch+yaml"

    /// Whether sending the same patch twice has the same effect as once.
    var idempotent: Bool { self != .json }
}

/// The answer of a list call: the items of every page and the collection's resourceVersion.
public struct KubeList: Sendable, Hashable {
    /// The objects, each with `apiVersion` and `kind` filled in.
    public var items: [KubeObject]
    /// The resourceVersion to start a watch from.
    public var resourceVersion: String

    /// A list from its parts.
    public init(items: [KubeObject], resourceVersion: String) {
        self.items = items
        self.resourceVersion = resourceVersion
    }
}

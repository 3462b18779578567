/// One event of a watch stream.
public enum WatchEvent: Sendable, Hashable {
    /// `ADDED`: the object was created (or is part of the initial state).
    case added(KubeObject)
    /// `MODIFIED`: the object changed.
    case modified(KubeObject)
    /// `DELETED`: the object is gone; the payload is its last state.
    case deleted(KubeObject)
    /// `BOOKMARK`: no change, only a newer resourceVersion to resume from.
    case bookmark(resourceVersion: String)
    /// `ERROR`: the server ended the watch with a `Status`; `isGone` means relist.
    case error(KubeError)

    /// The object of an `ADDED`, `MODIFIED` or `DELETED` event.
    public var object: KubeObject? {
        switch self {
        case .added(let o), .modified(let o), .deleted(let o): o
        case .bookmark, .error: nil
        }
    }

    /// The resourceVersion this event brings the watcher to, if any.
    public var resourceVersion: String? {
        switch self {
        case .added(let o), .modified(let o), .deleted(let o): o.resourceVersion
        case .bookmark(let rv): rv
        case .error: nil
        }
    }

    /// Decodes one line of a watch stream: `{"type": "...", "object": {...}}`.
    init(line: some Collection<UInt8>) throws {
        let json = try JSONValue(json: Array(line))
        let object = json["object"] ?? .null
        switch json["type"]?.stringValue {
        case "ADDED": self = .added(KubeObject(json: object))
        case "MODIFIED": self = .modified(KubeObject(json: object))
        case "DELETED": self = .deleted(KubeObject(json: object))
        case "BOOKMARK": self = .bookmark(resourceVersion: object[path: "metadata", "resourceVersion"]?.stringValue ?? "")
        case "ERROR": self = .error(KubeError(status: object))
        case let other:
            throw KubeError(code: 500, reason: .internalError, message: "unknown watch event type \(other ?? "(none)")")
        }
    }
}

/// Query parameters of a watch.
public struct WatchOptions: Sendable, Hashable {
    /// e.g. `app=jaas`.
    public var labelSelector: String?
    /// e.g. `metadata.name=foo`.
    public var fieldSelector: String?
    /// Start after this resourceVersion (from a list or an earlier event); `nil` starts
    /// with synthetic `ADDED` events for every existing object.
    public var resourceVersion: String?
    /// Ask for `BOOKMARK` events.
    public var allowBookmarks: Bool
    /// Ask the server to end the watch after this many seconds.
    public var timeoutSeconds: Int?

    /// Options from their parts.
    public init(
        labelSelector: String? = nil, fieldSelector: String? = nil, resourceVersion: String? = nil,
        allowBookmarks: Bool = true, timeoutSeconds: Int? = nil
    ) {
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.resourceVersion = resourceVersion
        self.allowBookmarks = allowBookmarks
        self.timeoutSeconds = timeoutSeconds
    }

    var queryItems: [(String, String)] {
        var items: [(String, String)] = [("watch", "true")]
        if let labelSelector, !labelSelector.isEmpty { items.append(("labelSelector", labelSelector)) }
        if let fieldSelector, !fieldSelector.isEmpty { items.append(("fieldSelector", fieldSelector)) }
        if let resourceVersion, !resourceVersion.isEmpty { items.append(("resourceVersion", resourceVersion)) }
        if allowBookmarks { items.append(("allowWatchBookmarks", "true")) }
        if let timeoutSeconds { items.append(("timeoutSeconds", String(timeoutSeconds))) }
        return items
    }
}

import NIOConcurrencyHelpers

/// Derives index values from an object, e.g. the `kind/namespace/name` of its `sourceRef`.
public typealias IndexFunction = @Sendable (KubeObject) -> [String]

/// A thread-safe local copy of a collection, keyed by `namespace/name`, with optional
/// secondary indexes. Informers write it; anyone may read it.
public final class ObjectStore: Sendable {
    private struct State {
        var objects: [String: KubeObject] = [:]
        /// index name → index value → keys.
        var indices: [String: [String: Set<String>]] = [:]
    }

    private let indexers: [String: IndexFunction]
    private let state = NIOLockedValueBox(State())

    /// A store maintaining one index per entry of `indexers`.
    public init(indexers: [String: IndexFunction] = [:]) {
        self.indexers = indexers
    }

    /// The object stored under `namespace/name` (or `name`).
    public func get(_ key: String) -> KubeObject? {
        state.withLockedValue { $0.objects[key] }
    }

    /// The object with this namespace and name.
    public func get(namespace: String?, name: String) -> KubeObject? {
        get(ObjectKey(namespace: namespace, name: name).description)
    }

    /// Every stored object, in key order.
    public var objects: [KubeObject] {
        state.withLockedValue { state in state.objects.sorted { $0.key < $1.key }.map(\.value) }
    }

    /// Every key, sorted.
    public var keys: [String] {
        state.withLockedValue { $0.objects.keys.sorted() }
    }

    /// How many objects are stored.
    public var count: Int {
        state.withLockedValue { $0.objects.count }
    }

    /// The objects whose index function `index` produced `value`, in key order.
    public func byIndex(_ index: String, _ value: String) -> [KubeObject] {
        state.withLockedValue { state in
            (state.indices[index]?[value] ?? []).sorted().compactMap { state.objects[$0] }
        }
    }

    /// Inserts or replaces an object; returns the previous one.
    @discardableResult
    func upsert(_ object: KubeObject) -> KubeObject? {
        state.withLockedValue { state in
            let key = object.key
            let old = state.objects[key]
            if let old { Self.unindex(old, key: key, indexers: indexers, state: &state) }
            state.objects[key] = object
            Self.index(object, key: key, indexers: indexers, state: &state)
            return old
        }
    }

    /// Removes an object; returns what was stored.
    @discardableResult
    func remove(key: String) -> KubeObject? {
        state.withLockedValue { state in
            guard let old = state.objects.removeValue(forKey: key) else { return nil }
            Self.unindex(old, key: key, indexers: indexers, state: &state)
            return old
        }
    }

    /// The differences between the store and a full list, after which the store holds exactly `objects`.
    struct Replacement {
        var added: [KubeObject] = []
        var updated: [(old: KubeObject, new: KubeObject)] = []
        var deleted: [KubeObject] = []
    }

    /// Makes the store hold exactly `objects`; reports additions, changes (by
    /// resourceVersion) and removals.
    func replace(with objects: [KubeObject]) -> Replacement {
        var result = Replacement()
        var seen = Set<String>()
        for object in objects {
            seen.insert(object.key)
            if let old = upsert(object) {
                if old.resourceVersion != object.resourceVersion || old != object { result.updated.append((old, object)) }
            } else {
                result.added.append(object)
            }
        }
        for key in keys where !seen.contains(key) {
            if let old = remove(key: key) { result.deleted.append(old) }
        }
        return result
    }

    private static func index(_ object: KubeObject, key: String, indexers: [String: IndexFunction], state: inout State) {
        for (name, function) in indexers {
            for value in function(object) {
                state.indices[name, default: [:]][value, default: []].insert(key)
            }
        }
    }

    private static func unindex(_ object: KubeObject, key: String, indexers: [String: IndexFunction], state: inout State) {
        for (name, function) in indexers {
            for value in function(object) {
                state.indices[name]?[value]?.remove(key)
                if state.indices[name]?[value]?.isEmpty == true { state.indices[name]?[value] = nil }
            }
        }
    }
}

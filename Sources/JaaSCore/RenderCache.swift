import Synchronization

/// Rendered outputs keyed by their ``RenderRequest``, each valid while its
/// ``ImportClosure`` still holds.
///
/// Every lookup re-checks the entry's closure with one `stat` per observed path, so a
/// changed, replaced, added or removed file is noticed on the very next request. A
/// render whose files changed within ``Limits/racyWindow`` is never stored, because
/// a second write in the same timestamp tick could leave the stamps unchanged. The
/// cache is bounded by entry count and output bytes; the least recently used entries
/// go first.
public final class RenderCache: Sendable {
    /// How much the cache may hold.
    public struct Limits: Sendable, Equatable {
        /// At most this many entries.
        public var maxEntries: Int
        /// At most this many bytes of rendered output in all.
        public var maxBytes: Int
        /// Files changed less than this long before a render finished make it uncacheable.
        public var racyWindow: Duration

        /// Limits with the default racy window of two seconds.
        public init(maxEntries: Int, maxBytes: Int, racyWindow: Duration = .seconds(2)) {
            self.maxEntries = maxEntries
            self.maxBytes = maxBytes
            self.racyWindow = racyWindow
        }
    }

    /// Counters describing the cache, read by the metrics endpoint.
    public struct Statistics: Sendable, Equatable {
        /// All zero.
        public init() {}
        /// Entries held.
        public var entries = 0
        /// Output bytes held.
        public var bytes = 0
        /// Lookups answered from the cache.
        public var hits = 0
        /// Lookups that found no valid entry.
        public var misses = 0
        /// Renders not stored because a file in their closure was racy.
        public var racySkips = 0
        /// Entries dropped for the bounds.
        public var evictions = 0
    }

    /// A stored render; `lastUsed` is only touched under the cache's lock, so a hit
    /// updates it without hashing the request a second time.
    private final class Entry: @unchecked Sendable {
        let output: String
        let closure: ImportClosure
        var lastUsed: UInt64

        init(output: String, closure: ImportClosure, lastUsed: UInt64) {
            self.output = output
            self.closure = closure
            self.lastUsed = lastUsed
        }
    }

    private struct State {
        var entries: [RenderRequest: Entry] = [:]
        var statistics = Statistics()
        var clock: UInt64 = 0
    }

    /// The bounds this cache keeps to.
    public let limits: Limits
    private let state = Mutex(State())

    /// An empty cache with the given bounds.
    public init(limits: Limits) {
        self.limits = limits
    }

    /// A snapshot of the counters.
    public var statistics: Statistics { state.withLock { $0.statistics } }

    /// The stored output for `request` if every file it depends on is unchanged.
    public func lookup(_ request: RenderRequest) -> String? {
        guard let entry = state.withLock({ $0.entries[request] }) else {
            state.withLock { $0.statistics.misses += 1 }
            return nil
        }
        let valid = entry.closure.isUnchanged()
        return state.withLock { state in
            guard valid else {
                state.statistics.misses += 1
                if state.entries[request] === entry { remove(request, from: &state) }
                return nil
            }
            state.statistics.hits += 1
            state.clock += 1
            entry.lastUsed = state.clock
            return entry.output
        }
    }

    /// Stores `output` for `request` unless it is too large or a file in `closure`
    /// changed within the racy window before `now`.
    public func store(_ request: RenderRequest, output: String, closure: ImportClosure,
                      now: WallClockNanoseconds = .now()) {
        let size = output.utf8.count
        guard limits.maxEntries > 0, size <= limits.maxBytes else { return }
        let racy = closure.hasRacyFile(now: now, window: limits.racyWindow)
        state.withLock { state in
            guard !racy else {
                state.statistics.racySkips += 1
                return
            }
            remove(request, from: &state)
            state.clock += 1
            state.entries[request] = Entry(output: output, closure: closure, lastUsed: state.clock)
            state.statistics.entries += 1
            state.statistics.bytes += size
            while state.statistics.entries > limits.maxEntries || state.statistics.bytes > limits.maxBytes {
                guard let oldest = state.entries.min(by: { $0.value.lastUsed < $1.value.lastUsed })?.key else { break }
                remove(oldest, from: &state)
                state.statistics.evictions += 1
            }
        }
    }

    private func remove(_ request: RenderRequest, from state: inout State) {
        guard let old = state.entries.removeValue(forKey: request) else { return }
        state.statistics.entries -= 1
        state.statistics.bytes -= old.output.utf8.count
    }
}

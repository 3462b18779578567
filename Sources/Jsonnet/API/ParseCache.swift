#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Parsed and resolved files, shared by every evaluation and thread that uses it,
/// so a render that imports a large library (grafonnet, kube-prometheus) parses
/// each file once per process instead of once per evaluation.
///
/// An entry is keyed by the file's name (the canonical path an importer returned)
/// and is used only when the contents are byte-for-byte those it was parsed from,
/// so an edited file is parsed again and replaces the old entry. Resolution is
/// complete before a tree is stored, and nothing writes into a resolved tree, so
/// evaluations on several threads read the same nodes without locking.
///
/// The cache is bounded by the source bytes it holds (the trees take a small
/// multiple of that): past ``byteLimit`` the least recently used files go first.
/// A file larger than a quarter of the limit is parsed but not kept.
public final class ParseCache: Sendable {
    /// The process-wide cache every evaluation uses unless its options name another
    /// (or none): 32 MiB of source, or `JAAS_PARSE_CACHE_BYTES` bytes when that
    /// environment variable is set (0 turns sharing off; worker processes inherit it).
    public static let shared = ParseCache(byteLimit: environmentLimit ?? 32 << 20)

    private static var environmentLimit: Int? {
        guard let raw = getenv("JAAS_PARSE_CACHE_BYTES") else { return nil }
        return Int(String(cString: raw))
    }

    /// Most source bytes kept at once.
    public let byteLimit: Int

    private let state = Mutex(State())

    /// An empty cache keeping at most `byteLimit` bytes of source.
    public init(byteLimit: Int) {
        self.byteLimit = max(0, byteLimit)
    }

    /// How often a lookup found a tree (`hits`) or had to parse (`misses`), and
    /// what the cache holds now.
    public struct Statistics: Sendable, Equatable {
        /// The hits.
        public var hits = 0
        /// The misses.
        public var misses = 0
        /// The files.
        public var files = 0
        /// The bytes.
        public var bytes = 0
    }

    /// The counters so far.
    public var statistics: Statistics {
        state.withLock { s in
            Statistics(hits: s.hits, misses: s.misses, files: s.entries.count, bytes: s.bytes)
        }
    }

    /// Drops every entry (the counters stay).
    public func removeAll() {
        state.withLock { s in
            s.entries.removeAll()
            s.bytes = 0
        }
    }

    /// The resolved tree of `name` with `contents`: the cached one, or `compile()`'s,
    /// which is then kept. A failing `compile` leaves the cache as it was. Parsing
    /// runs outside the lock, so two threads may parse the same new file at once;
    /// the later one's tree replaces the earlier one's.
    func tree(name: String, contents: [UInt8], compile: () throws -> Node) throws -> Node {
        let found: ResolvedTree? = state.withLock { s in
            guard let e = s.entries[name], e.contents == contents else {
                s.misses += 1
                return nil
            }
            s.clock &+= 1
            s.entries[name]?.lastUse = s.clock
            s.hits += 1
            return e.tree
        }
        if let found { return found.root }
        let root = try compile()
        let cost = contents.count
        guard cost <= byteLimit / 4 else { return root }
        let tree = ResolvedTree(root)
        state.withLock { s in
            if let old = s.entries.removeValue(forKey: name) { s.bytes -= old.contents.count }
            while s.bytes + cost > byteLimit, let oldest = s.entries.min(by: { $0.value.lastUse < $1.value.lastUse }) {
                s.bytes -= oldest.value.contents.count
                s.entries.removeValue(forKey: oldest.key)
            }
            s.clock &+= 1
            s.entries[name] = Entry(contents: contents, tree: tree, lastUse: s.clock)
            s.bytes += cost
        }
        return root
    }

    private struct Entry: Sendable {
        let contents: [UInt8]
        let tree: ResolvedTree
        var lastUse: UInt64
    }

    private struct State: Sendable {
        var entries: [String: Entry] = [:]
        var bytes = 0
        var clock: UInt64 = 0
        var hits = 0
        var misses = 0
    }
}

/// A resolved tree handed between threads. Safe because the resolver finishes
/// before the tree is published and evaluation only reads nodes; the string
/// constants in it are ``JString/frozen(_:)`` and carry no memory charge.
private final class ResolvedTree: @unchecked Sendable {
    let root: Node
    init(_ root: Node) { self.root = root }
}

/// Every path a render looked at and what it found there: the entry file, each
/// imported file, and each candidate path an import search tried and found empty.
///
/// A render is a pure function of these files' bytes (plus its variables), so as long
/// as every observation still holds, a cached output is still right. Recording the
/// misses matters too: a new file on an earlier search path would change what an
/// import resolves to.
public struct ImportClosure: Sendable, Hashable {
    /// What one path held when the render looked.
    public enum Observation: Sendable, Hashable {
        /// A file with this stamp.
        case file(FileStamp)
        /// Nothing that could be opened.
        case absent
    }

    /// One observed path.
    public struct Dependency: Sendable, Hashable {
        /// The path as the render opened it.
        public let path: String
        /// What was there.
        public let observation: Observation
    }

    /// The observations in the order they were made.
    public let dependencies: [Dependency]

    /// Wraps a list of observations.
    public init(dependencies: [Dependency]) {
        self.dependencies = dependencies
    }

    /// Whether every path still holds what was observed (one `stat` per path).
    public func isUnchanged() -> Bool {
        dependencies.allSatisfy { dependency in
            switch dependency.observation {
            case .file(let stamp): return FileStamp.of(path: dependency.path) == stamp
            case .absent: return FileStamp.of(path: dependency.path) == nil
            }
        }
    }

    /// Whether any observed file changed so recently (less than `window` before `now`)
    /// that a further same-tick write might go unnoticed.
    public func hasRacyFile(now: WallClockNanoseconds, window: Duration) -> Bool {
        dependencies.contains { dependency in
            if case .file(let stamp) = dependency.observation {
                return stamp.isRacy(now: now, window: window)
            }
            return false
        }
    }
}

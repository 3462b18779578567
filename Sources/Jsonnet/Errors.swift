/// One line of a runtime stack trace: where, and in which function, object or thunk.
public struct TraceFrame: Sendable {
    /// The source span being evaluated.
    public var range: SourceRange
    private var label: String
    private var context: TraceContext?

    /// A frame with a fixed description (`Field "x"`, `During evaluation`, ...).
    public init(range: SourceRange, name: String) {
        self.range = range
        self.label = name
    }

    /// The frame of `node`, described by the function, object or thunk it belongs to.
    init(at node: Node) {
        self.range = node.range
        self.label = ""
        self.context = node.traceContext
    }

    /// The `...` line that stands for frames left out of a long trace.
    static let elision = TraceFrame(range: .none, name: "...")

    var isElision: Bool { context == nil && label == "..." && !range.isKnown }

    /// go-jsonnet's frame description: `$`, `function <f>`, `object <o>`, `thunk from <$>`, `Field "x"`, ...
    public var name: String { context?.description ?? label }
}

/// An error from lexing, parsing, static analysis or evaluation, rendered the way
/// go-jsonnet prints it.
///
/// Static errors print as `file:line:col message`; runtime errors as
/// `RUNTIME ERROR: message` followed by the stack trace.
public struct JsonnetError: Error, CustomStringConvertible, Sendable {
    /// Whether the error was found before or during evaluation.
    public enum Kind: Sendable {
        /// Lexing, parsing or static analysis (unknown variable, misplaced `super`, ...).
        case staticError
        /// Evaluation or manifestation.
        case runtime
    }

    /// The kind.
    public var kind: Kind
    /// The message without location, e.g. `Field does not exist: x`.
    public var message: String
    /// For static errors, the offending span.
    public var range: SourceRange?
    /// For runtime errors, innermost frame first.
    public var trace = StackTrace()
    /// For an error std.format raised: where go's std.format would have raised it.
    var formatSite: GoStdTrace.FormatSite?

    /// Creates one from the given values.
    public init(kind: Kind, message: String, range: SourceRange? = nil) {
        self.kind = kind
        self.message = message
        self.range = range
    }

    /// A static error at `range`.
    public static func staticError(_ message: String, at range: SourceRange) -> JsonnetError {
        JsonnetError(kind: .staticError, message: message, range: range)
    }

    /// A runtime error with no trace yet (frames are added while it propagates).
    public static func runtime(_ message: String) -> JsonnetError {
        JsonnetError(kind: .runtime, message: message)
    }

    /// The first line go-jsonnet prints for this error.
    public var headline: String {
        switch kind {
        case .staticError:
            if let range { return "\(range.description) \(message)" }
            return "STATIC ERROR: \(message)"
        case .runtime:
            return "RUNTIME ERROR: \(message)"
        }
    }

    /// The full diagnostic: headline plus stack trace, as go-jsonnet prints it.
    public var description: String { formatted(maxTrace: 20) }

    /// The full diagnostic with at most `maxTrace` trace frames (0 = unlimited): for
    /// a static error the headline and the source lines of its span between blank
    /// lines, for a runtime error the headline and the stack trace.
    public func formatted(maxTrace: Int) -> String {
        var out = headline + "\n"
        if kind == .staticError, let range, let file = range.file, range.begin.line > 0 {
            out += "\n"
            for line in file.lines(Int(range.begin.line)...Int(max(range.begin.line, range.end.line))) {
                out += line + "\n"
            }
            out += "\n"
        }
        if kind == .runtime {
            var frames = trace.frames
            if maxTrace > 0 && frames.count > maxTrace {
                let head = maxTrace / 2
                let tail = maxTrace - head
                frames = Array(frames.prefix(head)) + [.elision] + Array(frames.suffix(tail))
            }
            for frame in frames {
                if frame.range.isKnown {
                    out += "\t\(frame.range.description)\t\(frame.name)\n"
                } else if frame.isElision {
                    out += "\t...\n"
                } else {
                    out += "\t\(frame.name)\t\n"
                }
            }
        }
        return out
    }
}

/// The frames an error passed through while it propagated, innermost first.
///
/// Appending is O(1) even though the error is copied out of its existential box
/// at every frame (the frames live in shared storage, not a copy-on-write array),
/// and very deep traces keep only their innermost and outermost frames, so an
/// error unwinding a million frames costs linear time and bounded memory.
public struct StackTrace: Sendable {
    private final class Storage: @unchecked Sendable {
        var frames: [TraceFrame] = []
        var omitted = 0
    }

    /// Frames kept on each side of the cut in a very deep trace.
    static let keep = 500

    private let storage = Storage()

    /// Creates one with the defaults.
    public init() {}

    /// Adds the next outer frame.
    public mutating func append(_ frame: TraceFrame) {
        storage.frames.append(frame)
        if storage.frames.count >= 4 * Self.keep {
            // Drop a middle block: the innermost `keep` frames stay, the outer ones keep accumulating.
            storage.frames.removeSubrange(Self.keep..<(3 * Self.keep))
            storage.omitted += 2 * Self.keep
        }
    }

    /// The is empty.
    public var isEmpty: Bool { storage.frames.isEmpty }

    /// Number of frames kept.
    public var count: Int { storage.frames.count }

    /// Frame `i` of those kept.
    public subscript(i: Int) -> TraceFrame {
        get { storage.frames[i] }
        nonmutating set { storage.frames[i] = newValue }
    }

    /// Whether a kept frame matches.
    public func contains(where predicate: (TraceFrame) -> Bool) -> Bool {
        storage.frames.contains(where: predicate)
    }

    /// The kept frames, with a `...` frame where deep ones were dropped.
    public var frames: [TraceFrame] {
        guard storage.omitted > 0 else { return storage.frames }
        var out = Array(storage.frames.prefix(Self.keep))
        out.append(.elision)
        out.append(contentsOf: storage.frames.dropFirst(Self.keep))
        return out
    }
}

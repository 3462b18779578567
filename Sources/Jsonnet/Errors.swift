/// One line of a runtime stack trace: where, and in which function or field.
public struct TraceFrame: Sendable {
    /// The source span being evaluated.
    public var range: SourceRange
    /// go-jsonnet's frame description: a function name, `$`, `object <anonymous>`, `Field "x"`, ...
    public var name: String

    public init(range: SourceRange, name: String) {
        self.range = range
        self.name = name
    }
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

    public var kind: Kind
    /// The message without location, e.g. `Field does not exist: x`.
    public var message: String
    /// For static errors, the offending span.
    public var range: SourceRange?
    /// For runtime errors, innermost frame first.
    public var trace: [TraceFrame]

    public init(kind: Kind, message: String, range: SourceRange? = nil, trace: [TraceFrame] = []) {
        self.kind = kind
        self.message = message
        self.range = range
        self.trace = trace
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

    /// The full diagnostic with at most `maxTrace` trace frames (0 = unlimited).
    public func formatted(maxTrace: Int) -> String {
        var out = headline + "\n"
        if kind == .runtime {
            var frames = trace
            if maxTrace > 0 && frames.count > maxTrace {
                let head = maxTrace / 2
                let tail = maxTrace - head
                frames = Array(frames.prefix(head)) + [TraceFrame(range: .none, name: "...")] + Array(frames.suffix(tail))
            }
            for frame in frames {
                if frame.range.isKnown {
                    out += "\t\(frame.range.description)\t\(frame.name)\n"
                } else {
                    out += "\t\(frame.name)\t\n"
                }
            }
        }
        return out
    }
}

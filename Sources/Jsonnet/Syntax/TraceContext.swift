/// The name go-jsonnet prints beside a stack-trace location: the innermost
/// function, object or deferred expression the located node belongs to, such as
/// `$`, `function <f>`, `object <o>` or `thunk <x> from <$>`.
///
/// The resolver attaches one to every node; the text is only built when an
/// error is formatted, so evaluation never pays for it.
final class TraceContext: Sendable {
    private enum Kind {
        case root
        case function(String?)
        case object(String?)
        case thunk(String?, TraceContext)
    }

    private let kind: Kind

    private init(_ kind: Kind) { self.kind = kind }

    /// A file's top level.
    static let root = TraceContext(.root)

    /// The body of a function bound to `name` (or anonymous).
    static func function(_ name: String?) -> TraceContext { TraceContext(.function(name)) }

    /// The fields, locals and asserts of an object literal bound to `name` (or anonymous).
    static func object(_ name: String?) -> TraceContext { TraceContext(.object(name)) }

    /// A deferred expression (a `local` binding named `name`, an argument or an array element) inside `parent`.
    static func thunk(_ name: String?, from parent: TraceContext) -> TraceContext { TraceContext(.thunk(name, parent)) }

    /// go-jsonnet's rendering.
    var description: String {
        switch kind {
        case .root: return "$"
        case .function(let name): return "function <\(name ?? "anonymous")>"
        case .object(let name): return "object <\(name ?? "anonymous")>"
        case .thunk(let name, let parent):
            return (name.map { "thunk <\($0)>" } ?? "thunk") + " from <\(parent.description)>"
        }
    }
}

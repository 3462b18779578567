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

    /// go-jsonnet's rendering. Built without recursion: a chain of thunks is as
    /// deep as the program's nesting.
    var description: String {
        var prefix = ""
        var closers = 0
        var current = self
        while case .thunk(let name, let parent) = current.kind {
            prefix += (name.map { "thunk <\($0)>" } ?? "thunk") + " from <"
            closers += 1
            current = parent
        }
        let base: String
        switch current.kind {
        case .root: base = "$"
        case .function(let name): base = "function <\(name ?? "anonymous")>"
        case .object(let name): base = "object <\(name ?? "anonymous")>"
        case .thunk: base = ""
        }
        return prefix + base + String(repeating: ">", count: closers)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// std builtins that fit no other family: identity, assertions, tracing,
/// primitive equality and path resolution.
let stdMisc: [Builtin] = [
    Builtin("id", "x") { x, _ in x },
    Builtin("isNull", "x") { x, _ in if case .null = x { .bool(true) } else { .bool(false) } },
    Builtin("assertEqual", "a", "b") { a, b, ev in
        if try ev.equals(a, b) { return .bool(true) }
        throw ev.makeError("Assertion failed. \(try ev.manifestForError(a)) != \(try ev.manifestForError(b))")
    },
    traceBuiltin,
    Builtin("primitiveEquals", "x", "y") { x, y, ev in
        if x.typeName != y.typeName { return .bool(false) }
        switch (x, y) {
        case (.array, _), (.object, _):
            throw ev.makeError("primitiveEquals operates on primitive types, got \(x.typeName)")
        case (.function, .function):
            throw ev.makeError("Cannot test equality of functions")
        default:
            if x.typeName != y.typeName { return .bool(false) }
            return .bool(try ev.equals(x, y))
        }
    },
    Builtin("resolvePath", [BuiltinParameter("f"), BuiltinParameter("r")], .lazy { args, ev in
        // Like go-jsonnet, `f` is checked before `r` is evaluated.
        let f = try args[0].force(ev)
        guard case .string(let file) = f else {
            throw ev.makeError("std.split first parameter must be a String, got \(f.typeName)")
        }
        let r = try args[1].force(ev)
        let path = file.string
        let slash = path.utf8.lastIndex(of: UInt8(ascii: "/"))
        if case .null = r {
            // go joins the directory's parts with `r`, and std.join skips a null.
            return .str(slash.map { String(path[..<$0]) } ?? "")
        }
        let rel = try Args.string(r, ev).string
        guard let slash else { return .str(rel) }
        return .str(String(path[...slash]) + rel)
    }),
]

/// `std.trace(str, rest)`: prints `TRACE: file:line str` to standard error and returns `rest`.
private let traceBuiltin: Builtin = {
    let b = Builtin("trace", "str", "rest") { s, rest, ev in
        let message = try Args.string(s, ev).string
        let site = ev.callSite
        ev.traceOutput("TRACE: \(site.file?.name ?? ""):\(site.begin.line) \(message)\n")
        return rest
    }
    b.wantsCallSite = true
    return b
}()

extension Interpreter {
    /// Writes `std.trace` output to standard error.
    func traceOutput(_ text: String) {
        var bytes = Array(text.utf8)
        _ = bytes.withUnsafeMutableBytes { write(2, $0.baseAddress, $0.count) }
    }
}

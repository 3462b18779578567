/// std builtins: type predicates and length.
let stdTypes: [Builtin] = [
    Builtin("type", "x") { x, _ in .str(x.typeName) },
    Builtin("isArray", "v") { v, _ in if case .array = v { .bool(true) } else { .bool(false) } },
    Builtin("isBoolean", "v") { v, _ in if case .bool = v { .bool(true) } else { .bool(false) } },
    Builtin("isFunction", "v") { v, _ in if case .function = v { .bool(true) } else { .bool(false) } },
    Builtin("isNumber", "v") { v, _ in if case .number = v { .bool(true) } else { .bool(false) } },
    Builtin("isObject", "v") { v, _ in if case .object = v { .bool(true) } else { .bool(false) } },
    Builtin("isString", "v") { v, _ in if case .string = v { .bool(true) } else { .bool(false) } },
    Builtin("length", "x") { x, ev in
        switch x {
        case .array(let a): return .number(Double(a.count))
        case .string(let s): return .number(Double(s.count))
        case .object(let o): return .number(Double(o.visibleCount))
        case .function(let f): return .number(Double(f.arity))
        default: throw ev.makeError("Unexpected type \(x.typeName)")
        }
    },
]

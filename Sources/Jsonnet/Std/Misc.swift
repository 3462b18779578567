/// std builtins: assertions, tracing, boolean helpers.
let stdMisc: [Builtin] = [
]

/// std builtins: objects.
let stdObjects: [Builtin] = [
]

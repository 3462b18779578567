/// std builtins: encoding.
let stdEncoding: [Builtin] = [
]

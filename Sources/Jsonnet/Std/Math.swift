/// std builtins: math.
let stdMath: [Builtin] = [
]

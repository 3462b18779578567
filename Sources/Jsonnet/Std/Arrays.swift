/// std builtins: arrays.
let stdArrays: [Builtin] = [
]

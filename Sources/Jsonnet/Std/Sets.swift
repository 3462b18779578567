/// std builtins: sets.
let stdSets: [Builtin] = [
]

/// std builtins: strings.
let stdStrings: [Builtin] = [
]

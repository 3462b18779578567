/// std builtins: parse.
let stdParse: [Builtin] = [
]

/// std builtins: hashes.
let stdHashes: [Builtin] = [
]

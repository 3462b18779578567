/// std builtins: manifest.
let stdManifest: [Builtin] = [
]

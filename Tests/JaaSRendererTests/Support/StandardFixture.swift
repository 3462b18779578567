/// The snippet tree most end-to-end tests serve:
///
///     snippets/            the --snippet-directory
///       hello, args, ext, imports, loop, nested/deeper, broken-*, missing-import, deep
///       inside-link -> hello            (a symlink that stays inside the root)
///       escape -> ../outside            (a directory symlink leaving the root)
///       linked/main.jsonnet -> ../../outside/main.jsonnet   (a file symlink leaving it)
///     outside/main.jsonnet  a snippet outside every root
///     lib/                  the --library-path
///     single.jsonnet        a --snippet file
func standardFixture() throws -> Fixture {
    let fixture = try Fixture()
    try fixture.write("snippets/hello/main.jsonnet", "{ hello: 'world' }")
    try fixture.write("snippets/args/main.jsonnet", "function(a='default', t=[], b=null) { a: a, t: t, b: b }")
    try fixture.write("snippets/ext/main.jsonnet", "{ env: std.extVar('env') }")
    try fixture.write("snippets/imports/main.jsonnet",
                      "local l = import 'lib.libsonnet'; { value: l.value, text: importstr 'note.txt' }")
    try fixture.write("snippets/loop/main.jsonnet", endlessProgram)
    try fixture.write("snippets/nested/deeper/main.jsonnet", "{ nested: true }")
    try fixture.write("snippets/broken-syntax/main.jsonnet", "{ a: ")
    try fixture.write("snippets/broken-runtime/main.jsonnet", "error 'secret diagnostic detail'")
    try fixture.write("snippets/missing-import/main.jsonnet", "import 'nowhere.libsonnet'")
    try fixture.write("snippets/deep/main.jsonnet",
                      "local f(x) = if x == 0 then 0 else 1 + f(x - 1); f(1000)")
    try fixture.write("outside/main.jsonnet", "{ secret: true }")
    try fixture.symlink("snippets/inside-link", to: fixture.at("snippets/hello"))
    try fixture.symlink("snippets/escape", to: "../outside")
    try fixture.symlink("snippets/linked/main.jsonnet", to: "../../outside/main.jsonnet")
    try fixture.write("lib/lib.libsonnet", "{ value: 42 }")
    try fixture.write("lib/note.txt", "a note")
    try fixture.write("single.jsonnet", "{ single: true }")
    return fixture
}

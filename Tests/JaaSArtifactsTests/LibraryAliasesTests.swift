import JaaSArtifacts
import TestSupport
import Testing

/// `--library-path` directories read into alias trees, in process.
@Suite struct LibraryAliasesTests {
    @Test func everyTopLevelDirectoryIsAnAliasAndALaterPathWins() throws {
        let first = try TemporaryDirectory(), second = try TemporaryDirectory()
        try first.write("grafonnet/main.libsonnet", "{ v: 1 }")
        try first.write("grafonnet/gen/panel.libsonnet", "{}")
        try first.write("kube/main.libsonnet", "{ k: 1 }")
        try first.write("README.md", "not a directory")
        try first.write(".git/config", "hidden")
        try second.write("grafonnet/main.libsonnet", "{ v: 2 }")
        let aliases = try loadLibraryAliases([first.path, second.path])
        #expect(Set(aliases.keys) == ["grafonnet", "kube"])
        #expect(aliases["grafonnet"]?["main.libsonnet"] == Array("{ v: 2 }".utf8))
        #expect(aliases["grafonnet"]?["gen/panel.libsonnet"] == nil, "a later path replaces the whole alias")
        #expect(aliases["kube"]?["main.libsonnet"] == Array("{ k: 1 }".utf8))
    }

    @Test func aMissingPathIsAnError() {
        #expect(throws: (any Error).self) { try loadLibraryAliases(["/nonexistent-\(UInt64.random(in: 0...UInt64.max))"]) }
    }
}

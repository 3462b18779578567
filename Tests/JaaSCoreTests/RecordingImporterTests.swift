import Jsonnet
import Testing
@testable import JaaSCore
import TestSupport

@Suite struct RecordingImporterTests {
    @Test func searchesRelativeThenLibrariesRightMostFirst() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try dir.write("snippet/main.jsonnet", "")
        try dir.write("snippet/local.libsonnet", "'relative'")
        try dir.write("base/local.libsonnet", "'base'")
        try dir.write("base/shared.libsonnet", "'base'")
        try dir.write("override/shared.libsonnet", "'override'")
        let importer = RecordingImporter(libraryPaths: [dir.path + "/base", dir.path + "/override"])
        let main = dir.path + "/snippet/main.jsonnet"
        #expect(try importer.resolve("local.libsonnet", from: main)?.path == dir.path + "/snippet/local.libsonnet")
        #expect(try importer.resolve("shared.libsonnet", from: main)?.path == dir.path + "/override/shared.libsonnet")
        #expect(try importer.resolve("missing.libsonnet", from: main) == nil)
    }

    @Test func recordsFilesAndEveryProbedMiss() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let main = try dir.write("snippet/main.jsonnet", "import 'x.libsonnet'")
        try dir.write("base/x.libsonnet", "1")
        let importer = RecordingImporter(libraryPaths: [dir.path + "/base", dir.path + "/override"])
        #expect(importer.readEntry(main) != nil)
        _ = try importer.resolve("x.libsonnet", from: main)
        let paths = importer.closure.dependencies.map(\.path)
        #expect(paths == [main, dir.path + "/snippet/x.libsonnet", dir.path + "/override/x.libsonnet",
                          dir.path + "/base/x.libsonnet"])
        let kinds = importer.closure.dependencies.map { dependency -> String in
            if case .file = dependency.observation { return "file" } else { return "absent" }
        }
        #expect(kinds == ["file", "absent", "absent", "file"])
        #expect(importer.closure.isUnchanged())
    }

    @Test func importingADirectoryIsAnError() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try dir.makeDirectory("lib/folder")
        let importer = RecordingImporter(libraryPaths: [dir.path + "/lib"])
        #expect(throws: ImportReadError.self) { try importer.resolve("folder", from: "") }
    }
}

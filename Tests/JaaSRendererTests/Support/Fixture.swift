import Foundation

/// A temporary directory of snippets and libraries for one test.
final class Fixture: Sendable {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "jaas-renderer-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Writes `content` to `relative`, creating parent directories; returns the full path.
    @discardableResult
    func write(_ relative: String, _ content: String) throws -> String {
        let file = path + "/" + relative
        try FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        try content.write(toFile: file, atomically: false, encoding: .utf8)
        return file
    }

    /// Makes `relative` a symbolic link to `target`.
    func symlink(_ relative: String, to target: String) throws {
        let link = path + "/" + relative
        try FileManager.default.createDirectory(atPath: (link as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
    }

    /// The full path of `relative`.
    func at(_ relative: String) -> String { path + "/" + relative }
}

/// The repository's root directory (for `examples/` and `docs/`).
let repositoryRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<4 { url.deleteLastPathComponent() }
    return url.path
}()

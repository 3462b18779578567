import Foundation

/// A fresh directory under the system's temporary directory for one test, removed
/// when the last reference goes away (or earlier with ``remove()``).
public final class TemporaryDirectory: Sendable {
    /// The directory's absolute path.
    public let path: String

    /// Creates `<tmp>/<prefix><UUID>`.
    public init(prefix: String = "jaas-tests-") throws {
        path = NSTemporaryDirectory() + prefix + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Writes `content` to `relative`, creating parent directories; returns the full path.
    @discardableResult
    public func write(_ relative: String, _ content: String) throws -> String {
        let file = at(relative)
        try FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        try content.write(toFile: file, atomically: false, encoding: .utf8)
        return file
    }

    /// Creates the directory `relative` (and its parents).
    public func makeDirectory(_ relative: String) throws {
        try FileManager.default.createDirectory(atPath: at(relative), withIntermediateDirectories: true)
    }

    /// Makes `relative` a symbolic link to `target`.
    public func symlink(_ relative: String, to target: String) throws {
        let link = at(relative)
        try FileManager.default.createDirectory(atPath: (link as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
    }

    /// The full path of `relative`.
    public func at(_ relative: String) -> String { path + "/" + relative }

    /// Removes the directory and everything in it now.
    public func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// A fresh path under the system's temporary directory, `<tmp>/<prefix><UUID><suffix>`,
/// for a file or directory the test makes there itself (nothing is created here).
public func temporaryPath(_ prefix: String, suffix: String = "") -> String {
    NSTemporaryDirectory() + prefix + UUID().uuidString + suffix
}

/// A source or output tree held in memory: relative path (`a/b.jsonnet`, no `.`
/// or `..` segments, no leading slash) to file bytes.
public typealias FileTree = [String: [UInt8]]

/// Why an artifact could not be read or written; `description` is the message
/// shown in a resource's Ready condition.
public struct ArtifactError: Error, CustomStringConvertible, Equatable, Sendable {
    /// A one-line description.
    public let description: String
    /// Wraps the given value.
    public init(_ description: String) { self.description = description }
}

/// Checks that `path` is a clean relative path inside its tree and returns it
/// normalised (`./a//b` → `a/b`); throws for absolute paths and `..` segments.
public func cleanRelativePath(_ path: String) throws -> String {
    if path.hasPrefix("/") { throw ArtifactError("absolute path \"\(path)\" is not allowed") }
    var parts: [Substring] = []
    for part in path.split(separator: "/", omittingEmptySubsequences: true) {
        if part == "." { continue }
        if part == ".." { throw ArtifactError("path \"\(path)\" leaves the tree (..)") }
        parts.append(part)
    }
    if parts.isEmpty { throw ArtifactError("empty path \"\(path)\"") }
    return parts.joined(separator: "/")
}

/// An archive whose extracted tree would hold more than `limit` bytes (links
/// counted as the bytes they stand for); found before the bytes are committed.
public struct ArchiveTooLarge: Error, CustomStringConvertible, Equatable, Sendable {
    /// The cap that was passed, in bytes.
    public let limit: Int
    /// Wraps the cap that was passed.
    public init(limit: Int) { self.limit = limit }
    /// A one-line description.
    public var description: String { "the extracted archive holds more than \(limit) bytes" }
}

extension Dictionary where Key == String, Value == [UInt8] {
    /// The bytes a tree stands for: its paths and its file contents.
    public var byteCount: Int {
        var total = 0
        for (path, data) in self { total &+= path.utf8.count &+ data.count }
        return total
    }
}

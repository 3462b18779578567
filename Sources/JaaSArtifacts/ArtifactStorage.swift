import Foundation
import NIOCore

/// What the storage server needs to answer for one stored artifact.
public struct StoredArtifact: Sendable, Equatable {
    /// The size in bytes.
    public var size: Int
    /// When it was written.
    public var lastModified: Date
    /// A quoted entity tag, e.g. `"5d41402abc4b2a76b9719d911017c592"`.
    public var etag: String
}

/// Where the operator keeps artifacts, at keys `<namespace>/<name>/<hex>.tar.gz`
/// (`--storage-backend local` or `s3`). Every replica reads; only the leader writes.
public protocol ArtifactStorage: Sendable {
    /// Stores `bytes` under `key`; a reader never sees half an artifact.
    func put(_ key: String, _ bytes: [UInt8]) async throws
    /// The artifact's metadata, or nil when absent.
    func info(_ key: String) async throws -> StoredArtifact?
    /// Passes the artifact's bytes (only `range` when given) to `sink` chunk by chunk,
    /// never holding the whole artifact; throws when it is absent.
    func read(_ key: String, range: Range<Int>?, into sink: (ByteBuffer) async throws -> Void) async throws
    /// The revision hexes stored for a snippet.
    func revisions(namespace: String, name: String) async throws -> [String]
    /// Removes one artifact (absent is fine).
    func delete(_ key: String) async throws
    /// Removes every artifact of a snippet.
    func deleteAll(namespace: String, name: String) async throws
}

extension ArtifactStorage {
    /// The whole artifact in memory, or nil when absent (for small artifacts and tests).
    public func readAll(_ key: String) async throws -> [UInt8]? {
        guard try await info(key) != nil else { return nil }
        let collected = Collected()
        try await read(key, range: nil) { collected.append($0) }
        return collected.bytes
    }
}

/// The storage-relative key of an artifact.
public func artifactKey(namespace: String, name: String, hex: String) -> String {
    "\(namespace)/\(name)/\(hex).tar.gz"
}

/// Bytes gathered from a `read` sink.
private final class Collected: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [UInt8] = []

    func append(_ buffer: ByteBuffer) {
        lock.withLock { storage += buffer.readableBytesView }
    }

    var bytes: [UInt8] { lock.withLock { storage } }
}

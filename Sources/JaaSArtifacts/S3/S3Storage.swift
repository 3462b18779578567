import Foundation
import JaaSArtifacts
import NIOCore

/// Artifacts in an S3 bucket at `<prefix><namespace>/<name>/<hex>.tar.gz`
/// (`--storage-backend s3`); PutObject is atomic, so readers never see half an artifact.
public struct S3Storage: ArtifactStorage {
    /// The client.
    public let client: S3Client
    /// `--s3-prefix`, empty or ending in `/`.
    public let prefix: String

    /// Creates one from the given values.
    public init(client: S3Client, prefix: String) {
        self.client = client
        self.prefix = prefix.isEmpty || prefix.hasSuffix("/") ? prefix : prefix + "/"
    }

    /// Stores `bytes` under `key`.
    public func put(_ key: String, _ bytes: [UInt8]) async throws {
        try await client.putObject(try object(key), bytes, contentType: "application/gzip")
    }

    /// The size, date and ETag of `key`, or nil when it is not stored.
    public func info(_ key: String) async throws -> StoredArtifact? {
        try await client.headObject(try object(key))
    }

    /// Streams the bytes of `key` (or its `range`) into `sink`.
    public func read(_ key: String, range: Range<Int>?, into sink: (ByteBuffer) async throws -> Void) async throws {
        try await client.getObject(try object(key), range: range, into: sink)
    }

    /// The revisions stored for the snippet `namespace/name`.
    public func revisions(namespace: String, name: String) async throws -> [String] {
        let dir = try object("\(namespace)/\(name)") + "/"
        return try await client.listObjects(prefix: dir).compactMap { summary in
            let file = summary.key.dropFirst(dir.count)
            guard file.hasSuffix(".tar.gz"), !file.contains("/") else { return nil }
            return String(file.dropLast(7))
        }.sorted()
    }

    /// Removes `key`.
    public func delete(_ key: String) async throws {
        try await client.deleteObject(try object(key))
    }

    /// Removes every revision of the snippet `namespace/name`.
    public func deleteAll(namespace: String, name: String) async throws {
        let dir = try object("\(namespace)/\(name)") + "/"
        for summary in try await client.listObjects(prefix: dir) {
            try await client.deleteObject(summary.key)
        }
    }

    /// The object key of a storage key (cleaned, so `..` cannot escape the prefix).
    private func object(_ key: String) throws -> String {
        prefix + (try cleanRelativePath(key))
    }
}

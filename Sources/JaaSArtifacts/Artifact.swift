import NIOCore

/// A rendered artifact ready to store and publish.
public struct Artifact: Sendable, Equatable {
    /// The deterministic `.tar.gz` bytes.
    public let tarball: [UInt8]
    /// `sha256:<hex>` of the content (the rendered JSON, or the sorted source files).
    public let revision: String
    /// `sha256:<hex>` of `tarball`.
    public let digest: String

    /// Packs `files`; `revision` defaults to a hash over the sorted files
    /// (path, NUL, size, NUL, bytes for each).
    public init(files: FileTree, revision: String? = nil) throws {
        tarball = try Gzip.compress(Tar.write(files))
        digest = ArtifactDigest(of: tarball).description
        self.revision = revision ?? Artifact.treeRevision(files)
    }

    /// `sha256:<hex>` over the sorted files of a tree.
    public static func treeRevision(_ files: FileTree) -> String {
        var bytes: [UInt8] = []
        for path in files.keys.sorted(by: { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }) {
            bytes += Array(path.utf8) + [0] + Array(String(files[path]!.count).utf8) + [0] + files[path]!
        }
        return ArtifactDigest(of: bytes).description
    }

    /// Unpacks a downloaded `.tar.gz` safely (see `Tar.read`).
    public static func extract(_ tarball: [UInt8], limits: Tar.Limits = Tar.Limits()) throws -> FileTree {
        try extract(buffer: ByteBuffer(bytes: tarball), limits: limits)
    }

    /// ``extract(_:limits:)`` from a downloaded buffer, which is let go once inflated.
    public static func extract(buffer tarball: consuming ByteBuffer, limits: Tar.Limits = Tar.Limits()) throws -> FileTree {
        // Headers and padding add at most a quarter on top of the content for any
        // sane archive; anything expanding further is refused while inflating.
        // (At most 2 GiB: an in-memory buffer's limit, far above any sane source.)
        let total = min(max(0, limits.maxTotalBytes), 1 << 30)
        let maxArchive = total + total / 4 + (1 << 20)
        return try Gzip.inflate(tarball, maxBytes: maxArchive) { try Tar.read(bytes: $0, limits: limits) }
    }
}

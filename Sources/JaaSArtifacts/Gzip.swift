import CompressNIO
import NIOCore

/// gzip for artifacts: deterministic compression (zlib's default header has no
/// timestamp) and capped decompression, so a gzip bomb fails instead of filling memory.
public enum Gzip {
    /// `bytes` gzip-compressed.
    public static func compress(_ bytes: [UInt8]) throws -> [UInt8] {
        var input = ByteBuffer(bytes: bytes)
        let output = try input.compress(with: .gzip())
        return Array(output.readableBytesView)
    }

    /// Calls `body` with the decompressed bytes, inflated into one buffer of at most
    /// `maxBytes` (memory is committed only as it is written, and nothing is copied);
    /// throws when they would exceed `maxBytes` or the stream is corrupt or truncated.
    public static func inflate<T>(_ bytes: [UInt8], maxBytes: Int,
                                  _ body: (UnsafeRawBufferPointer) throws -> T) throws -> T {
        try inflate(ByteBuffer(bytes: bytes), maxBytes: maxBytes, body)
    }

    /// ``inflate(_:maxBytes:_:)`` from a buffer, which is let go once it is inflated
    /// (pass it with `consume` so the compressed and the tree are never held together).
    public static func inflate<T>(_ compressed: consuming ByteBuffer, maxBytes: Int,
                                  _ body: (UnsafeRawBufferPointer) throws -> T) throws -> T {
        var input = compressed
        var output = ByteBufferAllocator().buffer(capacity: max(0, maxBytes))
        do {
            defer { input = ByteBuffer() }
            try input.decompress(to: &output, with: .gzip())
        } catch {
            throw inflateError(error, maxBytes: maxBytes)
        }
        guard output.readableBytes <= maxBytes else {
            throw ArtifactError("archive expands beyond \(maxBytes) bytes (possible gzip bomb)")
        }
        return try output.withUnsafeReadableBytes(body)
    }

    /// What a failed decompression means: a stream expanding past `maxBytes`, a
    /// truncated stream or a corrupt one.
    private static func inflateError(_ error: any Error, maxBytes: Int) -> ArtifactError {
        let compressError = error as? CompressNIOError
        if compressError == .bufferOverflow {
            return ArtifactError("archive expands beyond \(maxBytes) bytes (possible gzip bomb)")
        }
        if compressError == .unfinished || compressError == .inputBufferOverflow {
            return ArtifactError("truncated gzip stream")
        }
        return ArtifactError("corrupt gzip stream (\(error))")
    }
}

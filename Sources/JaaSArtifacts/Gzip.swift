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

    /// The decompressed bytes; throws when they would exceed `maxBytes` or the stream is corrupt or truncated.
    public static func decompress(_ bytes: [UInt8], maxBytes: Int) throws -> [UInt8] {
        var input = ByteBuffer(bytes: bytes)
        do {
            let output = try input.decompress(with: .gzip(), maxSize: maxBytes)
            return Array(output.readableBytesView)
        } catch let e as CompressNIOError where e == .bufferOverflow {
            throw ArtifactError("archive expands beyond \(maxBytes) bytes (possible gzip bomb)")
        } catch let e as CompressNIOError where e == .unfinished || e == .inputBufferOverflow {
            throw ArtifactError("truncated gzip stream")
        } catch {
            throw ArtifactError("corrupt gzip stream (\(error))")
        }
    }
}

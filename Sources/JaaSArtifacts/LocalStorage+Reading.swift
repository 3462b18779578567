#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import NIOCore

extension LocalStorage {
    /// Size, modification time and an entity tag made of both, or nil when absent.
    public func info(_ key: String) throws -> StoredArtifact? {
        var st = stat()
        guard stat(try absolute(key), &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
        let seconds = Int(st.st_mtim.tv_sec), nanos = Int(st.st_mtim.tv_nsec)
        return StoredArtifact(size: Int(st.st_size),
                              lastModified: Date(timeIntervalSince1970: Double(seconds) + Double(nanos) / 1e9),
                              etag: "\"\(String(Int(st.st_size), radix: 16))-\(String(seconds, radix: 16))-\(String(nanos, radix: 16))\"")
    }

    /// Streams the file (or `range` of it) in 64 KiB chunks.
    public func read(_ key: String, range: Range<Int>?, into sink: (ByteBuffer) async throws -> Void) async throws {
        let path = try absolute(key)
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ArtifactError("cannot open \(key): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var offset = range?.lowerBound ?? 0
        let end = range?.upperBound ?? Int.max
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while offset < end {
            let want = min(chunk.count, end - offset)
            let n = chunk.withUnsafeMutableBytes { pread(fd, $0.baseAddress!, want, off_t(offset)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw ArtifactError("cannot read \(key): \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            try await sink(ByteBuffer(bytes: chunk[0..<n]))
            offset += n
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Artifacts on local disk under `root`, at `<namespace>/<name>/<hex>.tar.gz`.
///
/// Writes are atomic (a `.tmp` file in the same directory, fsync, rename), so
/// a reader never sees half an artifact and a full disk never leaves a broken
/// one; leftover `.tmp` files from a crash are removed by `sweepTemporaryFiles`.
public struct LocalStorage: ArtifactStorage {
    /// The root.
    public let root: String

    /// Creates one from the given values.
    public init(root: String) throws {
        self.root = root
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }

    /// The storage-relative path of an artifact.
    public static func key(namespace: String, name: String, hex: String) -> String {
        artifactKey(namespace: namespace, name: name, hex: hex)
    }

    /// Stores `bytes` under `key` atomically; an existing identical artifact is kept.
    public func put(_ key: String, _ bytes: [UInt8]) throws {
        let path = try absolute(key)
        let dir = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let tmp = "\(dir)/.\((path as NSString).lastPathComponent).\(UInt64.random(in: 0...UInt64.max)).tmp"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ArtifactError("cannot create \(tmp): \(String(cString: strerror(errno)))") }
        var ok = false
        defer {
            if !ok { unlink(tmp) }
        }
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + written, bytes.count - written) }
            if n < 0 {
                if errno == EINTR { continue }
                let message = String(cString: strerror(errno))
                close(fd)
                throw ArtifactError("cannot write \(key): \(message)")
            }
            written += n
        }
        if fsync(fd) != 0 {
            let message = String(cString: strerror(errno))
            close(fd)
            throw ArtifactError("cannot write \(key): \(message)")
        }
        close(fd)
        guard rename(tmp, path) == 0 else {
            throw ArtifactError("cannot store \(key): \(String(cString: strerror(errno)))")
        }
        ok = true
    }

    /// The artifact's bytes, or nil when absent.
    public func get(_ key: String) throws -> [UInt8]? {
        let path = try absolute(key)
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return [UInt8](data)
    }

    /// The revision hexes stored for a snippet.
    public func revisions(namespace: String, name: String) -> [String] {
        let dir = "\(root)/\(namespace)/\(name)"
        let files = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        return files.filter { $0.hasSuffix(".tar.gz") && !$0.hasPrefix(".") }.map { String($0.dropLast(7)) }.sorted()
    }

    /// Removes one artifact (absent is fine).
    public func delete(_ key: String) throws {
        let path = try absolute(key)
        if unlink(path) != 0 && errno != ENOENT {
            throw ArtifactError("cannot delete \(key): \(String(cString: strerror(errno)))")
        }
    }

    /// Removes every artifact of a snippet and its directory.
    public func deleteAll(namespace: String, name: String) throws {
        let dir = "\(root)/\(namespace)/\(name)"
        if FileManager.default.fileExists(atPath: dir) { try FileManager.default.removeItem(atPath: dir) }
    }

    /// Deletes `.tmp` files older than `maxAge` seconds; returns how many. `onFailure`
    /// is called with the storage-relative path of each stale one that stays.
    @discardableResult
    public func sweepTemporaryFiles(olderThan maxAge: Double, now: Date = Date(),
                                    onFailure: (String) -> Void = { _ in }) -> Int {
        var removed = 0
        guard let walker = FileManager.default.enumerator(atPath: root) else { return 0 }
        while let rel = walker.nextObject() as? String {
            guard rel.hasSuffix(".tmp") else { continue }
            let path = "\(root)/\(rel)"
            let attrs = try? FileManager.default.attributesOfItem(atPath: path)
            if let modified = attrs?[.modificationDate] as? Date, now.timeIntervalSince(modified) >= maxAge {
                if unlink(path) == 0 { removed += 1 } else if errno != ENOENT { onFailure(rel) }
            }
        }
        return removed
    }

    func absolute(_ key: String) throws -> String {
        "\(root)/\(try cleanRelativePath(key))"
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What `stat(2)` says about a file, enough to notice any change to its bytes:
/// replacing the file changes the device or inode, writing to it changes the size,
/// the modification time or (even when the mtime is set back) the change time.
public struct FileStamp: Sendable, Hashable {
    /// The device holding the file.
    public let device: UInt64
    /// The file's inode number.
    public let inode: UInt64
    /// The size in bytes.
    public let size: Int64
    /// The modification time, nanoseconds since the epoch.
    public let modifiedNanoseconds: Int64
    /// The status change time, nanoseconds since the epoch.
    public let changedNanoseconds: Int64

    /// The stamp of the file at `path` (following symbolic links), or nil when it
    /// cannot be stat'ed.
    public static func of(path: String) -> FileStamp? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return FileStamp(st)
    }

    /// Whether the file was modified or changed less than `window` before `now`:
    /// a later write within the file system's timestamp granularity could then leave
    /// the stamp unchanged, so such a file cannot vouch for its content.
    public func isRacy(now: WallClockNanoseconds, window: Duration) -> Bool {
        let windowNanoseconds = window.components.seconds * 1_000_000_000
            + window.components.attoseconds / 1_000_000_000
        let newest = max(modifiedNanoseconds, changedNanoseconds)
        return newest > now.value - windowNanoseconds
    }

    init(device: UInt64, inode: UInt64, size: Int64, modifiedNanoseconds: Int64, changedNanoseconds: Int64) {
        self.device = device
        self.inode = inode
        self.size = size
        self.modifiedNanoseconds = modifiedNanoseconds
        self.changedNanoseconds = changedNanoseconds
    }

    init(_ st: stat) {
        device = UInt64(st.st_dev)
        inode = UInt64(st.st_ino)
        size = Int64(st.st_size)
        #if canImport(Darwin)
        modifiedNanoseconds = Int64(st.st_mtimespec.tv_sec) * 1_000_000_000 + Int64(st.st_mtimespec.tv_nsec)
        changedNanoseconds = Int64(st.st_ctimespec.tv_sec) * 1_000_000_000 + Int64(st.st_ctimespec.tv_nsec)
        #else
        modifiedNanoseconds = Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec)
        changedNanoseconds = Int64(st.st_ctim.tv_sec) * 1_000_000_000 + Int64(st.st_ctim.tv_nsec)
        #endif
    }
}

/// A point in wall-clock time (`CLOCK_REALTIME`), comparable with file timestamps.
public struct WallClockNanoseconds: Sendable, Hashable, Comparable {
    /// Nanoseconds since the epoch.
    public let value: Int64

    /// Wraps a number of nanoseconds since the epoch.
    public init(_ value: Int64) { self.value = value }

    /// The current wall-clock time.
    public static func now() -> WallClockNanoseconds {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return WallClockNanoseconds(Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec))
    }

    /// Orders by the underlying value.
    public static func < (a: WallClockNanoseconds, b: WallClockNanoseconds) -> Bool { a.value < b.value }
}

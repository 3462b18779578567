#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file an import resolved to: the canonical path (the cache key and the name
/// in diagnostics) and its bytes.
public struct ImportedFile: Sendable {
    /// The path.
    public let path: String
    /// The contents.
    public let contents: [UInt8]

    /// Creates one from the given values.
    public init(path: String, contents: [UInt8]) {
        self.path = path
        self.contents = contents
    }
}

/// Resolves import strings to files.
public protocol Importer: Sendable {
    /// The file `path` refers to when imported from `importingFile` (the name of
    /// the importing file, `""` for snippets given on the command line), or nil
    /// when nothing matches. Throw for I/O errors other than "not found".
    func resolve(_ path: String, from importingFile: String) throws -> ImportedFile?
}

/// An importer with no files: every import fails.
public struct NoImporter: Importer {
    /// Creates one with the defaults.
    public init() {}
    /// The file `path` names when imported from `importingFile`, or nil when there is none.
    public func resolve(_ path: String, from importingFile: String) throws -> ImportedFile? { nil }
}

/// An error an importer throws for a file that exists but cannot be read.
public struct ImportReadError: Error, Sendable {
    /// The message.
    public let message: String
    /// Wraps the given value.
    public init(_ message: String) { self.message = message }
}

/// go-jsonnet's file importer: relative to the importing file's directory, then
/// each library path, the right-most (last) one first.
///
/// Each path it tries is opened once and `fstat`ed through the open descriptor;
/// `observer` (if any) is told what was found there — `nil` when nothing could be
/// opened — so a caller can record exactly which files a render depended on.
public struct FileSystemImporter: Importer {
    /// Library search directories in command-line order (`-J a -J b` searches `b` first).
    public let libraryPaths: [String]
    /// Called with every path tried and its status (nil: absent), before it is read.
    public let observer: (@Sendable (String, stat?) -> Void)?

    /// Creates one from the given values.
    public init(libraryPaths: [String], observer: (@Sendable (String, stat?) -> Void)? = nil) {
        self.libraryPaths = libraryPaths
        self.observer = observer
    }

    /// The file `path` names when imported from `importingFile`, or nil when there is none.
    public func resolve(_ path: String, from importingFile: String) throws -> ImportedFile? {
        if path.hasPrefix("/") { return try read(path) }
        if let f = try read(importPath(path, relativeTo: importingFile)) { return f }
        for lib in libraryPaths.reversed() {
            if let f = try read(joinPath(lib, path)) { return f }
        }
        return nil
    }

    /// Reads `path` as an import would (telling the observer); nil when it cannot be opened.
    public func read(_ path: String) throws -> ImportedFile? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            observer?(path, nil)
            return nil
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            observer?(path, nil)
            return nil
        }
        observer?(path, st)
        if (st.st_mode & S_IFMT) == S_IFDIR {
            throw ImportReadError("read \(path): is a directory")
        }
        guard let bytes = readAll(fd) else { throw ImportReadError("read \(path): I/O error") }
        return ImportedFile(path: path, contents: bytes)
    }

    private func readAll(_ fd: Int32) -> [UInt8]? {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { systemRead(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if n == 0 { return bytes }
            bytes.append(contentsOf: chunk[0..<n])
        }
    }
}

#if canImport(Glibc)
private let systemRead = Glibc.read
#elseif canImport(Darwin)
private let systemRead = Darwin.read
#endif

/// The path an import of `path` from `importingFile` names before any library
/// search: `path` joined to the importing file's directory (see ``joinPath(_:_:)``).
public func importPath(_ path: String, relativeTo importingFile: String) -> String {
    guard let slash = importingFile.lastIndex(of: "/") else { return joinPath("", path) }
    return joinPath(String(importingFile[...slash]), path)
}

/// `path` under `directory`, cleaned like Go's `filepath.Join`, as go-jsonnet names
/// imported files (`a/./b` → `a/b`, `a/../b` → `b`; an empty result is `.`).
public func joinPath(_ directory: String, _ path: String) -> String {
    let joined = directory.isEmpty ? path : (directory.hasSuffix("/") ? directory + path : directory + "/" + path)
    let clean = normalizePath(joined)
    return clean.isEmpty ? "." : clean
}

/// Reads a whole file, or nil when it cannot be opened.
public func readFileBytes(_ path: String) -> [UInt8]? {
    guard let f = fopen(path, "rb") else { return nil }
    defer { fclose(f) }
    // A regular file is read in one piece of its size (no growing buffer); what
    // follows (a file that grew meanwhile, a pipe) in chunks.
    var info = stat()
    let size = fstat(fileno(f), &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG ? Int(info.st_size) : 0
    var out = [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
        count = size > 0 ? fread(buffer.baseAddress, 1, size, f) : 0
    }
    if out.count == size, case let next = fgetc(f), next != EOF {
        out.append(UInt8(truncatingIfNeeded: next))
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = fread(&chunk, 1, chunk.count, f)
            if n > 0 { out.append(contentsOf: chunk[0..<n]) }
            if n < chunk.count { break }
        }
    }
    if ferror(f) != 0 { return nil }
    return out
}

/// An importer over an in-memory file tree (path → bytes), resolving relative to
/// the importing file's directory and then each search root in order.
public struct MemoryImporter: Importer {
    /// The files.
    public let files: [String: [UInt8]]
    /// The search roots.
    public let searchRoots: [String]

    /// Creates one from the given values.
    public init(files: [String: [UInt8]], searchRoots: [String] = []) {
        self.files = files
        self.searchRoots = searchRoots
    }

    /// The file `path` names when imported from `importingFile`, or nil when there is none.
    public func resolve(_ path: String, from importingFile: String) throws -> ImportedFile? {
        let candidates = [importPath(path, relativeTo: importingFile)] + searchRoots.map { joinPath($0, path) }
        for c in candidates {
            if let bytes = files[c] { return ImportedFile(path: c, contents: bytes) }
        }
        return nil
    }
}

/// Collapses `.` and `..` segments and duplicate slashes (`a/./b/../c` → `a/c`).
public func normalizePath(_ path: String) -> String {
    var parts: [Substring] = []
    for part in path.split(separator: "/", omittingEmptySubsequences: true) {
        if part == "." { continue }
        if part == "..", let last = parts.last, last != ".." {
            parts.removeLast()
            continue
        }
        parts.append(part)
    }
    let joined = parts.joined(separator: "/")
    return path.hasPrefix("/") ? "/" + joined : joined
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file an import resolved to: the canonical path (the cache key and the name
/// in diagnostics) and its bytes.
public struct ImportedFile: Sendable {
    public let path: String
    public let contents: [UInt8]

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
    public init() {}
    public func resolve(_ path: String, from importingFile: String) throws -> ImportedFile? { nil }
}

/// An error an importer throws for a file that exists but cannot be read.
public struct ImportReadError: Error, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
}

/// go-jsonnet's file importer: relative to the importing file's directory, then
/// each library path, the right-most (last) one first.
public struct FileSystemImporter: Importer {
    /// Library search directories in command-line order (`-J a -J b` searches `b` first).
    public let libraryPaths: [String]

    public init(libraryPaths: [String]) {
        self.libraryPaths = libraryPaths
    }

    public func resolve(_ path: String, from importingFile: String) throws -> ImportedFile? {
        if path.hasPrefix("/") { return try read(path) }
        let dir = directory(of: importingFile)
        if let f = try read(join(dir, path)) { return f }
        for lib in libraryPaths.reversed() {
            if let f = try read(join(lib, path)) { return f }
        }
        return nil
    }

    private func directory(of file: String) -> String {
        guard let slash = file.lastIndex(of: "/") else { return "" }
        return String(file[...slash])
    }

    /// Joins and cleans like Go's `filepath.Join`, so diagnostics name `a/b`, not `a/./b`.
    private func join(_ dir: String, _ path: String) -> String {
        let joined = dir.isEmpty ? path : (dir.hasSuffix("/") ? dir + path : dir + "/" + path)
        let clean = normalizePath(joined)
        return clean.isEmpty ? "." : clean
    }

    private func read(_ path: String) throws -> ImportedFile? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        if (st.st_mode & S_IFMT) == S_IFDIR {
            throw ImportReadError("read \(path): is a directory")
        }
        guard let bytes = readFileBytes(path) else { return nil }
        return ImportedFile(path: path, contents: bytes)
    }
}

/// Reads a whole file, or nil when it cannot be opened.
public func readFileBytes(_ path: String) -> [UInt8]? {
    guard let f = fopen(path, "rb") else { return nil }
    defer { fclose(f) }
    var out: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = fread(&chunk, 1, chunk.count, f)
        if n > 0 { out.append(contentsOf: chunk[0..<n]) }
        if n < chunk.count { break }
    }
    if ferror(f) != 0 { return nil }
    return out
}

/// An importer over an in-memory file tree (path → bytes), resolving relative to
/// the importing file's directory and then each search root in order.
public struct MemoryImporter: Importer {
    public let files: [String: [UInt8]]
    public let searchRoots: [String]

    public init(files: [String: [UInt8]], searchRoots: [String] = []) {
        self.files = files
        self.searchRoots = searchRoots
    }

    public func resolve(_ path: String, from importingFile: String) throws -> ImportedFile? {
        var candidates: [String] = []
        if let slash = importingFile.lastIndex(of: "/") {
            candidates.append(normalizePath(String(importingFile[...slash]) + path))
        } else {
            candidates.append(normalizePath(path))
        }
        for root in searchRoots { candidates.append(normalizePath(root + "/" + path)) }
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

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Jsonnet

/// Maps a requested snippet name to a file, confined to the configured roots.
///
/// First the `--snippet` files, matched by exact name; then `<name>/main.jsonnet`
/// under each `--snippet-directory` in order. A directory match must be a regular
/// file whose real path (all symbolic links resolved) lies inside the directory's
/// real path, and the name must be relative with no empty, `.` or `..` segment, so
/// neither traversal nor a symlink can reach a file outside a root.
public struct SnippetResolver: Sendable {
    /// A resolved snippet.
    public struct Snippet: Sendable, Equatable {
        /// The real path of the file to read.
        public let entryPath: String
        /// The path as configured, used in diagnostics and for relative imports.
        public let fileName: String
    }

    /// A configured root that cannot serve snippets.
    public struct InvalidRoot: Error, Sendable, CustomStringConvertible {
        /// What is wrong, naming the path.
        public let description: String
    }

    private let files: [String: String]
    /// Each directory as configured (with a trailing slash) and its real path.
    private let directories: [(prefix: String, realPath: String)]

    /// A resolver over `snippetFiles` (each served under its own normalized path) and
    /// `snippetDirectories`; throws when a file or directory does not exist.
    public init(snippetFiles: [String], snippetDirectories: [String]) throws(InvalidRoot) {
        var files: [String: String] = [:]
        for file in snippetFiles {
            guard FileKind.of(file) == .regular else {
                throw InvalidRoot(description: "--snippet \(file): not a readable file")
            }
            let name = Self.requestName(forFile: file)
            if files[name] == nil { files[name] = file }
        }
        var directories: [(String, String)] = []
        for directory in snippetDirectories {
            guard FileKind.of(directory) == .directory, let real = realPath(directory) else {
                throw InvalidRoot(description: "--snippet-directory \(directory): not a directory")
            }
            directories.append((directory.hasSuffix("/") ? directory : directory + "/", real))
        }
        self.files = files
        self.directories = directories
    }

    /// The name a `--snippet` file is served under: its path without `.` segments,
    /// duplicate or leading slashes.
    public static func requestName(forFile file: String) -> String {
        String(normalizePath(file).drop { $0 == "/" })
    }

    /// The snippet `name` (already percent-decoded) refers to, or nil.
    public func resolve(_ name: String) -> Snippet? {
        if let file = files[name] { return Snippet(entryPath: file, fileName: file) }
        guard Self.isConfinedName(name) else { return nil }
        for directory in directories {
            guard let entryPath = Self.confinedFile(name + "/main.jsonnet", under: directory.realPath) else { continue }
            return Snippet(entryPath: entryPath, fileName: directory.prefix + name + "/main.jsonnet")
        }
        return nil
    }

    /// The names this resolver serves, sorted: every `--snippet` file, then each
    /// directory under a `--snippet-directory` (up to `maxDepth` levels deep) holding
    /// a `main.jsonnet` that ``resolve(_:)`` accepts; at most `limit` names, the
    /// directories' entries read at most `maxEntriesRead` in all, so a huge tree
    /// cannot stall a listing.
    public func names(limit: Int = 1000, maxDepth: Int = 4, maxEntriesRead: Int = 20_000) -> [String] {
        var found = Set(files.keys)
        var budget = maxEntriesRead
        func walk(_ relative: String, in directory: (prefix: String, realPath: String), depth: Int) {
            guard depth <= maxDepth, found.count < limit, budget > 0 else { return }
            let path = relative.isEmpty ? directory.realPath : directory.realPath + "/" + relative
            guard let handle = opendir(path) else { return }
            defer { closedir(handle) }
            var children: [String] = []
            while budget > 0, let entry = readdir(handle) {
                budget -= 1
                let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
                }
                if name == "." || name == ".." || name.hasPrefix(".") { continue }
                children.append(name)
            }
            for child in children.sorted() where found.count < limit {
                let name = relative.isEmpty ? child : relative + "/" + child
                // Symbolic links to directories are not followed, so the walk stays under the root.
                var st = stat()
                guard lstat(directory.realPath + "/" + name, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR else { continue }
                if resolve(name) != nil { found.insert(name) }
                walk(name, in: directory, depth: depth + 1)
            }
        }
        for directory in directories { walk("", in: directory, depth: 1) }
        return found.sorted()
    }

    /// The real path of the regular file `relative` names under `root` (a real path),
    /// or nil when it does not exist or resolves outside `root`. Walks the components
    /// with `lstat`; only when one is a symbolic link is the whole path resolved with
    /// `realpath` and checked against the root.
    private static func confinedFile(_ relative: String, under root: String) -> String? {
        var path = root == "/" ? "" : root
        var st = stat()
        for component in relative.split(separator: "/") {
            path += "/" + component
            guard lstat(path, &st) == 0 else { return nil }
            if (st.st_mode & S_IFMT) == S_IFLNK {
                guard let real = realPath(root + "/" + relative), isInside(real, root: root),
                      FileKind.of(real) == .regular else { return nil }
                return real
            }
        }
        return (st.st_mode & S_IFMT) == S_IFREG ? path : nil
    }

    /// Whether `name` is a relative path without empty, `.` or `..` segments or NUL bytes.
    static func isConfinedName(_ name: String) -> Bool {
        var segmentLength = 0
        var segmentIsDots = true
        for byte in name.utf8 {
            if byte == 0 { return false }
            if byte == UInt8(ascii: "/") {
                if segmentLength == 0 || (segmentIsDots && segmentLength <= 2) { return false }
                segmentLength = 0
                segmentIsDots = true
            } else {
                segmentLength += 1
                segmentIsDots = segmentIsDots && byte == UInt8(ascii: ".")
            }
        }
        return segmentLength > 0 && !(segmentIsDots && segmentLength <= 2)
    }

    private static func isInside(_ path: String, root: String) -> Bool {
        root == "/" ? path.hasPrefix("/") : path.hasPrefix(root + "/")
    }
}

/// The kind of file at a path (following symbolic links).
enum FileKind: Equatable {
    case regular, directory, other, missing

    static func of(_ path: String) -> FileKind {
        var st = stat()
        guard stat(path, &st) == 0 else { return .missing }
        switch st.st_mode & S_IFMT {
        case S_IFREG: return .regular
        case S_IFDIR: return .directory
        default: return .other
        }
    }
}

/// The canonical absolute path of `path` with every symbolic link resolved, or nil
/// when some component does not exist.
func realPath(_ path: String) -> String? {
    guard let resolved = realpath(path, nil) else { return nil }
    defer { free(resolved) }
    return String(cString: resolved)
}

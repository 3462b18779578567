import Jsonnet

/// The import namespace of an operator snippet (docs/operator/sources.md, "Libraries"): its own tree, and
/// library trees under aliases (`spec.libraries` import paths and the top-level
/// directories of `--library-path`). An import string resolves, in order:
/// (1) relative to the importing file, (2) a bare alias to that library's
/// `main.libsonnet`, (3) `alias/file` to `file` inside that alias, (4) a
/// JPATH-style search over the snippet's tree and then every library tree (so
/// jb-vendored `github.com/...` paths resolve).
///
/// Library files are named `<alias>//<path>` in diagnostics; a clean snippet
/// path never contains `//`, so the two cannot be confused.
public struct LibraryImporter: Importer {
    /// The snippet.
    public let snippet: [String: [UInt8]]
    /// The libraries.
    public let libraries: [String: [String: [UInt8]]]
    private let aliasOrder: [String]

    /// The namespace of a snippet whose files are `snippet`, with `libraries` by alias.
    public init(snippet: [String: [UInt8]], libraries: [String: [String: [UInt8]]]) {
        self.snippet = snippet
        self.libraries = libraries
        self.aliasOrder = libraries.keys.sorted()
    }

    /// The file `path` names when imported from `importingFile`, or nil when there is none.
    public func resolve(_ path: String, from importingFile: String) throws -> ImportedFile? {
        if path.hasPrefix("/") { return nil }
        // (1) Relative to the importing file, inside the tree it belongs to.
        let (alias, inner) = Self.split(importingFile)
        let relative = importPath(path, relativeTo: inner)
        if !relative.hasPrefix("..") {
            if let alias, let bytes = libraries[alias]?[relative] { return file(alias, relative, bytes) }
            if alias == nil, let bytes = snippet[relative] { return file(nil, relative, bytes) }
        }
        let clean = normalizePath(path)
        if clean.hasPrefix("..") { return nil }
        // (2) A bare alias, (3) alias/file.
        if let tree = libraries[clean], let bytes = tree["main.libsonnet"] { return file(clean, "main.libsonnet", bytes) }
        if let slash = clean.firstIndex(of: "/") {
            let head = String(clean[..<slash])
            let rest = String(clean[clean.index(after: slash)...])
            if let bytes = libraries[head]?[rest] { return file(head, rest, bytes) }
        }
        // (4) Search the snippet's tree, then every library tree.
        if let bytes = snippet[clean] { return file(nil, clean, bytes) }
        for a in aliasOrder {
            if let bytes = libraries[a]?[clean] { return file(a, clean, bytes) }
        }
        return nil
    }

    private func file(_ alias: String?, _ path: String, _ bytes: [UInt8]) -> ImportedFile {
        ImportedFile(path: alias.map { "\($0)//\(path)" } ?? path, contents: bytes)
    }

    private static func split(_ name: String) -> (String?, String) {
        let bytes = Array(name.utf8)
        guard let at = bytes.indices.dropLast().first(where: { bytes[$0] == 0x2F && bytes[$0 + 1] == 0x2F }) else {
            return (nil, name)
        }
        return (String(decoding: bytes[..<at], as: UTF8.self), String(decoding: bytes[(at + 2)...], as: UTF8.self))
    }
}

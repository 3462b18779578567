import Foundation

/// Every top-level directory of each `--library-path`, read into memory as an
/// alias (docs/operator/sources.md, "Libraries"); a later path wins for the same alias.
public func loadLibraryAliases(_ paths: [String]) throws -> [String: FileTree] {
    var aliases: [String: FileTree] = [:]
    let fm = FileManager.default
    for root in paths {
        for alias in try fm.contentsOfDirectory(atPath: root).sorted() where !alias.hasPrefix(".") {
            var isDir: ObjCBool = false
            let dir = "\(root)/\(alias)"
            guard fm.fileExists(atPath: dir, isDirectory: &isDir), isDir.boolValue else { continue }
            var tree = FileTree()
            for case let rel as String in fm.enumerator(atPath: dir) ?? NSEnumerator() {
                var isSub: ObjCBool = false
                guard fm.fileExists(atPath: "\(dir)/\(rel)", isDirectory: &isSub), !isSub.boolValue,
                      let data = fm.contents(atPath: "\(dir)/\(rel)"), let clean = try? cleanRelativePath(rel) else { continue }
                tree[clean] = [UInt8](data)
            }
            aliases[alias] = tree
        }
    }
    return aliases
}

/// Deterministic tar archives (POSIX ustar, with PAX records for long names):
/// the same files always give the same bytes, whatever the order they came in,
/// the clock or the user running the writer.
public enum Tar {
    /// Limits that keep hostile archives from exhausting memory.
    public struct Limits: Sendable {
        /// Entries of any kind (headers), links and directories included.
        public var maxEntries: Int
        /// Bytes of one regular file.
        public var maxEntryBytes: Int
        /// Bytes of the whole extracted tree, every link counted as a copy of its target.
        public var maxTotalBytes: Int

        /// Creates one from the given values.
        public init(maxEntries: Int = 100_000, maxEntryBytes: Int = 64 << 20, maxTotalBytes: Int = 256 << 20) {
            self.maxEntries = maxEntries
            self.maxEntryBytes = maxEntryBytes
            self.maxTotalBytes = maxTotalBytes
        }
    }

    /// The longest entry name read (PATH_MAX on Linux).
    public static let maxPathBytes = 4096

    /// The archive of `files`: entries sorted by path, mode 0644, owner 0:0,
    /// mtime 0, no directory entries.
    public static func write(_ files: FileTree) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(files.values.reduce(0) { $0 + $1.count + 1024 } + 1024)
        for path in files.keys.sorted(by: { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }) {
            let data = files[path]!
            var name = Array(path.utf8)
            if name.count > 100 {
                let record = paxRecord("path", path)
                out += header(name: Array("PaxHeader/entry".utf8), size: record.count, type: UInt8(ascii: "x"))
                out += record
                pad(&out)
                name = Array(name.suffix(100))
            }
            out += header(name: name, size: data.count, type: UInt8(ascii: "0"))
            out += data
            pad(&out)
        }
        out += [UInt8](repeating: 0, count: 1024)
        return out
    }

    /// The regular files of `archive`. Rejects absolute paths, `..`, links
    /// (symbolic or hard) that point outside the tree, device files, and
    /// archives beyond `limits`; links inside the tree become copies of their
    /// target and count against `maxTotalBytes` as the bytes they stand for
    /// (``ArchiveTooLarge`` past it). Directory entries are skipped.
    public static func read(_ archive: [UInt8], limits: Limits = Limits()) throws -> FileTree {
        try read(bytes: archive, limits: limits)
    }

    /// ``read(_:limits:)`` over any contiguous bytes (an inflated buffer is read in
    /// place, without a copy of the whole archive).
    static func read<Bytes: RandomAccessCollection<UInt8>>(bytes archive: Bytes, limits: Limits) throws -> FileTree
    where Bytes.Index == Int {
        var files = FileTree()
        var links: [(path: String, target: String)] = []
        var offset = 0
        var total = 0
        var entries = 0
        var paxPath: String?
        var longName: String?
        while true {
            guard offset + 512 <= archive.count else {
                throw ArtifactError("truncated tar archive (header at byte \(offset) is incomplete)")
            }
            let h = Array(archive[offset..<offset + 512])
            if h.allSatisfy({ $0 == 0 }) { break }
            guard verifyChecksum(h) else { throw ArtifactError("corrupt tar header at byte \(offset) (bad checksum)") }
            let size = try octal(h[124..<136], what: "size")
            let type = h[156]
            let dataStart = offset + 512
            guard size >= 0, dataStart + size <= archive.count else {
                throw ArtifactError("truncated tar archive (entry at byte \(offset) needs \(size) bytes)")
            }
            let data = Array(archive[dataStart..<dataStart + size])
            offset = dataStart + (size + 511) / 512 * 512
            entries += 1
            if entries > limits.maxEntries { throw ArtifactError("tar archive has more than \(limits.maxEntries) entries") }
            switch type {
            case UInt8(ascii: "x"):
                paxPath = try parsePax(data)["path"] ?? paxPath
                continue
            case UInt8(ascii: "g"):
                continue
            case UInt8(ascii: "L"):
                longName = String(decoding: data.prefix { $0 != 0 }, as: UTF8.self)
                continue
            default:
                break
            }
            let rawName = paxPath ?? longName ?? headerName(h)
            paxPath = nil
            longName = nil
            // Long names come from PAX records or GNU entries of any size; a path no
            // file system would take is refused rather than carried as a key.
            guard rawName.utf8.count <= Tar.maxPathBytes else {
                throw ArtifactError("tar entry at byte \(offset) has a name of \(rawName.utf8.count) bytes, over \(Tar.maxPathBytes)")
            }
            switch type {
            case UInt8(ascii: "5"):
                _ = try cleanRelativePath(rawName.hasSuffix("/") ? rawName + "." : rawName + "/.")
                continue
            case UInt8(ascii: "0"), 0, UInt8(ascii: "7"):
                let path = try cleanRelativePath(rawName)
                if size > limits.maxEntryBytes {
                    throw ArtifactError("tar entry \"\(path)\" is \(size) bytes, over the \(limits.maxEntryBytes)-byte limit")
                }
                total += size
                if total > limits.maxTotalBytes { throw ArchiveTooLarge(limit: limits.maxTotalBytes) }
                files[path] = data
            case UInt8(ascii: "1"), UInt8(ascii: "2"):
                let path = try cleanRelativePath(rawName)
                let target = String(decoding: h[157..<257].prefix { $0 != 0 }, as: UTF8.self)
                let resolved: String
                do {
                    if type == UInt8(ascii: "1") {
                        resolved = try cleanRelativePath(target)
                    } else {
                        let dir = path.split(separator: "/").dropLast().joined(separator: "/")
                        resolved = try resolveLink(target, from: dir)
                    }
                } catch {
                    throw ArtifactError("tar entry \"\(path)\" links to \"\(target)\", outside the archive")
                }
                links.append((path, resolved))
            default:
                throw ArtifactError("tar entry \"\(rawName)\" has unsupported type \(Character(Unicode.Scalar(type)))")
            }
        }
        // Links inside the tree become copies (in archive order, so chains resolve).
        // A copy counts as the bytes it stands for: a million links to one large
        // file are a million large files to whoever reads the tree.
        for _ in 0..<2 {
            for link in links where files[link.path] == nil {
                guard let data = files[link.target] else { continue }
                total += data.count
                if total > limits.maxTotalBytes { throw ArchiveTooLarge(limit: limits.maxTotalBytes) }
                files[link.path] = data
            }
        }
        for link in links where files[link.path] == nil {
            throw ArtifactError("tar entry \"\(link.path)\" links to \"\(link.target)\", which is not a file in the archive")
        }
        return files
    }

    // MARK: Encoding

    private static func header(name: [UInt8], size: Int, type: UInt8) -> [UInt8] {
        var h = [UInt8](repeating: 0, count: 512)
        h.replaceSubrange(0..<min(100, name.count), with: name.prefix(100))
        put(&h, 100, octalField(0o644, width: 8))
        put(&h, 108, octalField(0, width: 8))
        put(&h, 116, octalField(0, width: 8))
        put(&h, 124, octalField(size, width: 12))
        put(&h, 136, octalField(0, width: 12))
        h[156] = type
        put(&h, 257, Array("ustar\0".utf8))
        put(&h, 263, Array("00".utf8))
        for i in 148..<156 { h[i] = UInt8(ascii: " ") }
        let sum = h.reduce(0) { $0 + Int($1) }
        put(&h, 148, octalField(sum, width: 7) + [UInt8(ascii: " ")])
        return h
    }

    private static func put(_ h: inout [UInt8], _ at: Int, _ bytes: [UInt8]) {
        h.replaceSubrange(at..<at + bytes.count, with: bytes)
    }

    /// `value` in octal, zero-padded to `width - 1` digits plus a NUL.
    private static func octalField(_ value: Int, width: Int) -> [UInt8] {
        let digits = Array(String(value, radix: 8).utf8)
        return [UInt8](repeating: UInt8(ascii: "0"), count: max(0, width - 1 - digits.count)) + digits + [0]
    }

    private static func paxRecord(_ key: String, _ value: String) -> [UInt8] {
        let body = " \(key)=\(value)\n"
        var length = body.utf8.count + 1
        while String(length).utf8.count + body.utf8.count != length { length += 1 }
        return Array("\(length)\(body)".utf8)
    }

    private static func pad(_ out: inout [UInt8]) {
        let r = out.count % 512
        if r != 0 { out += [UInt8](repeating: 0, count: 512 - r) }
    }

    // MARK: Decoding

    private static func verifyChecksum(_ h: [UInt8]) -> Bool {
        guard let stored = try? octal(h[148..<156], what: "checksum") else { return false }
        var sum = 0
        for (i, b) in h.enumerated() { sum += (148..<156).contains(i) ? 32 : Int(b) }
        return sum == stored
    }

    private static func octal(_ field: ArraySlice<UInt8>, what: String) throws -> Int {
        if let first = field.first, first & 0x80 != 0 {
            // GNU base-256 for large sizes.
            var v = 0
            for (i, b) in field.enumerated() {
                v = v << 8 | Int(i == 0 ? b & 0x7f : b)
                if v > 1 << 40 { throw ArtifactError("tar \(what) field too large") }
            }
            return v
        }
        var v = 0
        for b in field {
            if b == 0 || b == UInt8(ascii: " ") { if v > 0 { break } else { continue } }
            guard b >= UInt8(ascii: "0") && b <= UInt8(ascii: "7") else { throw ArtifactError("corrupt tar \(what) field") }
            v = v * 8 + Int(b - UInt8(ascii: "0"))
            if v > 1 << 40 { throw ArtifactError("tar \(what) field too large") }
        }
        return v
    }

    private static func headerName(_ h: [UInt8]) -> String {
        let name = String(decoding: h[0..<100].prefix { $0 != 0 }, as: UTF8.self)
        let isUstar = h[257..<262].elementsEqual("ustar".utf8)
        let prefix = isUstar ? String(decoding: h[345..<500].prefix { $0 != 0 }, as: UTF8.self) : ""
        return prefix.isEmpty ? name : prefix + "/" + name
    }

    /// The key/value records of a PAX extended header (`"<length> <key>=<value>\n"`
    /// each, the length counting the whole record); throws on a malformed record.
    private static func parsePax(_ data: [UInt8]) throws -> [String: String] {
        var out: [String: String] = [:]
        var i = 0
        while i < data.count {
            let corrupt = ArtifactError("corrupt PAX record at byte \(i) of an extended header")
            guard let space = data[i...].prefix(20).firstIndex(of: UInt8(ascii: " ")), space > i,
                  data[i..<space].allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
                  let length = Int(String(decoding: data[i..<space], as: UTF8.self)),
                  length > space - i + 1, length <= data.count - i, data[i + length - 1] == UInt8(ascii: "\n") else {
                throw corrupt
            }
            let record = data[(space + 1)..<(i + length - 1)]
            guard let eq = record.firstIndex(of: UInt8(ascii: "=")) else { throw corrupt }
            out[String(decoding: record[record.startIndex..<eq], as: UTF8.self)] =
                String(decoding: record[(eq + 1)...], as: UTF8.self)
            i += length
        }
        return out
    }

    /// A symlink target resolved against the link's directory, staying inside the tree.
    private static func resolveLink(_ target: String, from dir: String) throws -> String {
        if target.hasPrefix("/") { throw ArtifactError("absolute link") }
        var parts = dir.split(separator: "/").map(String.init)
        for part in target.split(separator: "/") {
            if part == "." { continue }
            if part == ".." {
                if parts.isEmpty { throw ArtifactError("link leaves the tree") }
                parts.removeLast()
            } else {
                parts.append(String(part))
            }
        }
        return try cleanRelativePath(parts.joined(separator: "/"))
    }
}

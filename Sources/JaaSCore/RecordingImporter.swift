#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Jsonnet
import Synchronization

/// go-jsonnet's file importer (relative to the importing file, then each library
/// path, the right-most first) that also records every path it looks at, so the
/// render's ``ImportClosure`` is known afterwards.
///
/// One instance serves one render: create it, read the entry file with
/// ``readEntry(_:)``, evaluate with it as the importer, then take ``closure``.
public final class RecordingImporter: Importer {
    /// Library search directories in command-line order (the last is searched first).
    public let libraryPaths: [String]
    private let observations = Mutex<(order: [String], byPath: [String: ImportClosure.Observation])>(([], [:]))

    /// An importer searching `libraryPaths` after the importing file's directory.
    public init(libraryPaths: [String]) {
        self.libraryPaths = libraryPaths
    }

    /// The bytes of the file to evaluate, recorded like an import; nil when it cannot be read.
    public func readEntry(_ path: String) -> [UInt8]? {
        try? read(path)?.contents
    }

    public func resolve(_ path: String, from importingFile: String) throws -> ImportedFile? {
        if path.hasPrefix("/") { return try read(path) }
        if let file = try read(join(directory(of: importingFile), path)) { return file }
        for library in libraryPaths.reversed() {
            if let file = try read(join(library, path)) { return file }
        }
        return nil
    }

    /// Everything observed so far, in order.
    public var closure: ImportClosure {
        observations.withLock { state in
            ImportClosure(dependencies: state.order.map { .init(path: $0, observation: state.byPath[$0]!) })
        }
    }

    private func record(_ path: String, _ observation: ImportClosure.Observation) {
        observations.withLock { state in
            guard state.byPath[path] == nil else { return }
            state.byPath[path] = observation
            state.order.append(path)
        }
    }

    /// Opens, stamps and reads `path`; the stamp comes from the open descriptor, so
    /// it describes the very file whose bytes were read.
    private func read(_ path: String) throws -> ImportedFile? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            record(path, .absent)
            return nil
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            record(path, .absent)
            return nil
        }
        record(path, .file(FileStamp(st)))
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

    private func directory(of file: String) -> String {
        guard let slash = file.lastIndex(of: "/") else { return "" }
        return String(file[...slash])
    }

    /// Joins and cleans like Go's `filepath.Join`, as go-jsonnet names imported files.
    private func join(_ directory: String, _ path: String) -> String {
        let joined = directory.isEmpty ? path : (directory.hasSuffix("/") ? directory + path : directory + "/" + path)
        let clean = normalizePath(joined)
        return clean.isEmpty ? "." : clean
    }
}

#if canImport(Glibc)
private let systemRead = Glibc.read
#elseif canImport(Darwin)
private let systemRead = Darwin.read
#endif

import Jsonnet
import Synchronization

/// go-jsonnet's file importer (``FileSystemImporter``) that also records every
/// path it looks at, so the render's ``ImportClosure`` is known afterwards.
///
/// One instance serves one render: create it, read the entry file with
/// ``readEntry(_:)``, evaluate with it as the importer, then take ``closure``.
public final class RecordingImporter: Importer {
    /// Library search directories in command-line order (the last is searched first).
    public var libraryPaths: [String] { files.libraryPaths }
    private let recorder: Recorder
    private let files: FileSystemImporter

    /// An importer searching `libraryPaths` after the importing file's directory.
    public init(libraryPaths: [String]) {
        let recorder = Recorder()
        self.recorder = recorder
        // The stamp comes from the descriptor the bytes are read through, so it
        // describes the very file whose bytes were read.
        files = FileSystemImporter(libraryPaths: libraryPaths) { path, st in
            recorder.record(path, st.map { .file(FileStamp($0)) } ?? .absent)
        }
    }

    /// The bytes of the file to evaluate, recorded like an import; nil when it cannot be read.
    public func readEntry(_ path: String) -> [UInt8]? {
        try? files.read(path)?.contents
    }

    /// The file `path` names when imported from `importingFile`, or nil when there is none.
    public func resolve(_ path: String, from importingFile: String) throws -> ImportedFile? {
        try files.resolve(path, from: importingFile)
    }

    /// Everything observed so far, in order.
    public var closure: ImportClosure { recorder.closure }
}

/// The observations of one render, first one per path wins.
private final class Recorder: Sendable {
    private let observations = Mutex<(order: [String], byPath: [String: ImportClosure.Observation])>(([], [:]))

    func record(_ path: String, _ observation: ImportClosure.Observation) {
        observations.withLock { state in
            guard state.byPath[path] == nil else { return }
            state.byPath[path] = observation
            state.order.append(path)
        }
    }

    var closure: ImportClosure {
        observations.withLock { state in
            ImportClosure(dependencies: state.order.map { .init(path: $0, observation: state.byPath[$0]!) })
        }
    }
}

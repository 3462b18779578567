import GoFormats

/// The artifact storage `--storage-backend` names: `local` (a directory, `path`,
/// made when missing) or `s3` (made by `s3`); the local storage is also returned on
/// its own, for the sweep of stale temporary files. Throws the ``GoFormats/FlagError``
/// of the first rule broken.
public func artifactStorage(backend: String, path: String?, s3: () throws(FlagError) -> S3Storage)
throws(FlagError) -> (storage: any ArtifactStorage, local: LocalStorage?) {
    switch backend {
    case "local":
        guard let path, !path.isEmpty else { throw FlagError("--storage-path: required with --enable-flux-integration") }
        do {
            let local = try LocalStorage(root: path)
            return (local, local)
        } catch {
            throw FlagError("--storage-path \(path): \(error)")
        }
    case "s3":
        return (try s3(), nil)
    default:
        throw FlagError("--storage-backend \(backend): must be local or s3")
    }
}

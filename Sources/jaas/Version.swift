/// What `jaas --version` prints. `scripts/build-image` and the Containerfile
/// replace the commit with the one the image is built from.
enum BuildInfo {
    /// The release version.
    static let version = "0.1.0"
    /// The source commit, or `unknown` for a build from a work tree.
    static let commit = "unknown"

    /// The `--version` text: `version:` and `commit:` lines, like the original's.
    static var text: String {
        "version: \(version)\ncommit: \(commit)"
    }
}

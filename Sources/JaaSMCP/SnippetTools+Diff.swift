import JaaSArtifacts
import JaaSOperatorAPI
import Kubernetes
import MCP

// `diff_revisions`: per-file unified diffs between two stored revisions.
extension SnippetTools {
    /// Bytes of one revision's artifact, compressed and unpacked, that a diff reads at most.
    static let maxDiffBytes = 32 << 20

    func diff(_ arguments: [String: Value]) async throws -> CallTool.Result {
        let allowed: Set<String> = ["namespace", "name", "from", "to"]
        let (namespace, name) = try Self.identity(arguments, allowed: allowed)
        var from = try Self.revision(arguments["from"], "from")
        var to = try Self.revision(arguments["to"], "to")
        if from == nil || to == nil {
            // The defaults come from the snippet's status.history (read as the caller).
            let snippet: KubeObject
            do {
                snippet = try await client.get(.jsonnetSnippets, namespace: namespace, name: name)
            } catch {
                return .failure("cannot get JsonnetSnippet \(namespace)/\(name): \(error)")
            }
            let history = (snippet[path: "status", "history"]?.arrayValue ?? []).compactMap { $0["revision"]?.stringValue }
            guard history.count >= 2 else {
                return .failure("\(namespace)/\(name) retains \(history.count) revision(s), a diff needs two: pass from and to, or raise spec.history")
            }
            to = try to ?? Self.revision(.string(history[0]), "status.history[0]")
            from = try from ?? Self.revision(.string(history[1]), "status.history[1]")
        }
        guard let from, let to else { return .failure("from and to: no revisions to compare") }
        do {
            guard try await callerMayRead(namespace, name) else {
                return .failure("forbidden: \(caller?.username ?? "the caller") may not get JsonnetSnippet \(namespace)/\(name), so its rendered output is not shown")
            }
        } catch {
            return .failure("cannot check access to JsonnetSnippet \(namespace)/\(name): \(error)")
        }
        let old: FileTree, new: FileTree
        do {
            old = try await files(namespace, name, from)
            new = try await files(namespace, name, to)
        } catch {
            return .failure(error.message)
        }
        var changed: [Value] = []
        var unchanged = 0
        var text = ""
        for path in Set(old.keys).union(new.keys).sorted() {
            let before = old[path], after = new[path]
            if before == after {
                unchanged += 1
                continue
            }
            let status = before == nil ? "added" : after == nil ? "removed" : "modified"
            let patch = LineDiff.unified(String(decoding: before ?? [], as: UTF8.self), String(decoding: after ?? [], as: UTF8.self),
                                         oldLabel: "\(path) (\(from.short))", newLabel: "\(path) (\(to.short))")
            changed.append(.object(["path": .string(path), "status": .string(status), "diff": .string(patch)]))
            text += patch
        }
        let summary = "\(namespace)/\(name) \(from.text) → \(to.text): \(changed.count) file(s) changed, \(unchanged) unchanged\n"
        let value: Value = .object([
            "namespace": .string(namespace), "name": .string(name), "from": .string(from.text), "to": .string(to.text),
            "files": .array(changed), "unchanged": .int(unchanged),
        ])
        return CallTool.Result(content: [.plain(summary + text)], structuredContent: .some(value), isError: false)
    }

    /// The files of one stored revision (at most ``maxDiffBytes`` of them); the
    /// error's message says why they cannot be read. The caller's access is not
    /// checked here: ask ``callerMayRead(_:_:)`` first.
    package func files(_ namespace: String, _ name: String, _ revision: Revision) async throws(ToolInputError) -> FileTree {
        let tarball = try await self.tarball(namespace, name, revision)
        let limits = Tar.Limits(maxEntries: 10_000, maxEntryBytes: Self.maxDiffBytes, maxTotalBytes: Self.maxDiffBytes)
        do {
            return try Artifact.extract(tarball, limits: limits)
        } catch {
            throw ToolInputError("cannot read revision \(revision.short) of \(namespace)/\(name): \(error)")
        }
    }

    /// The stored tarball of one revision (at most ``maxDiffBytes``); the error's
    /// message says why it cannot be read. The caller's access is not checked here.
    package func tarball(_ namespace: String, _ name: String, _ revision: Revision) async throws(ToolInputError) -> [UInt8] {
        let key = artifactKey(namespace: namespace, name: name, hex: revision.hex)
        let missing = ToolInputError("revision \(revision.short) of \(namespace)/\(name) is not in the artifact store (never published, or collected after leaving status.history)")
        do {
            guard let info = try await storage.info(key) else { throw missing }
            guard info.size <= Self.maxDiffBytes else {
                throw ToolInputError("revision \(revision.short) is \(info.size) bytes compressed, over the \(Self.maxDiffBytes)-byte limit")
            }
            guard let tarball = try await storage.readAll(key) else { throw missing }
            guard tarball.count <= Self.maxDiffBytes else {
                throw ToolInputError("revision \(revision.short) is \(tarball.count) bytes compressed, over the \(Self.maxDiffBytes)-byte limit")
            }
            return tarball
        } catch let error as ToolInputError {
            throw error
        } catch {
            throw ToolInputError("cannot read revision \(revision.short) of \(namespace)/\(name): \(error)")
        }
    }

    /// A revision as `status.history` writes it: `sha256:` and 64 lowercase hex digits.
    package struct Revision: Sendable, Hashable {
        /// The 64 lowercase hex digits.
        package let hex: String
        /// `sha256:<hex>`.
        package var text: String { "sha256:" + hex }
        /// The first 12 hex digits, for labels.
        package var short: String { String(hex.prefix(12)) }
    }

    /// An optional revision argument; anything but `sha256:<64 hex>` is refused.
    static func revision(_ value: Value?, _ field: String) throws(ToolInputError) -> Revision? {
        guard let value, !value.isNull else { return nil }
        guard let text = value.stringValue else { throw ToolInputError("\(field): must be a string") }
        return try revision(text: text, field)
    }

    /// A revision given as text (`sha256:<64 hex>` or the bare hex); nil when empty.
    package static func revision(text: String, _ field: String) throws(ToolInputError) -> Revision? {
        if text.isEmpty { return nil }
        let hex = text.hasPrefix("sha256:") ? text.dropFirst(7) : Substring(text)
        guard hex.utf8.count == 64, hex.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }) else {
            throw ToolInputError("\(field) \"\(text.prefix(80))\": not a revision (sha256: and 64 lowercase hex digits)")
        }
        return Revision(hex: String(hex))
    }
}

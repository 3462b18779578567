import Foundation
import JaaSArtifacts
import Testing
import TestSupport

@Suite struct TarballTests {
    let files: FileTree = [
        "rendered.json": Array("{\"a\": 1}\n".utf8),
        "dir/b.libsonnet": Array("{ b: 2 }".utf8),
        String(repeating: "long/", count: 30) + "name.jsonnet": Array("42".utf8),
    ]

    @Test func sameFilesGiveByteIdenticalTarballs() throws {
        let a = try Artifact(files: files)
        var shuffled = FileTree()
        for key in files.keys.reversed() { shuffled[key] = files[key] }
        let b = try Artifact(files: shuffled)
        #expect(a.tarball == b.tarball)
        #expect(a.digest == b.digest)
        #expect(a.digest == ArtifactDigest(of: a.tarball).description)
        #expect(a.revision.hasPrefix("sha256:"))
    }

    @Test func roundTripKeepsEveryFileIncludingLongNames() throws {
        let a = try Artifact(files: files)
        #expect(try Artifact.extract(a.tarball) == files)
    }

    @Test func tarballIsReadableBySystemTar() throws {
        let temporaryDir = try TemporaryDirectory(prefix: "jaas-tar-")
        defer { temporaryDir.remove() }
        let dir = URL(fileURLWithPath: temporaryDir.path)
        let archive = dir.appendingPathComponent("a.tar.gz")
        try Data(try Artifact(files: files).tarball).write(to: archive)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/tar")
        p.arguments = ["-xzf", archive.path, "-C", dir.path]
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        #expect(FileManager.default.contents(atPath: dir.appendingPathComponent("dir/b.libsonnet").path)
            == Data("{ b: 2 }".utf8))
    }

    @Test func differentContentChangesTheRevision() throws {
        var changed = files
        changed["rendered.json"] = Array("{\"a\": 2}\n".utf8)
        #expect(try Artifact(files: files).revision != Artifact(files: changed).revision)
    }
}

/// Archives as an attacker would build them.
@Suite struct HostileArchiveTests {
    /// A raw ustar entry with any name, type and link target.
    static func entry(_ name: String, type: Character = "0", data: [UInt8] = [], link: String = "",
                      size: Int? = nil) -> [UInt8] {
        var h = [UInt8](repeating: 0, count: 512)
        h.replaceSubrange(0..<name.utf8.count, with: Array(name.utf8))
        func put(_ at: Int, _ s: String) { h.replaceSubrange(at..<at + s.utf8.count, with: Array(s.utf8)) }
        put(100, "0000644\0")
        put(108, "0000000\0")
        put(116, "0000000\0")
        let sz = String(size ?? data.count, radix: 8)
        put(124, String(repeating: "0", count: 11 - sz.count) + sz + "\0")
        put(136, "00000000000\0")
        h[156] = UInt8(String(type).utf8.first!)
        put(157, link)
        put(257, "ustar\0")
        put(263, "00")
        for i in 148..<156 { h[i] = 32 }
        let sum = String(h.reduce(0) { $0 + Int($1) }, radix: 8)
        put(148, String(repeating: "0", count: 6 - sum.count) + sum + "\0 ")
        var out = h + data
        if out.count % 512 != 0 { out += [UInt8](repeating: 0, count: 512 - out.count % 512) }
        return out
    }

    static func gz(_ entries: [UInt8]...) throws -> [UInt8] {
        try Gzip.compress(entries.reduce([], +) + [UInt8](repeating: 0, count: 1024))
    }

    func expectFailure(_ tarball: [UInt8], containing text: String, limits: Tar.Limits = Tar.Limits()) {
        do {
            _ = try Artifact.extract(tarball, limits: limits)
            Issue.record("extraction succeeded; expected an error mentioning \(text)")
        } catch let e as ArtifactError {
            #expect(e.description.contains(text), "\(e.description)")
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func parentDirectoryEntriesAreRejected() throws {
        expectFailure(try Self.gz(Self.entry("../evil", data: [1])), containing: "leaves the tree")
        expectFailure(try Self.gz(Self.entry("a/../../evil", data: [1])), containing: "leaves the tree")
    }

    @Test func absolutePathsAreRejected() throws {
        expectFailure(try Self.gz(Self.entry("/etc/passwd", data: [1])), containing: "absolute path")
    }

    @Test func linksOutOfTheTreeAreRejected() throws {
        expectFailure(try Self.gz(Self.entry("x", type: "2", link: "../../etc/passwd")), containing: "outside the archive")
        expectFailure(try Self.gz(Self.entry("x", type: "2", link: "/etc/passwd")), containing: "outside the archive")
        expectFailure(try Self.gz(Self.entry("x", type: "1", link: "../outside")), containing: "outside the archive")
    }

    @Test func linksInsideTheTreeBecomeCopies() throws {
        let files = try Artifact.extract(try Self.gz(Self.entry("dir/a.txt", data: Array("A".utf8)),
                                                     Self.entry("dir/b.txt", type: "2", link: "a.txt"),
                                                     Self.entry("c.txt", type: "1", link: "dir/a.txt")))
        #expect(files["dir/b.txt"] == Array("A".utf8))
        #expect(files["c.txt"] == Array("A".utf8))
    }

    /// A link is a copy to whoever reads the tree, so it counts as the bytes of its target.
    @Test func linksCountAsTheBytesTheyStandFor() throws {
        let big = [UInt8](repeating: 1, count: 1000)
        var entries = [Self.entry("big", data: big)]
        for i in 0..<200 { entries.append(Self.entry("h\(i)", type: i % 2 == 0 ? "1" : "2", link: "big")) }
        let archive = try Self.gz(entries.reduce([], +))
        #expect(throws: ArchiveTooLarge(limit: 100_000)) {
            try Artifact.extract(archive, limits: Tar.Limits(maxTotalBytes: 100_000))
        }
        #expect(try Artifact.extract(archive, limits: Tar.Limits(maxTotalBytes: 201_000)).count == 201)
    }

    /// The archive of issue 22: one file and 99,990 hard links to it, refused under
    /// the default limits before a copy is made.
    @Test func aHardLinkBombIsRefusedUnderTheDefaultLimits() throws {
        var tar = Self.entry("big", data: [UInt8](repeating: 0, count: 1 << 20))
        tar.reserveCapacity(tar.count + 99_990 * 512 + 1024)
        for i in 0..<99_990 { tar += Self.entry("l/\(i)", type: "1", link: "big") }
        let archive = try Self.gz(tar)
        #expect(archive.count < 1 << 20)
        #expect(throws: ArchiveTooLarge(limit: Tar.Limits().maxTotalBytes)) { try Artifact.extract(archive) }
    }

    @Test func oversizeEntriesAndTotalsAreRejected() throws {
        let big = [UInt8](repeating: 7, count: 5000)
        expectFailure(try Self.gz(Self.entry("big", data: big)), containing: "over the 4096-byte limit",
                      limits: Tar.Limits(maxEntryBytes: 4096))
    }

    @Test func gzipBombIsRejected() throws {
        let bomb = try Gzip.compress([UInt8](repeating: 0, count: 64 << 20))
        #expect(bomb.count < 200_000)
        expectFailure(bomb, containing: "gzip bomb", limits: Tar.Limits(maxTotalBytes: 1 << 20))
    }

    @Test func truncatedStreamsAreRejected() throws {
        let good = try Artifact(files: ["a": [UInt8](repeating: 1, count: 10000)]).tarball
        expectFailure(Array(good.prefix(good.count / 2)), containing: "truncated")
        let tar = Self.entry("a", data: [1, 2, 3], size: 4096)
        expectFailure(try Gzip.compress(tar), containing: "truncated")
    }

    @Test func garbageIsRejected() {
        expectFailure(Array("not a tarball at all".utf8), containing: "gzip")
    }

    /// A PAX extended header (`x`) holding `records` verbatim, then a regular file.
    static func paxThenFile(_ records: String) throws -> [UInt8] {
        try gz(entry("PaxHeader/x", type: "x", data: Array(records.utf8)), entry("file.txt", data: Array("F".utf8)))
    }

    @Test func paxRecordShorterThanItsOwnLengthFieldIsRejected() throws {
        // "2 ab": the declared length 2 does not even cover "2 " and the newline.
        expectFailure(try Self.paxThenFile("2 ab"), containing: "corrupt PAX record")
        expectFailure(try Self.paxThenFile("3 a\n"), containing: "corrupt PAX record")
    }

    @Test func paxRecordWithHugeLengthIsRejected() throws {
        expectFailure(try Self.paxThenFile("10 path=a\n9223372036854775807 path=b\n"), containing: "corrupt PAX record")
        expectFailure(try Self.paxThenFile("99999999999999999999999 path=b\n"), containing: "corrupt PAX record")
    }

    @Test func namesBeyondPathMaxAreRejected() throws {
        let name = String(repeating: "a/", count: 3000) + "x"
        let record = " path=\(name)\n"
        var length = record.utf8.count + 4
        while "\(length)\(record)".utf8.count != length { length += 1 }
        expectFailure(try Self.paxThenFile("\(length)\(record)"), containing: "over 4096")
    }

    @Test func paxRecordsStillNameTheNextEntry() throws {
        let files = try Artifact.extract(try Self.paxThenFile("16 path=a/b.txt\n"))
        #expect(files == ["a/b.txt": Array("F".utf8)])
    }
}

@Suite struct DigestTests {
    @Test func parsesAndVerifies() throws {
        let data = Array("hello".utf8)
        let d = try ArtifactDigest(parsing: "sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824")
        try d.verify(data)
        for alg in ArtifactDigest.Algorithm.allCases {
            try ArtifactDigest(parsing: ArtifactDigest(of: data, algorithm: alg).description).verify(data)
        }
    }

    @Test func explainsWhatIsWrong() {
        #expect(throws: ArtifactError("malformed digest \"abc\": expected <algorithm>:<hex>")) {
            try ArtifactDigest(parsing: "abc")
        }
        #expect(throws: ArtifactError("unsupported digest algorithm \"md5\" (supported: sha256, sha384, sha512)")) {
            try ArtifactDigest(parsing: "md5:00")
        }
        #expect(throws: ArtifactError("malformed sha256 digest \"sha256:XYZ\": expected 64 lowercase hex digits")) {
            try ArtifactDigest(parsing: "sha256:XYZ")
        }
        let d = ArtifactDigest(of: [1])
        #expect(throws: ArtifactError("digest mismatch: expected \(d)")) {
            try d.verify([2])
        }
    }
}

@Suite struct LocalStorageTests {
    func makeStorage() throws -> LocalStorage {
        try LocalStorage(root: temporaryPath("jaas-storage-"))
    }

    @Test func storesListsAndDeletes() throws {
        let s = try makeStorage()
        defer { try? FileManager.default.removeItem(atPath: s.root) }
        let key = LocalStorage.key(namespace: "ns", name: "snip", hex: "abc")
        try s.put(key, [1, 2, 3])
        #expect(try s.get(key) == [1, 2, 3])
        #expect(s.revisions(namespace: "ns", name: "snip") == ["abc"])
        try s.put(LocalStorage.key(namespace: "ns", name: "snip", hex: "def"), [4])
        #expect(s.revisions(namespace: "ns", name: "snip") == ["abc", "def"])
        try s.delete(key)
        #expect(try s.get(key) == nil)
        try s.deleteAll(namespace: "ns", name: "snip")
        #expect(s.revisions(namespace: "ns", name: "snip").isEmpty)
    }

    @Test func keysCannotEscapeTheRoot() throws {
        let s = try makeStorage()
        defer { try? FileManager.default.removeItem(atPath: s.root) }
        #expect(throws: ArtifactError.self) { try s.put("../escape.tar.gz", [1]) }
        #expect(throws: ArtifactError.self) { try s.put("/etc/x", [1]) }
    }

    @Test func sweepRemovesOnlyStaleTemporaryFiles() throws {
        let s = try makeStorage()
        defer { try? FileManager.default.removeItem(atPath: s.root) }
        try s.put("ns/a/x.tar.gz", [1])
        try FileManager.default.createDirectory(atPath: s.root + "/ns/a", withIntermediateDirectories: true)
        #expect(FileManager.default.createFile(atPath: s.root + "/ns/a/.x.tar.gz.1.tmp", contents: Data([1])))
        #expect(s.sweepTemporaryFiles(olderThan: 3600) == 0)
        #expect(s.sweepTemporaryFiles(olderThan: 60, now: Date().addingTimeInterval(120)) == 1)
        #expect(try s.get("ns/a/x.tar.gz") == [1])
        // What cannot be removed (here a directory named like a temporary file) is reported.
        try FileManager.default.createDirectory(atPath: s.root + "/ns/a/stuck.tmp", withIntermediateDirectories: true)
        var failed: [String] = []
        #expect(s.sweepTemporaryFiles(olderThan: 0, now: Date().addingTimeInterval(1)) { failed.append($0) } == 0)
        #expect(failed == ["ns/a/stuck.tmp"])
    }

    @Test func aFailedWriteLeavesNothingBehind() throws {
        let s = try makeStorage()
        defer { try? FileManager.default.removeItem(atPath: s.root) }
        try FileManager.default.createDirectory(atPath: s.root + "/ns/a", withIntermediateDirectories: true)
        // A directory where the artifact file should go makes the final rename fail.
        try FileManager.default.createDirectory(atPath: s.root + "/ns/a/x.tar.gz/blocker", withIntermediateDirectories: true)
        #expect(throws: ArtifactError.self) { try s.put("ns/a/x.tar.gz", [1, 2, 3]) }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: s.root + "/ns/a").filter { $0.hasSuffix(".tmp") }
        #expect(leftovers.isEmpty)
    }
}

import Foundation
import JaaSArtifacts
import Testing

/// A mutation fuzzer for the tar reader, through `Artifact.extract` (the path the
/// operator takes for every downloaded source): valid archives with PAX records,
/// GNU long names, links and directories are mutated (header fields, lying sizes,
/// hostile PAX records and long names, truncation, spliced blocks) and each result
/// must either extract or fail with an `ArtifactError`, quickly. A trap ends the
/// test process, which the runner reports as a crash.
///
/// The fixed seeds run with the suite. Longer runs on demand:
/// `JAAS_TAR_FUZZ_SEED=42 JAAS_TAR_FUZZ_RUNS=100000 swift test --skip-build --filter TarFuzzTests`;
/// with `JAAS_TAR_FUZZ_LAST=/tmp/last.tar` each input is written there before it runs,
/// so the one that crashed the process can be replayed.
@Suite struct TarFuzzTests {
    static let fixedSeeds: [UInt64] = [1, 2, 3, 4]
    static let runsPerSeed = 400

    @Test(arguments: TarFuzzTests.seeds)
    func mutatedArchivesFailCleanly(seed: UInt64) throws {
        let environment = ProcessInfo.processInfo.environment
        let runs = environment["JAAS_TAR_FUZZ_RUNS"].flatMap(Int.init) ?? Self.runsPerSeed
        let lastInput = environment["JAAS_TAR_FUZZ_LAST"]
        var rng = SplitMix64(seed: seed)
        let corpus = try Self.corpus()
        let limits = Tar.Limits(maxEntries: 64, maxEntryBytes: 1 << 16, maxTotalBytes: 1 << 18)
        var extracted = 0
        for run in 0..<runs {
            var archive = corpus[Int(rng.next() % UInt64(corpus.count))]
            for _ in 0...(rng.next() % 4) { Self.mutate(&archive, &rng) }
            if let lastInput { try Data(archive).write(to: URL(fileURLWithPath: lastInput)) }
            let tarball = try Gzip.compress(archive)
            let start = ContinuousClock.now
            do {
                _ = try Artifact.extract(tarball, limits: limits)
                extracted += 1
            } catch is ArtifactError {
                // The expected outcome for most mutants.
            } catch {
                Issue.record("seed \(seed) run \(run): unexpected error type \(type(of: error)): \(error)")
            }
            let elapsed = ContinuousClock.now - start
            #expect(elapsed < .seconds(2), "seed \(seed) run \(run) took \(elapsed)")
        }
        // The mutations must leave some archives readable, or the fuzzer only tests the first check.
        #expect(extracted > 0, "seed \(seed): no mutant extracted")
    }

    static var seeds: [UInt64] {
        if let text = ProcessInfo.processInfo.environment["JAAS_TAR_FUZZ_SEED"], let seed = UInt64(text) { return [seed] }
        return fixedSeeds
    }

    /// Valid archives covering every header kind the reader handles.
    static func corpus() throws -> [[UInt8]] {
        let longName = String(repeating: "deep/", count: 25) + "file.jsonnet"
        let entry = HostileArchiveTests.entry
        let end = [UInt8](repeating: 0, count: 1024)
        return [
            Tar.write(["main.jsonnet": Array("{a: 1}".utf8), longName: Array("42".utf8)]),
            Tar.write(["a": [], "b/c.libsonnet": [UInt8](repeating: 65, count: 1500)]),
            entry("././@LongLink", "L", Array(longName.utf8) + [0], "", nil) + entry("short", "0", [1, 2, 3], "", nil) + end,
            entry("PaxHeader/x", "x", Array("16 path=a/b.txt\n".utf8), "", nil) + entry("x", "0", [7], "", nil) + end,
            entry("dir/", "5", [], "", nil) + entry("dir/a", "0", [1], "", nil)
                + entry("dir/b", "2", [], "a", nil) + entry("c", "1", [], "dir/a", nil) + end,
        ]
    }

    /// Applies one random mutation to `archive`.
    static func mutate(_ archive: inout [UInt8], _ rng: inout SplitMix64) {
        let headers = stride(from: 0, to: max(archive.count - 511, 0), by: 512).map { $0 }
        let header = headers.isEmpty ? 0 : headers[Int(rng.next() % UInt64(headers.count))]
        switch rng.next() % 9 {
        case 0: // Random bytes anywhere.
            for _ in 0...(rng.next() % 8) where !archive.isEmpty {
                archive[Int(rng.next() % UInt64(archive.count))] = UInt8(truncatingIfNeeded: rng.next())
            }
        case 1: // A header field (mode, uid, size, mtime, checksum, type, link, magic, prefix) rewritten.
            let fields = [(100, 8), (108, 8), (124, 12), (136, 12), (148, 8), (156, 1), (157, 100), (257, 8), (345, 155)]
            let (at, width) = fields[Int(rng.next() % UInt64(fields.count))]
            writeField(&archive, header + at, width, &rng)
            if rng.next() % 4 != 0 { fixChecksum(&archive, header) }
        case 2: // A size that lies: larger, smaller, base-256 or absurd.
            let sizes: [[UInt8]] = [Array("77777777777\0".utf8), Array("00000000001\0".utf8),
                                    [0x80, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff],
                                    [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
                                    Array(String(UInt64(rng.next() % (1 << 33)), radix: 8).utf8.prefix(12))]
            put(&archive, header + 124, sizes[Int(rng.next() % UInt64(sizes.count))])
            fixChecksum(&archive, header)
        case 3: // Truncated anywhere, headers included.
            archive = Array(archive.prefix(Int(rng.next() % UInt64(archive.count + 1))))
        case 4: // A hostile PAX header before some entry.
            let data = Array(paxRecords(&rng).utf8)
            insert(&archive, at: header, HostileArchiveTests.entry("PaxHeader/x", type: "x", data: data))
        case 5: // A GNU long name: NUL-less, huge, with `..`, or empty.
            let names = ["../../escape", String(repeating: "n", count: 5000), "", "a/\0b", "/abs"]
            let data = Array(names[Int(rng.next() % UInt64(names.count))].utf8)
            insert(&archive, at: header, HostileArchiveTests.entry("././@LongLink", type: "L", data: data))
        case 6: // A 512-byte block duplicated or removed.
            if rng.next() % 2 == 0, header + 512 <= archive.count {
                archive.insert(contentsOf: archive[header..<header + 512], at: header)
            } else if header + 512 <= archive.count {
                archive.removeSubrange(header..<header + 512)
            }
        case 7: // An entry of a random type, declared size and link target.
            let types: [Character] = ["0", "1", "2", "3", "4", "5", "6", "7", "g", "K", "S", "V", "\u{0}", "Z"]
            let type = types[Int(rng.next() % UInt64(types.count))]
            let data = [UInt8](repeating: 0x41, count: Int(rng.next() % 1500))
            let size = rng.next() % 3 == 0 ? Int(rng.next() % 100_000) : nil
            insert(&archive, at: header, HostileArchiveTests.entry("e\(rng.next() % 10)", type: type, data: data, link: "e1", size: size))
        default: // A header block of random bytes with a valid checksum.
            var block = (0..<512).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            fixChecksum(&block, 0)
            insert(&archive, at: header, block)
        }
    }

    /// PAX extended-header text mixing valid records with every malformation.
    static func paxRecords(_ rng: inout SplitMix64) -> String {
        let records = ["16 path=a/b.txt\n", "2 ab", "0 x=y\n", "-5 a=b\n", "9223372036854775807 path=b\n",
                       "99999999999999999999 a=b\n", "12 nokeyvalue\n", "6 a=b\n", "30 path=short\n", " 7 a=b\n",
                       "5 =\n\n", "8 path=\n", "13 path=../x\n", "18446744073709551616 x=y\n", "3 \n"]
        return (0...(rng.next() % 3)).map { _ in records[Int(rng.next() % UInt64(records.count))] }.joined()
    }

    static func writeField(_ archive: inout [UInt8], _ at: Int, _ width: Int, _ rng: inout SplitMix64) {
        for i in 0..<width {
            let pick = rng.next() % 6
            let byte: UInt8 = pick < 3 ? UInt8(ascii: "0") + UInt8(rng.next() % 8)
                : pick == 3 ? 0 : pick == 4 ? UInt8(ascii: " ") : UInt8(truncatingIfNeeded: rng.next())
            if at + i < archive.count { archive[at + i] = byte }
        }
    }

    static func put(_ archive: inout [UInt8], _ at: Int, _ bytes: [UInt8]) {
        for (i, b) in bytes.enumerated() where at + i < archive.count { archive[at + i] = b }
    }

    static func insert(_ archive: inout [UInt8], at: Int, _ bytes: [UInt8]) {
        archive.insert(contentsOf: bytes, at: min(at, archive.count))
    }

    /// Rewrites the ustar checksum of the header at `at` so the mutation reaches the parser.
    static func fixChecksum(_ archive: inout [UInt8], _ at: Int) {
        guard at + 512 <= archive.count else { return }
        var sum = 0
        for i in at..<at + 512 { sum += (at + 148..<at + 156).contains(i) ? 32 : Int(archive[i]) }
        let digits = Array(String(sum, radix: 8).utf8)
        let field = [UInt8](repeating: UInt8(ascii: "0"), count: max(0, 6 - digits.count)) + digits + [0, 32]
        put(&archive, at + 148, Array(field.suffix(8)))
    }
}

/// A small, fast, seedable generator (SplitMix64), so every run is reproducible.
struct SplitMix64 {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

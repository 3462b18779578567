import Foundation
import JaaSAdmission
@testable import JaaSOperator
import Kubernetes
import Testing

/// Issue 22: no duration or number in a custom resource traps the operator, with or
/// without the CRD's validation.
@Suite struct HostileSpecValueTests {

    static let hundredThousandDigits = String(repeating: "9", count: 100_000) + "s"

    @Test func goDurationsParseAndHostileOnesAreRefused() {
        let cases: [(String, TimeInterval?)] = [
            ("30s", 30), ("5m", 300), ("1h30m", 5400), ("1.5h", 5400), ("24h", 86_400), ("0", 0), ("0s", 0),
            ("500ms", 0.5), ("1500us", 0.0015), ("1500µs", 0.0015), ("1500μs", 0.0015), ("100ns", 1e-7), (".5s", 0.5),
            ("1.s", 1), ("2h0m0s", 7200), ("876000h", 876_000 * 3600),
            // Hostile or malformed: never a value.
            ("1e400s", nil), ("1e3s", nil), ("9223372036854775807h", nil), ("9223372036854775807s", nil),
            ("876001h", nil), ("-5m", nil), ("+5m", nil), ("NaNs", nil), ("nan", nil), ("infs", nil), ("Infinity", nil),
            (".s", nil), ("1.5.5s", nil), ("s", nil), ("5", nil), ("", nil), ("5x", nil), ("5 s", nil), (" 5s", nil),
            ("5s ", nil), ("٥s", nil), ("5S", nil), ("1h-5m", nil), ("0x10s", nil), ("1_000s", nil),
            (Self.hundredThousandDigits, nil), (String(repeating: "1s", count: 40), nil),
        ]
        for (text, expected) in cases {
            let parsed = parseDuration(text)
            if let expected {
                #expect(parsed.map { abs($0 - expected) <= expected * 1e-12 } == true, "\(text): \(String(describing: parsed))")
            } else {
                #expect(parsed == nil, "\(text.prefix(30)): \(String(describing: parsed))")
            }
        }
    }

    @Test func intervalsAreClampedOrRefused() throws {
        #expect(try requeueInterval(nil) == nil)
        #expect(try requeueInterval("1ms") == 30)
        #expect(try requeueInterval("0") == 30)
        #expect(try requeueInterval("5m") == 300)
        #expect(try requeueInterval("8760h") == 86_400)
        for hostile in ["1e400s", "9223372036854775807h", "-5m", "NaNs", ".s", "1.5.5s", Self.hundredThousandDigits] {
            do {
                _ = try requeueInterval(hostile)
                Issue.record("\(hostile.prefix(30)) was accepted")
            } catch {
                #expect(error.reason == .invalidSpec)
                #expect(error.message.utf8.count < 200, "the message repeats the whole value")
            }
        }
    }

    @Test func requeueDelaysSaturate() {
        let cases: [(TimeInterval, Int64)] = [
            (.nan, 0), (-.infinity, 0), (-1, 0), (0, 0), (1.5, 1500), (30, 30_000),
            (.infinity, 366 * 86_400_000), (1e300, 366 * 86_400_000), (Double(Int64.max), 366 * 86_400_000),
        ]
        for (seconds, milliseconds) in cases {
            #expect(requeueMilliseconds(seconds) == milliseconds, "\(seconds)")
        }
    }

    @Test func theWebhookRefusesHostileIntervalsAndHistories() {
        let validator = SnippetValidator(operatorExternalVariables: [], libraryAliases: [])
        func denials(_ extra: [String: JSONValue]) -> [String] {
            var spec: [String: JSONValue] = ["files": ["main.jsonnet": "{}"]]
            spec.merge(extra) { $1 }
            return validator.denials(spec: .object(spec)).map(\.description)
        }
        #expect(denials(["interval": "5m", "history": 3]).isEmpty)
        #expect(denials(["interval": "30s"]).isEmpty)
        #expect(denials(["interval": "24h"]).isEmpty)
        for bad: JSONValue in ["1e400s", "9223372036854775807h", "-5m", "NaNs", ".s", "1.5.5s", .string(Self.hundredThousandDigits),
                          1e300, 30, true, ["a": 1]] {
            let refused = denials(["interval": bad])
            #expect(refused.count == 1 && refused[0].hasPrefix("spec.interval: "), "\(refused)")
            #expect(refused.first.map { $0.utf8.count < 200 } == true)
        }
        #expect(denials(["interval": "1ms"]) == ["spec.interval: \"1ms\" is out of range 30s–24h"])
        #expect(denials(["interval": "25h"]) == ["spec.interval: \"25h\" is out of range 30s–24h"])
        for bad: JSONValue in [1e300, -1e300, 9.3e18, -5, 0, 51, 1.5, .int(.max), .int(.min), "5"] {
            #expect(denials(["history": bad]).count == 1, "\(bad)")
        }
    }

    /// Through the reconciler, with the CRD's schema replaced by one that accepts anything.
    @Test func hostileValuesWithoutTheCRDValidationNeverTrap() async throws {
        let c = try await ReconcilerIntegrationTests.Cluster.start()
        defer { Task { await c.stop() } }
        let crds = GroupVersionResource.customResourceDefinitions
        var crd = try await c.admin.get(crds, namespace: nil, name: "jsonnetsnippets.jaas.metio.wtf")
        var versions = try #require(crd[path: "spec", "versions"]?.arrayValue)
        for i in versions.indices {
            versions[i]["schema"] = ["openAPIV3Schema": ["type": "object", "x-kubernetes-preserve-unknown-fields": true]]
        }
        crd[path: "spec", "versions"] = .array(versions)
        _ = try await c.admin.update(crds, crd)
        try await Task.sleep(for: .milliseconds(100))

        let base = ReconcilerIntegrationTests.spec("{ a: 1 }")
        func with(_ extra: [String: JSONValue]) -> JSONValue {
            var spec = base
            for (key, value) in extra { spec[key] = value }
            return spec
        }
        let invalid: [(String, [String: JSONValue])] = [
            ("exponent", ["interval": "1e400s"]), ("int-max-hours", ["interval": "9223372036854775807h"]),
            ("negative", ["interval": "-5m"]), ("nan", ["interval": "NaNs"]), ("dot", ["interval": ".s"]),
            ("two-dots", ["interval": "1.5.5s"]), ("digits", ["interval": .string(Self.hundredThousandDigits)]),
            ("number", ["interval": 1e300]), ("history-huge", ["history": 1e300]), ("history-fraction", ["history": 1.5]),
        ]
        for (name, extra) in invalid {
            try await c.apply(name, spec: with(extra))
            let result = try await c.reconcile(name)
            #expect(result == .done, "\(name): \(result)")
            let ready = try await c.ready(name)
            #expect(ready.status == "False" && ready.reason == "InvalidSpec", "\(name): \(ready)")
        }
        let clamped: [(String, [String: JSONValue], ReconcileResult)] = [
            ("tiny", ["interval": "1ms"], .requeue(after: 30)), ("year", ["interval": "8760h"], .requeue(after: 86_400)),
            ("history-negative", ["history": -5], .done), ("history-max", ["history": .int(.max)], .done),
        ]
        for (name, extra, expected) in clamped {
            try await c.apply(name, spec: with(extra))
            let result = try await c.reconcile(name)
            #expect(result == expected, "\(name): \(result)")
            let ready = try await c.ready(name)
            #expect(ready.status == "True", "\(name): \(ready)")
        }
    }
}

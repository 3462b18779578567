import Foundation
import JaaSOperator
import Kubernetes
import Testing

/// docs/operator/metrics.md and the operator's exposition stay in step: every series
/// exported is documented, and every documented series (but the renderer's, served by
/// the renderer's metrics) is exported once its events happened.
@Suite struct MetricsDocumentationTests {
    static let doc = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("docs/operator/metrics.md")

    /// Documented series name → its Exported column.
    static func documented() throws -> [String: String] {
        let text = try String(contentsOf: doc, encoding: .utf8)
        var rows: [String: String] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("| `") {
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count >= 3 else { continue }
            let name = cells[0].dropFirst().prefix { $0 != "{" && $0 != "`" }
            rows[String(name)] = cells[2]
        }
        return rows
    }

    /// The metric families in an exposition.
    static func exposed(_ text: String) -> Set<String> {
        Set(text.split(separator: "\n").compactMap { line in
            line.hasPrefix("# TYPE ") ? line.split(separator: " ").dropFirst(2).first.map(String.init) : nil
        })
    }

    @Test func everySeriesIsDocumentedAndEveryDocumentedSeriesIsExported() throws {
        let metrics = OperatorMetrics()
        let atStart = Self.exposed(String(decoding: metrics.exposition(), as: UTF8.self))
        // Every event a series waits for.
        metrics.countReconcile(namespace: "a", name: "s", status: "failure", reason: "EvalUnavailable", duration: .milliseconds(3))
        metrics.recordRendered(namespace: "a", name: "s", bytes: 300)
        metrics.countRateLimited(namespace: "a", name: "s")
        metrics.countForceDrop(namespace: "a", name: "s", reason: "WithdrawTimeout")
        metrics.countTokenMintFailure(namespace: "a", serviceAccount: "renderer")
        metrics.countCRDWatchEngagementFailure(gvk: "source.toolkit.fluxcd.io/v1, Kind=GitRepository")
        metrics.makeLeaderGauge()(true)
        RequestCounts.shared.record(code: "200", method: "GET", server: "https://127.0.0.1:6443")
        let text = String(decoding: metrics.exposition(), as: UTF8.self)
        let exposed = Self.exposed(text)
        let documented = try Self.documented()

        let undocumented = exposed.subtracting(documented.keys)
        #expect(undocumented.isEmpty, "exported but not in docs/operator/metrics.md: \(undocumented.sorted())")
        let expected = Set(documented.filter { $0.value != "renderer" }.keys)
        let missing = expected.subtracting(exposed)
        #expect(missing.isEmpty, "documented but not exported: \(missing.sorted())")
        let always = Set(documented.filter { $0.value == "always" }.keys)
        #expect(always.subtracting(atStart).isEmpty, "documented as always but absent at start: \(always.subtracting(atStart).sorted())")

        // The original's label values and buckets.
        #expect(text.contains(#"jaas_snippet_reconcile_total{namespace="a",name="s",status="False",reason="EvalUnavailable"} 1"#))
        #expect(text.contains(#"jaas_snippet_rendered_bytes_bucket{namespace="a",name="s",le="256.0"} 0"#), "\(text)")
        #expect(text.contains(#"workqueue_depth{controller="jsonnetsnippet",name="jsonnetsnippet"}"#))
        #expect(text.contains(#"controller_runtime_reconcile_total{controller="jsonnetsnippet",result="success"} 0"#))
    }

    @Test func aSuspendedSnippetCountsAsReadyFalse() {
        let metrics = OperatorMetrics()
        metrics.countReconcile(namespace: "a", name: "s", status: "success", reason: "Suspended", duration: .zero)
        metrics.countReconcile(namespace: "a", name: "t", status: "success", reason: "Synced", duration: .zero)
        let text = String(decoding: metrics.exposition(), as: UTF8.self)
        #expect(text.contains(#"name="s",status="False",reason="Suspended"} 1"#))
        #expect(text.contains(#"name="t",status="True",reason="Synced"} 1"#))
    }

    @Test func runbookLinks() {
        let base = "https://example.org/runbooks/"
        #expect(RunbookLinks.message("boom", reason: "EvaluationFailed", base: base)
                == "boom (runbook: https://example.org/runbooks/evaluationfailed/)")
        #expect(RunbookLinks.message("line 1\n\n  line 2\n\n", reason: "EvaluationFailed", base: base)
                == "line 1\n\n  line 2 (runbook: https://example.org/runbooks/evaluationfailed/)")
        #expect(RunbookLinks.message("fine", reason: "Synced", base: base) == "fine")
        #expect(RunbookLinks.message("off", reason: "Suspended", base: base) == "off")
        #expect(RunbookLinks.message("wait", reason: "Pending", base: base) == "wait")
        #expect(RunbookLinks.message("boom", reason: "RBACDenied", base: "") == "boom")
        #expect(RunbookLinks.url(inMessage: "x (y) (runbook: https://e.org/rbacdenied/)") == "https://e.org/rbacdenied/")
        #expect(RunbookLinks.url(inMessage: "published revision sha256:1") == nil)
    }
}

@testable import JaaSMCP
import Testing

/// The line diff behind `diff_revisions`.
struct LineDiffTests {
    /// Applies an edit script to `a`, checking that kept lines really are equal.
    func apply(_ script: [LineDiff.Edit], _ a: [Int], _ b: [Int]) -> [Int]? {
        var out: [Int] = []
        var nextOld = 0, nextNew = 0
        for edit in script {
            switch edit {
            case .keep(let o, let n):
                guard o == nextOld, n == nextNew, a[o] == b[n] else { return nil }
                out.append(a[o])
                nextOld += 1
                nextNew += 1
            case .delete(let o):
                guard o == nextOld else { return nil }
                nextOld += 1
            case .insert(let n):
                guard n == nextNew else { return nil }
                out.append(b[n])
                nextNew += 1
            }
        }
        return nextOld == a.count && nextNew == b.count ? out : nil
    }

    /// The longest common subsequence's length, by dynamic programming.
    func lcs(_ a: [Int], _ b: [Int]) -> Int {
        var row = [Int](repeating: 0, count: b.count + 1)
        for x in a {
            var diagonal = 0
            for j in b.indices {
                let above = row[j + 1]
                row[j + 1] = x == b[j] ? diagonal + 1 : max(row[j + 1], row[j])
                diagonal = above
            }
        }
        return row[b.count]
    }

    @Test func scriptsAreValidAndShortestOnRandomInputs() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<400 {
            let a = (0..<Int.random(in: 0...25, using: &generator)).map { _ in Int.random(in: 0...4, using: &generator) }
            let b = (0..<Int.random(in: 0...25, using: &generator)).map { _ in Int.random(in: 0...4, using: &generator) }
            let script = LineDiff.edits(a, b)
            #expect(apply(script, a, b) == b, "\(a) → \(b): \(script)")
            let edits = script.filter { if case .keep = $0 { false } else { true } }.count
            #expect(edits == a.count + b.count - 2 * lcs(a, b), "\(a) → \(b) is not shortest")
        }
    }

    @Test func aChangedLineMakesOneHunkWithThreeLinesOfContext() {
        let old = (1...10).map { "line \($0)\n" }.joined()
        let new = old.replacingOccurrences(of: "line 5\n", with: "line five\n")
        #expect(LineDiff.unified(old, new, oldLabel: "a", newLabel: "b") == """
            --- a
            +++ b
            @@ -2,7 +2,7 @@
             line 2
             line 3
             line 4
            -line 5
            +line five
             line 6
             line 7
             line 8

            """)
    }

    @Test func distantChangesGetTheirOwnHunksAndCloseOnesShareOne() {
        let old = (1...30).map { "\($0)\n" }.joined()
        var lines = (1...30).map { "\($0)\n" }
        lines[1] = "two\n"
        lines[25] = "twenty-six\n"
        lines[27] = "twenty-eight\n"
        let diff = LineDiff.unified(old, lines.joined(), oldLabel: "a", newLabel: "b")
        #expect(diff.components(separatedBy: "@@ -").count == 3, "two hunks: \(diff)")
        #expect(diff.contains("@@ -1,5 +1,5 @@\n"), "\(diff)")
        #expect(diff.contains("@@ -23,8 +23,8 @@\n"), "\(diff)")
    }

    @Test func emptySidesAndAMissingFinalNewline() {
        #expect(LineDiff.unified("", "a\nb\n", oldLabel: "a", newLabel: "b") == "--- a\n+++ b\n@@ -0,0 +1,2 @@\n+a\n+b\n")
        #expect(LineDiff.unified("a\n", "", oldLabel: "a", newLabel: "b") == "--- a\n+++ b\n@@ -1 +0,0 @@\n-a\n")
        #expect(LineDiff.unified("a\nb", "a\nb\n", oldLabel: "a", newLabel: "b")
            == "--- a\n+++ b\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n")
        #expect(LineDiff.unified("same\n", "same\n", oldLabel: "a", newLabel: "b") == "")
    }

    @Test func hugeRewritesStayBoundedAndCorrect() {
        // Nothing in common: past the edit bound the middle is reported as replaced.
        let a = (0..<50_000).map { $0 * 2 }, b = (0..<50_000).map { $0 * 2 + 1 }
        let clock = ContinuousClock()
        var script: [LineDiff.Edit] = []
        let elapsed = clock.measure { script = LineDiff.edits(a, b) }
        #expect(apply(script, a, b) == b)
        #expect(elapsed < .seconds(20), "\(elapsed)")
    }
}

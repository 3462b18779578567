/// A line diff (Myers' O(ND) algorithm) rendered as a unified diff, for
/// `diff_revisions`. Bounded: past ``workLimit`` comparisons or ``maxEditDistance``
/// edits the changed middle is reported as replaced outright, which is still a
/// correct diff, only not the shortest.
package enum LineDiff {
    /// One step of an edit script, with indices into the old and new lines.
    enum Edit: Equatable {
        case keep(old: Int, new: Int)
        case delete(old: Int)
        case insert(new: Int)
    }

    /// Lines compared in the middle: beyond this many edits the rest counts as replaced.
    static let maxEditDistance = 1000
    /// Line comparisons allowed in the middle before giving up on a shortest script.
    static let workLimit = 20_000_000

    /// `text` cut after each newline; a last line without one keeps none.
    static func lines(_ text: String) -> [Substring] {
        var result: [Substring] = []
        var start = text.startIndex
        var index = start
        while index < text.endIndex {
            let next = text.index(after: index)
            if text[index] == "\n" {
                result.append(text[start..<next])
                start = next
            }
            index = next
        }
        if start < text.endIndex { result.append(text[start...]) }
        return result
    }

    /// An edit script turning `a` into `b`: the shortest one unless the bounds are hit.
    static func edits<T: Equatable>(_ a: [T], _ b: [T]) -> [Edit] {
        var prefix = 0
        while prefix < a.count && prefix < b.count && a[prefix] == b[prefix] { prefix += 1 }
        var suffix = 0
        while suffix < a.count - prefix && suffix < b.count - prefix && a[a.count - 1 - suffix] == b[b.count - 1 - suffix] {
            suffix += 1
        }
        var script = (0..<prefix).map { Edit.keep(old: $0, new: $0) }
        let oldMiddle = prefix..<(a.count - suffix), newMiddle = prefix..<(b.count - suffix)
        if let middle = myers(Array(a[oldMiddle]), Array(b[newMiddle])) {
            script += middle.map { edit in
                switch edit {
                case .keep(let o, let n): .keep(old: o + prefix, new: n + prefix)
                case .delete(let o): .delete(old: o + prefix)
                case .insert(let n): .insert(new: n + prefix)
                }
            }
        } else {
            script += oldMiddle.map { Edit.delete(old: $0) } + newMiddle.map { Edit.insert(new: $0) }
        }
        script += (0..<suffix).map { Edit.keep(old: a.count - suffix + $0, new: b.count - suffix + $0) }
        return script
    }

    /// Myers' greedy forward search, keeping each round's frontier for the walk back;
    /// nil when the bounds are hit first.
    private static func myers<T: Equatable>(_ a: [T], _ b: [T]) -> [Edit]? {
        let n = a.count, m = b.count
        if n == 0 || m == 0 { return (0..<n).map { Edit.delete(old: $0) } + (0..<m).map { Edit.insert(new: $0) } }
        let limit = min(n + m, maxEditDistance)
        let offset = limit + 1
        var v = [Int](repeating: 0, count: 2 * limit + 3)
        var trace: [[Int]] = []
        var work = 0
        for d in 0...limit {
            for k in stride(from: -d, through: d, by: 2) {
                var x = k == -d || (k != d && v[offset + k - 1] < v[offset + k + 1]) ? v[offset + k + 1] : v[offset + k - 1] + 1
                var y = x - k
                while x < n && y < m && a[x] == b[y] {
                    x += 1
                    y += 1
                    work += 1
                }
                work += 1
                v[offset + k] = x
                if x >= n && y >= m {
                    trace.append(Array(v[(offset - d)...(offset + d)]))
                    return walkBack(trace, n: n, m: m)
                }
            }
            if work > workLimit { return nil }
            trace.append(Array(v[(offset - d)...(offset + d)]))
        }
        return nil
    }

    /// The script from the frontiers: `trace[d][k + d]` is the furthest x on diagonal k after d edits.
    private static func walkBack(_ trace: [[Int]], n: Int, m: Int) -> [Edit] {
        var x = n, y = m
        var reversed: [Edit] = []
        for d in stride(from: trace.count - 1, to: 0, by: -1) {
            let previous = trace[d - 1]
            let k = x - y
            let down = k == -d || (k != d && previous[k - 1 + d - 1] < previous[k + 1 + d - 1])
            let previousK = down ? k + 1 : k - 1
            let previousX = previous[previousK + d - 1]
            let previousY = previousX - previousK
            while x > previousX && y > previousY + (down ? 1 : 0) {
                reversed.append(.keep(old: x - 1, new: y - 1))
                x -= 1
                y -= 1
            }
            if down {
                reversed.append(.insert(new: y - 1))
                y -= 1
            } else {
                reversed.append(.delete(old: x - 1))
                x -= 1
            }
        }
        while x > 0 && y > 0 {
            reversed.append(.keep(old: x - 1, new: y - 1))
            x -= 1
            y -= 1
        }
        return reversed.reversed()
    }

    /// The unified diff (`---`/`+++` labels, `@@` hunks with `context` lines around
    /// each change) of `old` to `new`; empty when they are equal.
    package static func unified(_ old: String, _ new: String, oldLabel: String, newLabel: String, context: Int = 3) -> String {
        let a = lines(old), b = lines(new)
        // Lines compared as numbers: one dictionary lookup per line instead of string comparisons in the search.
        var numbers: [Substring: Int] = [:]
        func number(_ line: Substring) -> Int {
            if let known = numbers[line] { return known }
            numbers[line] = numbers.count
            return numbers.count - 1
        }
        let oldNumbers = a.map(number), newNumbers = b.map(number)
        let script = edits(oldNumbers, newNumbers)
        let changes = script.indices.filter { if case .keep = script[$0] { false } else { true } }
        guard let first = changes.first else { return "" }
        var out = "--- \(oldLabel)\n+++ \(newLabel)\n"
        // Changes closer than two contexts share a hunk.
        var groups: [(Int, Int)] = []
        var start = first, end = first
        for index in changes.dropFirst() {
            if index - end > 2 * context {
                groups.append((start, end))
                start = index
            }
            end = index
        }
        groups.append((start, end))
        // Lines of each side before each step of the script.
        var oldBefore = [Int](repeating: 0, count: script.count + 1), newBefore = oldBefore
        for (i, edit) in script.enumerated() {
            oldBefore[i + 1] = oldBefore[i] + (edit.oldIndex == nil ? 0 : 1)
            newBefore[i + 1] = newBefore[i] + (edit.newIndex == nil ? 0 : 1)
        }
        for (first, last) in groups {
            let from = max(0, first - context), to = min(script.count, last + context + 1)
            let oldCount = oldBefore[to] - oldBefore[from], newCount = newBefore[to] - newBefore[from]
            out += "@@ -\(range(oldBefore[from], oldCount)) +\(range(newBefore[from], newCount)) @@\n"
            for edit in script[from..<to] {
                switch edit {
                case .keep(let o, _): out += line(" ", a[o])
                case .delete(let o): out += line("-", a[o])
                case .insert(let n): out += line("+", b[n])
                }
            }
        }
        return out
    }

    /// `start,count` as unified diffs write it (`start` alone for one line; the line
    /// before the gap for none).
    private static func range(_ before: Int, _ count: Int) -> String {
        switch count {
        case 0: "\(before),0"
        case 1: "\(before + 1)"
        default: "\(before + 1),\(count)"
        }
    }

    private static func line(_ marker: String, _ text: Substring) -> String {
        text.hasSuffix("\n") ? marker + text : marker + text + "\n\\ No newline at end of file\n"
    }
}

extension LineDiff.Edit {
    /// The old side's index, nil for an insertion.
    var oldIndex: Int? {
        switch self {
        case .keep(let o, _), .delete(let o): o
        case .insert: nil
        }
    }

    /// The new side's index, nil for a deletion.
    var newIndex: Int? {
        switch self {
        case .keep(_, let n), .insert(let n): n
        case .delete: nil
        }
    }
}

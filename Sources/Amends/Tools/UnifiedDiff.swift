/// A UnifiedDiff compares two texts line by line and prints the difference
/// as `diff -u` does: `---`/`+++` headers, `@@ -a,b +c,d @@` hunks with three
/// lines of context, and `\ No newline at end of file` where a text ends
/// without one.
///
/// The line matching is Myers' O(ND) algorithm after the common head and tail
/// are set aside. Past `maxEditDistance` differing lines the middle is shown
/// as one replacement: still a correct diff, just not the smallest.
package enum UnifiedDiff {
    /// Beyond this many differing lines the diff stops searching for matches.
    package static let maxEditDistance = 2_000

    /// One step of an edit script, with 0-based line indices.
    package enum Edit: Sendable, Equatable {
        /// The line `old` of the first text is line `new` of the second.
        case same(old: Int, new: Int)
        case delete(old: Int)
        case insert(new: Int)
    }

    /// A line of text and whether a line end follows it.
    struct Line: Equatable {
        var text: Substring
        var hasNewline: Bool
    }

    // MARK: - Printing

    /// The unified diff from `old` to `new`, or "" when they are equal.
    package static func diff(from old: String, to new: String, oldName: String, newName: String,
                            context: Int = 3) -> String {
        if old == new { return "" }
        let a = lines(old)
        let b = lines(new)
        let script = edits(a, b)
        var out = "--- \(oldName)\n+++ \(newName)\n"
        for hunk in hunks(script, context: max(0, context)) {
            out += render(hunk, script, a, b)
        }
        return out
    }

    static func lines(_ text: String) -> [Line] {
        var parts = text.split(separator: "\n", omittingEmptySubsequences: false)
        let endsWithNewline = text.hasSuffix("\n")
        if endsWithNewline || text.isEmpty { parts.removeLast() }
        return parts.enumerated().map { Line(text: $0.element, hasNewline: endsWithNewline || $0.offset < parts.count - 1) }
    }

    /// The edits of the script shown together: each change with `context`
    /// unchanged lines around it, changes closer than twice that joined.
    static func hunks(_ script: [Edit], context: Int) -> [Range<Int>] {
        let changes = script.indices.filter { !isSame(script[$0]) }
        var result: [Range<Int>] = []
        var groupStart: Int?
        var previous = 0
        for change in changes {
            if let first = groupStart, change - previous - 1 > 2 * context {
                result.append(max(0, first - context)..<min(script.count, previous + 1 + context))
                groupStart = nil
            }
            if groupStart == nil { groupStart = change }
            previous = change
        }
        if let first = groupStart {
            result.append(max(0, first - context)..<min(script.count, previous + 1 + context))
        }
        return result
    }

    private static func isSame(_ edit: Edit) -> Bool {
        if case .same = edit { return true }
        return false
    }

    private static func render(_ range: Range<Int>, _ script: [Edit], _ a: [Line], _ b: [Line]) -> String {
        // Where the hunk starts in each text: the lines before it.
        var oldStart = 0
        var newStart = 0
        for edit in script[..<range.lowerBound] {
            switch edit {
            case .same: oldStart += 1; newStart += 1
            case .delete: oldStart += 1
            case .insert: newStart += 1
            }
        }
        var oldCount = 0
        var newCount = 0
        var body = ""
        func line(_ mark: String, _ line: Line) {
            body += mark + line.text + "\n"
            if !line.hasNewline { body += "\\ No newline at end of file\n" }
        }
        for edit in script[range] {
            switch edit {
            case .same(let old, _):
                line(" ", a[old]); oldCount += 1; newCount += 1
            case .delete(let old):
                line("-", a[old]); oldCount += 1
            case .insert(let new):
                line("+", b[new]); newCount += 1
            }
        }
        return "@@ -\(position(oldStart, oldCount)) +\(position(newStart, newCount)) @@\n" + body
    }

    /// `start,count` as `diff -u` writes it: 1-based, `,1` left out, and an
    /// empty range named by the line before it.
    private static func position(_ start: Int, _ count: Int) -> String {
        switch count {
        case 0: return "\(start),0"
        case 1: return "\(start + 1)"
        default: return "\(start + 1),\(count)"
        }
    }

    // MARK: - Matching

    /// The shortest edit script from `a` to `b` (up to `maxEditDistance`).
    package static func edits<T: Equatable>(_ a: [T], _ b: [T]) -> [Edit] {
        var head = 0
        while head < a.count && head < b.count && a[head] == b[head] { head += 1 }
        var tail = 0
        while tail < a.count - head && tail < b.count - head && a[a.count - 1 - tail] == b[b.count - 1 - tail] { tail += 1 }
        var script: [Edit] = (0..<head).map { .same(old: $0, new: $0) }
        let oldEnd = a.count - tail
        let newEnd = b.count - tail
        script += middle(a[head..<oldEnd], b[head..<newEnd])
            ?? (head..<oldEnd).map { .delete(old: $0) } + (head..<newEnd).map { .insert(new: $0) }
        script += (0..<tail).map { .same(old: oldEnd + $0, new: newEnd + $0) }
        return script
    }

    /// Myers' greedy algorithm on the differing middle, keeping each round's
    /// furthest points to walk back the path; nil past `maxEditDistance`.
    private static func middle<T: Equatable>(_ a: ArraySlice<T>, _ b: ArraySlice<T>) -> [Edit]? {
        let n = a.count
        let m = b.count
        let a0 = a.startIndex
        let b0 = b.startIndex
        if n == 0 || m == 0 {
            return (0..<n).map { .delete(old: a0 + $0) } + (0..<m).map { .insert(new: b0 + $0) }
        }
        let limit = min(n + m, maxEditDistance)
        let offset = limit + 1
        var v = [Int](repeating: 0, count: 2 * limit + 3)
        // trace[d] holds v[-d...d] after round d.
        var trace: [[Int]] = []
        for d in 0...limit {
            for k in stride(from: -d, through: d, by: 2) {
                var x = k == -d || (k != d && v[offset + k - 1] < v[offset + k + 1]) ? v[offset + k + 1] : v[offset + k - 1] + 1
                var y = x - k
                while x < n && y < m && a[a0 + x] == b[b0 + y] {
                    x += 1
                    y += 1
                }
                v[offset + k] = x
                if x >= n && y >= m {
                    trace.append(Array(v[(offset - d)...(offset + d)]))
                    return walkBack(trace, n: n, m: m, a0: a0, b0: b0)
                }
            }
            trace.append(Array(v[(offset - d)...(offset + d)]))
        }
        return nil
    }

    private static func walkBack(_ trace: [[Int]], n: Int, m: Int, a0: Int, b0: Int) -> [Edit] {
        var script: [Edit] = []
        var x = n
        var y = m
        var d = trace.count - 1
        while d > 0 {
            let k = x - y
            let previous = trace[d - 1]
            // previous[k + (d - 1)] is round d-1's furthest x on diagonal k.
            // INVARIANT: the path reached (x, y) in round d, so -d <= k <= d;
            // `at` is called for k ± 1 only strictly inside that range.
            func at(_ k: Int) -> Int { previous[k + d - 1] }
            let down = k == -d || (k != d && at(k - 1) < at(k + 1))
            let previousK = down ? k + 1 : k - 1
            let previousX = at(previousK)
            let previousY = previousX - previousK
            let startX = down ? previousX : previousX + 1
            while x > startX {
                x -= 1
                y -= 1
                script.append(.same(old: a0 + x, new: b0 + y))
            }
            if down {
                script.append(.insert(new: b0 + previousY))
            } else {
                script.append(.delete(old: a0 + previousX))
            }
            x = previousX
            y = previousY
            d -= 1
        }
        while x > 0 && y > 0 {
            x -= 1
            y -= 1
            script.append(.same(old: a0 + x, new: b0 + y))
        }
        return script.reversed()
    }
}

/// A TestReport is what `amends test` found: for each file, whether it could
/// be tested and how each of its examples did, with a diff for each failure;
/// and the coverage of rules and values by all examples together. It renders
/// as text (`humanText`), JUnit XML (`junitXML`) and JSON (`json`).
package struct TestReport: Sendable {
    /// One line of a failed example's diff: an expected action that did not
    /// come (`-`) or an action that came unexpected (`+`).
    package struct DiffLine: Sendable, Hashable {
        package enum Sign: String, Sendable { case missing = "-", unexpected = "+" }
        package var sign: Sign
        /// The action as a policy line: `notify supervisor within 1 hour`.
        package var text: String
        /// `expected, line 42` or `from rule "x", standard.policy:14`.
        package var note: String
        /// For one half of a mismatched pair: the part of `text` (in
        /// characters) that differs from the other half.
        package var differs: Range<Int>?
        package var action: RequiredAction
        /// For `-`: the line of the `expect`.
        package var expectLine: Int?
    }

    /// One example and how it went.
    package struct ExampleResult: Sendable {
        package var name: String
        package var file: String
        package var line: Int
        package var passed: Bool
        /// Empty when it passed.
        package var diff: [DiffLine]
        package var fired: [RuleRef]
        package var missingCount: Int
        package var unexpectedCount: Int
        package var mismatchedCount: Int
    }

    /// One file given to `amends test`.
    package struct FileResult: Sendable {
        package enum Status: Sendable {
            case tested
            /// The file could not be read.
            case unreadable(String)
            /// The policy has errors: its examples could not run.
            case invalid([Diagnostic])
        }
        package var path: String
        package var policy: String?
        package var status: Status
        package var examples: [ExampleResult]

        package var failed: Int { examples.filter { !$0.passed }.count }
        package var isBroken: Bool {
            if case .tested = status { return false }
            return true
        }
    }

    package var files: [FileResult] = []
    package var coverage = Coverage()

    package init() {}

    package var passed: Int { files.reduce(0) { $0 + $1.examples.filter(\.passed).count } }
    package var failed: Int { files.reduce(0) { $0 + $1.failed } }
    package var exampleCount: Int { files.reduce(0) { $0 + $1.examples.count } }
    /// Files that could not be tested (unreadable, or a policy with errors).
    package var brokenFiles: [FileResult] { files.filter(\.isBroken) }

    /// `12 passed, 0 failed`, and when some files could not be loaded (an
    /// unreadable file, a policy with errors: exit status 2) `12 passed,
    /// 0 failed, 1 file could not be loaded`, so that the line never reads
    /// as a success when the run is not one. It always starts
    /// `N passed, N failed`.
    package var summaryLine: String {
        let broken = brokenFiles.count
        guard broken > 0 else { return "\(passed) passed, \(failed) failed" }
        return "\(passed) passed, \(failed) failed, \(broken) file\(broken == 1 ? "" : "s") could not be loaded"
    }

    /// The exit status: 2 when a file could not be tested (a policy with
    /// errors, an unreadable file), else 1 when an example failed or there
    /// was none, else 0.
    package var exitStatus: Int32 {
        if !brokenFiles.isEmpty { return 2 }
        return failed > 0 || exampleCount == 0 ? 1 : 0
    }

    // MARK: - Building a result

    /// The result of one example, with its diff: missing and unexpected
    /// actions, and mismatched pairs (same kind and target, different
    /// details) as a `-`/`+` pair with the differing words marked.
    static func result(_ r: ExampleRunner.Result, file: String) -> ExampleResult {
        var entries: [(rank: Int, order: Int, lines: [DiffLine])] = []
        func expectedLine(_ e: ExampleRunner.Expected) -> DiffLine {
            DiffLine(sign: .missing, text: e.action.summary,
                     note: "expected\(e.atLeast ? " at least" : ""), line \(e.ref.line)", differs: nil, action: e.action,
                     expectLine: e.ref.line)
        }
        func actualLine(_ a: RequiredAction) -> DiffLine {
            DiffLine(sign: .unexpected, text: a.summary, note: "from " + a.because.map(ruleText).joined(separator: "; "),
                     differs: nil, action: a, expectLine: nil)
        }
        for m in r.missing { entries.append((m.action.kind.rank, entries.count, [expectedLine(m)])) }
        for (e, a) in r.mismatched {
            var minus = expectedLine(e)
            var plus = actualLine(a)
            if minus.text == plus.text {
                // Same words, different deadline (calendar and business time).
                minus.text += e.action.due.map { " (due \(ISOTime.string(utc: $0)))" } ?? " (no deadline)"
                plus.text += a.due.map { " (due \(ISOTime.string(utc: $0)))" } ?? " (no deadline)"
            }
            let (x, y) = differingWords(minus.text, plus.text)
            minus.differs = x
            plus.differs = y
            entries.append((e.action.kind.rank, entries.count, [minus, plus]))
        }
        for u in r.unexpected { entries.append((u.kind.rank, entries.count, [actualLine(u)])) }
        for s in r.statusMismatches {
            let placeholder = s.actual ?? RequiredAction(kind: s.expected.kind, role: nil, components: [], remedies: [], text: s.expected.text,
                                                         channel: nil, due: nil, within: nil, because: [], overridden: [])
            var minus = DiffLine(sign: .missing, text: s.expectedText, note: "expected, line \(s.ref.line)", differs: nil,
                                 action: placeholder, expectLine: s.ref.line)
            var plus = DiffLine(sign: .unexpected, text: s.actualText,
                                note: s.actual.map { "at now, from " + $0.because.map(ruleText).joined(separator: "; ") } ?? "at now",
                                differs: nil, action: placeholder, expectLine: nil)
            let (x, y) = differingWords(minus.text, plus.text)
            minus.differs = x
            plus.differs = y
            entries.append((s.expected.kind.rank, entries.count, [minus, plus]))
        }
        entries.sort { ($0.rank, $0.order) < ($1.rank, $1.order) }
        return ExampleResult(name: r.example.name, file: file, line: r.example.ref.line, passed: r.passed,
                             diff: entries.flatMap(\.lines), fired: r.outcome.fired, missingCount: r.missing.count,
                             unexpectedCount: r.unexpected.count, mismatchedCount: r.mismatched.count + r.statusMismatches.count)
    }

    /// `rule "x", standard.policy:14` or `standard.policy:14`.
    static func ruleText(_ rule: RuleRef) -> String {
        if let name = rule.name { return "rule \(SExpr.quote(name)), \(rule.file):\(rule.line)" }
        return "the rule at \(rule.file):\(rule.line)"
    }

    /// The character ranges where two texts differ, in whole words: the
    /// words between their common leading and trailing words. A text with
    /// nothing of its own gets an empty range where the other's words go.
    static func differingWords(_ a: String, _ b: String) -> (Range<Int>, Range<Int>) {
        let x = Array(a), y = Array(b)
        let wx = words(x), wy = words(y)
        var p = 0
        while p < wx.count && p < wy.count && x[wx[p]] == y[wy[p]] { p += 1 }
        var s = 0
        while s < wx.count - p && s < wy.count - p && x[wx[wx.count - 1 - s]] == y[wy[wy.count - 1 - s]] { s += 1 }
        func region(_ w: [Range<Int>], length: Int) -> Range<Int> {
            let first = p, last = w.count - s - 1
            if first <= last { return w[first].lowerBound..<w[last].upperBound }
            let at = first < w.count ? w[first].lowerBound : length
            return at..<at
        }
        return (region(wx, length: x.count), region(wy, length: y.count))
    }

    /// The runs of non-space characters.
    static func words(_ chars: [Character]) -> [Range<Int>] {
        var result: [Range<Int>] = []
        var start: Int?
        for (i, c) in chars.enumerated() {
            if c == " " {
                if let s = start { result.append(s..<i) }
                start = nil
            } else if start == nil {
                start = i
            }
        }
        if let s = start { result.append(s..<chars.count) }
        return result
    }
}

/// The report as people read it: one line per file, a diff for each failed
/// example, coverage when asked, and the summary line `N passed, N failed`.
///
///     FAIL standard.policy:48 "critical outage for an enterprise client"
///       - notify owner                 (expected, line 50)
///       + notify account_manager       (from rule "valued client", standard.policy:31)
///       - respond within 1 hour by phone   (expected, line 52)
///                    ^^^^^^
///       + respond within 2 hours by phone  (from rule "valued client", standard.policy:31)
///                    ^^^^^^^
///       fired: standard.policy:29, rule "valued client", standard.policy:31
///       why: amends explain standard.policy --example "critical outage for an enterprise client"
///
///     FAIL standard.policy  1 of 2 examples failed
///     ok   common.examples  3 examples passed
///
///     1 passed, 1 failed
extension TestReport {
    /// Options for the text form.
    package struct TextOptions: Sendable {
        /// List every example, not only the failed ones.
        package var verbose = false
        /// ANSI colour.
        package var color = false
        /// Add the coverage section.
        package var coverage = false

        package init(verbose: Bool = false, color: Bool = false, coverage: Bool = false) {
            self.verbose = verbose
            self.color = color
            self.coverage = coverage
        }
    }

    package func humanText(_ options: TextOptions = TextOptions()) -> String {
        let paint = Paint(on: options.color)
        var out = ""
        for file in files {
            switch file.status {
            case .unreadable(let reason):
                out += paint.red("error") + ": \(reason)\n\n"
            case .invalid(let diagnostics):
                out += DiagnosticRenderer(color: options.color).render(diagnostics)
                out += paint.red("error") + ": `\(file.path)` has errors, so its examples were not run\n\n"
            case .tested:
                for example in file.examples where !example.passed {
                    out += failureText(example, paint: paint) + "\n"
                }
            }
        }
        for file in files {
            switch file.status {
            case .unreadable: out += paint.red("ERROR") + " \(file.path)  cannot be read\n"
            case .invalid: out += paint.red("ERROR") + " \(file.path)  the policy has errors\n"
            case .tested:
                if file.examples.isEmpty {
                    if options.verbose { out += "-     \(file.path)  no examples\n" }
                } else if file.failed > 0 {
                    out += paint.red("FAIL") + "  \(file.path)  \(file.failed) of \(file.examples.count) examples failed\n"
                } else {
                    out += paint.green("ok") + "    \(file.path)  \(Self.count(file.examples.count, "example")) passed\n"
                }
                if options.verbose {
                    for example in file.examples {
                        out += "        " + (example.passed ? paint.green("ok  ") : paint.red("FAIL"))
                            + " line \(example.line) \(SExpr.quote(example.name))\n"
                    }
                }
            }
        }
        if exampleCount == 0 && brokenFiles.isEmpty {
            out += "no examples found in \(Self.count(files.count, "file")); write `example` blocks in the policy or in a .examples file\n"
        }
        if options.coverage { out += "\n" + coverageText(paint: paint) }
        out += "\n" + summaryLine + "\n"
        return out
    }

    /// One failed example: where, the diff, what fired, how to see why.
    func failureText(_ example: ExampleResult, paint: Paint) -> String {
        var out = paint.red("FAIL") + " \(example.file):\(example.line) \(SExpr.quote(example.name))\n"
        let width = min(60, (example.diff.map(\.text.count).max() ?? 0) + 2)
        for line in example.diff {
            let body = "\(line.sign.rawValue) \(line.text)"
            let pad = String(repeating: " ", count: max(2, width + 2 - body.count))
            let shown = line.sign == .missing ? paint.red(body) : paint.green(body)
            out += "  \(shown)\(pad)(\(line.note))\n"
            if let differs = line.differs {
                let marks = String(repeating: " ", count: 4 + differs.lowerBound) + String(repeating: "^", count: max(1, differs.count))
                out += paint.yellow(marks) + "\n"
            }
        }
        let fired = example.fired.isEmpty ? "no rule" : example.fired.map(Self.firedText).joined(separator: ", ")
        out += "  fired: \(fired)\n"
        out += "  why: amends explain \(Self.shellQuoted(example.file)) --example \(Self.shellQuoted(example.name))\n"
        return out
    }

    /// `standard.policy:29` or `"valued client" (standard.policy:31)`.
    static func firedText(_ rule: RuleRef) -> String {
        rule.name.map { "\(SExpr.quote($0)) (\(rule.file):\(rule.line))" } ?? "\(rule.file):\(rule.line)"
    }

    /// The coverage section: rules that no example fires, values no example has.
    package func coverageText(color: Bool = false) -> String { coverageText(paint: Paint(on: color)) }

    func coverageText(paint: Paint) -> String {
        let c = coverage
        var out = "coverage: \(c.firedRules) of \(Self.count(c.rules.count, "rule")) fired by an example (\(Coverage.percentText(c.percent)))\n"
        for (file, fired, total) in c.byFile {
            out += "  \(file): \(fired) of \(total)\n"
        }
        let unfired = c.rules.filter { !$0.fired }
        if !unfired.isEmpty {
            out += "rules no example fires:\n"
            for entry in unfired {
                var label = "\(entry.rule.file):\(entry.rule.line)"
                if let name = entry.rule.name {
                    label += " \(SExpr.quote(name))"
                } else if let condition = entry.condition {
                    label += " when " + Self.oneLine(condition)
                } else {
                    label += " otherwise"
                }
                out += "  " + paint.yellow(label) + "\n"
            }
        }
        let gaps = c.values.filter { !$0.unseen.isEmpty }
        if !gaps.isEmpty {
            out += "values tested by conditions that no example has:\n"
            for entry in gaps {
                out += "  \(entry.field) (\(entry.file):\(entry.line)): " + entry.unseen.joined(separator: ", ") + "\n"
            }
        }
        return out
    }

    // MARK: - Helpers

    static func count(_ n: Int, _ word: String) -> String { "\(n) \(word)\(n == 1 ? "" : "s")" }

    static func oneLine(_ text: String) -> String {
        let joined = text.split(whereSeparator: { $0 == "\n" || $0 == "\r" }).map { $0.trimmingCharacters(of: " \t") }
            .joined(separator: " ")
        return joined.count > 60 ? String(joined.prefix(59)) + "…" : joined
    }

    /// A word as a shell reads it: bare when safe, else in single quotes.
    static func shellQuoted(_ s: String) -> String {
        let safe = !s.isEmpty && s.unicodeScalars.allSatisfy {
            ($0 >= "a" && $0 <= "z") || ($0 >= "A" && $0 <= "Z") || ($0 >= "0" && $0 <= "9") || "-_./:=@%+,".unicodeScalars.contains($0)
        }
        if safe { return s }
        var out = "'"
        for c in s { out += c == "'" ? "'\\''" : String(c) }
        return out + "'"
    }
}

/// ANSI colour for the report, or plain text.
struct Paint {
    var on: Bool
    func red(_ s: String) -> String { on ? "\u{1B}[1;31m\(s)\u{1B}[0m" : s }
    func green(_ s: String) -> String { on ? "\u{1B}[32m\(s)\u{1B}[0m" : s }
    func yellow(_ s: String) -> String { on ? "\u{1B}[33m\(s)\u{1B}[0m" : s }
}

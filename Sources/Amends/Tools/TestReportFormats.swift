/// The report for CI systems: JUnit XML and JSON.
///
/// JUnit: one `<testsuite>` per file tested, one `<testcase>` per example
/// with a `<failure>` holding the diff; a file that cannot be tested is a
/// suite with one `<testcase name="(policy)">` in `<error>`. Times are
/// always `0`, so the same policies give the same bytes.
///
/// What fails a run as a whole, not one example (no examples at all, rule
/// coverage below `--min-coverage`), is a last suite, `amends test`, with
/// a failing test case for each: a CI system that reads only the report
/// sees why the step failed.
extension TestReport {
    /// A check of the run as a whole: its name, and why it failed (nil: it passed).
    package struct RunCheck: Sendable, Equatable {
        package var name: String
        package var failure: String?
    }

    /// The checks of the whole run that the report shows: that there were
    /// examples (only when there were none), and, given a minimum, rule coverage.
    package func runChecks(minimumCoverage minimum: Double?) -> [RunCheck] {
        var checks: [RunCheck] = []
        if exampleCount == 0 && brokenFiles.isEmpty {
            checks.append(RunCheck(name: "examples found", failure: "no examples found in \(Self.count(files.count, "file"))"))
        }
        if let minimum {
            let name = "rule coverage at least \(Coverage.percentText(minimum))"
            let failure = "rule coverage \(Coverage.percentText(coverage.percent)) is below the minimum of \(Coverage.percentText(minimum))"
            checks.append(RunCheck(name: name, failure: coverage.meets(minimum) ? nil : failure))
        }
        return checks
    }

    // MARK: - JUnit XML

    package func junitXML(coverage includeCoverage: Bool = false, minimumCoverage: Double? = nil) -> String {
        let paint = Paint(on: false)
        let errors = brokenFiles.count
        let checks = runChecks(minimumCoverage: minimumCoverage)
        let checkFailures = checks.filter { $0.failure != nil }.count
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out += "<testsuites name=\"amends test\" tests=\"\(exampleCount + errors + checks.count)\" "
            + "failures=\"\(failed + checkFailures)\" errors=\"\(errors)\" skipped=\"0\" time=\"0\">\n"
        let perFile = Dictionary(coverage.byFile.map { (FileSystem.canonical($0.file), ($0.fired, $0.total)) },
                                 uniquingKeysWith: { a, _ in a })
        for file in files {
            let path = XML.attribute(file.path)
            let classname = XML.attribute(Self.className(file.path))
            switch file.status {
            case .tested:
                out += "  <testsuite name=\"\(path)\" tests=\"\(file.examples.count)\" failures=\"\(file.failed)\" errors=\"0\" "
                    + "skipped=\"0\" time=\"0\" file=\"\(path)\">\n"
                var properties: [(String, String)] = []
                if let policy = file.policy { properties.append(("policy", policy)) }
                if includeCoverage, let (fired, total) = perFile[FileSystem.canonical(file.path)] {
                    properties.append(("rules fired", "\(fired) of \(total)"))
                }
                if !properties.isEmpty {
                    out += "    <properties>\n"
                    for (name, value) in properties {
                        out += "      <property name=\"\(XML.attribute(name))\" value=\"\(XML.attribute(value))\"/>\n"
                    }
                    out += "    </properties>\n"
                }
                for example in file.examples {
                    out += "    <testcase name=\"\(XML.attribute(example.name))\" classname=\"\(classname)\" file=\"\(path)\" "
                        + "line=\"\(example.line)\" time=\"0\""
                    if example.passed {
                        out += "/>\n"
                        continue
                    }
                    out += ">\n"
                    out += "      <failure message=\"\(XML.attribute(Self.failureMessage(example)))\" type=\"example failed\">"
                    out += XML.text(failureText(example, paint: paint))
                    out += "</failure>\n"
                    out += "    </testcase>\n"
                }
                out += "  </testsuite>\n"
            case .unreadable(let reason):
                out += brokenSuite(file, path: path, classname: classname, message: "the file cannot be read", body: reason)
            case .invalid(let diagnostics):
                let body = DiagnosticRenderer(color: false).render(diagnostics)
                out += brokenSuite(file, path: path, classname: classname, message: "the policy has errors", body: body)
            }
        }
        if !checks.isEmpty {
            out += "  <testsuite name=\"amends test\" tests=\"\(checks.count)\" failures=\"\(checkFailures)\" errors=\"0\" "
                + "skipped=\"0\" time=\"0\">\n"
            for check in checks {
                out += "    <testcase name=\"\(XML.attribute(check.name))\" classname=\"amends.test\" time=\"0\""
                guard let failure = check.failure else {
                    out += "/>\n"
                    continue
                }
                out += ">\n"
                var body = failure + "\n"
                if minimumCoverage != nil && check.name.hasPrefix("rule coverage") { body += "\n" + coverageText(paint: paint) }
                out += "      <failure message=\"\(XML.attribute(failure))\" type=\"run failed\">\(XML.text(body))</failure>\n"
                out += "    </testcase>\n"
            }
            out += "  </testsuite>\n"
        }
        out += "</testsuites>\n"
        return out
    }

    private func brokenSuite(_ file: FileResult, path: String, classname: String, message: String, body: String) -> String {
        var out = "  <testsuite name=\"\(path)\" tests=\"1\" failures=\"0\" errors=\"1\" skipped=\"0\" time=\"0\" file=\"\(path)\">\n"
        out += "    <testcase name=\"(policy)\" classname=\"\(classname)\" file=\"\(path)\" line=\"1\" time=\"0\">\n"
        out += "      <error message=\"\(XML.attribute(message))\" type=\"policy error\">\(XML.text(body))</error>\n"
        out += "    </testcase>\n"
        out += "  </testsuite>\n"
        return out
    }

    /// `2 missing, 1 unexpected, 1 changed`
    static func failureMessage(_ example: ExampleResult) -> String {
        var parts: [String] = []
        if example.missingCount > 0 { parts.append("\(example.missingCount) missing") }
        if example.unexpectedCount > 0 { parts.append("\(example.unexpectedCount) unexpected") }
        if example.mismatchedCount > 0 { parts.append("\(example.mismatchedCount) changed") }
        let total = example.missingCount + example.unexpectedCount + example.mismatchedCount
        return parts.isEmpty ? "failed" : parts.joined(separator: ", ") + (total == 1 ? " action" : " actions")
    }

    /// `policies/standard.policy` → `policies.standard`: the dotted name
    /// JUnit readers group test cases by.
    static func className(_ path: String) -> String {
        var p = Substring(path)
        while p.hasPrefix("./") { p = p.dropFirst(2) }
        if let dot = p.lastIndex(of: "."), !p[dot...].contains("/") { p = p[..<dot] }
        return p.split(separator: "/").joined(separator: ".")
    }

    // MARK: - JSON

    package func json(coverage includeCoverage: Bool = false, minimumCoverage: Double? = nil) -> String {
        var members: [(String, JSONTree)] = []
        members.append(("files", .array(files.map(fileTree))))
        if includeCoverage { members.append(("coverage", coverageTree)) }
        let checks = runChecks(minimumCoverage: minimumCoverage)
        if !checks.isEmpty {
            members.append(("checks", .array(checks.map { check in
                .object([("check", .string(check.name)), ("passed", .bool(check.failure == nil)),
                         ("failure", .optional(check.failure))])
            })))
        }
        members.append(("passed", .int(passed)))
        members.append(("failed", .int(failed)))
        members.append(("summary", .string(summaryLine)))
        return JSONTree.object(members).rendered()
    }

    func fileTree(_ file: FileResult) -> JSONTree {
        var m: [(String, JSONTree)] = [("file", .string(file.path)), ("policy", .optional(file.policy))]
        switch file.status {
        case .tested:
            m.append(("status", .string("tested")))
        case .unreadable(let reason):
            m.append(("status", .string("unreadable")))
            m.append(("error", .string(reason)))
        case .invalid(let diagnostics):
            m.append(("status", .string("invalid")))
            m.append(("diagnostics", .array(diagnostics.map { d in
                let loc = d.location
                return .object([("file", .string(d.file)), ("line", .int(loc.line)), ("column", .int(loc.column)),
                                ("level", .string(d.level.rawValue)), ("code", .string(d.code.rawValue)),
                                ("message", .string(d.message)), ("help", .optional(d.help))])
            })))
        }
        m.append(("examples", .array(file.examples.map { example in
            .object([
                ("name", .string(example.name)), ("line", .int(example.line)), ("passed", .bool(example.passed)),
                ("diff", .array(example.diff.map(diffTree))),
                ("fired", .array(example.fired.map { .object(Explanation.ruleMembers($0)) })),
            ])
        })))
        return .object(m)
    }

    func diffTree(_ line: DiffLine) -> JSONTree {
        var m: [(String, JSONTree)] = [("sign", .string(line.sign.rawValue)), ("action", .string(line.text))]
        m.append(("kind", .string(line.action.kind.jsonName)))
        if let due = line.action.due { m.append(("due", .string(ISOTime.string(utc: due)))) }
        if let expectLine = line.expectLine { m.append(("expect_line", .int(expectLine))) }
        if line.sign == .unexpected {
            m.append(("because", .array(line.action.because.map { .object(Explanation.ruleMembers($0)) })))
        }
        if line.differs != nil { m.append(("changed", .bool(true))) }
        return .object(m)
    }

    var coverageTree: JSONTree {
        let c = coverage
        return .object([
            ("rules", .object([
                ("fired", .int(c.firedRules)), ("total", .int(c.rules.count)), ("percent", .number((c.percent * 10).rounded(.down) / 10)),
                ("not_fired", .array(c.rules.filter { !$0.fired }.map { entry in
                    .object(Explanation.ruleMembers(entry.rule) + [("when", .optional(entry.condition))])
                })),
            ])),
            ("files", .array(c.byFile.map { .object([("file", .string($0.file)), ("fired", .int($0.fired)), ("total", .int($0.total))]) })),
            ("values", .array(c.values.map { entry in
                .object([("field", .string(entry.field)), ("file", .string(entry.file)), ("line", .int(entry.line)),
                         ("values", .array(entry.values.map { .string($0) })),
                         ("unseen", .array(entry.unseen.map { .string($0) }))])
            })),
        ])
    }
}

/// Escaping for XML 1.0: the five special characters, and characters XML
/// cannot hold at all (control characters other than tab, line feed and
/// carriage return; U+FFFE, U+FFFF) replaced by U+FFFD.
enum XML {
    static func text(_ s: String) -> String { escape(s, attribute: false) }
    static func attribute(_ s: String) -> String { escape(s, attribute: true) }

    static func escape(_ s: String, attribute: Bool) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"" where attribute: out += "&quot;"
            case "'" where attribute: out += "&apos;"
            case "\n" where attribute: out += "&#10;"
            case "\r": out += "&#13;"
            case "\t" where attribute: out += "&#9;"
            case "\n", "\t": out.unicodeScalars.append(scalar)
            default:
                let v = scalar.value
                let allowed = v >= 0x20 && v != 0xFFFE && v != 0xFFFF
                out.unicodeScalars.append(allowed ? scalar : "\u{FFFD}")
            }
        }
        return out
    }
}

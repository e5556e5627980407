// The tools' command lines run as a user runs them (the built `amends`
// binary, through `Tool`): `amends test`, `amends explain`,
// `amends run --explain` and `amends repl` fed a script. The library tests
// check what these print; these check the flags, the exit statuses and that
// each output is what it says it is (JSON that parses, XML that parses).
import Testing
@testable import Amends

@Suite("The tools' command lines")
struct ToolCommandTests {
    /// A folder holding the BRIEF policy, examples that fire two of its five
    /// rules, one deliberately wrong example and a few records.
    static func folder() -> SessionTests.Folder {
        let folder = SessionTests.Folder()
        folder.write("standard.policy", Fixtures.brief)
        folder.write("some.examples", """
            use "standard.policy"

            example "critical outage for an enterprise client":
              given {id: "1", severity: critical, tier: enterprise, category: outage, caused_by: us,
                     reported: 2026-03-02T09:00:00Z}
              expect notify supervisor, account_manager
              expect apology with responsibility, prevention
              expect respond within 2 hours by phone
              expect offer refund, credit, redo
              expect follow up in 3 days

            example "open: at least":
              given {id: "2", severity: high, category: quality, reported: 2026-03-02T09:00:00Z}
              expect at least notify supervisor

            """)
        folder.write("wrong.examples", TestCommandTests.wrongExample)
        folder.write("records.jsonl", """
            {"id": "INC-1", "severity": "critical", "tier": "enterprise", "category": "outage", "caused_by": "us", "reported": "2026-03-02T09:00:00Z"}
            {"id": "INC-2", "severity": "hgh", "category": "billing", "reported": "2026-03-02T09:00:00Z"}
            {"id": "INC-3", "severity": "low", "category": "billing", "repeat": 2, "caused_by": "customer", "reported": "2026-03-06T16:00:00Z"}

            """)
        return folder
    }

    static func json(_ text: some StringProtocol) -> JSONValue? {
        if case .success(let value) = JSONValue.parse(String(text)) { return value }
        return nil
    }

    static func array(_ value: JSONValue?) -> [JSONValue] {
        if case .array(let items)? = value { return items }
        return []
    }

    static func string(_ value: JSONValue?) -> String? {
        if case .string(let s)? = value { return s }
        return nil
    }

    /// The object without its member `key`.
    static func removing(_ key: String, from value: JSONValue?) -> JSONValue? {
        guard case .object(let members)? = value else { return value }
        return .object(members.filter { $0.key != key })
    }

    // MARK: - Exit statuses across commands (docs/ci.md)

    /// A policy with errors is status 2 from `check`, `run`, `test`, `fmt`
    /// and `explain` alike; what the policy does wrong but can still be
    /// used with (a failing example, a bad record, a warning under
    /// `--deny-warnings`) is 1.
    @Test func aPolicyWithErrorsIsTwoEverywhere() {
        let f = Self.folder()
        f.write("broken.policy", "record incident:\n  seen: tme\n")
        f.write("broken.jsonl", "{\"seen\": \"x\"}\n")
        let broken = f.path + "/broken.policy"
        #expect(Tool.run(["check", broken]).status == 2)
        #expect(Tool.run(["check", "--format", "json", broken]).status == 2)
        #expect(Tool.run(["run", broken, f.path + "/broken.jsonl", "--now", "2026-03-02T09:00:00Z"]).status == 2)
        #expect(Tool.run(["explain", broken, f.path + "/broken.jsonl", "--now", "2026-03-02T09:00:00Z"]).status == 2)
        #expect(Tool.run(["fmt", "--check", "-"], input: "when when\n").status == 2)

        let test = Tool.run(["test", broken, f.path + "/some.examples"])
        #expect(test.status == 2)
        #expect(test.lines.last == "2 passed, 0 failed, 1 file could not be loaded",
                "a run with status 2 never ends in a line that reads as a pass")

        // Usable policies: failures are 1.
        #expect(Tool.run(["test", f.path + "/wrong.examples"]).status == 1)
        #expect(Tool.run(["run", f.path + "/standard.policy", f.path + "/records.jsonl", "--now", "2026-03-02T09:00:00Z"]).status == 1)
        f.write("unused.policy", "scale severity: low < high\nrecord incident:\n  severity: severity\nroles: owner, nobody\n"
                + "when severity = high: notify owner\nwhen severity = low: notify owner\n")
        #expect(Tool.run(["check", f.path + "/unused.policy"]).status == 0)
        #expect(Tool.run(["check", "--deny-warnings", f.path + "/unused.policy"]).status == 1)
    }

    // MARK: - amends test

    @Test func testExitStatusesAndTheDiff() {
        let f = Self.folder()
        let good = Tool.run(["test", f.path + "/some.examples"])
        #expect(good.status == 0, "\(good.stdout)\(good.stderr)")
        #expect(good.lines.last == "2 passed, 0 failed")
        let wrong = Tool.run(["test", f.path + "/wrong.examples"])
        #expect(wrong.status == 1)
        #expect(wrong.stdout.contains("  - notify owner"))
        #expect(wrong.stdout.contains("  + notify account_manager"))
        #expect(wrong.stdout.contains("(from rule \"valued client, our fault\", \(f.path)/standard.policy:31)"))
        #expect(wrong.lines.last == "0 passed, 1 failed")
        let nowhere = Tool.run(["test", f.path + "/nowhere.policy"])
        #expect(nowhere.status == 2)
        #expect(Tool.run(["test"]).status == 2)
        #expect(Tool.run(["test", "--format", "xml", f.path]).status == 2)
    }

    @Test func testMinimumCoverage() {
        let f = Self.folder()
        let path = f.path + "/some.examples"
        // The two examples fire 2 of the 5 rules: 40 %.
        let covered = Tool.run(["test", "--coverage", path])
        #expect(covered.status == 0)
        #expect(covered.stdout.contains("coverage: 2 of 5 rules fired by an example (40%)"))
        #expect(covered.stdout.contains("rules no example fires:\n  \(f.path)/standard.policy:36 when category in [billing, delivery] and repeat > 1"))
        #expect(Tool.run(["test", "--min-coverage", "40", path]).status == 0)
        let below = Tool.run(["test", "--min-coverage", "40.5%", path])
        #expect(below.status == 1)
        #expect(below.stderr.contains("error: rule coverage 40% is below the minimum of 40.5%"))
        // --min-coverage implies --coverage.
        #expect(below.stdout.contains("coverage: 2 of 5 rules"))
        // In JUnit, a failing check says why the step failed.
        let junit = Tool.run(["test", "--format", "junit", "--min-coverage", "100", path])
        #expect(junit.status == 1)
        #expect(junit.stdout.contains(#"<testcase name="rule coverage at least 100%" classname="amends.test" time="0">"#))
        #expect(junit.stdout.contains(#"<failure message="rule coverage 40% is below the minimum of 100%" type="run failed">"#))
        #expect(Tool.run(["test", "--min-coverage", "101", path]).status == 2)
        #expect(Tool.run(["test", "--min-coverage", "most", path]).status == 2)
    }

    @Test func testJUnitFromTheCommandLineParses() throws {
        let f = Self.folder()
        let r = Tool.run(["test", "--format", "junit", "--coverage", f.path])
        #expect(r.status == 1)
        let root = try MiniXML.parse(r.stdout)
        #expect(root.name == "testsuites" && root.attributes["tests"] == "3" && root.attributes["failures"] == "1")
        let suites = root.children.filter { $0.name == "testsuite" }
        #expect(suites.count == 3) // some.examples, standard.policy (no examples), wrong.examples
        let failure = suites.flatMap(\.children).flatMap(\.children).first { $0.name == "failure" }
        #expect(failure?.text.contains("- notify owner") == true)
        if Python.path != nil {
            let script = """
                import sys, xml.etree.ElementTree as ET
                root = ET.parse(sys.argv[1]).getroot()
                assert root.tag == "testsuites"
                assert len(root.findall("./testsuite/testcase")) == 3
                assert len(root.findall("./testsuite/testcase/failure")) == 1
                props = root.findall("./testsuite/properties/property")
                assert any(p.get("name") == "rules fired" for p in props), [p.attrib for p in props]
                """
            #expect(try Python.run(script, input: r.stdout) == 0)
        }
    }

    @Test func testJSONFromTheCommandLineParses() {
        let f = Self.folder()
        let r = Tool.run(["test", "--format", "json", "--coverage", f.path])
        #expect(r.status == 1)
        let report = Self.json(r.stdout)
        #expect(report?["passed"] == .number(2) && report?["failed"] == .number(1))
        #expect(Self.string(report?["summary"]) == "2 passed, 1 failed")
        #expect(report?["coverage"]?["rules"]?["total"] == .number(5))
        let files = Self.array(report?["files"])
        #expect(files.count == 3)
        let diff = Self.array(Self.array(files.last?["examples"]).first?["diff"])
        #expect(diff.contains { $0["sign"] == .string("-") && $0["action"] == .string("notify owner") })
        #expect(diff.contains { $0["sign"] == .string("+") && $0["action"] == .string("notify account_manager") })
    }

    // MARK: - amends explain

    @Test func explainFromTheCommandLine() {
        let f = Self.folder()
        let policy = f.path + "/standard.policy"
        let record = "{id: \"INC-2\", severity: medium, category: quality, caused_by: us, reported: 2026-03-02T09:00:00Z}"
        let text = Tool.run(["explain", "--now", "2026-03-02T09:00:00Z", policy, record])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("  not fired  \(policy):29 when severity >= high\n               severity is medium; the rule needs >= high\n"))
        #expect(text.stdout.contains("  fired      \(policy):45 otherwise\n"))
        let json = Tool.run(["explain", "--format", "json", policy, #"{"id": "INC-3", "severity": "high", "caused_by": "customer", "category": "quality", "reported": "2026-03-02T09:00:00Z"}"#])
        #expect(json.status == 0)
        let doc = Self.json(json.stdout)
        #expect(Self.array(doc?["rules"]).count == 5)
        #expect(Self.array(doc?["waived"]).first?["kind"] == .string("apology"))
        // From a file: record 3 (record 2 cannot be read).
        let third = Tool.run(["explain", "--record", "3", "--now", "2026-03-06T17:00:00Z", policy, f.path + "/records.jsonl"])
        #expect(third.status == 0)
        #expect(third.stdout.contains("Sat 2026-03-07 to Sun 2026-03-08: closed (weekend)"))
        #expect(Tool.run(["explain", "--record", "2", policy, f.path + "/records.jsonl"]).status == 1)
        // The command a failed `amends test` prints under `why:` works.
        let why = Tool.run(["explain", f.path + "/wrong.examples", "--example", "wrong on purpose"])
        #expect(why.status == 0 && why.stdout.contains("rule \"valued client, our fault\""))
        #expect(Tool.run(["explain", policy, "{severty: high}"]).status == 1)
        #expect(Tool.run(["explain", policy]).status == 2)
        #expect(Tool.run(["explain", "--format", "yaml", policy, "{}"]).status == 2)
    }

    // MARK: - amends run --explain

    @Test func runExplainKeepsOneJSONLinePerRecord() {
        let f = Self.folder()
        let args = ["run", f.path + "/standard.policy", f.path + "/records.jsonl", "--now", "2026-03-06T17:00:00Z"]
        let plain = Tool.run(args)
        let explained = Tool.run(args + ["--explain"])
        #expect(explained.status == 1) // record 2 cannot be read, as without --explain
        #expect(explained.lines.count == 3 && plain.lines.count == 3)
        for (with, without) in zip(explained.lines, plain.lines) {
            let value = Self.json(with)
            #expect(value != nil, "not one JSON value: \(with)")
            // The same line as without --explain, plus its `explain` member.
            #expect(Self.removing("explain", from: value) == Self.json(without))
            if value?["error"] == nil {
                let rules = Self.array(value?["explain"]?["rules"])
                #expect(rules.count == 5)
                #expect(rules.allSatisfy { $0["why"] != nil })
            } else {
                #expect(value?["explain"] == nil)
            }
        }
        let first = Self.json(explained.lines[0])
        #expect(Self.string(Self.array(first?["explain"]?["rules"]).first?["why"]?["text"]) == "severity is critical, which is >= high")
        #expect(Self.string(first?["explain"]?["now"]) == "2026-03-06T17:00:00Z")
    }

    @Test func runExplainInTextFollowsEachResult() {
        let f = Self.folder()
        let r = Tool.run(["run", "--format", "text", "--explain", f.path + "/standard.policy", f.path + "/records.jsonl",
                          "--now", "2026-03-06T17:00:00Z"])
        #expect(r.status == 1)
        let out = r.stdout
        guard let first = out.firstRange(of: "record 1 (INC-1)\n"), let rules = out.firstRange(of: "rules:\n"),
              let third = out.firstRange(of: "record 3 (INC-3)\n") else {
            Issue.record("missing parts:\n\(out)")
            return
        }
        #expect(first.upperBound <= rules.lowerBound && rules.upperBound <= third.lowerBound)
        #expect(out.contains("  fired      \(f.path)/standard.policy:41 when caused_by = customer\n"))
        #expect(out.contains("        Fri 16:00-17:30: 1h30m\n"))
    }

    // MARK: - amends repl, not on a terminal

    @Test func replScriptOnStandardInput() {
        let f = Self.folder()
        let script = ".load \(f.path)/standard.policy\n{severity: critical}\n"
        let r = Tool.run(["repl"], input: script)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("  notify supervisor  ["))
        #expect(!(r.stdout + r.stderr).contains("\u{1B}"))
        #expect(!r.stdout.contains(">>>"))
        // TERM=dumb or colour forced changes nothing when not on a terminal.
        let forced = Tool.run(["repl"], input: script + "{severity: hgh}\n", environment: ["FORCE_COLOR": "1", "TERM": "dumb"])
        #expect(forced.status == 1)
        #expect(!(forced.stdout + forced.stderr).contains("\u{1B}"))
        #expect(forced.stderr.contains("error[E102]"))
        #expect(Tool.run(["repl", "--format", "yaml"]).status == 2)
        #expect(Tool.run(["repl", f.path + "/nowhere.policy"], input: "").status == 1)
    }
}

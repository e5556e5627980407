// Tests of `amends test`: running examples from policy and .examples files,
// the diff of a failed example, exit statuses, coverage, and the JUnit XML
// and JSON reports (JUnit parsed by a small XML reader here, and by
// python3's xml.etree when python3 is installed).
import Testing
@testable import Amends
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@Suite("amends test")
struct TestCommandTests {
    // MARK: - Fixtures

    /// Examples that make every rule of the BRIEF policy fire.
    static let goodExamples = """
    use "standard.policy"

    example "critical outage for an enterprise client":
      given {id: "1", severity: critical, tier: enterprise, category: outage, caused_by: us,
             reported: 2026-03-02T09:00:00Z}
      expect notify supervisor, account_manager
      expect apology with responsibility, prevention
      expect respond within 2 hours by phone
      expect offer refund, credit, redo
      expect follow up in 3 days

    example "a repeated billing mistake, reported late on a Friday":
      given {id: "2", severity: low, category: billing, repeat: 2, caused_by: vendor, reported: 2026-03-06T16:00:00Z}
      expect escalate to owner within 4 business hours
      expect apology with repair, responsibility, prevention, explanation, regret
      expect review cause within 10 business days

    example "the client caused it":
      given {id: "3", severity: medium, category: quality, caused_by: customer, reported: 2026-03-02T09:00:00Z}
      expect task "talk through expectations with the client" within 2 days

    example "a small problem":
      given {id: "4", severity: low, category: delivery, reported: 2026-03-02T09:00:00Z}
      expect at least follow up in 7 days

    """

    /// One example, deliberately wrong: a missing, an unexpected and a
    /// changed action.
    static let wrongExample = """
    use "standard.policy"

    example "wrong on purpose":
      given {id: "5", severity: high, category: quality, caused_by: us, tier: premium,
             reported: 2026-03-02T09:00:00Z}
      expect notify supervisor
      expect notify owner
      expect apology with responsibility, prevention
      expect respond within 4 hours by phone
      expect offer refund, credit, redo
      expect follow up in 3 days

    """

    static func run(_ files: [String: String], paths: [String]) -> TestReport {
        TestRunner.run(paths: paths, read: Fixtures.reader(files))
    }

    static let policyFiles = ["pol/standard.policy": Fixtures.brief, "pol/standard.examples": goodExamples]

    // MARK: - Passing and coverage

    @Test func everyExamplePassesAndCoversEveryRule() {
        let report = Self.run(Self.policyFiles, paths: ["pol/standard.examples", "pol/standard.policy"])
        #expect(report.summaryLine == "4 passed, 0 failed")
        #expect(report.exitStatus == 0)
        // The policy's rules are counted once, though two files load them.
        #expect(report.coverage.rules.count == 5)
        #expect(report.coverage.firedRules == 5)
        #expect(report.coverage.meets(100))
        #expect(report.coverage.byFile.map(\.file) == ["pol/standard.policy"])
        let text = report.humanText(.init(coverage: true))
        #expect(text.hasSuffix("\n4 passed, 0 failed\n"))
        #expect(text.contains("coverage: 5 of 5 rules fired by an example (100%)"))
        #expect(!text.contains("rules no example fires"))
        // Value coverage: `communication` appears in no example; `outage`, `quality` do.
        #expect(text.contains("  category (pol/standard.policy:11): communication\n"))
    }

    @Test func coverageListsTheRulesNoExampleFires() {
        let one = Self.goodExamples.components(separatedByLine: "example \"a repeated billing mistake, reported late on a Friday\":")
        let report = Self.run(["pol/standard.policy": Fixtures.brief, "pol/one.examples": one], paths: ["pol/one.examples"])
        #expect(report.summaryLine == "1 passed, 0 failed")
        #expect(report.coverage.firedRules == 2)
        #expect(report.coverage.percent == 40)
        #expect(report.coverage.meets(40))
        #expect(!report.coverage.meets(40.1))
        let text = report.coverageText()
        #expect(text.contains("""
            rules no example fires:
              pol/standard.policy:36 when category in [billing, delivery] and repeat > 1
              pol/standard.policy:41 when caused_by = customer
              pol/standard.policy:45 otherwise

            """))
        #expect(text.contains("  severity (pol/standard.policy:9): low, medium, high\n"))
        #expect(Coverage.percentText(2.0 / 3.0 * 100) == "66.6%")
        #expect(Coverage.percentText(100) == "100%")
    }

    // MARK: - A failed example

    @Test func aWrongExampleShowsTheMissingAndTheUnexpectedAction() throws {
        let report = Self.run(["pol/standard.policy": Fixtures.brief, "pol/wrong.examples": Self.wrongExample],
                              paths: ["pol/wrong.examples"])
        #expect(report.summaryLine == "0 passed, 1 failed")
        #expect(report.exitStatus == 1)
        let example = try #require(report.files.first?.examples.first)
        #expect(example.missingCount == 1 && example.unexpectedCount == 1 && example.mismatchedCount == 1)
        let lines = example.diff.map { "\($0.sign.rawValue) \($0.text) (\($0.note))" }
        #expect(lines == [
            "- notify owner (expected, line 7)",
            "+ notify account_manager (from rule \"valued client, our fault\", pol/standard.policy:31)",
            "- respond within 4 hours by phone (expected, line 9)",
            "+ respond within 2 hours by phone (from rule \"valued client, our fault\", pol/standard.policy:31)",
        ])
        Golden.check(report.humanText(), against: "test/failing.txt")
    }

    @Test func aChangedActionMarksTheWordsThatDiffer() {
        func marked(_ a: String, _ b: String) -> [String] {
            let (x, y) = TestReport.differingWords(a, b)
            return [String(Array(a)[x]), String(Array(b)[y])]
        }
        #expect(marked("respond within 4 hours by phone", "respond within 2 hours by phone") == ["4", "2"])
        #expect(marked("respond within 4 hours by phone", "respond within 2 days by email") == ["4 hours by phone", "2 days by email"])
        #expect(marked("notify supervisor within 1 hour", "notify supervisor") == ["within 1 hour", ""])
        #expect(TestReport.differingWords("notify supervisor within 1 hour", "notify supervisor").1 == 17..<17)
        #expect(marked("apology with repair, responsibility", "apology with responsibility") == ["repair,", ""])
        #expect(marked("same", "same") == ["", ""])
    }

    // MARK: - Exit statuses

    @Test func aPolicyWithErrorsIsReportedAndTheOthersStillRun() {
        let files = Self.policyFiles.merging(["pol/broken.policy": "when severity >= hgh: notify nobody\n"]) { a, _ in a }
        let report = Self.run(files, paths: ["pol/broken.policy", "pol/standard.examples"])
        #expect(report.exitStatus == 2)
        #expect(report.summaryLine == "4 passed, 0 failed, 1 file could not be loaded",
                "the last line never reads as a clean run when the status is 2")
        #expect(report.brokenFiles.map(\.path) == ["pol/broken.policy"])
        let text = report.humanText()
        #expect(text.contains("error: `pol/broken.policy` has errors, so its examples were not run"))
        #expect(text.contains("ERROR pol/broken.policy  the policy has errors"))
    }

    @Test func noExamplesAtAllIsAFailure() {
        let report = Self.run(["pol/standard.policy": Fixtures.brief], paths: ["pol/standard.policy"])
        #expect(report.exampleCount == 0)
        #expect(report.exitStatus == 1)
        #expect(report.humanText().contains("no examples found in 1 file"))
    }

    @Test func anUnreadableFileIsAnError() {
        let report = Self.run([:], paths: ["pol/nowhere.policy"])
        #expect(report.exitStatus == 2)
        #expect(report.humanText().contains("error: cannot read `pol/nowhere.policy`: no such file or directory"))
    }

    // MARK: - JUnit XML

    static func failingAndPassingReport() -> TestReport {
        let files = Self.policyFiles.merging(["pol/wrong.examples": Self.wrongExample,
                                              "pol/broken.policy": "when severity >= hgh: notify nobody\n"]) { a, _ in a }
        return Self.run(files, paths: ["pol/broken.policy", "pol/standard.examples", "pol/wrong.examples"])
    }

    @Test func junitHasTheElementsCIReaders() throws {
        let xml = Self.failingAndPassingReport().junitXML(coverage: true)
        let root = try MiniXML.parse(xml)
        #expect(root.name == "testsuites")
        #expect(root.attributes["tests"] == "6" && root.attributes["failures"] == "1" && root.attributes["errors"] == "1")
        #expect(root.children.map(\.name) == ["testsuite", "testsuite", "testsuite"])
        let suites = root.children
        #expect(suites.map { $0.attributes["name"] ?? "" } == ["pol/broken.policy", "pol/standard.examples", "pol/wrong.examples"])
        #expect(suites[0].children.first?.children.first?.name == "error")
        let cases = suites[1].children.filter { $0.name == "testcase" }
        #expect(cases.count == 4)
        #expect(cases.allSatisfy { $0.attributes["classname"] == "pol.standard" && $0.attributes["line"] != nil && $0.children.isEmpty })
        let failure = try #require(suites[2].children.first { $0.name == "testcase" }?.children.first)
        #expect(failure.name == "failure")
        #expect(failure.attributes["message"] == "1 missing, 1 unexpected, 1 changed actions")
        #expect(failure.text.contains("- notify owner"))
        #expect(failure.text.contains("+ notify account_manager"))
        Golden.check(xml, against: "test/report.xml")
    }

    @Test func junitEscapesWhatXMLCannotHold() throws {
        let files = ["x.policy": """
            roles: a
            when yes: notify a
            example "<a & b> \\"quoted\\" 'single'":
              given {}
              expect nothing

            """]
        let xml = Self.run(files, paths: ["x.policy"]).junitXML()
        let root = try MiniXML.parse(xml)
        let testcase = root.children.first?.children.first { $0.name == "testcase" }
        #expect(testcase?.attributes["name"] == "<a & b> \"quoted\" 'single'")
        #expect(testcase?.children.first?.text.contains("+ notify a") == true)
        #expect(XML.attribute("a\u{1}b\nc\t") == "a\u{FFFD}b&#10;c&#9;")
        #expect(XML.text("<&>\u{0}") == "&lt;&amp;&gt;\u{FFFD}")
    }

    @Test(.enabled(if: Python.path != nil, "python3 is not installed"))
    func junitIsReadByPythonsXMLParser() throws {
        let xml = Self.failingAndPassingReport().junitXML()
        let script = """
            import sys, xml.etree.ElementTree as ET
            root = ET.parse(sys.argv[1]).getroot()
            assert root.tag == "testsuites", root.tag
            suites = root.findall("testsuite")
            assert len(suites) == 3, len(suites)
            cases = root.findall("./testsuite/testcase")
            assert all(c.get("name") and c.get("classname") for c in cases)
            failures = root.findall("./testsuite/testcase/failure")
            assert len(failures) == 1 and "notify owner" in failures[0].text, failures
            assert len(root.findall("./testsuite/testcase/error")) == 1
            assert int(root.get("tests")) == len(cases)
            """
        #expect(try Python.run(script, input: xml) == 0)
    }

    @Test func whatFailsTheWholeRunIsInTheReports() throws {
        // Two of five rules fired: below a minimum of 50 %, above one of 40 %.
        let one = Self.goodExamples.components(separatedByLine: "example \"a repeated billing mistake, reported late on a Friday\":")
        let report = Self.run(["pol/standard.policy": Fixtures.brief, "pol/one.examples": one], paths: ["pol/one.examples"])
        let below = try MiniXML.parse(report.junitXML(coverage: true, minimumCoverage: 50))
        #expect(below.attributes["tests"] == "2" && below.attributes["failures"] == "1")
        let suite = try #require(below.children.last)
        #expect(suite.attributes["name"] == "amends test" && suite.attributes["failures"] == "1")
        let check = try #require(suite.children.first)
        #expect(check.attributes["name"] == "rule coverage at least 50%")
        let failure = try #require(check.children.first)
        #expect(failure.name == "failure" && failure.attributes["message"] == "rule coverage 40% is below the minimum of 50%")
        #expect(failure.text.contains("rules no example fires:\n  pol/standard.policy:36"))
        let met = try MiniXML.parse(report.junitXML(coverage: true, minimumCoverage: 40))
        #expect(met.attributes["tests"] == "2" && met.attributes["failures"] == "0")
        #expect(met.children.last?.children.first?.children.isEmpty == true)
        // Without a minimum, no check.
        #expect(try MiniXML.parse(report.junitXML(coverage: true)).children.count == 1)
        let json = report.json(coverage: true, minimumCoverage: 50)
        #expect(json.contains(#""check": "rule coverage at least 50%""#) && json.contains(#""passed": false"#))
        // No examples at all: a failing check, so the report says why the run failed.
        let none = Self.run(["pol/standard.policy": Fixtures.brief], paths: ["pol/standard.policy"])
        let empty = try MiniXML.parse(none.junitXML())
        #expect(empty.attributes["tests"] == "1" && empty.attributes["failures"] == "1")
        #expect(empty.children.last?.children.first?.children.first?.attributes["message"] == "no examples found in 1 file")
        #expect(none.runChecks(minimumCoverage: nil) == [.init(name: "examples found", failure: "no examples found in 1 file")])
    }

    // MARK: - JSON

    @Test func jsonReport() throws {
        let json = Self.failingAndPassingReport().json(coverage: true)
        #expect(json.contains("\"summary\": \"4 passed, 1 failed, 1 file could not be loaded\""))
        Golden.check(json, against: "test/report.json")
        if Python.path != nil {
            let script = """
                import sys, json
                report = json.load(open(sys.argv[1]))
                assert report["passed"] == 4 and report["failed"] == 1
                assert [f["status"] for f in report["files"]] == ["invalid", "tested", "tested"]
                diff = report["files"][2]["examples"][0]["diff"]
                assert diff[0] == {"sign": "-", "action": "notify owner", "kind": "notify", "expect_line": 7}, diff[0]
                assert report["coverage"]["rules"]["fired"] == 5
                """
            #expect(try Python.run(script, input: json) == 0)
        }
    }

    // MARK: - The shipped policies

    /// `policies/` at the package root, once example policies are shipped.
    static let shipped: [String] = {
        let root = FileSystem.directory(of: FileSystem.directory(of: FileSystem.directory(of: #filePath)))
        return FileSystem.files(under: root + "/policies", suffixes: [".policy", ".examples"])
    }()

    @Test(.enabled(if: !shipped.isEmpty, "no policies are shipped yet"))
    func theShippedPoliciesPassWithEveryRuleCovered() {
        let report = TestRunner.run(paths: Self.shipped)
        #expect(report.exitStatus == 0, "\(report.humanText(.init(coverage: true)))")
        #expect(report.exampleCount > 0)
        #expect(report.coverage.meets(100), "\(report.coverageText())")
    }

    @Test func classNamesAreDotted() {
        #expect(TestReport.className("./policies/standard.policy") == "policies.standard")
        #expect(TestReport.className("a.b/c") == "a.b.c")
    }
}

// MARK: - Helpers

extension String {
    /// The text up to the line that equals `line` (exclusive).
    func components(separatedByLine line: String) -> String {
        var out: [Substring] = []
        for l in split(separator: "\n", omittingEmptySubsequences: false) {
            if l == line { break }
            out.append(l)
        }
        return out.joined(separator: "\n") + "\n"
    }
}

/// python3, when installed: runs a script on a temporary file.
enum Python {
    static let path: String? = {
        for dir in ["/usr/bin", "/usr/local/bin", "/bin", "/opt/homebrew/bin"] where access(dir + "/python3", X_OK) == 0 {
            return dir + "/python3"
        }
        return nil
    }()

    /// Writes `input` to a temporary file and runs `python3 -c script FILE`;
    /// returns the exit status.
    static func run(_ script: String, input: String) throws -> Int32 {
        guard let python = path else { return -1 }
        let file = "/tmp/amends-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).txt"
        let scriptFile = file + ".py"
        if let failure = FileSystem.writeAtomically(file, Array(input.utf8)) { throw failure }
        if let failure = FileSystem.writeAtomically(scriptFile, Array(script.utf8)) { throw failure }
        defer {
            unlink(file)
            unlink(scriptFile)
        }
        let status = system("\(python) \(scriptFile) \(file)")
        return status == -1 ? -1 : (status >> 8) & 0xFF
    }
}

/// A small XML reader for the tests: elements, attributes in double quotes,
/// text, the five entities and character references. It throws on anything
/// malformed (unbalanced tags, a bare `&` or `<`, unquoted attributes).
struct MiniXML {
    struct Element {
        var name: String
        var attributes: [String: String] = [:]
        var children: [Element] = []
        var text = ""
    }

    struct Malformed: Error, CustomStringConvertible {
        var description: String
    }

    static func parse(_ xml: String) throws -> Element {
        var reader = MiniXML(chars: Array(xml))
        reader.skipSpace()
        if reader.peek("<?xml") {
            guard let end = reader.find("?>") else { throw Malformed(description: "unterminated declaration") }
            reader.i = end + 2
        }
        reader.skipSpace()
        let root = try reader.element()
        reader.skipSpace()
        guard reader.i == reader.chars.count else { throw Malformed(description: "text after the root element") }
        return root
    }

    var chars: [Character]
    var i = 0

    func peek(_ s: String) -> Bool {
        let a = Array(s)
        return i + a.count <= chars.count && Array(chars[i..<(i + a.count)]) == a
    }

    func find(_ s: String) -> Int? {
        var j = i
        let a = Array(s)
        while j + a.count <= chars.count {
            if Array(chars[j..<(j + a.count)]) == a { return j }
            j += 1
        }
        return nil
    }

    mutating func skipSpace() {
        while i < chars.count, chars[i].isWhitespace { i += 1 }
    }

    mutating func name() throws -> String {
        var n = ""
        while i < chars.count, chars[i].isLetter || chars[i].isNumber || "-_:.".contains(chars[i]) {
            n.append(chars[i])
            i += 1
        }
        if n.isEmpty { throw Malformed(description: "expected a name at \(i)") }
        return n
    }

    mutating func element() throws -> Element {
        guard i < chars.count, chars[i] == "<" else { throw Malformed(description: "expected `<` at \(i)") }
        i += 1
        var element = Element(name: try name())
        while true {
            skipSpace()
            guard i < chars.count else { throw Malformed(description: "unterminated tag") }
            if peek("/>") { i += 2; return element }
            if chars[i] == ">" { i += 1; break }
            let key = try name()
            guard peek("=\"") else { throw Malformed(description: "attribute `\(key)` is not `=\"…\"`") }
            i += 2
            guard let close = chars[i...].firstIndex(of: "\"") else { throw Malformed(description: "unterminated attribute") }
            if element.attributes[key] != nil { throw Malformed(description: "attribute `\(key)` twice") }
            element.attributes[key] = try MiniXML.decode(String(chars[i..<close]))
            i = close + 1
        }
        var raw = ""
        while true {
            guard i < chars.count else { throw Malformed(description: "`\(element.name)` is not closed") }
            if peek("</") {
                i += 2
                let closing = try name()
                guard closing == element.name, i < chars.count, chars[i] == ">" else {
                    throw Malformed(description: "`</\(closing)>` closes `\(element.name)`")
                }
                i += 1
                element.text = try MiniXML.decode(raw)
                return element
            }
            if chars[i] == "<" {
                element.children.append(try self.element())
            } else {
                raw.append(chars[i])
                i += 1
            }
        }
    }

    static func decode(_ s: String) throws -> String {
        if s.contains("<") { throw Malformed(description: "bare `<`") }
        var out = ""
        var rest = Substring(s)
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            guard let semi = rest[amp...].firstIndex(of: ";") else { throw Malformed(description: "bare `&`") }
            let entity = rest[rest.index(after: amp)..<semi]
            switch entity {
            case "amp": out += "&"
            case "lt": out += "<"
            case "gt": out += ">"
            case "quot": out += "\""
            case "apos": out += "'"
            default:
                guard entity.hasPrefix("#"), let v = UInt32(entity.dropFirst()), let scalar = Unicode.Scalar(v) else {
                    throw Malformed(description: "unknown entity `&\(entity);`")
                }
                out.unicodeScalars.append(scalar)
            }
            rest = rest[rest.index(after: semi)...]
        }
        return out + rest
    }
}

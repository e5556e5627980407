#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Testing
@testable import Amends
@testable import AmendsCLI

/// `amends doc`: the runbook's decision table agrees with the policy on
/// every shipped example, conditions read as words, doc comments become
/// prose (and `fmt` keeps them), and the command's errors.
@Suite("Runbook")
struct RunbookTests {
    static func shipped(_ name: String) throws -> Driver.Compiled {
        let compiled = try #require(try? Driver.compile(path: PolicyFilesTests.folder + "/" + name).get())
        #expect(!compiled.hasErrors, "\(name) has errors")
        return compiled
    }

    /// The shipped policies with no decision table, and the words of the
    /// reason their runbooks give: the table has no columns for clock
    /// conditions or history (issue 20).
    static let untabled: [String: String] = [
        "law-firm.policy": "tests the time of day, the day of the week or the opening hours",
        "accounting.policy": "reads the earlier incidents (`earlier`, `since last`)",
        "software-agency.policy": "tests the time of day, the day of the week or the opening hours",
    ]

    /// Every required action of every example of every shipped policy is in
    /// the decision-table row of that example's case: in the table itself
    /// (without the row limit, so the policies past it are checked too), and
    /// in the row the Markdown prints when the table is shown.
    @Test(arguments: PolicyFilesTests.main)
    func everyExampleIsInItsRow(_ name: String) throws {
        let compiled = try Self.shipped(name)
        let program = try #require(compiled.program)
        let runner = ExampleRunner(program: program)
        let full = DecisionTable(compiled, rowLimit: .max)
        if let reason = Self.untabled[name] {
            // The table cannot pick cases for clock conditions or history
            // yet (issue 20): the runbook must say which stops it.
            #expect(full.problem?.contains(reason) == true, "\(name): \(full.problem ?? "a table")")
            return
        }
        #expect(full.problem == nil, "\(name): \(full.problem ?? "")")
        let shown = DecisionTable(compiled)
        let markdown = try #require(Runbook.make(compiled)).markdown
        let tableLines = markdown.split(separator: "\n").filter { $0.hasPrefix("| ") }
        #expect(!compiled.model.examples.isEmpty)
        for example in compiled.model.examples {
            let result = runner.run(example)
            let record = runner.record(for: example)
            let r = try #require(full.row(for: record), "\(name): example \(example.name) has no row")
            let rowActions = full.rows[r].actions.map(\.summary)
            for action in result.outcome.actions {
                #expect(rowActions.contains(action.summary), "\(name): \(example.name): `\(action.summary)` is not in row \(r + 1)")
            }
            #expect(full.rows[r].waived == result.outcome.waived.map(\.kind))
            guard shown.problem == nil, let s = shown.row(for: record) else { continue }
            let line = try #require(tableLines.first { $0.hasPrefix("| \(s + 1) |") })
            for action in result.outcome.actions {
                let words = RunbookDocument.markdownEscape(RunbookWords.short(action))
                #expect(line.contains(words), "\(name): \(example.name): row \(s + 1) does not say `\(words)`")
            }
        }
        if shown.problem != nil {
            #expect(markdown.contains("No decision table: the table would have"))
        }
    }

    @Test func conditionsInWords() throws {
        let compiled = try Fixtures.compiled("""
        scale severity: low < medium < high < critical
        record incident:
          severity: severity
          caused_by: one of us, vendor, customer
          amount: number?
          tags: list of text = []
          reported: time
        deadlines from reported
        roles: supervisor
        define ours: caused_by in [us, vendor]
        when severity >= high and ours: notify supervisor
        when not (severity = low) or amount > 5000: notify supervisor
        when age > 14 days and tags contains "vip" and amount is missing: notify supervisor
        """)
        let words = RunbookWords(model: compiled.model)
        let said = compiled.model.rules.compactMap { $0.condition.map(words.condition) }
        #expect(said == [
            "severity is high or critical, and ours (caused by is us or vendor)",
            "severity is medium, high or critical, or amount is more than 5000",
            "more than 2 weeks have passed since reported, and tags include \"vip\", and amount is not given",
        ])
    }

    static let documented = """
    ## The practice's recovery policy, for the front desk.
    policy "Documented"
    record incident:
      severity: one of low, high  ## how bad it is
      reported: time
    deadlines from reported
    roles:
      ## On call this week.
      supervisor
      owner  ## Owns the client.
    # An author's note, not for the runbook.
    ## Serious incidents reach the supervisor at once.
    rule "serious" when severity = high:
      notify supervisor within 1 hour
    rule "the client's doing" when severity = low:
      waive apology
    """

    @Test func docCommentsBecomeProse() throws {
        let compiled = try Fixtures.compiled(Self.documented)
        let markdown = try #require(Runbook.make(compiled)).markdown
        #expect(markdown.contains("The practice's recovery policy, for the front desk."))
        #expect(markdown.contains("**supervisor**: On call this week."))
        #expect(markdown.contains("**owner**: Owns the client."))
        #expect(markdown.contains("How bad it is. One of low or high"))
        #expect(markdown.contains("Serious incidents reach the supervisor at once."))
        #expect(!markdown.contains("An author's note"))
        #expect(markdown.contains("No apology is required: it is waived"))
    }

    @Test func fmtKeepsDocComments() throws {
        let messy = Self.documented.replacingAll("notify supervisor within 1 hour", with: "notify   supervisor   within 1 hour")
        let file = Parser.parse(SourceText(path: "t.policy", bytes: Array(messy.utf8)))
        let formatted = try #require(Formatter.format(file))
        #expect(formatted == Self.documented + "\n" || formatted == Self.documented)
    }

    @Test func htmlIsSelfContainedAndAccessible() throws {
        let compiled = try Self.shipped("making-amends.policy")
        let html = try #require(Runbook.make(compiled)).html
        #expect(html.hasPrefix("<!DOCTYPE html>\n<html lang=\"en\">"))
        #expect(html.contains("<th scope=\"col\">severity</th>"))
        #expect(html.contains("<th scope=\"row\">1</th>"))
        #expect(html.contains("<caption>"))
        #expect(html.contains("@media print"))
        #expect(!html.contains("<script"))
        #expect(!html.contains("http://") && !html.contains("https://"))
    }

    @Test func anAudienceSeesOnlyItsPart() throws {
        let compiled = try Self.shipped("making-amends.policy")
        let markdown = try #require(Runbook.make(compiled, options: .init(audience: "director"))).markdown
        #expect(markdown.contains("the incident is escalated to you; take it up within 1 hour"))
        #expect(markdown.contains("escalate to director within 1 hour"))
        #expect(!markdown.contains("tell supervisor"))
    }

    @Test func unknownRoleIsAnErrorWithASuggestion() {
        var err = ""
        let status = DocCommand.run(["--audience", "supervisr", PolicyFilesTests.folder + "/making-amends.policy"],
                                    out: { _ in }, err: { err += $0 })
        #expect(status == 2)
        #expect(err.contains("error: the policy has no role `supervisr`"))
        #expect(err.contains("did you mean `supervisor`?"))
    }

    @Test func checkSaysWhenTheFileIsStale() {
        let file = "/tmp/amends-runbook-test-\(getpid()).md"
        let policy = PolicyFilesTests.folder + "/when-to-apologise.policy"
        defer { unlink(file) }
        var out = ""
        #expect(DocCommand.run(["--output", file, "--check", policy], out: { out += $0 }, err: { _ in }) == 1)
        #expect(out == file + "\n")
        #expect(DocCommand.run(["--output", file, policy], out: { _ in }, err: { _ in }) == 0)
        #expect(DocCommand.run(["--output", file, "--check", policy], out: { _ in }, err: { _ in }) == 0)
        #expect(DocCommand.run(["--check", policy], out: { _ in }, err: { _ in }) == 2)
    }

    @Test func linksAreRelativeToTheOutput() {
        #expect(DocCommand.linkPrefix(to: "docs/runbooks/x.md") == "../../")
        #expect(DocCommand.linkPrefix(to: "x.md") == "")
        #expect(DocCommand.linkPrefix(to: "./docs/x.md") == "../")
        #expect(DocCommand.linkPrefix(to: "/tmp/x.md") == "")
    }

    @Test func pastTheRowLimitTheRunbookSaysSo() throws {
        let compiled = try Self.shipped("making-amends.policy")
        let table = DecisionTable(compiled, rowLimit: 5)
        #expect(table.problem == "the table would have 30 rows, more than the limit of 5")
    }
}

extension String {
    func replacingAll(_ a: String, with b: String) -> String {
        split(separator: a, omittingEmptySubsequences: false).joined(separator: b)
    }
}

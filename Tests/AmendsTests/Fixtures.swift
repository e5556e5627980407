// Policies shared by the tests of `amends test`, `amends explain` and the
// reference interpreter, compiled from memory.
import Testing
@testable import Amends

enum Fixtures {
    struct CompileError: Error, CustomStringConvertible {
        var description: String
    }

    /// Compiles policy text named `name`; any error fails with the
    /// diagnostics rendered.
    static func compiled(_ text: String, name: String = "test.policy") throws -> Driver.Compiled {
        let compiled = Driver.compile(source: SourceText(path: name, text: text))
        guard compiled.program != nil else {
            throw CompileError(description: DiagnosticRenderer(color: false).render(compiled.diagnostics))
        }
        return compiled
    }

    static func program(_ text: String, name: String = "test.policy") throws -> Program {
        guard let program = try compiled(text, name: name).program else { throw CompileError(description: "no program") }
        return program
    }

    /// A reader of in-memory files, for `TestRunner.run(paths:read:)`.
    static func reader(_ files: [String: String]) -> Loader.ReadFile {
        { path in
            var key = Substring(path)
            while key.hasPrefix("./") { key = key.dropFirst(2) }
            guard let text = files[String(key)] else {
                return .failure(FileSystem.Failure(path: path, reason: "no such file or directory"))
            }
            return .success(Array(text.utf8))
        }
    }

    /// The policy of the BRIEF (section 1), with a calendar in UTC so that
    /// business time needs no time-zone database.
    static let brief = """
    # The practice's standard client-recovery policy.
    policy "Standard client recovery"

    scale severity: low < medium < high < critical
    scale tier: basic < premium < enterprise

    record incident:
      id: text
      severity: severity
      tier: tier = basic
      category: one of billing, delivery, quality, communication, outage
      caused_by: one of us, vendor, customer, unknown = unknown
      repeat: number = 0
      amount: number?
      reported: time
      customer.name: text?

    deadlines from reported
    roles: supervisor, account_manager, owner, billing_lead
    remedies: refund, credit, redo, discount

    calendar:
      open mon-fri 09:00-17:30
      time zone UTC

    define our_fault: caused_by = us
    define valued: tier >= premium or amount > 5000

    when severity >= high: notify supervisor; require apology with responsibility, prevention; follow up in 3 days

    rule "valued client, our fault" when our_fault and valued:
      respond within 2 hours by phone
      offer refund, credit, redo
      notify account_manager

    when category in [billing, delivery] and repeat > 1:
      escalate to owner within 4 business hours
      require apology with repair, responsibility, prevention, explanation, regret
      review cause within 10 business days

    when caused_by = customer:
      waive apology
      task "talk through expectations with the client" within 2 days

    otherwise:
      follow up in 7 days

    """

    /// Every kind of condition the language has, one per rule.
    static let everyCondition = """
    scale severity: low < medium < high < critical
    record incident:
      severity: severity?
      category: one of billing, delivery, quality, outage = quality
      levels: list of severity?
      tags: list of text?
      allowed: list of text?
      summary: text?
      other: text?
      amount: number?
      limit: number?
      urgent: yes/no?
      reported: time?
      waited: duration?
    deadlines from reported
    roles: a

    define big: amount > 5000 or amount is missing
    when summary contains "refund": notify a
    when summary starts with "URGENT" or summary ends with "again": notify a
    when tags contains "vip" and not (severity < high): notify a
    when amount > limit: notify a
    when amount <= 1: notify a
    when 5000 < amount: notify a
    when big and not urgent: notify a
    when urgent: notify a
    when age > 2 days: notify a
    when age <= 30 hours: notify a
    when waited >= 3 days: notify a
    when category not in [billing, delivery]: notify a
    when category in [billing]: notify a
    when severity != medium: notify a
    when severity in [low, critical]: notify a
    when summary = "x" or summary != other: notify a
    when summary in allowed: notify a
    when summary not in allowed: notify a
    when levels contains high: notify a
    when reported < 2026-03-03T00:00:00Z: notify a
    when other is missing: notify a
    when not (severity >= high and category = outage) or amount = 0: notify a

    """
}

// Tests of `amends explain`: the words for why a rule did or did not fire,
// the record as read, action provenance and deadline computations, and
// golden files of whole explanations (a rule that fired, one that did not,
// a waived action, a business-time deadline, an overridden deadline).
import Testing
@testable import Amends

@Suite("Explain")
struct ExplainTests {
    // MARK: - Helpers

    static let now: Int64 = 1_772_442_000 // 2026-03-02T09:00:00Z

    /// Explains a record literal under a policy.
    static func explain(_ policy: String, _ record: String, name: String = "standard.policy",
                        now: Int64 = ExplainTests.now) throws -> Explanation {
        let compiled = try Fixtures.compiled(policy, name: name)
        guard let program = compiled.program else { throw Fixtures.CompileError(description: "no program") }
        switch RecordLiteral.read(record, compiled: compiled, program: program) {
        case .success(let read):
            return Explainer.explain(program: program, record: read.buffer, now: now, given: read.given)
        case .failure(let failure):
            throw Fixtures.CompileError(description: DiagnosticRenderer(color: false).render(failure.diagnostics))
        }
    }

    /// The reason given for the rule on `line`.
    static func why(_ e: Explanation, line: Int) -> String {
        e.rules.first { $0.rule.line == line }?.reason?.text ?? "(no rule on line \(line))"
    }

    // MARK: - Reasons in words

    @Test func aFalseComparisonNamesTheActualValueAndTheNeed() throws {
        let e = try Self.explain(Fixtures.brief, "{id: \"a\", severity: medium, category: outage, reported: 2026-03-02T09:00:00Z}")
        #expect(Self.why(e, line: 29) == "severity is medium; the rule needs >= high")
        #expect(Self.why(e, line: 36) == "category is outage; the rule needs one of billing, delivery")
        #expect(Self.why(e, line: 41) == "caused_by is unknown; the rule needs = customer")
        #expect(e.rules.allSatisfy { !$0.disagrees })
    }

    @Test func aMissingValueIsNamedAsMissing() throws {
        let e = try Self.explain("""
        record incident:
          amount: number?
        roles: a
        when amount > 5000: notify a
        when amount != 5000: notify a
        when not amount = 5000: notify a
        """, "{}")
        #expect(Self.why(e, line: 4) == "amount is missing; the rule needs > 5000")
        #expect(Self.why(e, line: 5) == "amount is missing; the rule needs != 5000 (a test on a missing value is false)")
        #expect(Self.why(e, line: 6) == "amount is missing, so `amount = 5000` does not hold")
        #expect(e.rules.map(\.fired) == [false, false, true])
    }

    @Test func aMissingOperandOnTheRightIsNamed() throws {
        let policy = """
        record incident:
          amount: number?
          limit: number?
        roles: a
        when amount > limit: notify a
        when not amount > limit: notify a
        """
        let e = try Self.explain(policy, "{amount: 5}")
        #expect(Self.why(e, line: 5) == "amount is 5; the rule needs > limit (which is missing)")
        #expect(Self.why(e, line: 6) == "limit is missing, so `amount > limit` does not hold")
        let f = try Self.explain(policy, "{amount: 5, limit: 3}")
        #expect(Self.why(f, line: 5) == "amount is 5, which is > limit (which is 3)")
        #expect(Self.why(f, line: 6) == "amount is 5; the rule needs <= limit (which is 3)")
    }

    @Test func anOrExplainsEveryAlternativeAndAnAndItsFirstFalsePart() throws {
        let e = try Self.explain(Fixtures.brief, "{id: \"a\", severity: low, category: quality, caused_by: us, reported: 2026-03-02T09:00:00Z}")
        let rule = e.rules.first { $0.rule.name == "valued client, our fault" }
        #expect(rule?.fired == false)
        #expect(rule?.reason?.lead == "valued does not hold: no alternative holds")
        #expect(rule?.reason?.alternatives.map(\.text) == ["tier is basic; the rule needs >= premium",
                                                           "amount is missing; the rule needs > 5000"])
        let other = try Self.explain(Fixtures.brief, "{id: \"a\", severity: low, category: quality, caused_by: vendor, reported: 2026-03-02T09:00:00Z}")
        #expect(other.rules.first { $0.rule.name != nil }?.reason?.text == "our_fault does not hold: caused_by is vendor; the rule needs = us")
    }

    @Test func notIsExplainedByTheOppositeRequirement() throws {
        let policy = """
        record incident:
          caused_by: one of us, vendor, customer
          note: text?
        roles: a
        when not caused_by = customer: notify a
        when not (caused_by = us or note contains "x"): notify a
        when not note starts with "re": notify a
        """
        let e = try Self.explain(policy, "{caused_by: customer, note: \"refund\"}")
        #expect(Self.why(e, line: 5) == "caused_by is customer; the rule needs != customer")
        #expect(e.rules.map(\.fired) == [false, true, false])
        #expect(Self.why(e, line: 7) == "note is \"refund\"; the rule needs it not to start with \"re\"")
        let f = try Self.explain(policy, "{caused_by: us}")
        #expect(Self.why(f, line: 5) == "caused_by is us, which is != customer")
        #expect(Self.why(f, line: 6) == "the rule needs `not (caused_by = us or note contains \"x\")`, but caused_by is us, which is = us")
    }

    @Test func ageIsShownWithItsEnds() throws {
        let e = try Self.explain("""
        record incident:
          reported: time
        deadlines from reported
        roles: a
        when age > 2 days: notify a
        """, "{reported: 2026-03-01T09:00:00Z}", now: Self.now)
        #expect(Self.why(e, line: 5)
                == "age is 1 day (from reported 2026-03-01T09:00:00Z to now 2026-03-02T09:00:00Z); the rule needs > 2 days")
    }

    // MARK: - The record, actions and waivers

    @Test func theRecordMarksDefaultsAndMissingRequiredFields() throws {
        let e = try Self.explain(Fixtures.brief, "{severity: high, category: outage, tier: basic, reported: 2026-03-02T09:00:00Z}")
        let origins = Dictionary(uniqueKeysWithValues: e.fields.map { ($0.name, $0.origin) })
        #expect(origins["tier"] == .given)          // given, though equal to the default
        #expect(origins["caused_by"] == .defaulted)
        #expect(origins["amount"] == .missing)
        #expect(origins["id"] == .missingRequired)
        #expect(e.text.contains("  caused_by      unknown (default)\n"))
    }

    @Test func everyActionSaysWhichRulesAskedForIt() throws {
        let e = try Self.explain(Fixtures.brief, """
            {id: "a", severity: critical, tier: enterprise, category: outage, caused_by: us, reported: 2026-03-02T09:00:00Z}
            """)
        let notify = e.actions.first { $0.action.summary == "notify account_manager" }
        #expect(notify?.action.because.map(\.name) == ["valued client, our fault"])
        let respond = e.actions.first { $0.action.kind == .respond }
        #expect(respond?.deadline == ["reported 2026-03-02T09:00:00Z + 2 hours = 2026-03-02T11:00:00Z"])
        #expect(e.waived.isEmpty)
    }

    @Test func aWaiverListsWhatItDropped() throws {
        let e = try Self.explain(Fixtures.brief, """
            {id: "a", severity: high, category: billing, repeat: 2, caused_by: customer, reported: 2026-03-02T09:00:00Z}
            """)
        #expect(!e.actions.contains { $0.action.kind == .apology })
        #expect(e.waived.count == 1)
        #expect(e.waived.first?.kind == .apology)
        #expect(e.waived.first?.by.map(\.line) == [41])
        #expect(e.waived.first?.dropped.map(\.rule.line) == [29, 36])
    }

    @Test func theReferenceAgreesWithTheProgramOnEveryRule() throws {
        var rng = SplitMix64(seed: 99)
        let program = try Fixtures.program(Fixtures.brief)
        for _ in 0..<100 {
            let e = Explainer.explain(program: program, record: Differential.randomRecord(program.model, &rng))
            #expect(!e.hasDisagreement, "\(e.text)")
        }
    }

    @Test func everyKindOfConditionIsExplainedInAgreementWithTheProgram() throws {
        var rng = SplitMix64(seed: 5)
        let program = try Fixtures.program(Fixtures.everyCondition)
        for _ in 0..<300 {
            let e = Explainer.explain(program: program, record: Differential.randomRecord(program.model, &rng))
            #expect(!e.hasDisagreement, Comment(rawValue: e.text))
            for rule in e.rules {
                let text = rule.reason?.text ?? ""
                #expect(!text.isEmpty && !text.contains("?"), "\(rule.rule): \(text)")
            }
        }
    }

    // MARK: - Record literals

    @Test func aJSONObjectReadsAsARecord() throws {
        let e = try Self.explain(Fixtures.brief, """
            {"id": "INC-7", "severity": "high", "category": "billing", "customer": {"name": "Ada"},
             "reported": "2026-03-02T09:00:00Z", "amount": 6000}
            """)
        let values = Dictionary(uniqueKeysWithValues: e.fields.map { ($0.name, $0.shown ?? "missing") })
        #expect(values["severity"] == "high")
        #expect(values["customer.name"] == "\"Ada\"")
        #expect(values["amount"] == "6000")
        #expect(values["reported"] == "2026-03-02T09:00:00Z")
    }

    @Test func aRecordWithMistakesIsReportedWithHelp() throws {
        let compiled = try Fixtures.compiled(Fixtures.brief)
        guard let program = compiled.program else { return }
        func problems(_ text: String, element: Int? = nil) -> [String] {
            switch RecordLiteral.read(text, name: "<record>", element: element, compiled: compiled, program: program) {
            case .success: return []
            case .failure(let f): return f.diagnostics.map { "\($0.code.rawValue) \($0.message) | \($0.help ?? "")" } + (f.message.map { [$0] } ?? [])
            }
        }
        #expect(problems("{severty: high}").first?.contains("the record has no field `severty` | did you mean `severity`?") == true)
        #expect(problems("{severity: hgh}").first?.hasPrefix("E102 `hgh` is not a level of scale `severity`") == true)
        #expect(problems("severity: high").first?.hasPrefix("E020 expected a record in braces") == true)
        #expect(problems("{severity: high} {tier: basic}").first?.hasPrefix("E028 unexpected text after the record") == true)
        #expect(problems("[{severity: high}]", element: 2) == ["`<record>` has 1 records, so there is no record 2"])
        #expect(problems("[{severity: high}, {severity: low}]", element: 2).isEmpty)
        #expect(problems("{severity: high}").isEmpty)
    }

    @Test func aJSONRecordIsReadAsRunReadsIt() throws {
        let program = try Fixtures.program(Fixtures.brief)
        let text = #"{"severity": "High", "amount": "6000", "category": "outage", "tier": null, "reported": "2026-03-02T09:00:00Z"}"#
        guard case .success(let value) = JSONValue.parse(text),
              case .success(let read) = RecordLiteral.read(json: value, program: program) else {
            Issue.record("not read")
            return
        }
        let e = Explainer.explain(program: program, record: read.buffer, now: Self.now, given: read.given)
        let fields = Dictionary(uniqueKeysWithValues: e.fields.map { ($0.name, ($0.shown ?? "missing", $0.origin)) })
        #expect(fields["severity"]?.0 == "high")        // letter case, as `run` reads it
        #expect(fields["amount"]?.0 == "6000")          // a number written as text
        #expect(fields["tier"]?.1 == .defaulted)        // null is missing, so the default
        #expect(fields["id"]?.1 == .missingRequired)    // `run` would stop here; explain goes on
        #expect(fields["caused_by"]?.1 == .defaulted)   // defaults after the missing field still apply
        guard case .success(let bad) = JSONValue.parse(#"{"severity": "hgh"}"#),
              case .failure(let failure) = RecordLiteral.read(json: bad, program: program) else {
            Issue.record("a bad level was read")
            return
        }
        #expect(failure.message == "`severity` is \"hgh\", which is not one of `low`, `medium`, `high`, `critical`; did you mean `high`?")
    }

    @Test func aRecordIsPickedFromAFileByNumber() throws {
        let program = try Fixtures.program(Fixtures.brief)
        let lines = """
            {"id": "a", "severity": "low", "category": "billing", "reported": "2026-03-02T09:00:00Z"}
            {"id": "b", "severity": "critical", "category": "outage", "reported": "2026-03-02T09:00:00Z"}

            """
        func read(_ text: String, _ number: Int, format: RecordFormat? = nil) -> Result<RecordLiteral.Read, RecordLiteral.Failure> {
            RecordLiteral.read(RecordStream(bytes: Array(text.utf8), name: "in", format: format), number: number, program: program)
        }
        guard case .success(let second) = read(lines, 2) else {
            Issue.record("record 2 not read")
            return
        }
        #expect(ReferenceInterpreter(model: program.model).value(of: 0, in: second.buffer) == .text("b"))
        guard case .failure(let none) = read(lines, 3) else {
            Issue.record("a record 3")
            return
        }
        #expect(none.noSuchRecord)
        #expect(none.message == "`in` has 2 records, so there is no record 3")
        let csv = "id,severity,category,reported\nx,high,billing,2026-03-02T09:00:00Z\n"
        guard case .success(let row) = read(csv, 1, format: .csv) else {
            Issue.record("the CSV row not read")
            return
        }
        #expect(row.given == nil)
        #expect(ReferenceInterpreter(model: program.model).value(of: 1, in: row.buffer) == .level(0, 2))
        guard case .failure(let bad) = read("{\"severity\": 3}\n", 1) else {
            Issue.record("a bad record was read")
            return
        }
        #expect(bad.message?.hasPrefix("record 1 of `in` (line 1): `severity`") == true)
        #expect(!bad.noSuchRecord)
    }

    @Test func anExampleRecordCanBeExplained() throws {
        let compiled = try Fixtures.compiled(Fixtures.brief + """
            example "late":
              given {severity: low, category: quality, reported: 2026-03-02T09:00:00Z}
              now 2026-03-05T09:00:00Z
              expect follow up in 7 days

            """)
        guard let program = compiled.program, let (read, example) = RecordLiteral.example(named: "late", compiled: compiled, program: program) else {
            Issue.record("no example")
            return
        }
        #expect(example.now == 1_772_701_200)
        let e = Explainer.explain(program: program, record: read.buffer, given: read.given)
        #expect(e.now == 1_772_701_200)
        #expect(e.rules.last?.fired == true)
    }

    // MARK: - Golden explanations

    @Test func goldenRuleThatFired() throws {
        let e = try Self.explain(Fixtures.brief, """
            {id: "INC-1", severity: critical, tier: enterprise, category: outage, caused_by: us,
             reported: 2026-03-02T09:00:00Z}
            """)
        Golden.check(e.text, against: "explain/fired.txt")
    }

    @Test func goldenRulesThatDidNotFire() throws {
        let e = try Self.explain(Fixtures.brief, "{id: \"INC-2\", severity: medium, category: quality, caused_by: us, reported: 2026-03-02T09:00:00Z}")
        Golden.check(e.text, against: "explain/not-fired.txt")
    }

    @Test func goldenWaivedAction() throws {
        let e = try Self.explain(Fixtures.brief, "{id: \"INC-3\", severity: high, category: quality, caused_by: customer, reported: 2026-03-02T09:00:00Z}")
        Golden.check(e.text, against: "explain/waived.txt")
        Golden.check(e.json, against: "explain/waived.json")
    }

    @Test func goldenBusinessTimeDeadline() throws {
        // Friday 16:00: 4 business hours run over the weekend to Monday 11:30.
        let e = try Self.explain(Fixtures.brief, """
            {id: "INC-4", severity: low, category: billing, repeat: 3, caused_by: vendor, reported: 2026-03-06T16:00:00Z}
            """, now: 1_772_816_400)
        #expect(e.actions.first { $0.action.kind == .escalate }?.action.due == 1_773_055_800) // 2026-03-09T11:30:00Z
        Golden.check(e.text, against: "explain/business-time.txt")
    }

    @Test func goldenOverriddenDeadlineAndAssignment() throws {
        let e = try Self.explain("""
        scale severity: low < medium < high < critical
        record incident:
          severity: severity
          reported: time
        deadlines from reported
        roles: supervisor, owner

        rule "serious" when severity >= high:
          notify supervisor within 4 hours
          assign owner
        rule "critical" when severity = critical:
          notify supervisor within 1 hour
          assign supervisor

        """, "{severity: critical, reported: 2026-03-02T09:00:00Z}")
        let notify = e.actions.first { $0.action.kind == .notify }
        #expect(notify?.action.due == Self.now + 3_600)
        #expect(notify?.overridden.count == 1)
        Golden.check(e.text, against: "explain/overridden.txt")
    }
}

// The whole of what a policy requires, Grammar.md §7 and §8: the plain
// `ReferenceEvaluator` against the fast path (the `Outcome` of its `Evaluation` and the
// line `amends run` writes) on generated policies and records, and the
// reference's own answers on small policies, one per rule of §7.
//
// Issue 15 decided four points Grammar.md left open (§5 and §7 now state
// them); the tests named `fastPathDecision…` hold the fast path to each. One
// disagreement is left undecided and recorded as a known issue: the outcome
// lists a kind waived when nothing of it was removed, which the line does
// not (§11). Every other disagreement fails the generated comparison.
import Testing
@testable import Amends

@Suite("Reference result")
struct ReferenceResultTests {
    /// 2026-03-05T10:00:00Z, a Thursday.
    static let now: Int64 = 1_772_704_800

    // MARK: - Generated policies and records

    @Test func generatedPoliciesAgreeWithTheFastPath() throws {
        var pairs = 0
        var all: [ReferenceComparison.Disagreement] = []
        for seed in UInt64(1)...150 {
            var g = MergePolicyGenerator(seed: seed)
            let compiled = g.compile()
            guard let program = compiled.program else {
                Issue.record("seed \(seed) does not check:\n\(DiagnosticRenderer(color: false).render(compiled.diagnostics))")
                continue
            }
            // Every tenth policy gets records enough for the evaluator's
            // memory of merged results (`MergeMemo`) to be made and used.
            let records = g.records(seed % 10 == 0 ? 150 : 25)
            let report = WholeDifferential.compare(program, records: records, now: Self.now + Int64(seed % 7) * 3_600)
            pairs += report.pairs
            all += report.disagreements.map { d in
                var d = d
                d.text = "seed \(seed), \(d.text)"
                return d
            }
        }
        #expect(pairs >= 5_000)
        let byKind = Dictionary(grouping: all, by: \.kind)
        for kind in ReferenceComparison.Disagreement.Kind.allCases {
            guard let found = byKind[kind], let first = found.first else { continue }
            if kind != .waiverThatRemovedNothing {
                for d in found.prefix(20) { Issue.record(Comment(rawValue: "\(kind.rawValue): \(d.text)")) }
                continue
            }
            withKnownIssue(Comment(rawValue: kind.rawValue), isIntermittent: true) {
                Issue.record(Comment(rawValue: "\(found.count) of \(pairs) pairs; the first: \(first.text)"))
            }
        }
    }

    /// Past the fast path's word-sized sets: 70 `when` rules (no memory of
    /// merged results, no one-word firing) and 70 remedies (offers past the
    /// 64th are not in the remedy bit set).
    @Test func manyRulesAndRemediesAgreeWithTheFastPath() throws {
        let remedies = (0..<70).map { "r\($0)" }
        var rules = ""
        for k in 0..<70 {
            rules += "when amount > \(k): notify \(k % 2 == 0 ? "a" : "b") within \(70 - k) minutes; offer r\(69 - k)" + (69 - k == k % 7 ? "" : ", r\(k % 7)")
            rules += k % 10 == 3 ? "; assign \(k % 20 == 3 ? "a" : "b")\n" : k == 50 ? "; waive notify\n" : "\n"
        }
        let program = try Fixtures.program("""
        record incident:
          amount: number?
        roles: a, b
        remedies: \(remedies.joined(separator: ", "))
        \(rules)otherwise: offer r65
        """)
        let records = (0..<200).map { "{\"amount\": \($0 % 75)}" }.joined(separator: "\n") + "\n{}\n"
        let report = WholeDifferential.compare(program, records: records, now: Self.now)
        #expect(report.pairs == 201)
        for d in report.disagreements.prefix(10) where d.kind != .waiverThatRemovedNothing {
            Issue.record(Comment(rawValue: d.text))
        }
    }

    // MARK: - §7 stated on small policies

    static let header = """
    record incident:
      amount: number?
      reported: time?
    deadlines from reported
    roles: a, b
    remedies: refund, credit, redo

    """

    /// The reference's result and the fast path's for one JSON record.
    static func results(_ rules: String, _ record: String = "{}", calendar: String = "") throws
        -> (reference: ReferenceResult, fast: ReferenceResult) {
        let program = try Fixtures.program(header + calendar + rules)
        let stream = RecordStream(bytes: Array((record + "\n").utf8), format: .jsonLines)
        var decoder = stream.makeDecoder(for: program.schema)
        var buffer = RecordBuffer(fieldCount: program.schema.fields.count)
        guard let batch = stream.nextBatch(maxRecords: 1), batch.count == 1, decoder.decode(batch, 0, into: &buffer) == nil else {
            throw Fixtures.CompileError(description: "the record \(record) cannot be read")
        }
        buffer.now = Double(now)
        let outcome = Evaluator.outcome(of: buffer, under: program)
        return (ReferenceEvaluator(model: program.model, calendar: program.calendar, calendars: program.calendars).result(for: buffer, now: now),
                ReferenceResult(outcome))
    }

    @Test func otherwiseFiresOnlyWhenNoWhenRuleDoes() throws {
        let rules = """
        when amount > 5: notify a
        otherwise: notify b
        otherwise: offer refund
        """
        let none = try Self.results(rules).reference
        #expect(none.fired.map(\.line) == [8, 9])
        #expect(none.actions.map(\.kind) == [.notify, .offer])
        let some = try Self.results(rules, #"{"amount": 6}"#).reference
        #expect(some.fired.map(\.line) == [7])
        #expect(some.actions.map(\.role) == ["a"])
    }

    @Test func aWaiveRemovesEveryActionOfItsKindAndSaysWho() throws {
        let r = try Self.results("""
        when amount is missing: notify a; require apology with regret
        when amount is missing: waive apology; require apology with repair; waive task
        when amount is missing: require apology; notify b
        """).reference
        #expect(r.actions.map(\.kind) == [.notify, .notify])
        // The waive of `task` removed nothing, so it is not listed (§11).
        #expect(r.waived.map(\.kind) == [.apology])
        #expect(r.waived.first?.by.map(\.line) == [8])
        #expect(r.waived.first?.dropped.map(\.line) == [7, 8, 9])
    }

    @Test func eachResultMergesAsTheTableSays() throws {
        let r = try Self.results("""
        when amount is missing: notify a within 2 hours; require apology with regret within 1 day; offer redo, refund
        when amount is missing: notify a; require apology with repair, regret within 1 hour; assign b; offer credit
        when amount is missing: notify b; assign a; notify a within 30 minutes
        """, #"{"reported": "2026-03-02T09:00:00Z"}"#).reference
        let clock: Int64 = 1_772_442_000
        #expect(r.base == clock)
        #expect(r.actions.map(\.kind) == [.notify, .notify, .assign, .apology, .offer])
        // notify a: the earliest deadline wins; no deadline counts as the latest.
        #expect(r.actions[0].due == clock + 1_800 && r.actions[0].because.map(\.line) == [7, 8, 9])
        #expect(r.actions[0].overridden.map(\.rule.line) == [7])
        // notify b: asked for with no deadline.
        #expect(r.actions[1].due == nil && r.actions[1].overridden.isEmpty)
        // assign: the first firing rule wins, the other is overridden.
        #expect(r.actions[2].role == "b" && r.actions[2].overridden.map(\.role) == ["a"])
        // apology: the union of components in speaking order, the earliest deadline.
        #expect(r.actions[3].components == [.repair, .regret] && r.actions[3].due == clock + 3_600)
        // offer: the union of remedies in declaration order.
        #expect(r.actions[4].remedies == ["refund", "credit", "redo"])
    }

    @Test func deadlinesCountFromTheClockOrNowInCalendarOrBusinessTime() throws {
        let calendar = """
        calendar:
          open mon-fri 09:00-17:30
          time zone UTC

        """
        // Friday 15:00 + 2 business days is Tuesday 15:00 (§8).
        let friday = try Self.results("when amount is missing: respond within 2 business days; follow up in 1 week\n",
                                      #"{"reported": "2026-03-06T15:00:00Z"}"#, calendar: calendar).reference
        #expect(friday.actions.map(\.due) == [1_773_154_800, 1_773_414_000])
        // Without a clock, deadlines count from now.
        let noClock = try Self.results("when amount is missing: respond within 1 hour\n").reference
        #expect(noClock.base == Self.now && noClock.actions.first?.due == Self.now + 3_600)
    }

    @Test func tasksAreInOrderOfFirstAppearance() throws {
        let r = try Self.results("""
        when amount > 5: task "second"
        when amount is missing: task "first"; task "second" within 1 day
        """).reference
        #expect(r.actions.map(\.text) == ["second", "first"])
    }

    // MARK: - Issue 15's decisions, the reference's and the fast path's

    static let onceEach = """
    when amount is missing: notify a within 1 hour; notify a within 1 day; assign a
    when amount is missing: notify a within 2 days; notify a within 3 days; assign b; assign a
    when amount is missing: notify a; assign b
    """

    /// Decision 1: a rule is overridden at most once per result, by its own
    /// earliest deadline; for assign, only when it does not assign the
    /// winning role.
    @Test func aRuleIsOverriddenOncePerResult() throws {
        let r = try Self.results(Self.onceEach).reference
        let notify = try #require(r.actions.first)
        #expect(notify.overridden.map(\.rule.line) == [8])
        #expect(notify.overridden.first?.due == Self.now + 2 * 86_400)
        let assign = try #require(r.actions.last)
        #expect(assign.overridden.map(\.rule.line) == [9] && assign.overridden.first?.role == "b")
    }

    @Test func fastPathDecision1OverriddenOncePerRule() throws {
        let (reference, fast) = try Self.results(Self.onceEach)
        #expect(ReferenceComparison.differences(reference, fast, fractions: false).map(\.text) == [])
    }

    static let channels = """
    when amount is missing: respond within 1 day by email
    when amount is missing: respond within 1 hour
    when amount is missing: respond within 60 minutes by phone
    """

    /// Decision 2: the channel is the first named among the actions at the
    /// winning deadline, else the first named by any.
    @Test func theChannelComesFromTheWinningDeadline() throws {
        let r = try Self.results(Self.channels).reference
        #expect(r.actions.first?.channel == "phone" && r.actions.first?.within == DurationSpec(amount: 1, unit: .hours))
        let none = try Self.results("when amount is missing: respond within 1 hour; respond within 1 day by chat\n").reference
        #expect(none.actions.first?.channel == "chat")
    }

    @Test func fastPathDecision2ChannelAtTheWinningDeadline() throws {
        let (reference, fast) = try Self.results(Self.channels)
        #expect(ReferenceComparison.differences(reference, fast, fractions: false).map(\.text) == [])
    }

    static let tasks = "when amount is missing: task \"caf\u{e9}\"; task \"cafe\u{301}\"; task \"caf\u{e9}\" within 1 hour\n"

    /// Decision 3: one task per text, compared by Unicode scalars.
    @Test func tasksDifferingInScalarsAreTwo() throws {
        let r = try Self.results(Self.tasks).reference
        #expect(r.actions.map { Array(($0.text ?? "").unicodeScalars) }
            == [Array("caf\u{e9}".unicodeScalars), Array("cafe\u{301}".unicodeScalars)])
        #expect(r.actions.first?.due == Self.now + 3_600)
    }

    @Test func fastPathDecision3TasksByScalars() throws {
        let (reference, fast) = try Self.results(Self.tasks)
        #expect(ReferenceComparison.differences(reference, fast, fractions: false).map(\.text) == [])
    }

    /// Decision 4: `in [list]` on numbers compares exactly.
    @Test func membershipOfNumbersIsExact() throws {
        let r = try Self.results("when amount in [0, 7]: notify a\notherwise: notify b\n", #"{"amount": 7.2}"#).reference
        #expect(r.actions.map(\.role) == ["b"])
    }

    @Test func fastPathDecision4ExactMembership() throws {
        let (reference, fast) = try Self.results("when amount in [0, 7]: notify a\notherwise: notify b\n", #"{"amount": 7.2}"#)
        #expect(ReferenceComparison.differences(reference, fast, fractions: true).map(\.text) == [])
    }

    // MARK: - The check itself

    /// A deliberately wrong result is caught: the comparison tests something.
    @Test func aDifferenceIsDetected() throws {
        let (reference, _) = try Self.results(Self.onceEach)
        var wrong = reference
        wrong.actions[0].due = (wrong.actions[0].due ?? 0) + 1
        wrong.actions[0].channel = "phone"
        #expect(ReferenceComparison.differences(reference, wrong, fractions: false).count == 2)
        let line = ReferenceComparison.json(reference, record: 1, id: nil)
        #expect(ReferenceComparison.difference(line, ReferenceComparison.json(wrong, record: 1, id: nil), at: "") != nil)
        #expect(ReferenceComparison.difference(line, line, at: "") == nil)
    }
}

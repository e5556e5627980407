// The evaluator remembers the merged result of each set of fired rules it
// has seen (`MergeMemo`). These tests evaluate seeded random records with a
// remembering evaluator and with one that does not, and require the same
// outcome every time: actions, deadlines, provenance, waivers, fired rules.
import Testing
@testable import Amends

@Suite("Merge memo")
struct MergeMemoTests {
    static func compare(_ program: Program, records: Int, seed: UInt64) -> Int {
        let remembering = Evaluator(program: program)
        let plain = Evaluator(program: program, remembering: false)
        var rng = SplitMix64(seed: seed)
        for i in 0..<records {
            let record = Differential.randomRecord(program.model, &rng)
            let recalled = remembering.evaluate(record), merged = plain.evaluate(record)
            let a = Outcome(recalled), b = Outcome(merged)
            #expect(a.actions == b.actions, "record \(i)")
            #expect(a.waived == b.waived, "record \(i)")
            #expect(a.fired == b.fired && a.base == b.base, "record \(i)")
            #expect(recalled.firedRules == merged.firedRules)
        }
        return (0..<MergeMemo.entries).filter { remembering.memo?.counts[$0].valid == true }.count
    }

    @Test func theBriefPolicyGivesTheSameWithAndWithoutMemory() throws {
        // Business hours, waivers, assign and offers: some patterns are kept.
        let program = try Fixtures.program(Fixtures.brief)
        #expect(Self.compare(program, records: 3_000, seed: 11) > 0)
    }

    @Test func everyKindOfConditionGivesTheSame() throws {
        let program = try Fixtures.program(Fixtures.everyCondition)
        #expect(Self.compare(program, records: 2_000, seed: 12) > 0)
    }

    @Test func setsThatMeetInOneEntryGiveTheSame() throws {
        // Many sets of fired rules over few entries: entries are replaced often.
        let rules = (0..<40).map { "when amount > \($0 * 100) or repeat = \($0 % 5): notify a within \($0 + 1) hours" }
        let program = try Fixtures.program("""
        record incident:
          amount: number?
          repeat: number = 0
          reported: time?
        deadlines from reported
        roles: a, b
        \(rules.joined(separator: "\n"))
        when amount is missing: assign a
        when repeat > 2: assign b
        """)
        _ = Self.compare(program, records: 4_000, seed: 13)
    }

    /// Evaluates `n` seeded random records with `evaluator`.
    static func evaluate(_ evaluator: Evaluator, _ program: Program, records n: Int) {
        var rng = SplitMix64(seed: 14)
        for _ in 0..<n { evaluator.evaluate(Differential.randomRecord(program.model, &rng)) }
    }

    @Test func aMemoryIsKeptOnlyForAtMost64Rules() throws {
        let rules = (0..<70).map { "when amount > \($0): notify a" }.joined(separator: "\n")
        let program = try Fixtures.program("record incident:\n  amount: number?\nroles: a\n" + rules)
        let many = Evaluator(program: program)
        Self.evaluate(many, program, records: 200)
        #expect(many.memo == nil)
        let brief = try Fixtures.program(Fixtures.brief)
        let plain = Evaluator(program: brief, remembering: false)
        Self.evaluate(plain, brief, records: 200)
        #expect(plain.memo == nil)
    }

    @Test func aMemoryIsMadeOnlyAfterTheWarmUp() throws {
        // An evaluator made for a few records (the library's evaluate, the
        // REPL, explain) never allocates the memo's megabyte.
        let program = try Fixtures.program(Fixtures.brief)
        let evaluator = Evaluator(program: program)
        Self.evaluate(evaluator, program, records: MergeMemo.warmUp)
        #expect(evaluator.memo == nil)
        Self.evaluate(evaluator, program, records: 1)
        #expect(evaluator.memo != nil)
    }

    @Test func aClockNoReaderStoresDoesNotTrap() throws {
        let program = try Fixtures.program("""
        record incident:
          amount: number?
          reported: time?
        deadlines from reported
        roles: a
        when amount > 1: notify a within 2 hours
        """)
        let evaluator = Evaluator(program: program)
        for clock in [Double.infinity, -.infinity, .nan, 1e300, -1e300, 0] {
            var record = RecordBuffer(fieldCount: 2)
            record.setScalar(0, 5)
            record.setScalar(1, clock)
            for _ in 0..<99 { evaluator.evaluate(record) }   // past the warm-up
            #expect(evaluator.evaluate(record).count == 1, "\(clock)")
        }
        #expect(Evaluator.seconds(.nan) == 0)
        // A buffer with no slots at all: every field is missing.
        #expect(evaluator.evaluate(RecordBuffer(fieldCount: 0)).count == 0)
        #expect(Evaluator.seconds(-12.5) == -12)
    }

    @Test func aRecalledResultHasItsOwnRecordsDeadlines() throws {
        // The same rules fire for both records: the second is recalled, read
        // in place with its own clock.
        let program = try Fixtures.program("""
        record incident:
          amount: number?
          reported: time?
        deadlines from reported
        roles: a, b
        when amount > 1: notify a within 2 hours; notify b within 1 day
        when amount > 3: notify a within 1 hour
        """)
        let evaluator = Evaluator(program: program)
        var record = RecordBuffer(fieldCount: 2)
        record.setScalar(0, 5)
        for t in 0..<200 {
            record.setScalar(1, Double(t * 1_000))
            let outcome = Outcome(evaluator.evaluate(record))
            #expect(outcome.actions.map(\.due) == [Int64(t * 1_000 + 3_600), Int64(t * 1_000 + 86_400)])
            #expect(outcome.actions.first?.overridden.map(\.due) == [Int64(t * 1_000 + 7_200)])
        }
        #expect(evaluator.memo != nil)
    }

    /// The actions of a recalled result, written once and copied with each
    /// record's deadlines (`ActionTemplates`), are the bytes written afresh.
    @Test(arguments: [Fixtures.brief, Fixtures.everyCondition])
    func keptActionsAreTheBytesWrittenAfresh(policy: String) throws {
        let program = try Fixtures.program(policy)
        let evaluator = Evaluator(program: program)
        let writer = ResultWriter(program: program)
        let templates = ActionTemplates()
        let kept = OutputBuffer(), fresh = OutputBuffer()
        var rng = SplitMix64(seed: 15)
        var copied = 0
        for i in 0..<3_000 {
            let record = Differential.randomRecord(program.model, &rng)
            let evaluation = evaluator.evaluate(record)
            kept.removeAll()
            fresh.removeAll()
            let wasKept = evaluation.recalled.map { r in templates.version(r.entry) == r.version } ?? false
            writer.writeJSON(record: i, evaluation, record, into: kept, templates: templates)
            writer.writeJSON(record: i, evaluation, record, into: fresh)
            #expect(kept.array == fresh.array, "record \(i)")
            if wasKept { copied += 1 }
        }
        #expect(copied > 10, "copied \(copied) of 3,000")
    }
}

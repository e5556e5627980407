// Progress (Grammar.md §8, "Progress"): each status and its boundaries, the
// margin in elapsed and in open time, notes, unrequired evidence, the
// library API, and the fast path against the reference on random records.
import Testing
@testable import Amends

@Suite("Tracking")
struct TrackingTests {
    /// 2026-03-05T10:00:00Z, a Thursday.
    static let now: Int64 = 1_772_704_800
    static let hour: Int64 = 3_600

    static let policy = """
    record incident:
      id: text?
      amount: number = 0
      reported: time?
      responded_at: time?
      apologised: yes/no = no
      told: time?
      reviewed: time?
      called: time?
    deadlines from reported
    roles: supervisor, owner
    calendar:
      open mon-fri 09:00-17:00
      time zone Europe/London
      closed 2026-03-04
    done:
      respond: responded_at
      apology: apologised
      notify supervisor: told
      review: reviewed
      task "call the client": called
    when amount > 0: respond within 2 hours; require apology with repair, responsibility; notify supervisor within 4 business hours # amends: allow W313
    when amount > 10: task "call the client"; notify owner # amends: allow W313
    when amount < 0: review cause within 1 day
    """

    static func outcome(_ record: String, now: Int64 = now) throws -> Outcome {
        let program = try Fixtures.program(policy)
        let value = try JSONValue.parse(Array(record.utf8)).get()
        var buffer = RecordBuffer(fieldCount: program.schema.fields.count)
        if let error = program.schema.read(value, into: &buffer) { throw Fixtures.CompileError(description: error.message) }
        buffer.now = Double(now)
        return Evaluator.outcome(of: buffer, under: program)
    }

    static func progress(_ outcome: Outcome, _ kind: ActionKindName, role: String? = nil) -> Progress? {
        outcome.actions.first { $0.kind == kind && (role == nil || $0.role == role) }?.progress
    }

    // 2026-03-02T09:00:00Z is a Monday.
    static let reported = "2026-03-02T09:00:00Z"

    @Test func doneExactlyAtTheDeadlineIsOnTimeAndASecondLaterIsLate() throws {
        let atDeadline = try Self.outcome(#"{"amount": 1, "reported": "\#(Self.reported)", "responded_at": "2026-03-02T11:00:00Z"}"#)
        #expect(Self.progress(atDeadline, .respond) == Progress(status: .onTime, doneAt: 1_772_449_200, margin: 0, field: "responded_at"))
        let late = try Self.outcome(#"{"amount": 1, "reported": "\#(Self.reported)", "responded_at": "2026-03-02T11:00:01Z"}"#)
        #expect(Self.progress(late, .respond) == Progress(status: .late, doneAt: 1_772_449_201, margin: 1, field: "responded_at"))
        let early = try Self.outcome(#"{"amount": 1, "reported": "\#(Self.reported)", "responded_at": "2026-03-02T10:30:00Z"}"#)
        #expect(Self.progress(early, .respond)?.status == .onTime)
        #expect(Self.progress(early, .respond)?.margin == 1_800)
    }

    @Test func notDoneIsOpenUntilTheDeadlineAndOverdueAfter() throws {
        let record = #"{"amount": 1, "reported": "\#(Self.reported)"}"#
        let due: Int64 = 1_772_449_200  // 2026-03-02T11:00:00Z
        let atDue = try Self.outcome(record, now: due)
        #expect(Self.progress(atDue, .respond) == Progress(status: .open, margin: 0, field: "responded_at"))
        let before = try Self.outcome(record, now: due - 600)
        #expect(Self.progress(before, .respond) == Progress(status: .open, margin: 600, field: "responded_at"))
        let after = try Self.outcome(record, now: due + 1)
        #expect(Self.progress(after, .respond) == Progress(status: .overdue, margin: 1, field: "responded_at"))
    }

    @Test func aYesNoFieldIsDoneWithNoTimeAndNoMargin() throws {
        let yes = try Self.outcome(#"{"amount": 1, "reported": "\#(Self.reported)", "apologised": true}"#)
        #expect(Self.progress(yes, .apology) == Progress(status: .done, field: "apologised"))
        // No deadline and not done: open, with no margin.
        let no = try Self.outcome(#"{"amount": 1, "reported": "\#(Self.reported)", "apologised": false}"#)
        #expect(Self.progress(no, .apology) == Progress(status: .open, field: "apologised"))
    }

    @Test func anActionWithNoDeadlineThatIsDoneIsDone() throws {
        let o = try Self.outcome(#"{"amount": 11, "reported": "\#(Self.reported)", "called": "2026-03-02T10:00:00Z"}"#)
        let task = o.actions.first { $0.kind == .task }?.progress
        #expect(task == Progress(status: .done, doneAt: 1_772_445_600, field: "called"))
        #expect(Self.progress(o, .notify, role: "owner")?.status == .notTracked)
    }

    @Test func businessDeadlinesHaveMarginsInOpenTime() throws {
        // Due Mon 13:00; told Thu 10:00 with Wednesday closed: Mon 13-17,
        // Tue 9-17, Thu 9-10 = 4 + 8 + 1 = 13 business hours late.
        let o = try Self.outcome(#"{"amount": 1, "reported": "\#(Self.reported)", "told": "2026-03-05T10:00:00Z"}"#)
        let p = try #require(Self.progress(o, .notify, role: "supervisor"))
        #expect(p.status == .late)
        #expect(p.margin == 13 * Self.hour)
        #expect(p.marginIsBusiness)
        #expect(p.summary == "done 13 business hours late")
    }

    @Test func evidenceBeforeTheClockCountsWithANoteAndAfterNowDoesNot() throws {
        let before = try Self.outcome(#"{"amount": 1, "reported": "\#(Self.reported)", "responded_at": "2026-03-01T09:00:00Z"}"#)
        let p = try #require(Self.progress(before, .respond))
        #expect(p.status == .onTime)
        #expect(p.notes == ["done at 2026-03-01T09:00:00Z, before reported (2026-03-02T09:00:00Z)"])
        let future = try Self.outcome(#"{"amount": 1, "reported": "\#(Self.reported)", "responded_at": "2026-03-06T09:00:00Z"}"#)
        let q = try #require(Self.progress(future, .respond))
        #expect(q.status == .overdue)
        #expect(q.doneAt == nil)
        #expect(q.notes == ["done at 2026-03-06T09:00:00Z, after now (2026-03-05T10:00:00Z): not done yet at now"])
    }

    @Test func evidenceForAnActionNotRequiredIsReported() throws {
        let o = try Self.outcome(#"{"amount": 1, "reported": "\#(Self.reported)", "reviewed": "2026-03-02T10:00:00Z", "called": "2026-03-09T10:00:00Z"}"#)
        // `called` is after now: not done yet, so not listed.
        #expect(o.unrequired == [DoneWithoutRequirement(action: "review cause", kind: .review, role: nil, text: nil,
                                                        field: "reviewed", doneAt: 1_772_445_600)])
    }

    @Test func aPolicyWithoutDoneHasNoProgress() throws {
        let program = try Fixtures.program("record incident:\n  amount: number\nroles: a\nwhen amount > 0: notify a\n")
        #expect(program.tracking == nil)
        let policy = try Policy(source: "record incident:\n  amount: number\nroles: a\nwhen amount > 0: notify a\n")
        let o = try policy.evaluate(["amount": .number(1)], now: Self.now)
        #expect(o.actions.first?.progress == nil)
    }

    @Test func theLibraryGivesStatusDoneTimeAndMargin() throws {
        let policy = try Policy(source: Self.policy)
        let o = try policy.evaluate(["amount": .number(1), "reported": .string(Self.reported),
                                     "responded_at": .string("2026-03-02T12:30:00Z")], now: Self.now)
        let p = try #require(o.actions.first { $0.kind == .respond }?.progress)
        #expect(p.status == .late)
        #expect(p.doneAt == 1_772_454_600)
        #expect(p.margin == 5_400)
        #expect(p.summary == "done 1 hour 30 minutes late")
    }

    // MARK: - Open time

    @Test func openTimeSkipsClosedDaysAndCountsAClockChangeAsItElapses() throws {
        let program = try Fixtures.program("""
        record incident:
          amount: number
        roles: a
        calendar:
          open mon-sun 00:30-03:30
          time zone Europe/London
          closed 2026-03-25
        when amount > 0: notify a within 1 business hour
        """)
        let calendar = try #require(program.calendar)
        // 2026-03-29: the clocks go forward at 01:00 UTC; 00:30-03:30 local
        // that day is 00:30Z-02:30Z, two hours (the next day opens at 23:30Z).
        let day29 = try TimestampLiteral.parse(Array("2026-03-29T00:00:00Z".utf8)).get().epochSeconds()
        #expect(calendar.openSeconds(from: day29, to: day29 + 23 * Self.hour) == 2 * Self.hour)
        // Across a closed day: 24th, (25th closed), 26th: 6 hours.
        let day24 = try TimestampLiteral.parse(Array("2026-03-24T00:00:00Z".utf8)).get().epochSeconds()
        #expect(calendar.openSeconds(from: day24, to: day24 + 3 * 86_400) == 6 * Self.hour)
        // Whole weeks: 10 weeks from Monday 2026-01-05 is 70 days of 3 hours.
        let jan5 = try TimestampLiteral.parse(Array("2026-01-05T00:00:00Z".utf8)).get().epochSeconds()
        #expect(calendar.openSeconds(from: jan5, to: jan5 + 70 * 86_400) == 70 * 3 * Self.hour)
        #expect(calendar.openSeconds(from: jan5 + 10, to: jan5) == 0)
    }

    /// openSeconds agrees with adding open time: from an open instant,
    /// `addBusinessSeconds(n)` lands where the open time counted is n.
    @Test func openTimeInvertsAddingOpenTime() throws {
        let program = try Fixtures.program(Self.policy)
        let calendar = try #require(program.calendar)
        var random = SeededRandom(seed: 16)
        for _ in 0..<300 {
            let start = Self.now - 40 * 86_400 + Int64.random(in: 0...(80 * 86_400), using: &random)
            let amount = Int64.random(in: 0...(200 * Self.hour), using: &random)
            guard let end = calendar.addBusinessSeconds(amount, to: start) else { continue }
            #expect(calendar.openSeconds(from: start, to: end) == amount, "from \(start), \(amount) s")
        }
    }

    // MARK: - Against the reference

    @Test func randomRecordsAgreeWithTheReference() throws {
        let program = try Fixtures.program(Self.policy)
        var random = SeededRandom(seed: 7)
        func time(_ base: Int64) -> String {
            ReferenceComparison.time(base + Int64.random(in: (-3 * 86_400)...(6 * 86_400), using: &random))
        }
        var lines: [String] = []
        for i in 0..<600 {
            var fields = ["\"id\": \"R\(i)\"", "\"amount\": \(Int.random(in: -2...14, using: &random))"]
            let base = Self.now - Int64.random(in: 0...(10 * 86_400), using: &random)
            if Int.random(in: 0...9, using: &random) > 0 { fields.append("\"reported\": \"\(time(base))\"") }
            for f in ["responded_at", "told", "reviewed", "called"] where Bool.random(using: &random) {
                fields.append("\"\(f)\": \"\(time(base))\"")
            }
            if Bool.random(using: &random) { fields.append("\"apologised\": \(Bool.random(using: &random))") }
            lines.append("{" + fields.joined(separator: ", ") + "}")
        }
        let report = WholeDifferential.compare(program, records: lines.joined(separator: "\n") + "\n", now: Self.now)
        #expect(report.pairs == 600)
        for d in report.disagreements.prefix(10) { Issue.record(Comment(rawValue: d.text)) }
    }
}

@Suite("Tracking explained")
struct TrackingExplainTests {
    @Test func explainShowsEachStatusAndWhy() throws {
        let program = try Fixtures.program(TrackingTests.policy)
        let value = try JSONValue.parse(Array(#"{"amount": 1, "reported": "2026-03-02T09:00:00Z", "responded_at": "2026-03-02T12:00:00Z", "reviewed": "2026-03-02T10:00:00Z"}"#.utf8)).get()
        var buffer = RecordBuffer(fieldCount: program.schema.fields.count)
        #expect(program.schema.read(value, into: &buffer) == nil)
        let text = Explainer.explain(program: program, record: buffer, now: TrackingTests.now).text
        #expect(text.contains("    status: done 1 hour late\n      evidence: responded_at = 2026-03-02T12:00:00Z\n      deadline: 2026-03-02T11:00:00Z (within 2 hours)\n      now: 2026-03-05T10:00:00Z\n      margin counted in elapsed time\n"), "\(text)")
        #expect(text.contains("    status: overdue by 13 business hours\n      evidence: told is missing\n"), "\(text)")
        #expect(text.contains("review cause was done (reviewed = 2026-03-02T10:00:00Z) but is not required"), "\(text)")
    }
}

/// Runs a policy's `example` blocks and compares what the policy requires
/// with what each example expects.
///
/// An example's `expect` lines are the complete set of actions, deadlines,
/// channels, components and remedies included, unless one of them says
/// `expect at least`: then the example accepts further actions, and an
/// `at least` line is met by an action that has at least its components or
/// remedies (and its deadline and channel, where it names them). Deadlines
/// are compared as durations from the record's clock (or `now`).
package struct ExampleRunner {
    package let program: Program
    let evaluator: Evaluator

    package init(program: Program) {
        self.program = program
        self.evaluator = Evaluator(program: program)
    }

    /// One expected action, resolved against the record's clock.
    package struct Expected: Sendable {
        package var action: RequiredAction
        package var atLeast: Bool
        package var ref: SourceRef
        /// For business time: the deadline counted in each of the policy's
        /// other calendars. A rule that counts in a named calendar gives its
        /// deadline there, and `within 4 business hours` means the rule's.
        package var otherDues: [Int64] = []
    }

    package struct Result: Sendable {
        package var example: ExampleModel
        package var outcome: Outcome
        package var missing: [Expected]
        package var unexpected: [RequiredAction]
        /// Same kind and target, different details: what was expected, what came.
        package var mismatched: [(expected: Expected, actual: RequiredAction)]
        /// `expect status` lines not met: what was expected, and the action
        /// as it stands (nil when it was not required).
        package var statusMismatches: [StatusMismatch] = []
        package var passed: Bool { missing.isEmpty && unexpected.isEmpty && mismatched.isEmpty && statusMismatches.isEmpty }
    }

    /// An `expect status` line and what the action's progress was.
    package struct StatusMismatch: Sendable {
        package var expected: StatusExpectationModel
        package var ref: SourceRef
        package var actual: RequiredAction?

        /// `status respond: late by 1 hour`.
        package var expectedText: String {
            "status \(expected.written): \(expected.status.jsonName)" + (expected.margin.map { " by \($0)" } ?? "")
        }

        /// `status respond: on_time by 30 minutes`, or `respond is not required`.
        package var actualText: String {
            guard let a = actual, let p = a.progress else { return "\(expected.written) is not required" }
            let by = p.margin.map { " by " + ProgressWords.duration($0, business: p.marginIsBusiness) } ?? ""
            return "status \(expected.written): \(p.status.jsonName)\(by)"
        }
    }

    /// Builds the example's record: its given fields, defaults applied, other
    /// fields missing (an example need only give what its rules look at).
    package func record(for example: ExampleModel) -> RecordBuffer {
        let schema = program.schema
        var record = RecordBuffer(fieldCount: schema.fields.count)
        for (field, value) in example.record { schema.assign(field, value, into: &record) }
        _ = schema.finish(&record, requireAll: false)
        if let now = example.now {
            record.now = Double(now)
        } else if let clock = schema.clockField, record.isPresent(clock) {
            record.now = record.scalar(clock)
        }
        // An example is one incident: its key has no earlier ones.
        if let history = HistoryTracker(program: program) { record.history = history.alone(record) }
        return record
    }

    package func run(_ example: ExampleModel) -> Result {
        let record = record(for: example)
        let outcome = Outcome(evaluator.evaluate(record), tracking: record)
        let base = outcome.base
        var expected: [Expected] = []
        for e in example.expectations {
            for action in e.actions {
                let resolved = resolve(action, base: base)
                var others: [Int64] = []
                if let d = resolved.within, d.unit.isBusiness {
                    others = program.calendars.indices.compactMap { program.deadline(d, from: base, calendar: $0) }
                }
                expected.append(Expected(action: resolved, atLeast: e.atLeast, ref: e.ref, otherDues: others))
            }
        }
        // Status lines are not actions: an example with only those does
        // not check the set of actions.
        let open = example.expectations.contains { $0.atLeast }
            || (!example.expectations.contains { $0.status == nil } && example.expectations.contains { $0.status != nil })
        var remaining = outcome.actions
        var missing: [Expected] = []
        var mismatched: [(Expected, RequiredAction)] = []
        for e in expected {
            if let i = remaining.firstIndex(where: { matches(e, $0) }) {
                remaining.remove(at: i)
            } else if let i = remaining.firstIndex(where: { sameTarget(e.action, $0) }) {
                mismatched.append((e, remaining[i]))
                remaining.remove(at: i)
            } else {
                missing.append(e)
            }
        }
        var statusMismatches: [StatusMismatch] = []
        for e in example.expectations {
            guard let s = e.status else { continue }
            let actual = outcome.actions.first { a in
                guard a.kind == s.kind else { return false }
                switch s.kind {
                case .notify, .escalate: return a.role == s.role.map { program.model.roles.indices.contains($0) ? program.model.roles[$0] : "" }
                case .task: return a.text.map { Array($0.utf8) } == s.text.map { Array($0.utf8) }
                default: return true
                }
            }
            if let a = actual, let p = a.progress, p.status == s.status, Self.marginMatches(s.margin, p) { continue }
            statusMismatches.append(StatusMismatch(expected: s, ref: e.ref, actual: actual))
        }
        return Result(example: example, outcome: outcome, missing: missing, unexpected: open ? [] : remaining,
                      mismatched: mismatched, statusMismatches: statusMismatches)
    }

    /// A margin written in calendar time is elapsed seconds; in business
    /// hours, open time: each must be what the action's margin is.
    static func marginMatches(_ expected: DurationSpec?, _ p: Progress) -> Bool {
        guard let expected else { return true }
        guard let m = p.margin else { return false }
        if let seconds = expected.seconds { return !p.marginIsBusiness && m == seconds }
        return p.marginIsBusiness && expected.unit == .businessHours && m == expected.amount &* 3_600
    }

    // MARK: - Matching

    /// An expected action as the evaluator would report it.
    func resolve(_ action: ActionModel, base: Int64) -> RequiredAction {
        let due = action.duration.flatMap { program.deadline($0, from: base) }
        return RequiredAction(action, model: program.model, due: due)
    }

    func sameTarget(_ a: RequiredAction, _ b: RequiredAction) -> Bool {
        guard a.kind == b.kind else { return false }
        switch a.kind {
        case .notify, .escalate: return a.role == b.role
        case .task: return a.text.map { Array($0.utf8) } == b.text.map { Array($0.utf8) }   // scalars exactly, as tasks merge
        default: return true
        }
    }

    func matches(_ e: Expected, _ actual: RequiredAction) -> Bool {
        let x = e.action
        guard sameTarget(x, actual) else { return false }
        if x.kind == .assign && x.role != actual.role { return false }
        if e.atLeast {
            if !Set(x.components).isSubset(of: Set(actual.components)) { return false }
            if !Set(x.remedies).isSubset(of: Set(actual.remedies)) { return false }
            if x.due != nil && !sameDue(e, actual) { return false }
            if x.channel != nil && x.channel != actual.channel { return false }
            return true
        }
        return x.components == actual.components && x.remedies == actual.remedies && sameDue(e, actual)
            && x.channel == actual.channel
    }

    /// The expected deadline, or for business time the same duration
    /// counted in the calendar the result's rule counts in.
    func sameDue(_ e: Expected, _ actual: RequiredAction) -> Bool {
        if e.action.due == actual.due { return true }
        guard let due = actual.due, e.action.within == actual.within else { return false }
        return e.otherDues.contains(due)
    }
}

extension Program {
    /// The deadline a duration gives from a start time: in calendar time,
    /// or over the calendar's opening hours (Grammar.md §8); nil for a
    /// business duration with no calendar to count in.
    package func deadline(_ d: DurationSpec, from start: Int64, calendar index: Int? = nil) -> Int64? {
        if let s = d.seconds { return start &+ s }
        let inForce = index.map { calendars.indices.contains($0) ? calendars[$0] : nil } ?? self.calendar
        guard let calendar = inForce else { return nil }
        switch d.unit {
        case .businessHours: return calendar.addBusinessHours(d.amount, to: start) ?? ISOTime.latest
        case .businessDays: return calendar.addBusinessDays(d.amount, to: start) ?? ISOTime.latest
        default: return start
        }
    }
}

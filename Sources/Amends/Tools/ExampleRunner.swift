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
        return record
    }

    package func run(_ example: ExampleModel) -> Result {
        let record = record(for: example)
        evaluator.evaluate(record)
        let outcome = evaluator.outcome(tracking: record)
        let base = evaluator.base
        var expected: [Expected] = []
        for e in example.expectations {
            for action in e.actions {
                expected.append(Expected(action: resolve(action, base: base), atLeast: e.atLeast, ref: e.ref))
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
        let model = program.model
        var r = RequiredAction(kind: action.kind, role: nil, components: [], remedies: [], text: nil, channel: nil,
                               due: nil, within: nil, because: [], overridden: [])
        var duration: DurationSpec?
        switch action {
        case .notify(let role, let w), .escalate(let role, let w):
            r.role = model.roles[role]
            duration = w
        case .assign(let role):
            r.role = model.roles[role]
        case .respond(let w, let c):
            duration = w
            r.channel = c.map { model.channels[$0] }
        case .apology(let set, let w, let c):
            r.components = Array(set)
            duration = w
            r.channel = c.map { model.channels[$0] }
        case .offer(let remedies):
            r.remedies = model.remedies.indices.filter(remedies.contains).map { model.remedies[$0] }
        case .followUp(let w, let c):
            duration = w
            r.channel = c.map { model.channels[$0] }
        case .review(let w):
            duration = w
        case .task(let text, let w):
            r.text = text
            duration = w
        case .waive:
            break
        }
        r.within = duration
        if let d = duration { r.due = evaluator.deadlineFor(d, from: base) }
        return r
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
            if x.due != nil && x.due != actual.due { return false }
            if x.channel != nil && x.channel != actual.channel { return false }
            return true
        }
        return x.components == actual.components && x.remedies == actual.remedies && x.due == actual.due
            && x.channel == actual.channel
    }
}

extension Evaluator {
    /// The deadline a duration gives from a start time (calendar or business).
    package func deadlineFor(_ d: DurationSpec, from start: Int64) -> Int64? {
        if let s = d.seconds { return start &+ s }
        let due = businessDeadline(d, from: start)
        return due == Int64.max ? nil : due
    }
}

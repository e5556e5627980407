/// The Explainer says, for one record, why each rule did or did not fire and
/// where each required action, its deadline and each waiver came from: what
/// `amends explain` and `amends run --explain` print.
///
/// The actions are the compiled program's (exactly what `run` gives); the
/// reasons come from the `ReferenceInterpreter`, which walks each condition
/// with the record's actual values. Should the two ever disagree on whether
/// a rule fires, the explanation says so instead of hiding it.
package enum Explainer {
    /// Explains `record` under `program`.
    ///
    /// INVARIANT: `record` was read with `program.schema` (one slot per
    /// field), as every reader and `RecordLiteral` make it.
    /// - Parameters:
    ///   - now: the time `age` is measured at; nil keeps `record.now`.
    ///   - given: the fields the input gave (the others were defaulted or are
    ///     missing); nil when unknown, and then a value equal to its field's
    ///     default is marked as such.
    package static func explain(program: Program, record: RecordBuffer, now: Int64? = nil,
                               given: Set<Int>? = nil) -> Explanation {
        var record = record
        if let now { record.now = Double(now) }
        let model = program.model
        let evaluator = Evaluator(program: program, remembering: false)
        let (outcome, waived) = withExtendedLifetime(evaluator) {
            let evaluation = evaluator.evaluate(record)
            return (Outcome(evaluation, tracking: record), waivedLines(evaluation))
        }
        let interpreter = ReferenceInterpreter(model: model)

        var explanation = Explanation(policy: model.name, now: ReferenceInterpreter.whole(record.now), base: outcome.base)
        explanation.fields = fieldLines(model, record, interpreter, given: given)
        if let clock = model.clockField, model.fields.indices.contains(clock), record.isPresent(clock) {
            explanation.baseField = model.fields[clock].name
        }
        let anyWhenFired = outcome.fired.contains { model.rules[$0.index].condition != nil }
        for rule in model.rules {
            let ref = program.ruleRef(rule.index)
            let fired = outcome.fired.contains(ref)
            var line = Explanation.RuleLine(rule: ref, condition: rule.condition.map { $0.ref.source.text($0.ref.span) },
                                            fired: fired, reason: nil, disagrees: false)
            if let condition = rule.condition {
                let reason = interpreter.reason(condition, in: record)
                line.reason = reason
                line.disagrees = reason.holds != fired
            } else {
                line.reason = Reason(holds: fired, text: anyWhenFired ? "a `when` rule fired, so `otherwise` does not"
                                                                      : "no `when` rule fired")
            }
            explanation.rules.append(line)
        }
        let now = Evaluator.seconds(record.now)
        for action in outcome.actions {
            var line = actionLine(action, program: program, base: outcome.base, label: explanation.baseLabel)
            if let p = action.progress { line.progress = progressReasons(p, action, program: program, record: record, now: now) }
            explanation.actions.append(line)
        }
        for u in outcome.unrequired {
            explanation.unrequired.append("\(u.action) was done (\(u.field)"
                + (u.doneAt.map { " = " + ISOTime.string(utc: $0) } ?? " = yes") + ") but is not required")
        }
        explanation.waived = waived
        return explanation
    }

    /// Each kind a fired rule waived, with every action it dropped as its
    /// rule asked for it, read from the evaluation.
    static func waivedLines(_ evaluation: Evaluation) -> [Explanation.WaivedLine] {
        let program = evaluation.program
        var lines: [Explanation.WaivedLine] = []
        for kind in ActionKindName.allCases {
            let by = evaluation.waivedBy(kind)
            guard !by.isEmpty else { continue }
            var line = Explanation.WaivedLine(kind: kind, by: by.map(program.ruleRef), dropped: [])
            for c in evaluation.dropped(kind) {
                let contribution = evaluation.contribution(c)
                let compiled = program.actions[Int(contribution.action)]
                let rule = program.model.rules[compiled.rule]
                let due = contribution.due == Int64.max ? nil : contribution.due
                line.dropped.append(.init(action: RequiredAction(compiled.action, model: program.model, due: due),
                                          rule: program.ruleRef(compiled.rule),
                                          line: rule.actionRefs.indices.contains(compiled.index) ? rule.actionRefs[compiled.index].line : rule.line))
            }
            lines.append(line)
        }
        return lines
    }

    // MARK: - Pieces

    static func fieldLines(_ model: PolicyModel, _ record: RecordBuffer, _ interpreter: ReferenceInterpreter,
                           given: Set<Int>?) -> [Explanation.FieldLine] {
        model.fields.indices.map { f in
            let field = model.fields[f]
            let value = interpreter.value(of: f, in: record)
            var origin: Explanation.FieldLine.Origin
            if value == nil {
                origin = field.isRequired ? .missingRequired : .missing
            } else if let given {
                origin = given.contains(f) ? .given : .defaulted
            } else {
                origin = field.defaultValue != nil && field.defaultValue == value ? .defaulted : .given
            }
            return Explanation.FieldLine(name: field.name, value: value, shown: value.map { model.describe($0) },
                                         json: value.map { jsonValue($0, model) } ?? .null, origin: origin)
        }
    }

    static func actionLine(_ action: RequiredAction, program: Program, base: Int64, label: String) -> Explanation.ActionLine {
        var line = Explanation.ActionLine(action: action, deadline: [], overridden: [])
        if let within = action.within, let due = action.due {
            // The calendar the winning rule counted in: the one that gives this deadline.
            let inForce = within.seconds != nil ? program.calendar : program.calendars.lazy.compactMap { $0 }.first { c in
                (within.unit == .businessDays ? c.addBusinessDays(within.amount, to: base)
                                              : c.addBusinessHours(within.amount, to: base)) == due
            } ?? program.calendar
            line.deadline = deadlineLines(within, base: base, due: due, label: label, calendar: inForce)
        } else if let within = action.within {
            line.deadline = ["no deadline: \(label) \(ISOTime.string(utc: base)) + \(within) cannot be counted"]
        }
        for o in action.overridden {
            if let role = o.role {
                line.overridden.append("\(describe(o.rule)) assigned \(role); the first firing rule in file order wins")
            } else if let within = o.within {
                let due = o.due.map { " (due \(ISOTime.string(utc: $0)))" } ?? ""
                line.overridden.append("\(describe(o.rule)) asked within \(within)\(due); the earliest deadline wins")
            }
        }
        return line
    }

    /// How a deadline was computed: one line for calendar time, the walk
    /// through the opening hours for business time.
    static func deadlineLines(_ within: DurationSpec, base: Int64, due: Int64, label: String,
                              calendar: BusinessCalendar?) -> [String] {
        let start = "\(label) \(ISOTime.string(utc: base)) + \(within)"
        guard within.seconds == nil, let calendar else { return ["\(start) = \(ISOTime.string(utc: due))"] }
        let walk = within.unit == .businessDays
            ? calendar.explainBusinessDays(within.amount, from: base)
            : calendar.explainBusinessHours(within.amount, from: base)
        return ["\(start), counted in opening hours:"] + walk.map { "  " + $0 }
    }

    /// A field's value as JSON: numbers and yes/no as themselves, times and
    /// durations in ISO 8601, levels and `one of` values by name.
    static func jsonValue(_ value: Value, _ model: PolicyModel) -> JSONTree {
        switch value {
        case .text(let s): return .string(s)
        case .number(let v): return .number(v)
        case .bool(let b): return .bool(b)
        case .time(let t): return .string(ISOTime.string(utc: t))
        case .duration(let d): return .string(ISODuration.format(seconds: d))
        case .level, .choice: return .string(model.describe(value))
        case .list(let items): return .array(items.map { jsonValue($0, model) })
        }
    }

    /// `rule "name" (file:line)` or `the rule at file:line`.
    static func describe(_ rule: RuleRef) -> String {
        if let name = rule.name { return "rule \(SExpr.quote(name)) (\(rule.file):\(rule.line))" }
        return "the rule at \(rule.file):\(rule.line)"
    }
}

/// An Explanation is everything `amends explain` says about one record:
/// the record as read, each rule with why it did or did not fire, each
/// required action with where it and its deadline came from, and each waiver.
/// `text` is for people, `json` for programs.
package struct Explanation: Sendable {
    /// One field of the record as the rules saw it.
    package struct FieldLine: Sendable {
        package enum Origin: String, Sendable {
            case given, defaulted = "default", missing
            /// Missing although the record declares it required (`run`
            /// would reject the record).
            case missingRequired = "missing, required"
        }
        package var name: String
        package var value: Value?
        /// The value as a policy writes it.
        package var shown: String?
        /// The value as `--format json` gives it.
        package var json: JSONTree
        package var origin: Origin
    }

    /// One rule: fired or not, and why.
    package struct RuleLine: Sendable {
        package var rule: RuleRef
        /// The condition as written; nil for `otherwise`.
        package var condition: String?
        package var fired: Bool
        package var reason: Reason?
        /// The reference interpreter and the compiled program disagree (a bug).
        package var disagrees: Bool
    }

    /// One required action, with the computation of its deadline and the
    /// contributions that lost to it.
    package struct ActionLine: Sendable {
        package var action: RequiredAction
        package var deadline: [String]
        package var overridden: [String]
        /// Why it has its status (§8, "Progress"): the evidence, the
        /// deadline and now; empty when the policy tracks nothing.
        package var progress: [String] = []
    }

    /// One waived kind: who waived it and what it removed.
    package struct WaivedLine: Sendable {
        package struct Dropped: Sendable {
            package var action: RequiredAction
            package var rule: RuleRef
            /// The line the action is written on.
            package var line: Int
        }
        package var kind: ActionKindName
        package var by: [RuleRef]
        package var dropped: [Dropped]
    }

    package var policy: String?
    /// The time `age` is measured at.
    package var now: Int64
    /// The time deadlines count from, and the field it came from (nil: `now`).
    package var base: Int64
    package var baseField: String?
    package var fields: [FieldLine] = []
    /// Evidence of actions done that were not required, as sentences.
    package var unrequired: [String] = []
    package var rules: [RuleLine] = []
    package var actions: [ActionLine] = []
    package var waived: [WaivedLine] = []

    init(policy: String?, now: Int64, base: Int64) {
        self.policy = policy
        self.now = now
        self.base = base
    }

    /// `reported` or `now`: what deadlines count from, for the deadline lines.
    package var baseLabel: String { baseField ?? "now" }

    /// Whether the reference interpreter disagreed with the compiled program
    /// on any rule.
    package var hasDisagreement: Bool { rules.contains(where: \.disagrees) }
}

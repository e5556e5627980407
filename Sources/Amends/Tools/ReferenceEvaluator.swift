/// A ReferenceEvaluator works out everything a policy requires for one
/// record, Grammar.md §7 and §8 stated as plainly as code allows: which
/// rules fire, what `waive` removes, how the actions merge per result,
/// their deadlines and channels, and the provenance of each. It shares no
/// code with the fast path's merge (`Evaluator`, `MergeMemo`,
/// `ResultWriter`): conditions are the `ReferenceInterpreter`'s, and only
/// the arithmetic of one business-time duration is the calendar's own
/// (`BusinessCalendar.addBusinessHours` and `addBusinessDays`, which have
/// their own tests in TimeTests).
///
/// It is slow on purpose: every result walks every action of every fired
/// rule. It is the oracle the fast path is tested against
/// (ReferenceResultTests, Fuzz/differential.swift).
///
/// Issue 15 decided the points Grammar.md once left open, and §7 now
/// states them (each marked "Decided:" below):
/// - a rule is cited at most once per result, in `because` and in
///   `overridden`; a rule's own deadline for a result is the earliest among
///   its actions for that result, and it is overridden when that is later
///   than the winning deadline (an action with no deadline asked for none
///   and is never overridden); for `assign`, a rule is overridden when it
///   does not assign the winning role;
/// - the channel of a merged respond, apology or follow-up is the first one
///   named (file order) among the actions at the winning deadline, else the
///   first named by any contributing action;
/// - tasks are one per text, texts equal only when their Unicode scalars
///   are (no normalisation), in order of first appearance in the policy;
/// - `in [list]` on numbers compares exactly (the `ReferenceInterpreter`).
package struct ReferenceEvaluator: Sendable {
    package let model: PolicyModel
    /// The policy's default calendar, for business time (nil when it has none).
    package let calendar: BusinessCalendar?
    /// Every calendar, parallel to `model.calendars`: a rule's business time
    /// counts in its own (`RuleModel.calendar`).
    package let calendars: [BusinessCalendar?]

    package init(model: PolicyModel, calendar: BusinessCalendar?, calendars: [BusinessCalendar?]? = nil) {
        self.model = model
        self.calendar = calendar
        self.calendars = calendars ?? model.calendars.indices.map { $0 == model.defaultCalendar ? calendar : nil }
    }

    /// One action a fired rule asked for, with its deadline for this record.
    struct Asked {
        var rule: RuleModel
        /// Its position in the rule's actions (order within the rule).
        var position: Int
        var action: ActionModel
        var duration: DurationSpec?
        var due: Int64?
    }

    /// Everything `record` requires when evaluated at `now` (seconds since
    /// the epoch; `age` is measured at it, and deadlines count from it when
    /// the record has no clock).
    package func result(for record: RecordBuffer, now: Int64) -> ReferenceResult {
        var record = record
        record.now = Double(now)

        // §7.1: "Every `when` rule whose condition holds fires (all-match, in
        // file order). When no `when` rule fires, every `otherwise` rule fires."
        let conditions = ReferenceInterpreter(model: model)
        var fired = model.rules.filter { rule in rule.condition.map { conditions.holds($0, in: record) } ?? false }
        if fired.isEmpty { fired = model.rules.filter(\.isOtherwise) }

        // §8: "The base is the record's clock field (`deadlines from`), or
        // `--now` when the policy has no clock field or the record has no
        // value for it."
        var base = now
        if let clock = model.clockField, record.isPresent(clock) {
            base = ReferenceInterpreter.whole(record.scalar(clock))
        }

        // Every action the fired rules ask for, in file order (rule order,
        // then order within the rule), each with its own deadline.
        var asked: [Asked] = []
        for rule in fired {
            for (position, action) in rule.actions.enumerated() where !action.isWaive {
                let duration = Self.duration(of: action)
                asked.append(Asked(rule: rule, position: position, action: action, duration: duration,
                                   due: deadline(duration, from: base, calendar: rule.calendar)))
            }
        }

        // §7.2: "`waive KIND` in a fired rule removes every action of that
        // kind, from whichever rule, including its own."
        var waivedKinds = Set<ActionKindName>()
        for rule in fired {
            for case .waive(let kind) in rule.actions { waivedKinds.insert(kind) }
        }
        // §7.4: "Every waive lists the rules that waived and the rules whose
        // actions it removed." §11: `waived` is "present when a waive removed
        // actions": a kind nobody asked for is not listed.
        var waived: [ReferenceResult.Waived] = []
        for kind in ActionKindName.allCases where waivedKinds.contains(kind) {
            let by = fired.filter { $0.actions.contains(.waive(kind)) }
            let dropped = asked.filter { $0.action.kind == kind }.map(\.rule)
            if dropped.isEmpty { continue }
            waived.append(ReferenceResult.Waived(kind: kind, by: by.map(cite), dropped: onceEach(dropped).map(cite)))
        }
        let remaining = asked.filter { !waivedKinds.contains($0.action.kind) }

        // §7.3: "The remaining actions merge into one set, per result", printed
        // in the fixed order of §7.
        var actions: [ReferenceResult.Action] = []
        for key in resultKeys() {
            let contributions = remaining.filter { key.takes($0.action) }
            if contributions.isEmpty { continue }
            actions.append(merge(key, contributions))
        }
        var result = ReferenceResult(fired: fired.map(cite), base: base, actions: actions, waived: waived)
        if model.doneRef != nil { track(&result, record: record, now: now) }
        return result
    }

    // MARK: - Result keys

    /// A Key is one result: what the table of §7.3 merges into one.
    enum Key {
        case notify(role: Int)
        case escalate(role: Int)
        case assign, respond, apology, offer, followUp, review
        /// Decided: one task per text, texts compared by Unicode scalars.
        case task([Unicode.Scalar])

        func takes(_ action: ActionModel) -> Bool {
            switch (self, action) {
            case (.notify(let r), .notify(let role, _)): return r == role
            case (.escalate(let r), .escalate(let role, _)): return r == role
            case (.assign, .assign), (.respond, .respond), (.apology, .apology), (.offer, .offer),
                 (.followUp, .followUp), (.review, .review):
                return true
            case (.task(let t), .task(let text, _)): return t == Array(text.unicodeScalars)
            default: return false
            }
        }
    }

    /// §7: "Results are printed in a fixed order: notify (roles in
    /// declaration order), escalate, assign, respond, apology, offer, follow
    /// up, review, tasks (in order of first appearance)." Escalations go in
    /// declaration order of their roles too.
    func resultKeys() -> [Key] {
        var keys: [Key] = model.roles.indices.map { Key.notify(role: $0) }
        keys += model.roles.indices.map { Key.escalate(role: $0) }
        keys += [.assign, .respond, .apology, .offer, .followUp, .review]
        // Decided: tasks in order of their first appearance in the policy text.
        var texts: [[Unicode.Scalar]] = []
        for rule in model.rules {
            for case .task(let text, _) in rule.actions where !texts.contains(Array(text.unicodeScalars)) {
                texts.append(Array(text.unicodeScalars))
            }
        }
        return keys + texts.map { Key.task($0) }
    }

    // MARK: - Merging

    /// One result from the actions that ask for it (at least one, in file order).
    func merge(_ key: Key, _ contributions: [Asked]) -> ReferenceResult.Action {
        let kind = contributions[0].action.kind
        var result = ReferenceResult.Action(kind: kind)
        // §7.4: "Every result lists every rule that asked for it."
        // Decided: once each, in file order.
        let rules = onceEach(contributions.map(\.rule))
        result.because = rules.map(cite)

        switch key {
        case .notify(let role), .escalate(let role):
            result.role = name(role, in: model.roles)
        case .task:
            if case .task(let text, _) = contributions[0].action { result.text = text }
        default:
            break
        }

        if case .assign = key {
            // §7.3: "assign: the first firing rule in file order wins; the
            // others are overridden."
            let winner = role(of: contributions[0])
            result.role = winner.flatMap { name($0, in: model.roles) }
            // Decided: a rule is overridden when it assigns a different role
            // from the winner (a rule assigning the same role is not).
            for rule in rules {
                let own = contributions.filter { $0.rule.index == rule.index }.compactMap(role(of:))
                if !own.contains(where: { $0 == winner }), let first = own.first {
                    result.overridden.append(ReferenceResult.Loser(rule: cite(rule), role: name(first, in: model.roles)))
                }
            }
            return result
        }

        if case .offer = key {
            // §7.3: "offer: one; the union of remedies, in declaration order."
            var offered = Set<Int>()
            for c in contributions {
                if case .offer(let remedies) = c.action { offered.formUnion(remedies) }
            }
            result.remedies = model.remedies.indices.filter(offered.contains).map { model.remedies[$0] }
            return result
        }

        // §7.3: "the earliest deadline wins" (notify, escalate, respond,
        // apology, follow up, review, task). "An action with no deadline
        // counts as the latest." On a tie the first in file order wins.
        let earliest = contributions.compactMap(\.due).min()
        let winner = contributions.first { $0.due == earliest } ?? contributions[0]
        result.due = winner.due
        result.within = winner.duration

        if case .apology = key {
            // §7.3: "apology: the union of components (printed in the speaking
            // order …)". `ComponentSet` iterates in speaking order.
            var components = ComponentSet()
            for c in contributions {
                if case .apology(let set, _, _) = c.action { for part in set { components.insert(part) } }
            }
            result.components = Array(components)
        }

        switch key {
        case .respond, .apology, .followUp:
            // §7.3: "The channel of a merged respond, apology or follow-up is
            // that of the action whose deadline won, or else of the first
            // contributing action (in file order) that names one."
            // Decided: "the action whose deadline won" is the first (file
            // order) naming a channel among those at the winning deadline.
            let atWinningDeadline = contributions.filter { $0.due == winner.due }
            let chosen = atWinningDeadline.compactMap(channel(of:)).first ?? contributions.compactMap(channel(of:)).first
            result.channel = chosen.flatMap { name($0, in: model.channels) }
        default:
            break
        }

        // §7.4: "… and separately the rules whose own deadline … lost."
        // Decided: a rule's own deadline is the earliest among its actions
        // for this result; it lost when later than the winning deadline. An
        // action with no deadline asked for none and never lost.
        if let winningDue = result.due {
            for rule in rules {
                let own = contributions.filter { $0.rule.index == rule.index && $0.due != nil }
                guard let ownDue = own.compactMap(\.due).min(), ownDue > winningDue,
                      let ownAction = own.first(where: { $0.due == ownDue }) else { continue }
                result.overridden.append(ReferenceResult.Loser(rule: cite(rule), due: ownDue, within: ownAction.duration))
            }
        }
        return result
    }

    // MARK: - Deadlines

    /// §8: "Deadlines are absolute UTC instants: the base time plus the
    /// duration." Nil for an action with no deadline.
    func deadline(_ duration: DurationSpec?, from base: Int64, calendar index: Int?) -> Int64? {
        guard let duration else { return nil }
        // "Calendar durations are exact (`1 day` is 24 hours, across clock
        // changes too)."
        if let seconds = duration.seconds {
            let (due, overflow) = base.addingReportingOverflow(seconds)
            return overflow ? (seconds > 0 ? Int64.max : Int64.min) : due
        }
        // "Business time is counted through the policy's calendar." The
        // arithmetic of one duration is the calendar's own, tested on its
        // own (TimeTests); the checker requires a calendar for business time
        // (E116). "A deadline past the year 9999 (a far-off base, or a
        // calendar that is seldom open) is written as 9999-12-31T23:59:59Z":
        // a count the calendar gives up (nil) is due then, not without a
        // deadline.
        let latest: Int64 = 253_402_300_799  // 9999-12-31T23:59:59Z
        // "A rule … says which it counts in" (§8): the rule's calendar.
        guard let index, calendars.indices.contains(index), let calendar = calendars[index] else { return latest }
        switch duration.unit {
        case .businessHours: return calendar.addBusinessHours(duration.amount, to: base) ?? latest
        case .businessDays: return calendar.addBusinessDays(duration.amount, to: base) ?? latest
        default: return latest
        }
    }

    /// The duration an action states (`follow up in D` included).
    static func duration(of action: ActionModel) -> DurationSpec? {
        switch action {
        case .notify(_, let d), .escalate(_, let d), .apology(_, let d, _), .task(_, let d): return d
        case .respond(let d, _), .followUp(let d, _), .review(let d): return d
        case .assign, .offer, .waive: return nil
        }
    }

    // MARK: - Small helpers

    func channel(of asked: Asked) -> Int? {
        switch asked.action {
        case .respond(_, let c), .apology(_, _, let c), .followUp(_, let c): return c
        default: return nil
        }
    }

    func role(of asked: Asked) -> Int? {
        if case .assign(let role) = asked.action { return role }
        return nil
    }

    func name(_ index: Int, in names: [String]) -> String? {
        names.indices.contains(index) ? names[index] : nil
    }

    func cite(_ rule: RuleModel) -> ReferenceResult.Cite {
        ReferenceResult.Cite(index: rule.index, file: rule.file, line: rule.line, name: rule.name)
    }

    /// The rules, each once, in file order.
    func onceEach(_ rules: [RuleModel]) -> [RuleModel] {
        var seen = Set<Int>()
        return rules.filter { seen.insert($0.index).inserted }.sorted { $0.index < $1.index }
    }
}

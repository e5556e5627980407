/// What a policy requires for one incident, as values: the library API's
/// answer, what `amends test` compares and `amends explain` explains.

/// A RuleRef names a rule: its file, line and name.
public struct RuleRef: Sendable, Hashable, CustomStringConvertible {
    /// The rule's position among the policy's rules (`use`d files' rules included), from 0.
    public var index: Int
    /// The file the rule is written in, as the policy was loaded.
    public var file: String
    /// The line of the rule's header, from 1.
    public var line: Int
    /// The name given with `rule "…"`, if any.
    public var name: String?

    /// `standard.policy:14 "valued client"`.
    public var description: String {
        "\(file):\(line)" + (name.map { " \(SExpr.quote($0))" } ?? "")
    }
}

/// A contribution that did not win: a later deadline, or another role for
/// `assign`.
public struct Override: Sendable, Hashable {
    /// The rule whose contribution lost.
    public var rule: RuleRef
    /// Its own duration, for a deadline that lost.
    public var within: DurationSpec?
    /// Its own deadline, seconds since the epoch.
    public var due: Int64?
    /// Its own role, for an `assign` that lost.
    public var role: String?
}

/// A RequiredAction is one merged action an incident requires.
public struct RequiredAction: Sendable, Hashable {
    /// What kind of action it is.
    public var kind: ActionKindName
    /// The role of notify, escalate and assign.
    public var role: String?
    /// The parts of an apology, in the recommended speaking order.
    public var components: [ApologyComponent]
    /// The remedies of an offer, in declaration order.
    public var remedies: [String]
    /// The text of a task.
    public var text: String?
    /// The channel of respond, apology and follow up, when one applies.
    public var channel: String?
    /// The deadline (for follow up: when to follow up), seconds since the epoch.
    public var due: Int64?
    /// The duration the deadline came from.
    public var within: DurationSpec?
    /// Every rule that asked for it, in file order.
    public var because: [RuleRef]
    /// The rules whose deadline (or role) lost to the one shown.
    public var overridden: [Override]
    /// Where it stands at `now` (Grammar.md §8, "Progress"): nil when the
    /// policy has no `done:` block, which tracks nothing.
    public var progress: Progress? = nil

    /// The action as a policy line: `notify supervisor within 1 hour`.
    public var summary: String {
        var s: String
        switch kind {
        case .notify: s = "notify \(role ?? "?")"
        case .escalate: s = "escalate to \(role ?? "?")"
        case .assign: s = "assign \(role ?? "?")"
        case .respond: s = "respond"
        case .apology: s = "apology" + (components.isEmpty ? "" : " with " + components.map(\.rawValue).joined(separator: ", "))
        case .offer: s = "offer " + remedies.joined(separator: ", ")
        case .followUp: s = "follow up"
        case .review: s = "review cause"
        case .task: s = "task " + SExpr.quote(text ?? "")
        }
        if let within {
            s += kind == .followUp ? " in \(within)" : " within \(within)"
        }
        if let channel { s += " by " + (channel == "in_person" ? "in person" : channel) }
        return s
    }
}

/// A Waiver says which kind a `waive` removed, who waived it and what it dropped.
public struct Waiver: Sendable, Hashable {
    /// The kind of action removed.
    public var kind: ActionKindName
    /// The fired rules that say `waive`, in file order.
    public var by: [RuleRef]
    /// The rules whose actions of that kind were removed.
    public var dropped: [RuleRef]
}

/// An Outcome is everything one incident requires.
public struct Outcome: Sendable {
    /// The required actions, merged, in the printing order of Grammar.md §7.
    public var actions: [RequiredAction]
    /// Every kind a fired rule waived, with what it removed. A waive that
    /// removed nothing is here too (`explain` says so), while `amends run`'s
    /// line lists only the waives that removed something (Grammar.md §11).
    public var waived: [Waiver]
    /// The rules that fired, in file order.
    public var fired: [RuleRef]
    /// The time deadlines counted from.
    public var base: Int64
    /// Evidence of actions done that this incident did not require
    /// (empty when the policy tracks nothing).
    public var unrequired: [DoneWithoutRequirement] = []
}

extension Program {
    /// The file, line and name of the rule at `index`.
    package func ruleRef(_ index: Int) -> RuleRef {
        let rule = model.rules[index]
        return RuleRef(index: index, file: rule.file, line: rule.line, name: rule.name)
    }
}

extension RequiredAction {
    /// One action as its rule asks for it, before merging, as values, due
    /// at `due` (nil: no deadline).
    package init(_ action: ActionModel, model: PolicyModel, due: Int64?) {
        self.init(kind: action.kind, role: action.role.map { model.roles[$0] }, components: Array(action.components),
                  remedies: [], text: nil, channel: action.channel.map { model.channels[$0] },
                  due: due, within: action.duration, because: [], overridden: [])
        if case .offer(let list) = action { remedies = model.remedies.indices.filter(list.contains).map { model.remedies[$0] } }
        if case .task(let text, _) = action { self.text = text }
    }

    /// Result `i` of `evaluation` as values; with `provenance`, the rules
    /// behind it (`because`, `overridden`) too.
    init(_ evaluation: Evaluation, _ i: Int, provenance: Bool = true) {
        let program = evaluation.program
        let model = program.model
        let key = program.keys[evaluation.key(i)]
        let win = evaluation.winning(i)
        let winAction = program.actions[Int(win.action)]
        self.init(kind: key.kind, role: nil, components: Array(ComponentSet(bits: evaluation.components(i))),
                  remedies: [], text: nil, channel: evaluation.channel(i).map { model.channels[$0] },
                  due: win.due == Int64.max ? nil : win.due, within: winAction.duration, because: [], overridden: [])
        if let role = key.role { self.role = model.roles[role] }
        if key.kind == .assign, case .assign(let role) = winAction.action { self.role = model.roles[role] }
        if key.kind == .task { text = key.label }
        if key.kind == .offer { remedies = evaluation.remedies(i).map { model.remedies[$0] } }
        guard provenance else { return }
        var c = evaluation.first(i)
        while c >= 0 {
            let run = evaluation.ruleRun(c, winner: win)
            let own = evaluation.contribution(run.own)
            let action = program.actions[Int(own.action)]
            let ref = program.ruleRef(action.rule)
            because.append(ref)
            if run.lost {
                if key.kind == .assign, case .assign(let role) = action.action {
                    overridden.append(Override(rule: ref, within: nil, due: nil, role: model.roles[role]))
                } else {
                    overridden.append(Override(rule: ref, within: action.duration, due: own.due, role: nil))
                }
            }
            c = run.next
        }
    }
}

extension Outcome {
    /// Everything `evaluation` requires, as values.
    package init(_ evaluation: Evaluation) {
        let program = evaluation.program
        var waived: [Waiver] = []
        for kind in ActionKindName.allCases {
            let by = evaluation.waivedBy(kind)
            guard !by.isEmpty else { continue }
            waived.append(Waiver(kind: kind, by: by.map(program.ruleRef),
                                 dropped: evaluation.droppedRules(kind).map(program.ruleRef)))
        }
        self.init(actions: (0..<evaluation.count).map { RequiredAction(evaluation, $0) }, waived: waived,
                  fired: evaluation.firedRules.map(program.ruleRef), base: evaluation.base)
    }
}

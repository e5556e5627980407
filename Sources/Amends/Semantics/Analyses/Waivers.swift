/// W307: a `waive` that removes nothing.
///
/// `waive KIND` removes the actions of that kind that the rules firing with
/// it require. It removes nothing when no rule requires that kind at all,
/// or when no rule that requires it can fire together with the waiving
/// rule: a `when` rule fires together with the `when` rules whose
/// conditions can hold at once with its own; an `otherwise` fires together
/// with the other `otherwise` rules only.
enum Waivers {
    static func run(_ c: inout AnalysisContext) -> [Diagnostic] {
        var out: [Diagnostic] = []
        let rules = c.model.rules
        for (w, rule) in rules.enumerated() where !c.neverFires.contains(w) {
            for (k, action) in rule.actions.enumerated() {
                guard case .waive(let kind) = action else { continue }
                let requirers = rules.indices.filter { r in rules[r].actions.contains { !$0.isWaive && $0.kind == kind } }
                let ref = rule.actionRefs[k]
                let what = phrase(kind)
                if requirers.isEmpty {
                    out.append(Diagnostic(.uselessWaive, "`\(c.actionText(w, k))` removes nothing: no rule requires \(what)",
                                          source: ref.source, span: ref.span,
                                          help: "remove the `waive`, or check which kind of action it should name"))
                    continue
                }
                var meets = false
                for r in requirers {
                    if coFire(w, r, &c) {
                        meets = true
                        break
                    }
                }
                if meets { continue }
                let notes = requirers.prefix(3).map { r in
                    Diagnostic.Note("\(c.describeRule(r, from: ref.source)) requires \(what), but never fires with this rule",
                                    source: rules[r].headerRef.source, span: rules[r].headerRef.span)
                }
                out.append(Diagnostic(.uselessWaive,
                                      "`\(c.actionText(w, k))` removes nothing: no rule that requires \(what) can fire together with this one",
                                      source: ref.source, span: ref.span,
                                      help: "remove the `waive`, or widen this rule's condition to the incidents it is meant for",
                                      notes: Array(notes)))
            }
        }
        return out
    }

    /// Whether rules `w` and `r` can fire for the same incident (`unknown`
    /// counts as yes).
    static func coFire(_ w: Int, _ r: Int, _ c: inout AnalysisContext) -> Bool {
        if w == r { return true }
        switch (c.conditions[w], c.conditions[r]) {
        case (let fw?, let fr?): return !c.neverHolds(.all([fw, fr]))
        case (nil, nil): return !c.neverHolds(c.fires(w))
        default: return false
        }
    }

    /// `an apology`, `a follow-up`, `notify`.
    static func phrase(_ kind: ActionKindName) -> String {
        switch kind {
        case .notify: return "a `notify`"
        case .escalate: return "an `escalate`"
        case .assign: return "an `assign`"
        case .respond: return "a `respond`"
        case .apology: return "an apology"
        case .offer: return "an `offer`"
        case .followUp: return "a follow-up"
        case .review: return "a `review cause`"
        case .task: return "a `task`"
        }
    }
}

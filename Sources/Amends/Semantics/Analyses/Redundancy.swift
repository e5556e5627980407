/// W302: a rule that adds nothing.
///
/// Rule B adds nothing when another rule A fires whenever B fires and
/// requires every one of B's actions exactly as B writes them (same role,
/// deadline, channel, components, remedies): the merged result is then the
/// same with or without B. Two `when` rules: B's condition must imply A's
/// (the solver proves it). Two `otherwise` rules always fire together. A
/// `when` and an `otherwise` rule never fire together, so neither makes the
/// other redundant. When two rules make each other redundant (the same
/// condition and actions), only the later one is reported. Rules that never
/// fire are left to W301. An `assign` in B counts only when A comes first:
/// the first firing rule's `assign` wins, so a later rule cannot stand in
/// for an earlier one's.
enum Redundancy {
    static func run(_ c: inout AnalysisContext) -> [Diagnostic] {
        let rules = c.model.rules
        let actionSets = rules.map { Set($0.actions) }
        // Which rules have each action, to find candidates without comparing every pair.
        var having: [ActionModel: [Int]] = [:]
        for (r, set) in actionSets.enumerated() {
            for a in set { having[a, default: []].append(r) }
        }
        var out: [Diagnostic] = []
        for b in rules.indices where !c.neverFires.contains(b) && !actionSets[b].isEmpty {
            // The rules that have every one of B's actions: those of its
            // rarest action that have the others too (in rule order).
            let rarest = actionSets[b].min { (having[$0]?.count ?? 0) < (having[$1]?.count ?? 0) }
            let ordered = (rarest.flatMap { having[$0] } ?? []).filter { a in
                a != b && actionSets[b].allSatisfy { actionSets[a].contains($0) }
            }
            // `assign` goes to the first firing rule: only an earlier rule's assign makes B's redundant.
            let assigns = actionSets[b].contains { $0.kind == .assign }
            for a in ordered where (c.conditions[a] == nil) == (c.conditions[b] == nil) && (!assigns || a < b) {
                let sameActions = actionSets[a] == actionSets[b]
                guard implies(b, a, &c) else { continue }
                // Mutually redundant: keep the earlier rule, report the later.
                if sameActions && a > b && implies(a, b, &c) { continue }
                out.append(finding(b, a, identical: sameActions && c.conditions[a] == c.conditions[b], c))
                break
            }
        }
        return out
    }

    /// Whether rule `b` firing means rule `a` fires.
    static func implies(_ b: Int, _ a: Int, _ c: inout AnalysisContext) -> Bool {
        switch (c.conditions[b], c.conditions[a]) {
        case (nil, nil): return true
        case (let fb?, let fa?):
            if fb == fa { return true }
            return c.neverHolds(.all([fb, fa.negated]))
        default: return false
        }
    }

    static func finding(_ b: Int, _ a: Int, identical: Bool, _ c: AnalysisContext) -> Diagnostic {
        let rule = c.model.rules[b]
        let other = c.model.rules[a]
        let name = c.describeRule(a, from: rule.ref.source)
        let message = identical
            ? "this rule repeats \(name)"
            : "this rule adds nothing: whenever it fires, \(name) fires too and requires all of its actions"
        return Diagnostic(.redundantRule, message, source: rule.headerRef.source, span: rule.headerRef.span,
                          help: identical ? "remove one of the two rules" : "remove this rule, or make it require something the other does not",
                          notes: [Diagnostic.Note("the other rule", source: other.headerRef.source, span: other.headerRef.span)])
    }
}

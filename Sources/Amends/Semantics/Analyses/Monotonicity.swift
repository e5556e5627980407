/// W310: a higher level that gets less.
///
/// For each scale field that `when` rules test, and each pair of neighbouring
/// levels (`medium`, `high`): can an incident at the higher level get fewer
/// actions, or a later deadline, than the same incident (every other field
/// equal) at the lower level? "Fewer" means an action the lower level gets
/// (a role notified, a follow-up, a task, an apology component, an offered
/// remedy) that the higher level does not get at all; "later" means the
/// merged deadline of the same action is later, or there is none. Levels
/// are compared pairwise with their neighbour, which covers every pair.
///
/// The solver proposes an incident where an action of some rule is
/// delivered at the lower level and nothing at the higher level delivers it
/// as well; the compiled policy is then run on that incident at both levels,
/// and only a confirmed difference is reported, with the incident as an
/// example. One finding per field and action.
enum Monotonicity {
    static func run(_ c: inout AnalysisContext) -> [Diagnostic] {
        var scaleFields = Set<Int>()
        for r in c.whenRules {
            for case .field(let f) in c.conditions[r]?.variables ?? [] {
                if case .scale = c.model.fields[f].type { scaleFields.insert(f) }
            }
        }
        var out: [Diagnostic] = []
        for f in scaleFields.sorted() {
            guard case .scale(let s) = c.model.fields[f].type else { continue }
            let levels = c.model.scales[s].levels.count
            guard levels >= 2 else { continue }
            var reported = Set<Target>()
            let v = Variable.field(f)
            // Kinds some waiver of which tests the field: their actions can differ between levels.
            let waivedByLevel = Set(c.waiversByKind.filter { $0.value.contains { w in c.conditions[w] == nil || c.ruleVariables[w].contains(v) } }.keys)
            // Rules whose actions may differ between levels: they test the field, are `otherwise`, or have such a kind.
            let candidates = c.model.rules.indices.filter { r in
                !c.neverFires.contains(r) && (c.conditions[r] == nil || c.ruleVariables[r].contains(v)
                    || c.model.rules[r].actions.contains { waivedByLevel.contains($0.kind) })
            }
            for i in 0..<(levels - 1) {
                for r in candidates {
                    for (k, action) in c.model.rules[r].actions.enumerated() where !action.isWaive {
                        let target = Target(action)
                        if reported.contains(target) { continue }
                        if let d = check(r, k, field: f, scale: s, lower: i, &c) {
                            reported.insert(target)
                            out.append(d)
                        }
                    }
                }
            }
        }
        return out
    }

    /// The finding for action `k` of rule `r` between levels `i` and `i + 1`, if any.
    static func check(_ r: Int, _ k: Int, field f: Int, scale s: Int, lower i: Int, _ c: inout AnalysisContext) -> Diagnostic? {
        let action = c.model.rules[r].actions[k]
        let j = i + 1
        let v = Variable.field(f)
        let waiverDepends = c.waivers(of: action.kind).contains { c.conditions[$0] == nil || c.ruleVariables[$0].contains(v) }
        if c.conditions[r] != nil, !waiverDepends {
            // The rule fires alike at both levels, or fires at the higher whenever at the lower.
            if !c.ruleVariables[r].contains(v) { return nil }
            let atLower = c.fires(r, with: f, i)
            let atHigher = c.fires(r, with: f, j)
            if let condition = c.conditions[r], condition.grows(v, from: i, to: j) { return nil }
            if atLower == atHigher || c.neverHolds(.all([atLower, atHigher.negated])) { return nil }
        }
        let query = Formula.all([
            c.fires(r, with: f, i),
            c.notWaived(action.kind, with: (f, i)),
            c.notDelivered(action.kind, with: (f, j), where: { dominates($0, action) }),
        ])
        guard case .sat(let assignment) = c.solve(query) else { return nil }
        let lowerIncident = c.example(assignment, overrides: [f: .some(.level(s, i))])
        var higherIncident = lowerIncident
        higherIncident.values[f] = .some(.level(s, j))
        guard let got = c.result(lowerIncident, for: action) else { return nil }
        let higherGot = c.result(higherIncident, for: action)
        guard let loss = Loss(lower: got, higher: higherGot) else { return nil }
        let higherFired = c.evaluate(higherIncident).firedRules.map(c.program.ruleRef)
        return finding(r, k, loss, field: f, scale: s, lower: i, incident: lowerIncident, got: got, higherGot: higherGot,
                       higherFired: higherFired, c)
    }

    // MARK: - Comparing actions

    /// Which merged result an action goes to: the kind, and the role or task text.
    struct Target: Hashable {
        var kind: ActionKindName
        var label: String?

        init(_ action: ActionModel) {
            kind = action.kind
            switch action {
            case .notify(let role, _), .escalate(let role, _): label = "\(role)"
            case .task(let text, _): label = text
            default: label = nil
            }
        }
    }

    /// Whether `b` gives at least what `a` gives to the same result: a
    /// deadline no later, every component and remedy. Deadlines in units
    /// that cannot be compared count as no later (no finding from them).
    static func dominates(_ b: ActionModel, _ a: ActionModel) -> Bool {
        guard Target(b) == Target(a) else { return false }
        switch (a, b) {
        case (.apology(let ca, _, _), .apology(let cb, _, _)):
            if ca.bits & ~cb.bits != 0 { return false }
        case (.offer(let ra), .offer(let rb)):
            if !Set(ra).isSubset(of: Set(rb)) { return false }
        default:
            break
        }
        guard let da = a.duration else { return true }
        guard let db = b.duration else { return false }
        if let sa = da.seconds, let sb = db.seconds { return sb <= sa }
        if da.unit == db.unit { return db.amount <= da.amount }
        return true
    }

    /// What the higher level lacks.
    enum Loss {
        case action
        case later
        case components([ApologyComponent])
        case remedies([String])

        init?(lower: RequiredAction, higher: RequiredAction?) {
            guard let higher else {
                self = .action
                return
            }
            let missingComponents = lower.components.filter { !higher.components.contains($0) }
            if !missingComponents.isEmpty {
                self = .components(missingComponents)
                return
            }
            let missingRemedies = lower.remedies.filter { !higher.remedies.contains($0) }
            if !missingRemedies.isEmpty {
                self = .remedies(missingRemedies)
                return
            }
            if (higher.due ?? Int64.max) > (lower.due ?? Int64.max) {
                self = .later
                return
            }
            return nil
        }
    }

    // MARK: - The finding

    static func finding(_ r: Int, _ k: Int, _ loss: Loss, field f: Int, scale s: Int, lower i: Int, incident: ExampleIncident,
                        got: RequiredAction, higherGot: RequiredAction?, higherFired: [RuleRef], _ c: AnalysisContext) -> Diagnostic {
        let name = c.model.fields[f].name
        let low = "`\(name) = \(c.model.describe(.level(s, i)))`"
        let high = "`\(name) = \(c.model.describe(.level(s, i + 1)))`"
        let what = phrase(got)
        let message: String
        switch loss {
        case .action:
            message = "\(high) can get fewer actions than \(low): no \(what)"
        case .later:
            let lowDeadline = got.within.map { "\(got.kind == .followUp ? "in" : "within") \($0)" } ?? "no deadline"
            let highDeadline = higherGot?.within.map { "\(got.kind == .followUp ? "in" : "within") \($0)" } ?? "no deadline"
            message = "\(high) can get a later \(what) than \(low): \(highDeadline) instead of \(lowDeadline)"
        case .components(let missing):
            message = "\(high) can get an apology without \(missing.map { "`\($0.rawValue)`" }.joined(separator: ", ")), which \(low) gets"
        case .remedies(let missing):
            message = "\(high) can get an offer without \(missing.map { "`\($0)`" }.joined(separator: ", ")), which \(low) gets"
        }
        let higherLevel = c.model.describe(.level(s, i + 1))
        let example = "for example, \(c.describe(incident)) requires `\(got.summary)`; with `\(name): \(higherLevel)` and all else equal, "
            + (higherGot.map { "it requires `\($0.summary)`" } ?? "it requires no \(what)")
        let ref = c.model.rules[r].actionRefs[k]
        return Diagnostic(.notMonotone, message, source: ref.source, span: ref.span,
                          help: help(r, field: f, scale: s, lower: i, higherFired: higherFired, c),
                          notes: [Diagnostic.Note(example)])
    }

    /// How to fix it: widen a test of the field that stops at the lower
    /// level, or (for `otherwise`) give the rules that take over the action too.
    static func help(_ r: Int, field f: Int, scale s: Int, lower i: Int, higherFired: [RuleRef], _ c: AnalysisContext) -> String {
        let name = c.model.fields[f].name
        let allow = "if the difference is meant, write `# amends: allow W310` here"
        guard let condition = c.conditions[r] else {
            let takers = higherFired.prefix(2).map { c.describeRule($0.index, from: c.model.rules[r].ref.source) }
            guard !takers.isEmpty else { return "make the rules for higher levels require at least as much; \(allow)" }
            return "`otherwise` applies only when no `when` rule fires, and at `\(name) = \(c.model.describe(.level(s, i + 1)))` "
                + "\(takers.joined(separator: " and ")) \(takers.count == 1 ? "fires" : "fire") instead: require it there too; \(allow)"
        }
        var stops: Literal?
        func find(_ formula: Formula) {
            switch formula {
            case .literal(let l):
                if stops == nil, l.variable == .field(f), case .finite(let set) = l.constraint.values, set.contains(i), !set.contains(i + 1) {
                    stops = l
                }
            case .and(let parts), .or(let parts): parts.forEach(find)
            case .constant: break
            }
        }
        find(condition)
        if let l = stops, let ref = l.ref, case .finite(let set) = l.constraint.values, let lowest = set.first {
            // From the scale's lowest level up is every level: then the widened test is no test at all.
            let widened = lowest == 0 ? "drop it" : "widen it (e.g. `\(name) >= \(c.model.describe(.level(s, lowest)))`)"
            return "`\(ref.source.text(ref.span))` leaves out the higher levels: \(widened), "
                + "or require this in the rules for higher levels too; \(allow)"
        }
        return "make the rules for higher levels require at least as much; \(allow)"
    }

    /// `notify supervisor`, `follow-up`, `task "call"`.
    static func phrase(_ a: RequiredAction) -> String {
        switch a.kind {
        case .notify: return "`notify \(a.role ?? "")`"
        case .escalate: return "`escalate to \(a.role ?? "")`"
        case .assign: return "`assign`"
        case .respond: return "`respond`"
        case .apology: return "apology"
        case .offer: return "`offer`"
        case .followUp: return "follow-up"
        case .review: return "`review cause`"
        case .task: return "`task \(SExpr.quote(a.text ?? ""))`"
        }
    }
}

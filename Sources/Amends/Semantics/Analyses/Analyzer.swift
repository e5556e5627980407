/// The Analyzer reasons about what a checked policy does and reports what
/// its author would probably regret: conditions that never hold, rules that
/// add nothing, names never used, waivers with nothing to waive, levels no
/// rule covers, higher levels that get less, and the service-recovery lints.
///
/// It runs only on a policy without errors (a policy with errors has rules
/// missing from its model, so every finding would be suspect). Findings
/// that say "this can happen" (not-monotone, the lints) are confirmed by
/// running the compiled policy on a concrete example incident, which the
/// finding then shows; findings that say "this cannot happen" come from the
/// solver proving it. Every query has a step budget, and the whole policy a
/// total, so the time the analyses take is bounded by the policy's size.
package enum Analyzer {
    /// The analyses' findings for a compiled policy; none when it has errors.
    package static func analyze(_ compiled: Driver.Compiled) -> [Diagnostic] {
        guard !compiled.hasErrors, let program = compiled.program else { return [] }
        var context = AnalysisContext(compiled: compiled, program: program)
        var out: [Diagnostic] = []
        out += Satisfiability.run(&context)
        out += Redundancy.run(&context)
        out += Unused.run(context)
        out += Untracked.run(context)
        out += Waivers.run(&context)
        out += CoverageGaps.run(&context)
        out += Monotonicity.run(&context)
        out += DomainLints.run(&context)
        out += RecoveryLints.run(&context)
        return out.sortedForDisplay()
    }
}

/// What every analysis shares: the model, each rule's condition as a
/// formula, the solver with the policy's step budget, and a way to run the
/// compiled policy on an example incident.
struct AnalysisContext {
    let compiled: Driver.Compiled
    let model: PolicyModel
    let program: Program
    var lowering: Lowering
    var solver: Solver
    let evaluator: Evaluator

    /// Each rule's condition as a formula; nil for `otherwise`.
    let conditions: [Formula?]
    /// The variables each rule's condition mentions (none for `otherwise`).
    let ruleVariables: [Set<Variable>]
    let whenRules: [Int]
    let otherwiseRules: [Int]
    /// Rules whose condition can never hold (set by `Satisfiability`).
    var neverFires: Set<Int> = []
    /// Rules that waive each kind.
    let waiversByKind: [ActionKindName: [Int]]
    /// Each rule's condition negated, and when `otherwise` fires.
    let negatedConditions: [Formula?]
    let otherwiseFires: Formula
    /// Some `when` rule fires (so no `otherwise` does).
    let someWhenFires: Formula
    /// `fires(r, with: f, index)` and its negation, computed once each.
    private var firesWith: [FiresKey: Formula] = [:]
    private var notFiresWith: [FiresKey: Formula] = [:]

    private struct FiresKey: Hashable {
        var rule: Int
        var field: Int
        var index: Int?
    }

    /// Steps left for the whole policy; each query takes at most its own budget.
    var totalBudget: Int
    /// What the lints take as serious, our fault and the client's fault.
    let marks: LintMarks
    /// Runs of the whole policy left for confirming findings (W406-W409):
    /// two million rule conditions' worth, at least 100 runs.
    var wholeRunsLeft: Int

    init(compiled: Driver.Compiled, program: Program) {
        self.compiled = compiled
        self.model = compiled.model
        self.program = program
        var lowering = Lowering(model: compiled.model)
        var conditions: [Formula?] = []
        for rule in compiled.model.rules {
            conditions.append(rule.condition.map { lowering.formula($0) })
        }
        // Lowered before the solver is made, so that it knows their atoms.
        self.marks = LintMarks(model: compiled.model, lowering: &lowering)
        self.wholeRunsLeft = max(100, 2_000_000 / max(1, compiled.model.rules.count))
        self.lowering = lowering
        self.solver = Solver(lowering: lowering)
        self.evaluator = Evaluator(program: program)
        self.conditions = conditions
        let whenRules = compiled.model.rules.indices.filter { conditions[$0] != nil }
        self.whenRules = whenRules
        self.otherwiseRules = compiled.model.rules.indices.filter { conditions[$0] == nil }
        self.ruleVariables = conditions.map { $0?.variables ?? [] }
        let negated = conditions.map { $0?.negated }
        self.negatedConditions = negated
        self.otherwiseFires = .all(whenRules.map { negated[$0] ?? .yes })
        self.someWhenFires = .any(whenRules.map { conditions[$0] ?? .no })
        var waivers: [ActionKindName: [Int]] = [:]
        for (r, rule) in compiled.model.rules.enumerated() {
            for case .waive(let kind) in rule.actions where waivers[kind]?.last != r { waivers[kind, default: []].append(r) }
        }
        self.waiversByKind = waivers
        // Generous for hand-written policies, bounded for generated ones.
        self.totalBudget = 100_000 + 5_000 * compiled.model.rules.count
    }

    var mainSource: SourceText? {
        compiled.loaded.files.indices.contains(compiled.loaded.main) ? compiled.loaded.files[compiled.loaded.main].source : nil
    }

    // MARK: Solving

    /// Solves within both the query's and the policy's budget; `explain`
    /// keeps what an `unsat` answer needs to say why.
    mutating func solve(_ formula: Formula, explain: Bool = false) -> SatResult {
        guard totalBudget > 0 else { return .unknown }
        let budget = min(Solver.defaultBudget, totalBudget)
        let result = solver.solve(formula, budget: budget, explain: explain)
        totalBudget -= solver.stepsUsed
        return result
    }

    mutating func canHold(_ formula: Formula) -> Bool { solve(formula).isSat }
    mutating func neverHolds(_ formula: Formula) -> Bool { solve(formula).isUnsat }

    // MARK: When rules fire

    /// When rule `r` fires: its condition, or for `otherwise`, no `when` rule's.
    func fires(_ r: Int) -> Formula {
        conditions[r] ?? otherwiseFires
    }

    /// When rule `r` fires, once the finite field `f` is known to hold `index`.
    mutating func fires(_ r: Int, with f: Int, _ index: Int?) -> Formula {
        let key = FiresKey(rule: conditions[r] == nil ? -1 : r, field: f, index: index)
        if let known = firesWith[key] { return known }
        let v = Variable.field(f)
        let result: Formula
        if let c = conditions[r] {
            result = ruleVariables[r].contains(v) ? c.substituting(v, index: index) : c
        } else {
            result = .all(whenRules.map { w in
                guard let c = conditions[w] else { return .yes }
                return ruleVariables[w].contains(v) ? c.substituting(v, index: index).negated : (negatedConditions[w] ?? .yes)
            })
        }
        firesWith[key] = result
        return result
    }

    /// When rule `r` does not fire (optionally with `f` fixed).
    mutating func notFires(_ r: Int, with fixed: (field: Int, index: Int?)?) -> Formula {
        guard let fixed else { return negatedConditions[r] ?? someWhenFires }
        let key = FiresKey(rule: conditions[r] == nil ? -1 : r, field: fixed.field, index: fixed.index)
        if let known = notFiresWith[key] { return known }
        let result = fires(r, with: fixed.field, fixed.index).negated
        notFiresWith[key] = result
        return result
    }

    /// Rules that waive `kind`.
    func waivers(of kind: ActionKindName) -> [Int] {
        waiversByKind[kind] ?? []
    }

    /// No rule waiving `kind` fires (optionally with `f` fixed).
    mutating func notWaived(_ kind: ActionKindName, with fixed: (field: Int, index: Int?)? = nil) -> Formula {
        .all(waivers(of: kind).map { notFires($0, with: fixed) })
    }

    /// No rule with an action of `kind` that passes `test` fires, or the
    /// kind is waived: such an action is not delivered.
    mutating func notDelivered(_ kind: ActionKindName, with fixed: (field: Int, index: Int?)? = nil,
                               where test: (ActionModel) -> Bool) -> Formula {
        var silent: [Formula] = []
        for r in model.rules.indices where model.rules[r].actions.contains(where: { !$0.isWaive && $0.kind == kind && test($0) }) {
            silent.append(notFires(r, with: fixed))
        }
        var waived: [Formula] = []
        for w in waivers(of: kind) { waived.append(fixed.map { fires(w, with: $0.field, $0.index) } ?? fires(w)) }
        return .any([.all(silent), .any(waived)])
    }

    // MARK: Words

    /// `the rule at line 4`, `rule "valued client" (line 4)`, with the file
    /// when it is not `from`'s.
    func describeRule(_ r: Int, from source: SourceText? = nil) -> String {
        let rule = model.rules[r]
        var place = "line \(rule.line)"
        if let source, rule.ref.source !== source { place = "\(rule.file):\(rule.line)" }
        if let name = rule.name { return "rule \(SExpr.quote(name)) (\(place))" }
        if rule.isOtherwise { return "the `otherwise` at \(place)" }
        return "the rule at \(place)"
    }

    /// The text of a rule's `k`th action, as written.
    func actionText(_ r: Int, _ k: Int) -> String {
        let ref = model.rules[r].actionRefs[k]
        return ref.source.text(ref.span)
    }

    /// Where a finding about a whole field goes: its declaration when that
    /// is in the main file, else the main file's first statement (with a
    /// note at the declaration).
    func placeForField(_ f: Int) -> (SourceRef, [Diagnostic.Note]) {
        let decl = model.fields[f].declaration
        guard let main = mainSource, decl.source !== main else { return (decl, []) }
        let first = compiled.loaded.items.first { $0.file == compiled.loaded.main }?.item.span ?? Span.none
        return (SourceRef(main, first), [Diagnostic.Note("`\(model.fields[f].name)` is declared here", source: decl.source, span: decl.span)])
    }
}

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
public enum Analyzer {
    /// The analyses' findings for a compiled policy; none when it has errors.
    public static func analyze(_ compiled: Driver.Compiled) -> [Diagnostic] {
        guard !compiled.hasErrors, let program = compiled.program else { return [] }
        var context = AnalysisContext(compiled: compiled, program: program)
        var out: [Diagnostic] = []
        out += Satisfiability.run(&context)
        out += Redundancy.run(&context)
        out += Unused.run(context)
        out += Waivers.run(&context)
        out += Coverage.run(&context)
        out += Monotonicity.run(&context)
        out += DomainLints.run(&context)
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
    let whenRules: [Int]
    let otherwiseRules: [Int]
    /// Rules whose condition can never hold (set by `Satisfiability`).
    var neverFires: Set<Int> = []

    /// Steps left for the whole policy; each query takes at most its own budget.
    var totalBudget: Int

    init(compiled: Driver.Compiled, program: Program) {
        self.compiled = compiled
        self.model = compiled.model
        self.program = program
        var lowering = Lowering(model: compiled.model)
        var conditions: [Formula?] = []
        for rule in compiled.model.rules {
            conditions.append(rule.condition.map { lowering.formula($0) })
        }
        self.lowering = lowering
        self.solver = Solver(lowering: lowering)
        self.evaluator = Evaluator(program: program)
        self.conditions = conditions
        self.whenRules = compiled.model.rules.indices.filter { conditions[$0] != nil }
        self.otherwiseRules = compiled.model.rules.indices.filter { conditions[$0] == nil }
        // Generous for hand-written policies, bounded for generated ones.
        self.totalBudget = 200_000 + 20_000 * compiled.model.rules.count
    }

    var mainSource: SourceText? {
        compiled.loaded.files.indices.contains(compiled.loaded.main) ? compiled.loaded.files[compiled.loaded.main].source : nil
    }

    // MARK: Solving

    /// Solves within both the query's and the policy's budget.
    mutating func solve(_ formula: Formula) -> SatResult {
        guard totalBudget > 0 else { return .unknown }
        let budget = min(Solver.defaultBudget, totalBudget)
        let result = solver.solve(formula, budget: budget)
        totalBudget -= solver.stepsUsed
        return result
    }

    mutating func canHold(_ formula: Formula) -> Bool { solve(formula).isSat }
    mutating func neverHolds(_ formula: Formula) -> Bool { solve(formula).isUnsat }

    // MARK: When rules fire

    /// When rule `r` fires: its condition, or for `otherwise`, no `when` rule's.
    func fires(_ r: Int) -> Formula {
        if let c = conditions[r] { return c }
        return .all(whenRules.map { conditions[$0]?.negated ?? .yes })
    }

    /// When rule `r` fires, once the finite field `f` is known to hold `index`.
    func fires(_ r: Int, with f: Int, _ index: Int?) -> Formula {
        if let c = conditions[r] { return c.substituting(.field(f), index: index) }
        return .all(whenRules.map { conditions[$0]?.substituting(.field(f), index: index).negated ?? .yes })
    }

    /// Rules that waive `kind`.
    func waivers(of kind: ActionKindName) -> [Int] {
        model.rules.indices.filter { r in model.rules[r].actions.contains { $0 == .waive(kind) } }
    }

    /// No rule waiving `kind` fires (optionally with `f` fixed).
    func notWaived(_ kind: ActionKindName, with fixed: (field: Int, index: Int?)? = nil) -> Formula {
        .all(waivers(of: kind).map { w in
            (fixed.map { fires(w, with: $0.field, $0.index) } ?? fires(w)).negated
        })
    }

    /// Some rule with an action that passes `test` fires and its kind is not waived.
    func delivered(_ kind: ActionKindName, with fixed: (field: Int, index: Int?)? = nil,
                   where test: (ActionModel) -> Bool) -> Formula {
        let providers = model.rules.indices.filter { r in model.rules[r].actions.contains { !$0.isWaive && $0.kind == kind && test($0) } }
        let anyFires = Formula.any(providers.map { p in fixed.map { fires(p, with: $0.field, $0.index) } ?? fires(p) })
        return .all([anyFires, notWaived(kind, with: fixed)])
    }

    // MARK: Example incidents

    /// A concrete incident from a satisfying assignment: constrained fields
    /// take a value from their sets, `overrides` win, other required fields
    /// take a plain value, other optional fields stay missing.
    func example(_ assignment: Assignment, overrides: [Int: Value?] = [:]) -> ExampleIncident {
        var incident = ExampleIncident()
        for (v, domain) in assignment.domains {
            switch v {
            case .field(let f):
                guard model.fields.indices.contains(f), overrides[f] == nil else { continue }
                incident.values[f] = value(from: domain, type: model.fields[f].type)
                incident.shown.insert(f)
            case .age:
                if case .numeric(let set) = domain.values { incident.age = set.sample }
            case .atom:
                continue
            }
        }
        for (f, v) in overrides {
            incident.values[f] = v
            incident.shown.insert(f)
        }
        for (f, field) in model.fields.enumerated() where incident.values[f] == nil && field.isRequired {
            incident.values[f] = .some(plainValue(field.type))
        }
        if let clock = model.clockField, incident.age != nil, incident.values[clock] == nil {
            incident.values[clock] = .some(plainValue(.time))
        }
        return incident
    }

    /// A value in a domain, preferring a present one.
    func value(from domain: Constraint, type: ValueType) -> Value? {
        switch (domain.values, type) {
        case (.finite(let set), .scale(let s)): return set.first.map { .level(s, $0) }
        case (.finite(let set), .enumeration(let e)): return set.first.map { .choice(e, $0) }
        case (.finite(let set), .bool): return set.first.map { .bool($0 == 1) }
        case (.finite(let set), .list): return set.first.map { _ in .list([]) }
        case (.numeric(let set), .number): return set.sample.map { .number($0) }
        case (.numeric(let set), .time): return set.sample.map { .time(Int64(clamping: $0.isFinite ? Int64($0) : 0)) }
        case (.numeric(let set), .duration): return set.sample.map { .duration(Int64(clamping: $0.isFinite ? Int64($0) : 0)) }
        case (.text(let domain), .text): return domain.sample.map { .text($0) }
        default: return nil
        }
    }

    /// A neutral value of a type, for fields the finding does not depend on.
    func plainValue(_ type: ValueType) -> Value {
        switch type {
        case .text: return .text("")
        case .number: return .number(0)
        case .bool: return .bool(false)
        case .time: return .time(ExampleIncident.defaultTime)
        case .duration: return .duration(0)
        case .scale(let s): return .level(s, 0)
        case .enumeration(let e): return .choice(e, 0)
        case .list: return .list([])
        }
    }

    /// Runs the compiled policy on an incident.
    func outcome(_ incident: ExampleIncident) -> Outcome {
        let schema = program.schema
        var record = RecordBuffer(fieldCount: schema.fields.count)
        for (f, v) in incident.values {
            if let v { schema.assign(f, v, into: &record) }
        }
        _ = schema.finish(&record, requireAll: false)
        if let clock = schema.clockField, record.present[clock] {
            record.now = record.scalars[clock] + (incident.age ?? 0)
        } else {
            record.now = Double(ExampleIncident.defaultTime)
        }
        evaluator.evaluate(record)
        return evaluator.outcome()
    }

    /// `{severity: high, category: outage}`, fields in declaration order,
    /// with missing ones named after it.
    func describe(_ incident: ExampleIncident) -> String {
        var present: [String] = []
        var missing: [String] = []
        for f in model.fields.indices where incident.shown.contains(f) {
            if case .some(.some(let v)) = incident.values[f] {
                present.append("\(model.fields[f].name): \(model.describe(v))")
            } else {
                missing.append("`\(model.fields[f].name)`")
            }
        }
        var text = "`{" + present.joined(separator: ", ") + "}`"
        if let age = incident.age { text += " \(DurationText.describe(seconds: Int64(clamping: Int64(age.isFinite ? age : 0)))) old" }
        if !missing.isEmpty { text += " with no " + missing.joined(separator: " or ") }
        return text
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

/// An ExampleIncident is a concrete incident an analysis found: field
/// values (nil: missing), the incident's age, and which fields to show.
struct ExampleIncident {
    var values: [Int: Value?] = [:]
    var age: Double?
    var shown: Set<Int> = []

    /// Monday 2026-03-02 09:00 UTC: the clock of examples that need one.
    static let defaultTime: Int64 = 1_772_442_000
}

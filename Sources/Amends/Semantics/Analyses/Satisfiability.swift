/// W301 and W309: conditions that can never hold, and an `otherwise` that
/// can never fire.
///
/// - A `define`, a `when` rule's condition, or one side of an `or` in them,
///   that no incident can meet (W301): `severity = low and severity >= high`,
///   `amount > 5 and amount < 3`, `category in []`. Each side of an `or` is
///   judged on its own, not together with what surrounds the `or`.
/// - An `otherwise` when the `when` rules together fire for every incident
///   (W309).
///
/// A missing optional field makes comparisons false, so `amount > 5 or
/// amount <= 5` does not hold for every incident, and `not (amount > 5)`
/// holds when `amount` is missing.
enum Satisfiability {
    static func run(_ c: inout AnalysisContext) -> [Diagnostic] {
        var out: [Diagnostic] = []
        var neverDefines = Set<Int>()

        // Defines.
        for (d, define) in c.model.defines.enumerated() {
            let formula = c.lowering.formula(Condition(.define(d), define.condition.ref))
            switch c.solve(formula, explain: true) {
            case .unsat(let conflict):
                neverDefines.insert(d)
                out.append(finding(define.condition.ref, subject: "`\(define.name)` never holds", conflict, c))
            case .sat:
                out += orSides(define.condition, skipping: [], &c)
            case .unknown:
                break
            }
        }

        // Rules.
        for r in c.whenRules {
            guard let formula = c.conditions[r], let condition = c.model.rules[r].condition else { continue }
            switch c.solve(formula, explain: true) {
            case .unsat(let conflict):
                c.neverFires.insert(r)
                if case .define(let d) = condition.kind, neverDefines.contains(d) { continue }
                out.append(finding(condition.ref, subject: "this rule never fires", conflict, c))
            case .sat:
                out += orSides(condition, skipping: neverDefines, &c)
            case .unknown:
                break
            }
        }

        // Otherwise.
        if !c.otherwiseRules.isEmpty && !c.whenRules.isEmpty, let first = c.otherwiseRules.first,
           c.neverHolds(c.fires(first)) {
            var always: Int?
            for r in c.whenRules {
                guard let f = c.conditions[r] else { continue }
                if c.neverHolds(f.negated) {
                    always = r
                    break
                }
            }
            for o in c.otherwiseRules {
                let rule = c.model.rules[o]
                var message = "this `otherwise` never fires: for every incident some `when` rule fires"
                var notes: [Diagnostic.Note] = []
                if let always {
                    message = "this `otherwise` never fires: \(c.describeRule(always, from: rule.ref.source)) fires for every incident"
                    let ref = c.model.rules[always].headerRef
                    notes.append(Diagnostic.Note("this rule's condition always holds", source: ref.source, span: ref.span))
                }
                out.append(Diagnostic(.unreachableOtherwise, message, source: rule.headerRef.source, span: rule.headerRef.span,
                                      help: "remove the `otherwise`, or narrow the `when` rules so that some incidents reach it",
                                      notes: notes))
            }
        }
        return out
    }

    /// W301 for each side of an `or` (anywhere in `condition`, not inside
    /// defines) that can never hold on its own; a side that is just a define
    /// already reported (in `skipping`) is not reported again.
    static func orSides(_ condition: Condition, skipping: Set<Int>, _ c: inout AnalysisContext) -> [Diagnostic] {
        var out: [Diagnostic] = []
        func walk(_ node: Condition) {
            switch node.kind {
            case .or(let a, let b):
                for side in [a, b] {
                    if case .define(let d) = side.kind, skipping.contains(d) { continue }
                    let formula = c.lowering.formula(side)
                    if case .unsat(let conflict) = c.solve(formula, explain: true) {
                        out.append(finding(side.ref, subject: "this side of the `or` never holds", conflict, c))
                    } else {
                        walk(side)
                    }
                }
            case .and(let a, let b):
                walk(a)
                walk(b)
            case .not(let a):
                walk(a)
            default:
                break
            }
        }
        walk(condition)
        return out
    }

    /// The W301 diagnostic, explaining the contradiction when it is one
    /// field's tests.
    static func finding(_ ref: SourceRef, subject: String, _ conflict: Conflict?, _ c: AnalysisContext) -> Diagnostic {
        var texts: [String] = []
        var seen = Set<Int>()
        for r in conflict?.refs ?? [] where seen.insert(r.span.start).inserted {
            texts.append("`\(r.source.text(r.span))`")
        }
        let message: String
        let help: String
        switch texts.count {
        case 0:
            message = "this condition can never hold, so \(subject)"
            help = "check the values and the operators; with `and` every part must hold at once"
        case 1:
            message = "\(texts[0]) holds for no incident, so \(subject)"
            help = "check the values and the operator: no value of \(variableName(conflict?.variable, c)) passes it"
        default:
            let shown = texts.count > 3 ? Array(texts.prefix(3)) + ["…"] : texts
            let list = shown.dropLast().joined(separator: ", ") + " and " + (shown.last ?? "")
            message = "\(list) \(texts.count == 2 ? "cannot both hold" : "cannot all hold at once"), so \(subject)"
            help = "with `and` \(texts.count == 2 ? "both" : "all of them") must hold at once; did you mean `or`?"
        }
        return Diagnostic(.neverHolds, message, source: ref.source, span: ref.span, help: help)
    }

    static func variableName(_ v: Variable?, _ c: AnalysisContext) -> String {
        switch v {
        case .field(let f)?: return c.model.fields.indices.contains(f) ? "`\(c.model.fields[f].name)`" : "the field"
        case .age?: return "`age`"
        default: return "the field"
        }
    }
}

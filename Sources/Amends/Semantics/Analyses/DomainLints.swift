/// W401-W405: lints from the service-recovery research (see DOMAIN.md).
///
/// - W401, W402: an apology that can be required without `responsibility`
///   (the part that matters most) or without `repair` (next most). Judged on
///   the merged result: an apology rule without `repair` is fine when
///   another rule that always fires with it adds `repair`.
/// - W403: an apology that asks for `forgiveness` (the part that helps least).
/// - W404: an incident at `high` or above (on a scale with a level named
///   `high` or `critical`) that can end with no follow-up at all.
/// - W405: an apology that can be required when the customer caused the
///   incident: a field whose name says cause or fault (`caused_by`) with a
///   value `customer` or `client`, and no `waive apology` for that case.
///
/// W401, W402, W404 and W405 show an example incident, found by the solver
/// and confirmed by running the compiled policy on it.
enum DomainLints {
    static func run(_ c: inout AnalysisContext) -> [Diagnostic] {
        var out: [Diagnostic] = []
        var lacking: [ApologyComponent: Formula] = [:]
        for r in c.model.rules.indices where !c.neverFires.contains(r) {
            for (k, action) in c.model.rules[r].actions.enumerated() {
                guard case .apology(let components, _, _) = action else { continue }
                for (needed, code) in [(ApologyComponent.responsibility, DiagnosticCode.apologyWithoutResponsibility),
                                       (.repair, .apologyWithoutRepair)] where !components.contains(needed) {
                    if let d = missingComponent(r, k, needed, code, &lacking, &c) { out.append(d) }
                }
                if components.contains(.forgiveness) { out.append(forgiveness(r, k, components, c)) }
            }
        }
        out += followUps(&c)
        out += customerFault(&c)
        return out
    }

    // MARK: - Components

    /// `lacking[component]`: an apology is required and no rule adds the
    /// component (built once per component).
    static func missingComponent(_ r: Int, _ k: Int, _ needed: ApologyComponent, _ code: DiagnosticCode,
                                 _ lacking: inout [ApologyComponent: Formula], _ c: inout AnalysisContext) -> Diagnostic? {
        let without: Formula
        if let known = lacking[needed] {
            without = known
        } else {
            without = .all([c.notWaived(.apology), c.notDelivered(.apology, where: { action in
                if case .apology(let set, _, _) = action { return set.contains(needed) }
                return false
            })])
            lacking[needed] = without
        }
        let query = Formula.all([c.fires(r), without])
        guard case .sat(let assignment) = c.solve(query) else { return nil }
        let incident = c.example(assignment)
        guard let apology = c.result(incident, for: c.model.rules[r].actions[k]), !apology.components.contains(needed) else { return nil }
        guard case .apology(let components, _, _) = c.model.rules[r].actions[k] else { return nil }
        let ref = c.model.rules[r].actionRefs[k]
        var fixed = components
        fixed.insert(needed)
        let why = needed == .responsibility
            ? "acknowledging responsibility is the part of an apology that matters most to the client"
            : "an offer to put things right is the part of an apology that matters most after responsibility"
        let others = c.model.rules.contains { $0.actions.contains { a in
            if case .apology(let set, _, _) = a { return set.contains(needed) }
            return false
        } }
        let message = others ? "this apology can be required without `\(needed.rawValue)`: for some incidents no rule adds it"
                             : "this apology leaves out `\(needed.rawValue)`"
        return Diagnostic(code, message, source: ref.source, span: ref.span,
                          help: "add it: `require apology with \(fixed.map(\.rawValue).joined(separator: ", "))`",
                          notes: [Diagnostic.Note(why),
                                  Diagnostic.Note("for example, \(c.describe(incident)) requires `\(apology.summary)`")])
    }

    static func forgiveness(_ r: Int, _ k: Int, _ components: ComponentSet, _ c: AnalysisContext) -> Diagnostic {
        let ref = c.model.rules[r].actionRefs[k]
        let text = ref.source.text(ref.span)
        var span = ref.span
        if let range = text.utf8.firstRange(of: "forgiveness".utf8) {
            let start = ref.span.start + text.utf8.distance(from: text.utf8.startIndex, to: range.lowerBound)
            span = Span(start: start, end: start + "forgiveness".utf8.count)
        }
        let rest = components.filter { $0 != .forgiveness }.map(\.rawValue)
        return Diagnostic(.forgivenessRequest, "the apology asks for `forgiveness`, the part that helps least",
                          source: ref.source, span: span,
                          help: rest.isEmpty ? "leave it out: `require apology`"
                                             : "leave it out: `require apology with \(rest.joined(separator: ", "))`",
                          notes: [Diagnostic.Note("asking to be forgiven puts a demand on a client who is already let down")])
    }

    // MARK: - Follow-ups

    static func followUps(_ c: inout AnalysisContext) -> [Diagnostic] {
        var out: [Diagnostic] = []
        let anyFollowUp = c.model.rules.contains { $0.actions.contains { $0.kind == .followUp && !$0.isWaive } }
        for (f, field) in c.model.fields.enumerated() {
            guard case .scale(let s) = field.type else { continue }
            let levels = c.model.scales[s].levels
            guard let threshold = levels.firstIndex(where: { ["high", "critical"].contains($0.lowercased()) }) else { continue }
            let serious = Formula.literal(Literal(variable: .field(f), constraint: Constraint(
                values: .finite(FiniteSet(count: levels.count, members: threshold..<levels.count)), missing: false), ref: nil))
            let query = Formula.all([serious, c.notDelivered(.followUp, where: { _ in true })])
            guard case .sat(let assignment) = c.solve(query) else { continue }
            let incident = c.example(assignment)
            guard case .some(.some(.level(_, let level))) = incident.values[f], level >= threshold else { continue }
            let outcome = c.outcome(incident)
            guard !outcome.actions.contains(where: { $0.kind == .followUp }) else { continue }
            let seriousNames = levels[threshold...].map { "`\($0)`" }.joined(separator: " and ")
            let message = anyFollowUp ? "an incident with `\(field.name) = \(levels[level])` can end with no follow-up"
                                      : "no rule requires a follow-up, so \(seriousNames) incidents get none"
            let (place, notes) = c.placeForField(f)
            let requires = outcome.actions.map { "`\($0.summary)`" }
            let example = requires.isEmpty ? "requires nothing at all, so no follow-up"
                                           : "requires " + requires.joined(separator: ", ") + ", but no follow-up"
            let atLeast = "\(field.name) >= \(levels[threshold])"
            out.append(Diagnostic(.seriousWithoutFollowUp, message, source: place.source, span: place.span,
                                  help: "add `follow up in 3 days` to the rule for `\(atLeast)`, or add the rule `when \(atLeast): follow up in 3 days`",
                                  notes: notes + [Diagnostic.Note("for example, \(c.describe(incident)) \(example)")]))
        }
        return out
    }

    // MARK: - The customer's fault

    static func customerFault(_ c: inout AnalysisContext) -> [Diagnostic] {
        var out: [Diagnostic] = []
        for (f, field) in c.model.fields.enumerated() {
            guard case .enumeration(let e) = field.type else { continue }
            let word = (field.name.split(separator: ".").last.map(String.init) ?? field.name).lowercased()
            guard word.contains("caus") || word.contains("fault") else { continue }
            let values = c.model.enumerations[e].values
            guard let customer = values.firstIndex(where: { ["customer", "client"].contains($0.lowercased()) }) else { continue }
            let isCustomer = Formula.literal(Literal(variable: .field(f), constraint: Constraint(
                values: .finite(FiniteSet(count: values.count, members: [customer])), missing: false), ref: nil))
            for r in c.model.rules.indices where !c.neverFires.contains(r) {
                for (k, action) in c.model.rules[r].actions.enumerated() {
                    guard case .apology = action else { continue }
                    guard case .sat(let assignment) = c.solve(.all([c.fires(r), isCustomer, c.notWaived(.apology)])) else { continue }
                    let incident = c.example(assignment, overrides: [f: .some(.choice(e, customer))])
                    // Confirmed by the compiled policy. When nothing in it
                    // waives, the apology stands whenever this rule fires,
                    // so only the rule's condition is run: merging every
                    // rule that fires, for each finding, made checking a
                    // large policy quadratic.
                    let confirmed = c.evaluator.anyWaives ? c.result(incident, for: action) != nil : c.fires(incident, rule: r)
                    guard confirmed else { continue }
                    let only = c.neverHolds(.all([c.fires(r), isCustomer.negated]))
                    let who = "`\(field.name) = \(values[customer])`"
                    let message = only ? "this rule requires an apology for incidents the customer caused (\(who))"
                                       : "this apology is also required when the customer caused the incident (\(who))"
                    let ref = c.model.rules[r].actionRefs[k]
                    out.append(Diagnostic(.apologyForCustomerFault, message, source: ref.source, span: ref.span,
                                          help: "talk through expectations instead: add `and \(field.name) != \(values[customer])` to the condition, "
                                              + "or add `when \(field.name) = \(values[customer]): waive apology`",
                                          notes: [Diagnostic.Note("for example, \(c.describe(incident)) requires an apology")]))
                }
            }
        }
        return out
    }
}

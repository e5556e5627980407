/// W401-W405: lints from the service-recovery research (see DOMAIN.md).
///
/// - W401, W402: an apology that can be required without `responsibility`
///   (the part that matters most) or without `repair` (next most). Judged on
///   the merged result: an apology rule without `repair` is fine when
///   another rule that always fires with it adds `repair`.
/// - W403: an apology that asks for `forgiveness` (the part that helps least).
/// - W404: a serious incident (the policy's `serious:` mark, else `high`
///   or above on a scale with a level named `high` or `critical`) that can
///   end with no follow-up at all.
/// - W405: an apology that can be required when the customer caused the
///   incident (the policy's `client fault:` mark, else a field whose name
///   says cause or fault, `caused_by`, at a value `customer` or `client`),
///   and no `waive apology` for that case. See `LintMarks`.
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
        for mark in c.marks.serious {
            let query = Formula.all([mark.formula, c.notDelivered(.followUp, where: { _ in true })])
            guard case .sat(let assignment) = c.solve(query) else { continue }
            let incident = c.example(assignment)
            guard c.holds(mark, incident) else { continue }
            let outcome = c.outcome(incident)
            guard !outcome.actions.contains(where: { $0.kind == .followUp }) else { continue }
            let message: String
            if let f = mark.field, let threshold = mark.threshold, case .scale(let s) = c.model.fields[f].type {
                // The default: the levels named `high` and `critical`, and those above.
                let levels = c.model.scales[s].levels
                let level = incident.values[f].flatMap { v -> Int? in
                    if case .level(_, let i)? = v { return i }
                    return nil
                } ?? threshold
                let seriousNames = levels[threshold...].map { "`\($0)`" }.joined(separator: " and ")
                message = anyFollowUp ? "an incident with `\(c.model.fields[f].name) = \(levels[level])` can end with no follow-up"
                                      : "no rule requires a follow-up, so \(seriousNames) incidents get none"
            } else {
                message = anyFollowUp ? "a serious incident (`\(mark.text)`) can end with no follow-up"
                                      : "no rule requires a follow-up, so serious incidents (`\(mark.text)`) get none"
            }
            let (place, notes) = c.place(for: mark)
            let requires = outcome.actions.map { "`\($0.summary)`" }
            let example = requires.isEmpty ? "requires nothing at all, so no follow-up"
                                           : "requires " + requires.joined(separator: ", ") + ", but no follow-up"
            out.append(Diagnostic(.seriousWithoutFollowUp, message, source: place.source, span: place.span,
                                  help: "add `follow up in 3 days` to the rule for `\(mark.text)`, or add the rule `when \(mark.text): follow up in 3 days`",
                                  notes: notes + [Diagnostic.Note("for example, \(c.describe(incident)) \(example)")]))
        }
        return out
    }

    // MARK: - The customer's fault

    static func customerFault(_ c: inout AnalysisContext) -> [Diagnostic] {
        var out: [Diagnostic] = []
        for mark in c.marks.clientFault {
            // A default's example shows the field at its value.
            var overrides: [Int: Value?] = [:]
            if let f = mark.field, case .compare(_, _, .value(let v)) = mark.condition.kind { overrides[f] = .some(v) }
            for r in c.model.rules.indices where !c.neverFires.contains(r) {
                for (k, action) in c.model.rules[r].actions.enumerated() {
                    guard case .apology = action else { continue }
                    guard case .sat(let assignment) = c.solve(.all([c.fires(r), mark.formula, c.notWaived(.apology)])) else { continue }
                    let incident = c.example(assignment, overrides: overrides)
                    guard mark.field != nil || c.holds(mark, incident) else { continue }
                    // Confirmed by the compiled policy. When nothing in it
                    // waives, the apology stands whenever this rule fires,
                    // so only the rule's condition is run: merging every
                    // rule that fires, for each finding, made checking a
                    // large policy quadratic.
                    let confirmed = c.evaluator.merger.anyWaives ? c.result(incident, for: action) != nil : c.fires(incident, rule: r)
                    guard confirmed else { continue }
                    let only = c.neverHolds(.all([c.fires(r), mark.formula.negated]))
                    let who = "`\(mark.text)`"
                    let message = only ? "this rule requires an apology for incidents the customer caused (\(who))"
                                       : "this apology is also required when the customer caused the incident (\(who))"
                    let ref = c.model.rules[r].actionRefs[k]
                    out.append(Diagnostic(.apologyForCustomerFault, message, source: ref.source, span: ref.span,
                                          help: "talk through expectations instead: add `and \(mark.negatedText)` to the condition, "
                                              + "or add `when \(mark.text): waive apology`",
                                          notes: [Diagnostic.Note("for example, \(c.describe(incident)) requires an apology")]))
                }
            }
        }
        return out
    }
}

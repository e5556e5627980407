/// W406-W409: lints from the service-recovery research on what an apology
/// needs around it (see DOMAIN.md).
///
/// - W406: an `offer` some incident gets with no apology (compensation alone
///   left 37% of upset customers satisfied, with an apology 74%). Incidents
///   the client caused are left out: W405 asks for no apology there.
/// - W407: an incident the policy says we caused (`our fault:`, else
///   `caused_by = us`) that can get no apology at all.
/// - W408: an apology that promises `prevention` for an incident that gets
///   no `review cause`: the promise needs the cause found and fixed.
/// - W409: a supervisor (a role named `supervisor`, or ending in
///   `_supervisor`) notified later than the client is answered: the practice
///   is to tell your supervisor first.
///
/// Each finding shows an example incident, found by the solver and confirmed
/// by running the compiled policy on it. Confirming runs the whole policy,
/// so the number of such runs is bounded (`wholeRunsLeft`); a rule that
/// carries what the lint asks for itself (an offer with its own apology, a
/// promise with its own review) is settled without the solver when nothing
/// waives it, which keeps a large policy of such rules fast.
enum RecoveryLints {
    static func run(_ c: inout AnalysisContext) -> [Diagnostic] {
        var noApology: Formula?
        var out: [Diagnostic] = []
        out += offersWithoutApology(&c, &noApology)
        out += ourFaultWithoutApology(&c, &noApology)
        out += preventionWithoutReview(&c)
        out += clientBeforeSupervisor(&c)
        return out
    }

    /// No apology is delivered (built once: its size grows with the rules).
    static func noApology(_ c: inout AnalysisContext, _ cache: inout Formula?) -> Formula {
        if let known = cache { return known }
        let formula = c.notDelivered(.apology, where: { _ in true })
        cache = formula
        return formula
    }

    /// Whether rule `r` requires an action of `kind` itself.
    static func requires(_ c: AnalysisContext, _ r: Int, _ kind: ActionKindName) -> Bool {
        c.model.rules[r].actions.contains { !$0.isWaive && $0.kind == kind }
    }

    /// Some rule that waives `kind` fires.
    static func someWaives(_ c: AnalysisContext, _ kind: ActionKindName) -> Formula {
        .any(c.waivers(of: kind).map { c.fires($0) })
    }

    /// `requires `notify supervisor`, but no review`, or `requires nothing at all, so no review`.
    static func requiresBut(_ outcome: Outcome, no what: String) -> String {
        outcome.actions.isEmpty ? "requires nothing at all, so no \(what)"
            : "requires " + outcome.actions.map { "`\($0.summary)`" }.joined(separator: ", ") + ", but no \(what)"
    }

    // MARK: - W406

    static func offersWithoutApology(_ c: inout AnalysisContext, _ cache: inout Formula?) -> [Diagnostic] {
        var out: [Diagnostic] = []
        let notTheClients = Formula.all(c.marks.clientFault.map { $0.formula.negated })
        for r in c.model.rules.indices where !c.neverFires.contains(r) {
            guard let k = c.model.rules[r].actions.firstIndex(where: { if case .offer = $0 { return true }; return false }) else { continue }
            let absent: Formula
            if requires(c, r, .apology) {
                // Its own apology stands unless something waives it.
                guard !c.waivers(of: .apology).isEmpty else { continue }
                absent = someWaives(c, .apology)
            } else {
                absent = noApology(&c, &cache)
            }
            let query = Formula.all([c.fires(r), c.notWaived(.offer), notTheClients, absent])
            guard case .sat(let assignment) = c.solve(query) else { continue }
            let incident = c.example(assignment)
            guard !c.marks.clientFault.contains(where: { c.holds($0, incident) }),
                  let outcome = c.boundedOutcome(incident),
                  let offer = outcome.actions.first(where: { $0.kind == .offer }),
                  !outcome.actions.contains(where: { $0.kind == .apology }) else { continue }
            let ref = c.model.rules[r].actionRefs[k]
            let anyApology = c.model.rules.contains { $0.actions.contains { $0.kind == .apology && !$0.isWaive } }
            let message = anyApology ? "this offer can come with no apology: for some incidents no rule requires one"
                                     : "this offer comes with no apology"
            out.append(Diagnostic(.offerWithoutApology, message, source: ref.source, span: ref.span,
                                  help: "add `require apology with repair, responsibility` to this rule",
                                  notes: [Diagnostic.Note("offering something in return alone left about a third of upset customers satisfied; "
                                                          + "with an apology, about three quarters"),
                                          Diagnostic.Note("for example, \(c.describe(incident)) gets `\(offer.summary)` but no apology")]))
        }
        return out
    }

    // MARK: - W407

    static func ourFaultWithoutApology(_ c: inout AnalysisContext, _ cache: inout Formula?) -> [Diagnostic] {
        var out: [Diagnostic] = []
        for mark in c.marks.ourFault {
            let query = Formula.all([mark.formula, noApology(&c, &cache)])
            guard case .sat(let assignment) = c.solve(query) else { continue }
            var overrides: [Int: Value?] = [:]
            if let f = mark.field, case .compare(_, _, .value(let v)) = mark.condition.kind { overrides[f] = .some(v) }
            let incident = c.example(assignment, overrides: overrides)
            guard c.holds(mark, incident), let outcome = c.boundedOutcome(incident),
                  !outcome.actions.contains(where: { $0.kind == .apology }) else { continue }
            let (place, notes) = c.place(for: mark)
            let anyApology = c.model.rules.contains { $0.actions.contains { $0.kind == .apology && !$0.isWaive } }
            let message = anyApology ? "an incident we caused (`\(mark.text)`) can get no apology"
                                     : "no rule requires an apology, so incidents we caused (`\(mark.text)`) get none"
            out.append(Diagnostic(.ourFaultWithoutApology, message, source: place.source, span: place.span,
                                  help: "add the rule `when \(mark.text): require apology with repair, responsibility`",
                                  notes: notes + [Diagnostic.Note("owning our part is what matters most in an apology; fear of liability is no reason to skip it"),
                                                  Diagnostic.Note("for example, \(c.describe(incident)) \(requiresBut(outcome, no: "apology"))")]))
        }
        return out
    }

    // MARK: - W408

    static func preventionWithoutReview(_ c: inout AnalysisContext) -> [Diagnostic] {
        var out: [Diagnostic] = []
        var noReview: Formula?
        let anyReview = c.model.rules.contains { $0.actions.contains { $0.kind == .review && !$0.isWaive } }
        for r in c.model.rules.indices where !c.neverFires.contains(r) {
            guard let k = c.model.rules[r].actions.firstIndex(where: {
                if case .apology(let set, _, _) = $0 { return set.contains(.prevention) }
                return false
            }) else { continue }
            let absent: Formula
            if requires(c, r, .review) {
                guard !c.waivers(of: .review).isEmpty else { continue }
                absent = someWaives(c, .review)
            } else if let known = noReview {
                absent = known
            } else {
                absent = c.notDelivered(.review, where: { _ in true })
                noReview = absent
            }
            let query = Formula.all([c.fires(r), c.notWaived(.apology), absent])
            guard case .sat(let assignment) = c.solve(query) else { continue }
            let incident = c.example(assignment)
            guard let outcome = c.boundedOutcome(incident),
                  let apology = outcome.actions.first(where: { $0.kind == .apology }), apology.components.contains(.prevention),
                  !outcome.actions.contains(where: { $0.kind == .review }) else { continue }
            let ref = c.model.rules[r].actionRefs[k]
            var span = ref.span
            let text = ref.source.text(ref.span)
            if let range = text.utf8.firstRange(of: "prevention".utf8) {
                let start = ref.span.start + text.utf8.distance(from: text.utf8.startIndex, to: range.lowerBound)
                span = Span(start: start, end: start + "prevention".utf8.count)
            }
            let message = anyReview ? "this apology promises `prevention`, but for some incidents no rule reviews the cause"
                                    : "this apology promises `prevention`, but no rule reviews the cause"
            let within = c.model.calendar != nil ? "10 business days" : "14 days"
            out.append(Diagnostic(.preventionWithoutReview, message, source: ref.source, span: span,
                                  help: "add `review cause within \(within)` to this rule, or leave `prevention` out",
                                  notes: [Diagnostic.Note("a promise that it will not happen again needs the cause found and fixed"),
                                          Diagnostic.Note("for example, \(c.describe(incident)) \(requiresBut(outcome, no: "review"))")]))
        }
        return out
    }

    // MARK: - W409

    /// Whether a role is the supervisor the practice says to tell first.
    static func isSupervisor(_ role: String) -> Bool {
        let name = role.lowercased()
        return name == "supervisor" || name.hasSuffix("_supervisor")
    }

    /// A duration's length for ordering candidates: business time counts as
    /// calendar time (it is never shorter); the example confirms the order.
    static func nominal(_ d: DurationSpec) -> Int64 {
        if let seconds = d.seconds { return seconds }
        return d.amount &* (d.unit == .businessHours ? 3_600 : 86_400)
    }

    /// At most this many client deadlines are tried as thresholds, shortest first.
    static let thresholdLimit = 8

    static func clientBeforeSupervisor(_ c: inout AnalysisContext) -> [Diagnostic] {
        let supervisors = Set(c.model.roles.indices.filter { isSupervisor(c.model.roles[$0]) })
        guard !supervisors.isEmpty else { return [] }
        // Each rule's shortest supervisor notice and shortest client deadline.
        var told: [(rule: Int, length: Int64)] = []
        var answered: [(rule: Int, length: Int64)] = []
        for r in c.model.rules.indices where !c.neverFires.contains(r) {
            var notice: Int64?
            var answer: Int64?
            for action in c.model.rules[r].actions {
                switch action {
                case .notify(let role, let within?) where supervisors.contains(role):
                    notice = min(notice ?? .max, nominal(within))
                case .respond(let within, _), .apology(_, let within?, _):
                    answer = min(answer ?? .max, nominal(within))
                default: break
                }
            }
            if let notice { told.append((r, notice)) }
            if let answer { answered.append((r, answer)) }
        }
        guard !told.isEmpty, !answered.isEmpty else { return [] }
        var out: [Diagnostic] = []
        var reported: [(ObjectIdentifier, Int)] = []
        let thresholds = Array(Set(answered.map(\.length))).sorted().prefix(thresholdLimit)
        for d in thresholds {
            // The client is answered within d; no supervisor notice that
            // short applies, and a longer one does.
            let query = Formula.all([
                .any(answered.filter { $0.length <= d }.map { c.fires($0.rule) }),
                .all(told.filter { $0.length <= d }.map { c.notFires($0.rule, with: nil) }),
                .any(told.filter { $0.length > d }.map { c.fires($0.rule) }),
                c.notWaived(.notify),
            ])
            guard case .sat(let assignment) = c.solve(query) else { continue }
            let incident = c.example(assignment)
            guard let outcome = c.boundedOutcome(incident) else { break }
            let contacts = outcome.actions.filter { ($0.kind == .respond || $0.kind == .apology) && $0.due != nil }
            guard let first = contacts.min(by: { ($0.due ?? .max) < ($1.due ?? .max) }), let answerDue = first.due else { continue }
            for notice in outcome.actions where notice.kind == .notify {
                guard let role = notice.role, isSupervisor(role), let due = notice.due, let within = notice.within,
                      answerDue < due, let place = actionRef(c, notice.because, within: within, matching: { action in
                          if case .notify(let r, let w) = action { return c.model.roles[r] == role && w == within }
                          return false
                      }), !reported.contains(where: { $0.0 == ObjectIdentifier(place.source) && $0.1 == place.span.start }) else { continue }
                reported.append((ObjectIdentifier(place.source), place.span.start))
                var notes = [Diagnostic.Note("the practice is to tell your supervisor first, then the client, as soon as you know")]
                if let answerWithin = first.within, let answerRef = actionRef(c, first.because, within: answerWithin, matching: { action in
                    switch action {
                    case .respond(let w, _): return first.kind == .respond && w == answerWithin
                    case .apology(_, let w?, _): return first.kind == .apology && w == answerWithin
                    default: return false
                    }
                }) {
                    notes.append(Diagnostic.Note("the client's deadline", source: answerRef.source, span: answerRef.span))
                }
                notes.append(Diagnostic.Note("for example, \(c.describe(incident)) requires `\(first.summary)` "
                                             + "(due \(ISOTime.string(utc: answerDue))) and `\(notice.summary)` (due \(ISOTime.string(utc: due)))"))
                let fix = first.within.map { "`notify \(role) within \($0)`" } ?? "a shorter deadline"
                out.append(Diagnostic(.clientBeforeSupervisor,
                                      "the client is answered before `\(role)` is told: `\(first.summary)`, but `\(notice.summary)`",
                                      source: place.source, span: place.span,
                                      help: "tell the supervisor first: \(fix), or give the client a later deadline",
                                      notes: notes))
            }
        }
        return out
    }

    /// Where the action behind a merged result was written: the first rule
    /// in `because` with an action `matching`.
    static func actionRef(_ c: AnalysisContext, _ because: [RuleRef], within: DurationSpec,
                          matching: (ActionModel) -> Bool) -> SourceRef? {
        for rule in because where c.model.rules.indices.contains(rule.index) {
            let model = c.model.rules[rule.index]
            if let k = model.actions.firstIndex(where: matching), model.actionRefs.indices.contains(k) { return model.actionRefs[k] }
        }
        return nil
    }
}

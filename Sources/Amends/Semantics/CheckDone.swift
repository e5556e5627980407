/// Checks the `done:` lines (Grammar.md §4, "done:"): each names an action a
/// rule can require, once, and a record field that is a `time` (when it was
/// done) or a `yes/no` (whether it was).
extension Checker {
    mutating func checkDone(_ decl: DoneDecl, _ source: SourceText, _ span: Span) {
        if model.doneRef == nil { model.doneRef = SourceRef(source, span) }
        for line in decl.lines {
            let target = line.target
            var role: Int?
            if let r = target.role {
                // A done line does not use a role: W304 still says when no rule does.
                guard let i = roleIndex[r.name] else {
                    report(.unknownRole, "unknown role `\(r.name)`", source, r.span,
                           help: Suggest.didYouMean(r.name, in: model.roles)
                               ?? (model.roles.isEmpty ? "declare it: `roles: \(r.name)`" : "declare it in `roles:` (\(model.roles.joined(separator: ", ")))"))
                    continue
                }
                role = i
            }
            let text = target.text?.value
            if let previous = model.evidence.first(where: { $0.tracks(kind: target.kind, role: role, text: text) }) {
                report(.duplicateDeclaration, "`\(target.written)` is tracked twice", source, target.span,
                       help: "keep one line for it: one field shows that an action was done",
                       notes: [Diagnostic.Note("first tracked here", source: previous.ref.source, span: previous.ref.span)])
                continue
            }
            guard let field = evidenceField(line, source) else { continue }
            if !canBeRequired(target.kind, role: role, text: text) {
                var help = "remove the line, or add a rule that requires `\(target.written)`"
                if target.kind == .task, let text {
                    let texts = taskTexts()
                    if let close = Suggest.closest(to: text, in: texts) {
                        help = "did you mean `task \(SExpr.quote(close))`? a task is tracked by its text exactly as the rules write it"
                    }
                }
                report(.evidenceNeverRequired, "`\(target.written)` is tracked, but no rule requires it", source, target.span,
                       help: help)
                continue
            }
            model.evidence.append(EvidenceModel(kind: target.kind, role: role, text: text, field: field.index,
                                                isFlag: field.isFlag, written: target.written,
                                                ref: SourceRef(source, line.span)))
        }
    }

    /// The line's field, when it is a declared `time` or `yes/no` field.
    mutating func evidenceField(_ line: DoneLine, _ source: SourceText) -> (index: Int, isFlag: Bool)? {
        let name = line.field.name
        guard let f = fieldIndex[name] else {
            let candidates = model.fields.filter { $0.type == .time || $0.type == .bool }.map(\.name)
            reportUnknownName(name, source, line.field.span, candidates: candidates)
            return nil
        }
        switch model.fields[f].type {
        case .time: return (f, false)
        case .bool: return (f, true)
        default:
            report(.invalidEvidence, "`\(name)` is \(model.describe(model.fields[f].type)): evidence that an action was done is a `time` or `yes/no` field",
                   source, line.field.span,
                   help: "name a field declared `time` (when it was done) or `yes/no` (whether it was), e.g. `\(name)_at: time?`",
                   notes: [Diagnostic.Note("`\(name)` is declared here", source: model.fields[f].declaration.source,
                                           span: model.fields[f].declaration.span)])
            return nil
        }
    }

    /// Whether some rule has an action of this kind (and role, and text).
    func canBeRequired(_ kind: ActionKindName, role: Int?, text: String?) -> Bool {
        model.rules.contains { rule in
            rule.actions.contains { a in a.trackingKey.map { $0.kind == kind && $0.role == role && $0.text == text } ?? false }
        }
    }

    func taskTexts() -> [String] {
        model.rules.flatMap { $0.actions.compactMap { a -> String? in
            if case .task(let text, _) = a { return text }
            return nil
        } }
    }
}

extension ActionModel {
    /// What a `done:` line names to track it: the kind, with the role of a
    /// notify or escalate and the text of a task; nil for a waive.
    package var trackingKey: (kind: ActionKindName, role: Int?, text: String?)? {
        switch self {
        case .notify(let role, _): return (.notify, role, nil)
        case .escalate(let role, _): return (.escalate, role, nil)
        case .task(let text, _): return (.task, nil, text)
        case .waive: return nil
        default: return (kind, nil, nil)
        }
    }
}

extension Checker {
    /// `expect status TARGET: STATUS [by D]` (Grammar.md §9): a known
    /// action and status, in a policy that tracks progress; a margin only
    /// for a status that has one, in calendar time or business hours.
    mutating func checkStatusExpectation(_ s: StatusExpectation, _ source: SourceText) -> StatusExpectationModel? {
        let words = ProgressStatus.allCases.map(\.jsonName)
        guard let status = ProgressStatus(rawValue: s.status.name) else {
            report(.invalidExample, "unknown status `\(s.status.name)`", source, s.status.span,
                   help: Suggest.didYouMean(s.status.name, in: words) ?? "a status is \(words.joined(separator: ", "))")
            return nil
        }
        var role: Int?
        if let r = s.target.role {
            guard let i = roleIndex[r.name] else {
                report(.unknownRole, "unknown role `\(r.name)`", source, r.span,
                       help: Suggest.didYouMean(r.name, in: model.roles) ?? "declare it in `roles:`")
                return nil
            }
            role = i
        }
        if model.doneRef == nil {
            report(.invalidExample, "the policy tracks no progress, so `\(s.target.written)` has no status", source, s.target.span,
                   help: "say which record field shows it was done, in a `done:` block: `\(s.target.written): FIELD`")
            return nil
        }
        var margin: DurationSpec?
        if let m = s.margin {
            if ![ProgressStatus.onTime, .late, .open, .overdue].contains(status) {
                report(.invalidExample, "a `\(status.jsonName)` action has no margin", source, m.span,
                       help: "leave out `by \(m)`; only on_time, late, open and overdue are measured from a deadline")
                return nil
            }
            if m.unit == .businessDays {
                report(.invalidExample, "a margin in business time is open time, counted in business hours", source, m.span,
                       help: "write it in business hours, e.g. `by 8 business hours`")
                return nil
            }
            if m.unit.isBusiness && model.calendar == nil {
                report(.businessTimeWithoutCalendar, "business hours need a `calendar`", source, m.span,
                       help: "declare the opening hours in a `calendar:` block")
                return nil
            }
            margin = DurationSpec(m)
        }
        return StatusExpectationModel(kind: s.target.kind, role: role, text: s.target.text?.value, written: s.target.written,
                                      status: status, margin: margin)
    }
}

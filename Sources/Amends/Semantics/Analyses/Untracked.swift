/// W313: in a policy that tracks progress (it has a `done:` block), an
/// action a rule can require that no `done:` line tracks. Its status would
/// always be `not_tracked`; when that is meant (a call nobody records), the
/// rule's line says so with `# amends: allow W313`.
///
/// Each action is reported once, at the first rule (in file order) that
/// requires it.
enum Untracked {
    static func run(_ c: AnalysisContext) -> [Diagnostic] {
        let model = c.model
        guard model.doneRef != nil else { return [] }
        var seen: [(kind: ActionKindName, role: Int?, text: String?)] = []
        var out: [Diagnostic] = []
        for rule in model.rules {
            for (a, action) in rule.actions.enumerated() {
                guard let key = action.trackingKey,
                      !model.evidence.contains(where: { $0.tracks(kind: key.kind, role: key.role, text: key.text) }),
                      !seen.contains(where: { $0.kind == key.kind && $0.role == key.role && $0.text == key.text }) else { continue }
                seen.append(key)
                let written = DoneTarget(kind: key.kind, role: key.role.map { Identifier(model.roles.indices.contains($0) ? model.roles[$0] : "?", .none) },
                                         text: key.text.map { StringLiteral($0, .none) }, span: .none).written
                let ref = rule.actionRefs.indices.contains(a) ? rule.actionRefs[a] : rule.ref
                var notes: [Diagnostic.Note] = []
                if let done = model.doneRef { notes.append(Diagnostic.Note("the `done:` block", source: done.source, span: done.span)) }
                out.append(Diagnostic(.untrackedAction, "`\(written)` can be required, but no `done:` line tracks it",
                                      source: ref.source, span: ref.span,
                                      help: "add `\(written): FIELD` to `done:`, naming the record field that shows it was done, or allow it here: `# amends: allow W313`",
                                      notes: notes))
            }
        }
        return out
    }
}

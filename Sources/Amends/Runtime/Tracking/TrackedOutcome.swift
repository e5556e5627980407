/// Tracking as a stage after merging: the statuses of an `Outcome`'s
/// required actions, from the record's evidence and `now`.
extension TrackingPlan {
    /// `outcome` with each action's progress and the evidence of actions it
    /// did not require; `keys` are the program's result keys.
    package func track(_ outcome: Outcome, keys: [ResultKey], record: RecordBuffer, now: Int64) -> Outcome {
        var outcome = outcome
        var required = Set<Int>()
        for i in outcome.actions.indices {
            let a = outcome.actions[i]
            let key = keys.indices.first { k in
                let key = keys[k]
                guard key.kind == a.kind else { return false }
                switch a.kind {
                case .notify, .escalate: return key.label == a.role
                case .task: return Array(key.label.utf8) == Array((a.text ?? "").utf8)
                default: return true
                }
            }
            guard let key else { continue }
            required.insert(key)
            outcome.actions[i].progress = progress(key: key, due: a.due, business: a.within?.unit.isBusiness == true,
                                                   record: record, now: now)
        }
        outcome.unrequired = unrequired(required: { required.contains($0) }, record: record, now: now).map { u in
            let key = keys.indices.contains(u.evidence.key) ? keys[u.evidence.key] : nil
            return DoneWithoutRequirement(action: u.evidence.written, kind: key?.kind ?? .task,
                                          role: key?.kind == .notify || key?.kind == .escalate ? key?.label : nil,
                                          text: key?.kind == .task ? key?.label : nil,
                                          field: u.evidence.fieldName, doneAt: u.doneAt)
        }
        return outcome
    }
}

extension Outcome {
    /// What `evaluation` requires of `record`, with each action's progress
    /// at the record's `now` when the policy tracks any.
    package init(_ evaluation: Evaluation, tracking record: RecordBuffer) {
        let merged = Outcome(evaluation)
        let program = evaluation.program
        guard let plan = program.tracking else {
            self = merged
            return
        }
        self = plan.track(merged, keys: program.keys, record: record, now: Evaluator.seconds(record.now))
    }
}

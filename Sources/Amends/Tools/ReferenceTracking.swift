/// The reference's statement of progress (Grammar.md §8, "Progress"),
/// written from the text, beside the fast path's `TrackingPlan`: what the
/// differential tests compare it with. Open time for a business margin is
/// the calendar's own arithmetic (`openSeconds`), tested on its own, as
/// deadlines use the calendar's own `addBusinessHours`.
extension ReferenceEvaluator {
    func track(_ result: inout ReferenceResult, record: RecordBuffer, now: Int64) {
        func evidence(_ kind: ActionKindName, role: String?, text: String?) -> EvidenceModel? {
            model.evidence.first { e in
                guard e.kind == kind else { return false }
                switch kind {
                case .notify, .escalate: return e.role.flatMap { name($0, in: model.roles) } == role
                case .task: return (e.text ?? "").unicodeScalars.elementsEqual((text ?? "").unicodeScalars)
                default: return true
                }
            }
        }
        var clock: Int64?
        if let c = model.clockField, record.isPresent(c) { clock = ReferenceInterpreter.whole(record.scalar(c)) }
        let clockName = model.clockField.flatMap { name($0, in: model.fields.map(\.name)) } ?? "the clock field"
        for i in result.actions.indices {
            let a = result.actions[i]
            // "not tracked": the policy has no `done:` line for the action.
            guard let e = evidence(a.kind, role: a.role, text: a.text) else {
                result.actions[i].progress = ReferenceResult.Standing(status: "not_tracked")
                continue
            }
            let business = a.within?.unit.isBusiness == true && calendar != nil
            func margin(_ from: Int64, _ to: Int64) -> Int64 {
                if business, let calendar { return calendar.openSeconds(from: from, to: to) }
                return to - from
            }
            var notes: [String] = []
            var doneAt: Int64?
            var flagged = false
            if record.isPresent(e.field) {
                if e.isFlag {
                    // "A `yes/no` field that is yes: done."
                    flagged = record.scalar(e.field) != 0
                } else {
                    let t = ReferenceInterpreter.whole(record.scalar(e.field))
                    // "A time after `now` is not yet done at `now`."
                    if t > now {
                        notes.append("done at \(ReferenceComparison.time(t)), after now (\(ReferenceComparison.time(now))): not done yet at now")
                    } else {
                        doneAt = t
                        if let clock, t < clock {
                            notes.append("done at \(ReferenceComparison.time(t)), before \(clockName) (\(ReferenceComparison.time(clock)))")
                        }
                    }
                }
            }
            var s = ReferenceResult.Standing(status: "open", notes: notes)
            if flagged {
                s.status = "done"
            } else if let t = doneAt {
                s.doneAt = t
                if let due = a.due {
                    // "Done exactly at the deadline is on time."
                    s.status = t <= due ? "on_time" : "late"
                    s.margin = t <= due ? margin(t, due) : margin(due, t)
                    s.business = business
                } else {
                    s.status = "done"
                }
            } else if let due = a.due {
                s.status = now > due ? "overdue" : "open"
                s.margin = now > due ? margin(due, now) : margin(now, due)
                s.business = business
            }
            result.actions[i].progress = s
        }
        // "Evidence for an action the policy did not require is reported."
        // In the order of the result keys (§7's printing order).
        var keyed: [(rank: Int, value: ReferenceResult.Unrequired)] = []
        for e in model.evidence where record.isPresent(e.field) {
            let role = e.role.flatMap { name($0, in: model.roles) }
            let required = result.actions.contains { a in
                a.kind == e.kind && (e.kind == .notify || e.kind == .escalate ? a.role == role : true)
                    && (e.kind == .task ? (a.text ?? "").unicodeScalars.elementsEqual((e.text ?? "").unicodeScalars) : true)
            }
            if required { continue }
            var doneAt: Int64?
            if e.isFlag {
                guard record.scalar(e.field) != 0 else { continue }
            } else {
                let t = ReferenceInterpreter.whole(record.scalar(e.field))
                guard t <= now else { continue }
                doneAt = t
            }
            let rank = e.kind.rank * 1_000_000 + (e.role ?? 0)
                + (e.kind == .task ? (taskOrder().firstIndex { $0.unicodeScalars.elementsEqual((e.text ?? "").unicodeScalars) } ?? 0) : 0)
            keyed.append((rank, ReferenceResult.Unrequired(kind: e.kind, role: role, text: e.kind == .task ? e.text : nil,
                                                          field: name(e.field, in: model.fields.map(\.name)) ?? "?", doneAt: doneAt)))
        }
        result.unrequired = keyed.sorted { $0.rank < $1.rank }.map(\.value)
    }

    /// Task texts in order of first appearance in the policy (§7).
    func taskOrder() -> [String] {
        var texts: [String] = []
        for rule in model.rules {
            for case .task(let text, _) in rule.actions where !texts.contains(where: { $0.unicodeScalars.elementsEqual(text.unicodeScalars) }) {
                texts.append(text)
            }
        }
        return texts
    }
}

extension ReferenceComparison {
    /// §11: a business margin is open time in ISO 8601 hours, minutes and
    /// seconds, never days (`PT30H`, `PT1H30M`, `PT0S`).
    static func isoHours(_ seconds: Int64) -> String {
        let h = seconds / 3_600, m = seconds % 3_600 / 60, s = seconds % 60
        return "PT" + (h > 0 ? "\(h)H" : "") + (m > 0 ? "\(m)M" : "") + (s > 0 || (h == 0 && m == 0) ? "\(s)S" : "")
    }
}

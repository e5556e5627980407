/// A TrackingPlan is a policy's `done:` block compiled against its result
/// keys: for each key, the record field that shows it was done. It works
/// out each required action's `Progress` from the merged deadline, the
/// record and `now` (Grammar.md §8, "Progress"). Nil in a program whose
/// policy has no `done:` block: such a policy pays nothing for tracking.
package final class TrackingPlan: Sendable {
    /// One `done:` line, compiled.
    package struct Evidence: Sendable {
        /// The result key it tracks.
        package var key: Int
        /// The record field (a schema slot) and its name.
        package var field: Int
        package var fieldName: String
        /// A `yes/no` field: done, with no time.
        package var isFlag: Bool
        /// The action as the line writes it.
        package var written: String
    }

    /// The evidence of each result key, by key (nil: not tracked).
    package let byKey: [Evidence?]
    /// Every line, in the order of the keys they track.
    package let lines: [Evidence]
    let clockField: Int?
    let clockName: String?
    let calendar: BusinessCalendar?

    package init?(model: PolicyModel, keys: [ResultKey], calendar: BusinessCalendar?) {
        guard model.doneRef != nil else { return nil }
        var byKey = [Evidence?](repeating: nil, count: keys.count)
        for e in model.evidence {
            guard model.fields.indices.contains(e.field) else { continue }
            let key = keys.indices.first { k in
                let key = keys[k]
                guard key.kind == e.kind else { return false }
                switch e.kind {
                case .notify, .escalate: return key.role == e.role
                case .task: return Array(key.label.utf8) == Array((e.text ?? "").utf8)
                default: return true
                }
            }
            guard let key else { continue }
            byKey[key] = Evidence(key: key, field: e.field, fieldName: model.fields[e.field].name, isFlag: e.isFlag,
                                  written: e.written)
        }
        self.byKey = byKey
        self.lines = byKey.compactMap { $0 }
        clockField = model.clockField
        clockName = model.clockField.flatMap { model.fields.indices.contains($0) ? model.fields[$0].name : nil }
        self.calendar = calendar
    }

    /// The progress at `now` of the action at result key `key`, whose merged
    /// deadline is `due` (nil: none), counted in business time when
    /// `business`.
    ///
    /// - No `done:` line for it: not tracked.
    /// - A `yes/no` field that is yes: done. No, or missing: not done.
    /// - A `time` field with a value at or before `now`: done at that time;
    ///   on time when at or before the deadline (exactly at it is on time),
    ///   late after it, and simply done when there is no deadline. A time
    ///   before the clock field counts, with a note; a time after `now` is
    ///   not yet done at `now`, with a note.
    /// - Not done: overdue when `now` is after the deadline, else open.
    package func progress(key: Int, due: Int64?, business: Bool, record: RecordBuffer, now: Int64) -> Progress {
        guard byKey.indices.contains(key), let e = byKey[key] else { return Progress(status: .notTracked) }
        var notes: [String] = []
        let isBusiness = business && calendar != nil
        func margin(_ from: Int64, _ to: Int64) -> Int64 {
            if isBusiness, let calendar { return calendar.openSeconds(from: from, to: to) }
            return to &- from
        }
        if record.isPresent(e.field) {
            if e.isFlag {
                if record.scalar(e.field) != 0 { return Progress(status: .done, field: e.fieldName) }
            } else {
                let t = Evaluator.seconds(record.scalar(e.field))
                if t <= now {
                    if let c = clockField, record.isPresent(c) {
                        let clock = Evaluator.seconds(record.scalar(c))
                        if t < clock {
                            notes.append("done at \(ISOTimeText.format(t)), before \(clockName ?? "the clock field") (\(ISOTimeText.format(clock)))")
                        }
                    }
                    guard let due else { return Progress(status: .done, doneAt: t, field: e.fieldName, notes: notes) }
                    if t <= due {
                        return Progress(status: .onTime, doneAt: t, margin: margin(t, due), marginIsBusiness: isBusiness,
                                        field: e.fieldName, notes: notes)
                    }
                    return Progress(status: .late, doneAt: t, margin: margin(due, t), marginIsBusiness: isBusiness,
                                    field: e.fieldName, notes: notes)
                }
                notes.append("done at \(ISOTimeText.format(t)), after now (\(ISOTimeText.format(now))): not done yet at now")
            }
        }
        guard let due else { return Progress(status: .open, field: e.fieldName, notes: notes) }
        if now > due {
            return Progress(status: .overdue, margin: margin(due, now), marginIsBusiness: isBusiness, field: e.fieldName, notes: notes)
        }
        return Progress(status: .open, margin: margin(now, due), marginIsBusiness: isBusiness, field: e.fieldName, notes: notes)
    }

    /// Evidence of actions the record was not required to do: each tracked
    /// key not in `required` whose field shows it done (a time at or before
    /// `now`, or yes).
    package func unrequired(required: (Int) -> Bool, record: RecordBuffer, now: Int64) -> [(evidence: Evidence, doneAt: Int64?)] {
        var out: [(evidence: Evidence, doneAt: Int64?)] = []
        for e in lines where !required(e.key) && record.isPresent(e.field) {
            if e.isFlag {
                if record.scalar(e.field) != 0 { out.append((e, nil)) }
            } else {
                let t = Evaluator.seconds(record.scalar(e.field))
                if t <= now { out.append((e, t)) }
            }
        }
        return out
    }
}

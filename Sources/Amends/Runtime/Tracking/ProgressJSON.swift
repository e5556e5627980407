/// The progress members of a result line (Grammar.md §11): on each action
/// `status`, `done_at`, `margin`, `margin_seconds`, `margin_business` and
/// `notes`; on the line, `unrequired`.
extension ResultWriter {
    /// The progress of each active key of the last evaluation, in key order.
    func progresses(_ evaluator: Evaluator, _ record: RecordBuffer, _ tracking: TrackingPlan) -> [Progress] {
        let now = Evaluator.seconds(record.now)
        return evaluator.activeKeys.map { key in
            let k = Int(key)
            let win = evaluator.winning(k)
            let due: Int64? = win.due == Int64.max ? nil : win.due
            let business = program.actions.indices.contains(Int(win.action))
                && program.actions[Int(win.action)].duration?.unit.isBusiness == true
            return tracking.progress(key: k, due: due, business: business, record: record, now: now)
        }
    }

    /// The members of the `actions` array with each one's progress (parallel
    /// to the active keys); with `statuses`, only those with one of them.
    func writeTrackedActions(_ evaluator: Evaluator, _ progress: [Progress], into out: OutputBuffer) {
        var firstAction = true
        for (i, key) in evaluator.activeKeys.enumerated() where i < progress.count {
            if let statuses, !statuses.contains(progress[i].status) { continue }
            let k = Int(key)
            if !firstAction { out.byte(UInt8(ascii: ",")) }
            firstAction = false
            writeAction(k, evaluator.winning(k), evaluator, into: out)
            ResultWriter.writeProgress(progress[i], into: out)
            out.byte(UInt8(ascii: "}"))
        }
    }

    /// `,"status":"late","done_at":"…","margin":"PT1H","margin_seconds":3600`.
    static func writeProgress(_ p: Progress, into out: OutputBuffer) {
        out.raw(",\"status\":")
        out.string(p.status.jsonName)
        if let t = p.doneAt {
            out.raw(",\"done_at\":\"")
            out.time(utc: t)
            out.byte(UInt8(ascii: "\""))
        }
        if let m = p.margin {
            out.raw(",\"margin\":")
            out.string(p.marginIsBusiness ? ProgressWords.isoHours(m) : ISODuration.format(seconds: m))
            out.raw(",\"margin_seconds\":")
            out.int(Int(clamping: m))
            if p.marginIsBusiness { out.raw(",\"margin_business\":true") }
        }
        if !p.notes.isEmpty {
            out.raw(",\"notes\":[")
            for (i, note) in p.notes.enumerated() {
                if i > 0 { out.byte(UInt8(ascii: ",")) }
                out.string(note)
            }
            out.byte(UInt8(ascii: "]"))
        }
    }

    /// `,"unrequired":[{"kind":"review","field":"reviewed_at","done_at":"…"}]`:
    /// evidence of actions the record was not required to do.
    func writeUnrequired(_ evaluator: Evaluator, _ record: RecordBuffer, _ tracking: TrackingPlan, into out: OutputBuffer) {
        let now = Evaluator.seconds(record.now)
        let active = Set(evaluator.activeKeys.map { Int($0) })
        let found = tracking.unrequired(required: { active.contains($0) }, record: record, now: now)
        guard !found.isEmpty else { return }
        out.raw(",\"unrequired\":[")
        for (i, u) in found.enumerated() {
            if i > 0 { out.byte(UInt8(ascii: ",")) }
            pieces.write(pieces.keyPrefix + u.evidence.key, to: out)
            out.raw(",\"field\":")
            out.string(u.evidence.fieldName)
            if let t = u.doneAt {
                out.raw(",\"done_at\":\"")
                out.time(utc: t)
                out.byte(UInt8(ascii: "\""))
            }
            out.byte(UInt8(ascii: "}"))
        }
        out.byte(UInt8(ascii: "]"))
    }
}

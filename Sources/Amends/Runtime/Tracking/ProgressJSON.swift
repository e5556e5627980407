/// The progress members of a result line (Grammar.md §11): on each action
/// `status`, `done_at`, `margin`, `margin_seconds`, `margin_business` and
/// `notes`; on the line, `unrequired`.
extension ResultWriter {
    /// `writeJSON` for a policy with a `done:` block: each action with its
    /// progress, the `unrequired` evidence, and `--status`'s filter (a
    /// record with no action left writes nothing). Statuses differ record by
    /// record, so no template of a remembered result holds them.
    package func writeTrackedJSON(record number: Int, _ evaluator: Evaluator, _ record: RecordBuffer, into out: OutputBuffer,
                                 explain: [UInt8]? = nil, input: [UInt8]? = nil) {
        guard let tracking = program.tracking else { return }
        let progress = progresses(evaluator, record, tracking)
        if let statuses, !progress.contains(where: { statuses.contains($0.status) }) { return }
        out.raw("{\"record\":")
        out.int(number)
        if let input { out.raw(input) }
        if let id = program.schema.idField, record.isPresent(id) {
            out.raw(",\"id\":")
            if pieces.idIsText {
                record.withText(id) { out.string(utf8: $0) }
            } else if case .number = program.schema.fields[id].kind {
                out.number(record.scalar(id))
            } else {
                out.string(program.schema.text(of: id, in: record))
            }
        }
        out.raw(",\"actions\":[")
        writeTrackedActions(evaluator, progress, into: out)
        out.byte(UInt8(ascii: "]"))
        writeWaived(evaluator, into: out)
        if statuses == nil { writeUnrequired(evaluator, record, tracking, into: out) }
        if let explain {
            out.raw(",\"explain\":")
            out.raw(explain)
        }
        out.raw("}\n")
    }

    /// One member of the `actions` array, less its closing brace: what
    /// `writeActions` writes for each key, kept apart so that the untracked
    /// writer is compiled as it was (measured: folding the two together
    /// cost a policy without `done:` 1.2% more instructions).
    func writeAction(_ k: Int, _ win: Evaluator.Contribution, _ evaluator: Evaluator, into out: OutputBuffer) {
        let winSlot = evaluator.slots[Int(win.action)]
        pieces.write(pieces.keyPrefix + k, to: out)
        switch pieces.keyKinds[k] {
        case .assign:
            out.raw(",\"role\":")
            pieces.write(pieces.roleName + Int(winSlot.assignRole), to: out)
        case .apology:
            out.raw(",\"components\":[")
            var bits = evaluator.components(k)
            var first = true
            while bits != 0 {
                if !first { out.byte(UInt8(ascii: ",")) }
                first = false
                pieces.write(pieces.componentName + bits.trailingZeroBitCount, to: out)
                bits &= bits - 1
            }
            out.byte(UInt8(ascii: "]"))
        case .offer:
            writeRemedies(k, evaluator, into: out)
        default: break
        }
        if win.due != Int64.max {
            out.raw(",\"due\":\"")
            out.time(utc: win.due)
            out.raw("\",")
            pieces.write(pieces.within + Int(win.action), to: out)
        }
        if let ch = evaluator.channel(k) { pieces.write(pieces.channel + ch, to: out) }
        writeProvenance(k, win, winSlot, evaluator, into: out)
    }

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

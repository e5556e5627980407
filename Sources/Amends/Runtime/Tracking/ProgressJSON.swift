/// The progress members of a result line (Grammar.md §11): on each action
/// `status`, `done_at`, `margin`, `margin_seconds`, `margin_business` and
/// `notes`; on the line, `unrequired`.
extension ResultWriter {
    /// `writeJSON` for a policy with a `done:` block: each action with its
    /// progress, the `unrequired` evidence, and `--status`'s filter (a
    /// record with no action left writes nothing). Statuses differ record by
    /// record, so no template of a remembered result holds them.
    package func writeTrackedJSON(record number: Int, _ evaluation: Evaluation, _ record: RecordBuffer, into out: OutputBuffer,
                                 explain: [UInt8]? = nil, input: [UInt8]? = nil, members: [UInt8]? = nil) {
        guard let tracking = program.tracking else { return }
        if let statuses, !progresses(evaluation, record, tracking).contains(where: { statuses.contains($0.status) }) { return }
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
        writeTrackedActions(evaluation, record, tracking, into: out)
        out.byte(UInt8(ascii: "]"))
        writeWaived(evaluation, into: out)
        if statuses == nil { writeUnrequired(evaluation, record, tracking, into: out) }
        if let explain {
            out.raw(",\"explain\":")
            out.raw(explain)
        }
        if let members { out.raw(members) }
        out.raw("}\n")
    }

    /// One member of the `actions` array, less its closing brace: what
    /// `writeActions` writes for each key, kept apart so that the untracked
    /// writer is compiled as it was (measured: folding the two together
    /// cost a policy without `done:` 1.2% more instructions).
    func writeAction(_ i: Int, _ win: Contribution, _ evaluation: Evaluation, into out: OutputBuffer) {
        let k = evaluation.key(i)
        let winSlot = evaluation.slots[Int(win.action)]
        pieces.write(pieces.keyPrefix + k, to: out)
        switch pieces.keyKinds[k] {
        case .assign:
            out.raw(",\"role\":")
            pieces.write(pieces.roleName + Int(winSlot.assignRole), to: out)
        case .apology:
            out.raw(",\"components\":[")
            var bits = evaluation.components(i)
            var first = true
            while bits != 0 {
                if !first { out.byte(UInt8(ascii: ",")) }
                first = false
                pieces.write(pieces.componentName + bits.trailingZeroBitCount, to: out)
                bits &= bits - 1
            }
            out.byte(UInt8(ascii: "]"))
        case .offer:
            writeRemedies(i, evaluation, into: out)
        default: break
        }
        if win.due != Int64.max {
            out.raw(",\"due\":\"")
            out.time(utc: win.due)
            out.raw("\",")
            pieces.write(pieces.within + Int(win.action), to: out)
        }
        if let ch = evaluation.channel(i) { pieces.write(pieces.channel + ch, to: out) }
        writeProvenance(i, win, winSlot, evaluation, into: out)
    }

    /// The progress of each result of the evaluation, in key order.
    func progresses(_ evaluation: Evaluation, _ record: RecordBuffer, _ tracking: TrackingPlan) -> [Progress] {
        let now = Evaluator.seconds(record.now)
        return (0..<evaluation.count).map { i in
            let k = evaluation.key(i)
            let win = evaluation.winning(i)
            let due: Int64? = win.due == Int64.max ? nil : win.due
            let business = program.actions.indices.contains(Int(win.action))
                && program.actions[Int(win.action)].duration?.unit.isBusiness == true
            return tracking.progress(key: k, due: due, business: business, record: record, now: now)
        }
    }

    /// The members of the `actions` array with each one's progress; with
    /// `statuses`, only those with one of them.
    func writeTrackedActions(_ evaluation: Evaluation, _ record: RecordBuffer, _ tracking: TrackingPlan, into out: OutputBuffer) {
        let now = Evaluator.seconds(record.now)
        var firstAction = true
        for i in 0..<evaluation.count {
            let k = evaluation.key(i)
            let win = evaluation.winning(i)
            let due: Int64? = win.due == Int64.max ? nil : win.due
            let business = program.actions.indices.contains(Int(win.action))
                && program.actions[Int(win.action)].duration?.unit.isBusiness == true
            let progress = tracking.progress(key: k, due: due, business: business, record: record, now: now)
            if let statuses, !statuses.contains(progress.status) { continue }
            if !firstAction { out.byte(UInt8(ascii: ",")) }
            firstAction = false
            writeAction(i, win, evaluation, into: out)
            ResultWriter.writeProgress(progress, into: out)
            out.byte(UInt8(ascii: "}"))
        }
    }

    /// `,"status":"late","done_at":"…","margin":"PT1H","margin_seconds":3600`.
    static func writeProgress(_ p: Progress, into out: OutputBuffer) {
        switch p.status {
        case .overdue: out.raw(",\"status\":\"overdue\"")
        case .open: out.raw(",\"status\":\"open\"")
        case .onTime: out.raw(",\"status\":\"on_time\"")
        case .late: out.raw(",\"status\":\"late\"")
        case .done: out.raw(",\"status\":\"done\"")
        case .notTracked: out.raw(",\"status\":\"not_tracked\"")
        }
        if let t = p.doneAt {
            out.raw(",\"done_at\":\"")
            out.time(utc: t)
            out.byte(UInt8(ascii: "\""))
        }
        if let m = p.margin {
            out.raw(",\"margin\":\"")
            writeISO(max(0, m), days: !p.marginIsBusiness, into: out)
            out.byte(UInt8(ascii: "\""))
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
    /// evidence of actions the record was not required to do (as
    /// `TrackingPlan.unrequired` finds it, without its allocations).
    func writeUnrequired(_ evaluation: Evaluation, _ record: RecordBuffer, _ tracking: TrackingPlan, into out: OutputBuffer) {
        let now = Evaluator.seconds(record.now)
        var any = false
        for e in tracking.lines where record.isPresent(e.field) && evaluation.result(forKey: e.key) == nil {
            var doneAt: Int64?
            if e.isFlag {
                guard record.scalar(e.field) != 0 else { continue }
            } else {
                let t = Evaluator.seconds(record.scalar(e.field))
                guard t <= now else { continue }
                doneAt = t
            }
            out.raw(any ? "," : ",\"unrequired\":[")
            any = true
            pieces.write(pieces.keyPrefix + e.key, to: out)
            out.raw(",\"field\":")
            out.string(e.fieldName)
            if let t = doneAt {
                out.raw(",\"done_at\":\"")
                out.time(utc: t)
                out.byte(UInt8(ascii: "\""))
            }
            out.byte(UInt8(ascii: "}"))
        }
        if any { out.byte(UInt8(ascii: "]")) }
    }

    /// A margin in ISO 8601, written in place: `P2DT3H`, `PT0S`, or in
    /// hours only (`PT30H`) for open time; as `ISODuration.format` and
    /// `ProgressWords.isoHours` write it.
    static func writeISO(_ seconds: Int64, days withDays: Bool, into out: OutputBuffer) {
        let days = withDays ? seconds / 86_400 : 0
        let rest = seconds - days * 86_400
        let hours = rest / 3_600, minutes = rest % 3_600 / 60, secs = rest % 60
        out.byte(UInt8(ascii: "P"))
        if days > 0 {
            out.int(Int(days))
            out.byte(UInt8(ascii: "D"))
        }
        guard hours > 0 || minutes > 0 || secs > 0 || days == 0 else { return }
        out.byte(UInt8(ascii: "T"))
        if hours > 0 {
            out.int(Int(hours))
            out.byte(UInt8(ascii: "H"))
        }
        if minutes > 0 {
            out.int(Int(minutes))
            out.byte(UInt8(ascii: "M"))
        }
        if secs > 0 || (hours == 0 && minutes == 0) {
            out.int(Int(secs))
            out.byte(UInt8(ascii: "S"))
        }
    }
}

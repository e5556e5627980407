/// `--format text` for a policy that tracks progress: each record a
/// worklist, what is overdue first (most overdue first), then what is open
/// (due soonest first, no deadline last), then what is done, then what is
/// not tracked; times in the calendar's zone and margins in words.
///
///     record 2 (INC-7)
///       overdue by 2 business hours: notify supervisor within 4 business hours, due Mon 2026-03-02 13:00 Europe/London (2026-03-02T13:00:00Z)  [x.policy:20]
///       due in 3 days: follow up in 3 days, due Thu 2026-03-05 09:00 Europe/London (2026-03-05T09:00:00Z)  [x.policy:20]
///       done 1 hour late: respond within 2 hours, due … [x.policy:20]
///           done Mon 2026-03-02 12:00 Europe/London (2026-03-02T12:00:00Z), by responded_at
extension ResultWriter {
    func writeWorklist(record number: Int, _ evaluation: Evaluation, _ record: RecordBuffer, into out: OutputBuffer,
                       input: String?) {
        let outcome = Outcome(evaluation, tracking: record)
        var actions = outcome.actions
        if let statuses {
            actions = actions.filter { statuses.contains($0.progress?.status ?? .notTracked) }
            if actions.isEmpty { return }
        }
        var heading = "record \(number)" + (input.map { " from " + $0 } ?? "")
        if let id = program.schema.idField, record.isPresent(id) {
            heading += " (" + program.schema.text(of: id, in: record) + ")"
        }
        func line(_ text: String) {
            out.raw(Array(ControlPictures.safe(text).utf8))
            out.raw("\n")
        }
        line(heading)
        if actions.isEmpty { line("  no actions required") }
        let zone = program.schema.zone
        for action in ResultWriter.worklistOrder(actions) {
            let progress = action.progress ?? Progress(status: .notTracked)
            var text = "  " + progress.summary + ": " + action.summary
            if let due = action.due { text += ", due " + LocalTime.text(due, in: zone) }
            text += "  [" + action.because.map(\.description).joined(separator: "; ") + "]"
            line(text)
            if let done = progress.doneAt {
                line("      done " + LocalTime.text(done, in: zone) + (progress.field.map { ", by \($0)" } ?? ""))
            } else if progress.status == .done, let field = progress.field {
                line("      done, by \(field)")
            }
            for note in progress.notes { line("      note: " + note) }
        }
        if statuses == nil {
            for u in outcome.unrequired {
                line("  done but not required: \(u.action)" + (u.doneAt.map { ", done " + LocalTime.text($0, in: zone) } ?? "")
                     + ", by \(u.field)")
            }
            for w in outcome.waived where !w.dropped.isEmpty {
                line("  waived \(w.kind.rawValue) by \(w.by.map(\.description).joined(separator: "; ")), dropping \(w.dropped.map(\.description).joined(separator: "; "))")
            }
        }
    }

    /// Overdue first (most overdue first), then open (soonest due first, no
    /// deadline last), then the rest by status; §7's order within a rank.
    static func worklistOrder(_ actions: [RequiredAction]) -> [RequiredAction] {
        actions.enumerated().sorted { a, b in
            let pa = a.element.progress?.status ?? .notTracked, pb = b.element.progress?.status ?? .notTracked
            if pa != pb { return pa < pb }
            if pa == .overdue || pa == .open {
                let da = a.element.due ?? Int64.max, db = b.element.due ?? Int64.max
                if da != db { return da < db }
            }
            return a.offset < b.offset
        }.map(\.element)
    }
}

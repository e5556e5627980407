/// Why an action has its status, for `explain`: the evidence field's value,
/// the deadline, now, and how the margin was counted.
extension Explainer {
    static func progressReasons(_ p: Progress, _ action: RequiredAction, program: Program, record: RecordBuffer,
                                now: Int64) -> [String] {
        guard let fieldName = p.field else { return ["no `done:` line tracks `\(action.summary)`"] }
        var out: [String] = []
        let f = program.model.fieldIndex(fieldName)
        let present = f.map { record.isPresent($0) } ?? false
        let isFlag = f.map { program.model.fields[$0].type == .bool } ?? false
        if !present {
            out.append("evidence: \(fieldName) is missing")
        } else if isFlag, let f {
            out.append("evidence: \(fieldName) = \(record.scalar(f) != 0 ? "yes" : "no")")
        } else if let f {
            out.append("evidence: \(fieldName) = \(ISOTime.string(utc: Evaluator.seconds(record.scalar(f))))")
        }
        if let due = action.due {
            out.append("deadline: \(ISOTime.string(utc: due))" + (action.within.map { " (within \($0))" } ?? ""))
        } else {
            out.append("no deadline")
        }
        out.append("now: \(ISOTime.string(utc: now))")
        if p.margin != nil {
            out.append(p.marginIsBusiness ? "margin counted in the calendar's open time (the deadline is in business time)"
                                          : "margin counted in elapsed time")
        }
        out += p.notes.map { "note: \($0)" }
        return out
    }
}

/// Writes an evaluator's result as one JSON line (the `run` output, schema in
/// Grammar.md, "Results") or as text for people, straight into a byte buffer.
///
///     {"record":1,"id":"INC-7","actions":[{"kind":"notify","role":"supervisor",
///      "due":"2026-03-05T09:00:00Z","within":"P3D","because":[{"file":"x.policy","line":4}]}],
///      "waived":[{"kind":"apology","by":[…],"dropped":[…]}]}
///
/// (on one line). `id` appears when the record declares an `id` field;
/// `waived` when a waive removed something.
public struct ResultWriter: Sendable {
    public let program: Program
    /// `{"kind":"notify","role":"supervisor"` for each result key.
    let keyPrefix: [[UInt8]]
    let channelJSON: [[UInt8]]

    public init(program: Program) {
        self.program = program
        var prefixes: [[UInt8]] = []
        for key in program.keys {
            var j = JSONBytes()
            j.raw("{\"kind\":")
            j.string(key.kind.jsonName)
            switch key.kind {
            case .notify, .escalate:
                j.raw(",\"role\":")
                j.string(key.label)
            case .task:
                j.raw(",\"text\":")
                j.string(key.label)
            default: break
            }
            prefixes.append(j.bytes)
        }
        keyPrefix = prefixes
        channelJSON = program.model.channels.map { name in
            var j = JSONBytes()
            j.raw(",\"by\":")
            j.string(name)
            return j.bytes
        }
    }

    // MARK: - JSON

    /// One result line (with its newline).
    public func writeJSON(record number: Int, _ evaluator: Evaluator, _ record: RecordBuffer, into out: inout JSONBytes) {
        let model = program.model
        out.raw("{\"record\":")
        out.int(number)
        if let id = program.schema.idField, record.present[id] {
            out.raw(",\"id\":")
            if case .text = program.schema.fields[id].kind {
                out.string(utf8: record.text(id))
            } else {
                out.number(record.scalars[id])
            }
        }
        out.raw(",\"actions\":[")
        var firstAction = true
        for k in program.keys.indices where evaluator.isActive(k) {
            if !firstAction { out.byte(UInt8(ascii: ",")) }
            firstAction = false
            let win = evaluator.contributions[Int(evaluator.winner[k])]
            let winAction = evaluator.flat[Int(win.action)]
            out.raw(keyPrefix[k])
            let kind = program.keys[k].kind
            switch kind {
            case .assign:
                if case .assign(let role) = winAction.action {
                    out.raw(",\"role\":")
                    out.string(model.roles[role])
                }
            case .apology:
                out.raw(",\"components\":[")
                var first = true
                for c in ComponentSet(bits: evaluator.components[k]) {
                    if !first { out.byte(UInt8(ascii: ",")) }
                    first = false
                    out.string(c.rawValue)
                }
                out.raw("]")
            case .offer:
                writeRemedies(k, evaluator, into: &out)
            default: break
            }
            if win.due != Int64.max {
                out.raw(",\"due\":\"")
                ISOTime.format(utc: win.due, into: &out.bytes)
                out.raw("\",")
                out.raw(winAction.withinJSON)
            }
            if let ch = evaluator.channel(k) { out.raw(channelJSON[ch]) }
            writeProvenance(k, win, winAction, evaluator, into: &out)
            out.byte(UInt8(ascii: "}"))
        }
        out.byte(UInt8(ascii: "]"))
        writeWaived(evaluator, into: &out)
        out.raw("}\n")
    }

    func writeRemedies(_ k: Int, _ evaluator: Evaluator, into out: inout JSONBytes) {
        out.raw(",\"remedies\":[")
        // Union in declaration order: mark, then print in order.
        var offered: UInt64 = 0
        var extra: [Int] = []
        var c = evaluator.head[k]
        while c >= 0 {
            if case .offer(let remedies) = evaluator.flat[Int(evaluator.contributions[Int(c)].action)].action {
                for r in remedies {
                    if r < 64 { offered |= 1 << UInt64(r) } else if !extra.contains(r) { extra.append(r) }
                }
            }
            c = evaluator.contributions[Int(c)].next
        }
        var first = true
        for (i, name) in program.model.remedies.enumerated() where (i < 64 && offered & (1 << UInt64(i)) != 0) || extra.contains(i) {
            if !first { out.byte(UInt8(ascii: ",")) }
            first = false
            out.string(name)
        }
        out.raw("]")
    }

    func writeProvenance(_ k: Int, _ win: Evaluator.Contribution, _ winAction: CompiledAction, _ evaluator: Evaluator,
                         into out: inout JSONBytes) {
        out.raw(",\"because\":[")
        var c = evaluator.head[k]
        var lastRule = -1
        var first = true
        var anyOverridden = false
        while c >= 0 {
            let contribution = evaluator.contributions[Int(c)]
            let action = evaluator.flat[Int(contribution.action)]
            if action.rule != lastRule {
                if !first { out.byte(UInt8(ascii: ",")) }
                first = false
                out.raw(program.ruleJSON[action.rule])
                lastRule = action.rule
            }
            if overrides(contribution, action, win, winAction) { anyOverridden = true }
            c = contribution.next
        }
        out.raw("]")
        guard anyOverridden else { return }
        out.raw(",\"overridden\":[")
        c = evaluator.head[k]
        first = true
        while c >= 0 {
            let contribution = evaluator.contributions[Int(c)]
            let action = evaluator.flat[Int(contribution.action)]
            if overrides(contribution, action, win, winAction) {
                if !first { out.byte(UInt8(ascii: ",")) }
                first = false
                var rule = program.ruleJSON[action.rule]
                rule.removeLast() // the closing brace: add what it asked for
                out.raw(rule)
                if case .assign(let role) = action.action {
                    out.raw(",\"role\":")
                    out.string(program.model.roles[role])
                } else {
                    out.raw(",\"due\":\"")
                    ISOTime.format(utc: contribution.due, into: &out.bytes)
                    out.raw("\",")
                    out.raw(action.withinJSON)
                }
                out.byte(UInt8(ascii: "}"))
            }
            c = contribution.next
        }
        out.raw("]")
    }

    @inline(__always)
    func overrides(_ c: Evaluator.Contribution, _ action: CompiledAction, _ win: Evaluator.Contribution, _ winAction: CompiledAction) -> Bool {
        if action.kind == .assign {
            if case .assign(let a) = action.action, case .assign(let b) = winAction.action { return a != b }
            return false
        }
        return c.due != Int64.max && c.due > win.due
    }

    func writeWaived(_ evaluator: Evaluator, into out: inout JSONBytes) {
        guard evaluator.waivedMask != 0 else { return }
        var any = false
        for kind in ActionKindName.allCases where !evaluator.dropped[kind.rank].isEmpty {
            out.raw(any ? "," : ",\"waived\":[")
            any = true
            out.raw("{\"kind\":")
            out.string(kind.jsonName)
            out.raw(",\"by\":[")
            for (i, r) in evaluator.waivedBy[kind.rank].enumerated() {
                if i > 0 { out.byte(UInt8(ascii: ",")) }
                out.raw(program.ruleJSON[r])
            }
            out.raw("],\"dropped\":[")
            var seen: [Int] = []
            for c in evaluator.dropped[kind.rank] {
                let rule = evaluator.flat[Int(evaluator.contributions[Int(c)].action)].rule
                if seen.contains(rule) { continue }
                if !seen.isEmpty { out.byte(UInt8(ascii: ",")) }
                seen.append(rule)
                out.raw(program.ruleJSON[rule])
            }
            out.raw("]}")
        }
        if any { out.raw("]") }
    }

    /// An error line for a record that could not be read.
    public func writeError(record number: Int, line: Int?, message: String, into out: inout JSONBytes) {
        out.raw("{\"record\":")
        out.int(number)
        if let line {
            out.raw(",\"line\":")
            out.int(line)
        }
        out.raw(",\"error\":")
        out.string(message)
        out.raw("}\n")
    }

    // MARK: - Text

    /// The result for people: a heading per record, an action per line.
    public func writeText(record number: Int, _ evaluator: Evaluator, _ record: RecordBuffer, into out: inout JSONBytes) {
        var heading = "record \(number)"
        if let id = program.schema.idField, record.present[id] {
            heading += " (" + (program.schema.fields[id].kind.isText ? record.textString(id) : SExpr.number(record.scalars[id])) + ")"
        }
        out.raw(Array(heading.utf8))
        out.raw("\n")
        let outcome = evaluator.outcome()
        if outcome.actions.isEmpty { out.raw("  no actions required\n") }
        for action in outcome.actions {
            var line = "  " + action.summary
            if let due = action.due { line += ", due " + ISOTime.string(utc: due) }
            line += "  [" + action.because.map(\.description).joined(separator: "; ") + "]"
            out.raw(Array(line.utf8))
            out.raw("\n")
            for o in action.overridden {
                var detail = "      overrides " + o.rule.description
                if let w = o.within { detail += " (within \(w))" }
                if let r = o.role { detail += " (assign \(r))" }
                out.raw(Array(detail.utf8))
                out.raw("\n")
            }
        }
        for w in outcome.waived where !w.dropped.isEmpty {
            let line = "  waived \(w.kind.rawValue) by \(w.by.map(\.description).joined(separator: "; ")), dropping \(w.dropped.map(\.description).joined(separator: "; "))\n"
            out.raw(Array(line.utf8))
        }
    }

    public func writeTextError(record number: Int, line: Int?, message: String, into out: inout JSONBytes) {
        let text = "record \(number)" + (line.map { " (line \($0))" } ?? "") + ": error: \(message)\n"
        out.raw(Array(text.utf8))
    }
}

extension RecordSchema.Kind {
    var isText: Bool {
        if case .text = self { return true }
        return false
    }
}

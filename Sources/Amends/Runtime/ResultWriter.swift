/// Writes an evaluation (what a record requires) as one JSON line (the `run` output, schema in
/// Grammar.md, "Results") or as text for people, straight into an
/// `OutputBuffer`.
///
///     {"record":1,"id":"INC-7","actions":[{"kind":"notify","role":"supervisor",
///      "due":"2026-03-05T09:00:00Z","within":"P3D","because":[{"file":"x.policy","line":4}]}],
///      "waived":[{"kind":"apology","by":[…],"dropped":[…]}]}
///
/// (on one line). `id` appears when the record declares an `id` field;
/// `waived` when a waive removed something. Every fixed part of the line (a
/// key's opening, a rule's `because` entry, an action's `within`) is made
/// once, when the writer is, and copied in.
package struct ResultWriter: Sendable {
    package let program: Program
    let pieces: Pieces
    /// `--status`: write only the actions with one of these statuses, and
    /// only the records that have any (nil: everything).
    package var statuses: Set<ProgressStatus>?
    /// The policy has a `done:` block: its lines are written by
    /// `writeTrackedJSON` (Tracking/ProgressJSON.swift), so that `writeJSON`
    /// stays as it is for a policy without one.
    package let tracked: Bool

    package init(program: Program) {
        self.program = program
        pieces = Pieces(program: program)
        tracked = program.tracking != nil
    }

    /// One result line, tracked or not: what the REPL and other
    /// occasional writers call; `amends run` chooses once per batch.
    package func writeLine(record number: Int, _ evaluation: Evaluation, _ record: RecordBuffer, into out: OutputBuffer) {
        if tracked {
            writeTrackedJSON(record: number, evaluation, record, into: out)
        } else {
            writeJSON(record: number, evaluation, record, into: out)
        }
    }

    // MARK: - JSON

    /// One result line (with its newline).
    ///
    /// With `templates`, the actions of a result the evaluator recalled are
    /// written once and copied for the next record given that result, with
    /// that record's deadlines written in (the same bytes either way).
    ///
    /// `input` is the `,"input":"…"` member naming the record's input, made
    /// once for a run over several inputs (`ResultWriter.inputMember`).
    package func writeJSON(record number: Int, _ evaluation: Evaluation, _ record: RecordBuffer, into out: OutputBuffer,
                          explain: [UInt8]? = nil, templates: ActionTemplates? = nil, input: [UInt8]? = nil,
                          members: [UInt8]? = nil) {
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
        if let templates, let recalled = evaluation.recalled {
            if !templates.write(recalled, base: evaluation.base, into: out) {
                let start = out.count
                out.marksTimes = true
                writeActions(evaluation, into: out)
                out.marksTimes = false
                templates.keep(recalled, base: evaluation.base, from: out, start: start)
            }
        } else {
            writeActions(evaluation, into: out)
        }
        out.byte(UInt8(ascii: "]"))
        writeWaived(evaluation, into: out)
        if let explain {
            out.raw(",\"explain\":")
            out.raw(explain)
        }
        if let members { out.raw(members) }
        out.raw("}\n")
    }

    /// The members of the `actions` array, in key order.
    func writeActions(_ evaluation: Evaluation, into out: OutputBuffer) {
        for i in 0..<evaluation.count {
            if i > 0 { out.byte(UInt8(ascii: ",")) }
            let k = evaluation.key(i)
            let win = evaluation.winning(i)
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
            out.byte(UInt8(ascii: "}"))
        }
    }

    func writeRemedies(_ i: Int, _ evaluation: Evaluation, into out: OutputBuffer) {
        out.raw(",\"remedies\":[")
        var first = true
        if pieces.remediesFitASet {
            var bits = evaluation.remedyBits(i)
            while bits != 0 {
                if !first { out.byte(UInt8(ascii: ",")) }
                first = false
                pieces.write(pieces.remedyName + bits.trailingZeroBitCount, to: out)
                bits &= bits - 1
            }
        } else {
            for r in evaluation.remedies(i) {
                if !first { out.byte(UInt8(ascii: ",")) }
                first = false
                pieces.write(pieces.remedyName + r, to: out)
            }
        }
        out.byte(UInt8(ascii: "]"))
    }

    func writeProvenance(_ i: Int, _ win: Contribution, _ winSlot: ActionSlot, _ evaluation: Evaluation,
                         into out: OutputBuffer) {
        out.raw(",\"because\":[")
        var c = evaluation.first(i)
        var first = true
        var anyOverridden = false
        while c >= 0 {
            let run = evaluation.ruleRun(c, winner: win)
            if !first { out.byte(UInt8(ascii: ",")) }
            first = false
            pieces.write(pieces.rule + Int(evaluation.slot(c).rule), to: out)
            if run.lost { anyOverridden = true }
            c = run.next
        }
        out.byte(UInt8(ascii: "]"))
        guard anyOverridden else { return }
        out.raw(",\"overridden\":[")
        c = evaluation.first(i)
        first = true
        while c >= 0 {
            let run = evaluation.ruleRun(c, winner: win)
            if run.lost {
                let own = evaluation.contribution(run.own)
                let slot = evaluation.slots[Int(own.action)]
                if !first { out.byte(UInt8(ascii: ",")) }
                first = false
                // The rule's entry without its closing brace, then what it asked for.
                pieces.write(pieces.rule + Int(slot.rule), dropLast: 1, to: out)
                if slot.isAssign {
                    out.raw(",\"role\":")
                    pieces.write(pieces.roleName + Int(slot.assignRole), to: out)
                } else {
                    out.raw(",\"due\":\"")
                    out.time(utc: own.due)
                    out.raw("\",")
                    pieces.write(pieces.within + Int(own.action), to: out)
                }
                out.byte(UInt8(ascii: "}"))
            }
            c = run.next
        }
        out.byte(UInt8(ascii: "]"))
    }

    func writeWaived(_ evaluation: Evaluation, into out: OutputBuffer) {
        guard evaluation.anyWaived else { return }
        var any = false
        for kind in ActionKindName.allCases {
            let dropped = evaluation.droppedRules(kind)
            if dropped.isEmpty { continue }
            out.raw(any ? "," : ",\"waived\":[")
            any = true
            out.raw("{\"kind\":")
            out.string(kind.jsonName)
            out.raw(",\"by\":[")
            for (i, r) in evaluation.waivedBy(kind).enumerated() {
                if i > 0 { out.byte(UInt8(ascii: ",")) }
                pieces.write(pieces.rule + r, to: out)
            }
            out.raw("],\"dropped\":[")
            for (i, r) in dropped.enumerated() {
                if i > 0 { out.byte(UInt8(ascii: ",")) }
                pieces.write(pieces.rule + r, to: out)
            }
            out.raw("]}")
        }
        if any { out.byte(UInt8(ascii: "]")) }
    }

    /// The `,"input":"b.jsonl"` member of a run's result and error lines
    /// when it reads several inputs (Grammar.md §11).
    package static func inputMember(_ name: String) -> [UInt8] {
        var j = JSONBytes()
        j.raw(",\"input\":")
        j.string(name)
        return j.bytes
    }

    /// An error line for a record that could not be read; `input` as for
    /// `writeJSON`.
    package func writeError(record number: Int, line: Int?, message: String, into out: OutputBuffer, input: [UInt8]? = nil) {
        out.raw("{\"record\":")
        out.int(number)
        if let input { out.raw(input) }
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
    /// A result for people: every text from the record or the policy is
    /// shown with its control characters as pictures (`ControlPictures`).
    ///
    /// The heading is `record 3 (INC-7)`: the number, then the id; with
    /// `input` (a run over several inputs) `record 3 from b.jsonl (INC-7)`.
    package func writeText(record number: Int, _ evaluation: Evaluation, _ record: RecordBuffer, into out: OutputBuffer,
                          input: String? = nil) {
        if tracked {
            writeWorklist(record: number, evaluation, record, into: out, input: input)
            return
        }
        var heading = "record \(number)" + (input.map { " from " + $0 } ?? "")
        if let id = program.schema.idField, record.isPresent(id) {
            heading += " (" + program.schema.text(of: id, in: record) + ")"
        }
        out.raw(Array(ControlPictures.safe(heading).utf8))
        out.raw("\n")
        let outcome = Outcome(evaluation, tracking: record)
        if outcome.actions.isEmpty { out.raw("  no actions required\n") }
        for action in outcome.actions {
            var line = "  " + action.summary
            if let due = action.due { line += ", due " + LocalTime.text(due, in: program.schema.zone) }
            line += "  [" + action.because.map(\.description).joined(separator: "; ") + "]"
            out.raw(Array(ControlPictures.safe(line).utf8))
            out.raw("\n")
            for o in action.overridden {
                var detail = "      overrides " + o.rule.description
                if let w = o.within { detail += " (within \(w))" }
                if let r = o.role { detail += " (assign \(r))" }
                out.raw(Array(ControlPictures.safe(detail).utf8))
                out.raw("\n")
            }
        }
        for w in outcome.waived where !w.dropped.isEmpty {
            let line = "  waived \(w.kind.rawValue) by \(w.by.map(\.description).joined(separator: "; ")), dropping \(w.dropped.map(\.description).joined(separator: "; "))"
            out.raw(Array(ControlPictures.safe(line).utf8))
            out.raw("\n")
        }
    }

    /// `record 2 (line 3): error: …`; with `input`, `record 2 from b.jsonl (line 3): error: …`.
    package func writeTextError(record number: Int, line: Int?, message: String, into out: OutputBuffer, input: String? = nil) {
        let text = "record \(number)" + (input.map { " from " + $0 } ?? "") + (line.map { " (line \($0))" } ?? "")
            + ": error: \(message)"
        out.raw(Array(ControlPictures.safe(text).utf8))
        out.raw("\n")
    }
}

extension ResultWriter {
    /// Pieces is every fixed part of a result line, made once and kept in
    /// one allocation: piece `i` is `bytes[start[i]..<start[i + 1]]`. The
    /// groups follow one another; each `let` below is where one begins.
    final class Pieces: @unchecked Sendable {
        // @unchecked: written only in `init`, read-only afterwards.
        let bytes: UnsafeMutablePointer<UInt8>
        let start: UnsafeMutablePointer<Int>
        let count: Int
        /// `{"kind":"notify","role":"supervisor"`, per result key.
        let keyPrefix: Int
        /// `{"file":"x.policy","line":4}` (with `"rule"` when named), per rule.
        let rule: Int
        /// `"within":"PT2H"` (or nothing), per action of `Program.actions`.
        let within: Int
        /// `,"by":"phone"`, per channel.
        let channel: Int
        /// `"refund"`, per remedy.
        let remedyName: Int
        /// `"supervisor"`, per role.
        let roleName: Int
        /// `"repair"`, per apology component, in speaking order.
        let componentName: Int
        /// The kind of each result key, by key.
        let keyKinds: [ActionKindName]
        let idIsText: Bool
        /// Whether every remedy has a bit in `ActionSlot.remedies`.
        let remediesFitASet: Bool

        init(program: Program) {
            var list: [[UInt8]] = []
            func json(_ build: (inout JSONBytes) -> Void) -> [UInt8] {
                var j = JSONBytes()
                build(&j)
                return j.bytes
            }
            keyPrefix = list.count
            for key in program.keys {
                list.append(json { j in
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
                })
            }
            rule = list.count
            for r in program.model.rules {
                list.append(json { j in
                    j.raw("{\"file\":")
                    j.string(r.file)
                    j.raw(",\"line\":")
                    j.int(r.line)
                    if let name = r.name {
                        j.raw(",\"rule\":")
                        j.string(name)
                    }
                    j.raw("}")
                })
            }
            within = list.count
            for a in program.actions {
                list.append(json { j in
                    guard let d = a.duration else { return }
                    j.raw("\"within\":")
                    j.string(d.seconds.map { ISODuration.format(seconds: $0) } ?? d.description)
                })
            }
            channel = list.count
            for name in program.model.channels {
                list.append(json { j in
                    j.raw(",\"by\":")
                    j.string(name)
                })
            }
            remedyName = list.count
            for name in program.model.remedies { list.append(json { $0.string(name) }) }
            roleName = list.count
            for name in program.model.roles { list.append(json { $0.string(name) }) }
            componentName = list.count
            for c in ApologyComponent.allCases { list.append(json { $0.string(c.rawValue) }) }
            keyKinds = program.keys.map(\.kind)
            remediesFitASet = program.model.remedies.count <= 64
            if let id = program.schema.idField { idIsText = program.schema.fields[id].kind.isText } else { idIsText = false }

            count = list.count
            let total = list.reduce(0) { $0 + $1.count }
            bytes = UnsafeMutablePointer<UInt8>.allocate(capacity: max(1, total))
            start = UnsafeMutablePointer<Int>.allocate(capacity: list.count + 1)
            var at = 0
            for (i, piece) in list.enumerated() {
                start[i] = at
                piece.withUnsafeBufferPointer { p in
                    if let from = p.baseAddress { (bytes + at).update(from: from, count: p.count) }
                }
                at += piece.count
            }
            start[list.count] = at
        }

        deinit {
            bytes.deallocate()
            start.deallocate()
        }

        /// Copies piece `i` (less its last `dropLast` bytes) to `out`.
        @inline(__always)
        func write(_ i: Int, dropLast: Int = 0, to out: OutputBuffer) {
            // INVARIANT: writers ask only for pieces of the groups above,
            // by indexes the compiled program gives.
            guard i >= 0 && i < count else { return }
            let from = start[i]
            out.raw(UnsafeBufferPointer(start: bytes + from, count: max(0, start[i + 1] - from - dropLast)))
        }
    }
}

extension RecordSchema.Kind {
    var isText: Bool {
        if case .text = self { return true }
        return false
    }
}

/// ActionTemplates keeps how a writer wrote the actions of each result an
/// evaluator remembers (`Evaluation.recalled`): the bytes, and where in them
/// each deadline is and how long after the record's clock. Records given
/// the same result require the same actions with their own deadlines, so
/// the next one's are the kept bytes with its deadlines written over those
/// places (a time is always `ISOTime.length` bytes). One per evaluator and
/// writer, on one thread; it holds about a kilobyte for each memo entry.
package final class ActionTemplates {
    /// One result's actions: its bytes and its deadlines' places, in
    /// storage of its own, grown as needed and reused (so that reading a
    /// template touches no reference count).
    struct Template {
        var version: UInt64 = 0
        var bytes: UnsafeMutablePointer<UInt8>?
        var count = 0
        var capacity = 0
        var times: UnsafeMutablePointer<TimeHole>?
        var timeCount = 0
        var timeCapacity = 0
    }

    /// Where a deadline is in a template's bytes, and how long after the
    /// record's clock.
    struct TimeHole {
        var offset: Int
        var after: Int64
    }

    let templates: UnsafeMutablePointer<Template>
    let entries = MergeMemo.entries

    package init() {
        templates = UnsafeMutablePointer<Template>.allocate(capacity: entries)
        templates.initialize(repeating: Template(), count: entries)
    }

    deinit {
        for e in 0..<entries {
            templates[e].bytes?.deallocate()
            templates[e].times?.deallocate()
        }
        templates.deinitialize(count: entries)
        templates.deallocate()
    }

    /// The version of the result entry `e` holds the actions of (0: none).
    func version(_ e: Int) -> UInt64 { e >= 0 && e < entries ? templates[e].version : 0 }

    /// Writes the kept actions of `recalled` with deadlines counted from
    /// `base`; false when none are kept for that result.
    func write(_ recalled: Evaluation.Recalled, base: Int64, into out: OutputBuffer) -> Bool {
        guard recalled.entry >= 0, recalled.entry < entries else { return false }
        let t = templates[recalled.entry]
        guard t.version == recalled.version, recalled.version != 0, let bytes = t.bytes else { return false }
        let start = out.count
        out.raw(UnsafeBufferPointer(start: bytes, count: t.count))
        if let times = t.times {
            for h in 0..<t.timeCount {
                // INVARIANT: each offset was where a time of
                // `ISOTime.length` bytes was written, within the bytes.
                ISOTime.format(utc: base &+ times[h].after, to: out.base + start + times[h].offset)
            }
        }
        return true
    }

    /// Keeps the actions just written at `out`'s bytes from `start`, with
    /// the times marked there, as those of `recalled`.
    func keep(_ recalled: Evaluation.Recalled, base: Int64, from out: OutputBuffer, start: Int) {
        defer { out.timeMarks.removeAll(keepingCapacity: true) }
        guard recalled.entry >= 0, recalled.entry < entries else { return }
        let t = templates + recalled.entry
        let n = out.count - start
        if t.pointee.bytes == nil || t.pointee.capacity < n {
            t.pointee.bytes?.deallocate()
            t.pointee.capacity = max(n, 256)
            t.pointee.bytes = UnsafeMutablePointer<UInt8>.allocate(capacity: t.pointee.capacity)
        }
        let marks = out.timeMarks.count
        if t.pointee.timeCapacity < marks {
            t.pointee.times?.deallocate()
            t.pointee.timeCapacity = max(marks, 8)
            t.pointee.times = UnsafeMutablePointer<TimeHole>.allocate(capacity: t.pointee.timeCapacity)
        }
        t.pointee.bytes?.update(from: out.base + start, count: n)
        t.pointee.count = n
        for (h, mark) in out.timeMarks.enumerated() {
            t.pointee.times?[h] = TimeHole(offset: mark.offset - start, after: mark.seconds &- base)
        }
        t.pointee.timeCount = marks
        t.pointee.version = recalled.version
    }
}

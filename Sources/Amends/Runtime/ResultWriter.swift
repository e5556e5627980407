/// Writes an evaluator's result as one JSON line (the `run` output, schema in
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

    package init(program: Program) {
        self.program = program
        pieces = Pieces(program: program)
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
    package func writeJSON(record number: Int, _ evaluator: Evaluator, _ record: RecordBuffer, into out: OutputBuffer,
                          explain: [UInt8]? = nil, templates: ActionTemplates? = nil, input: [UInt8]? = nil,
                          members: [UInt8]? = nil) {
        var progress: [Progress] = []
        if let tracking = program.tracking {
            progress = progresses(evaluator, record, tracking)
            if let statuses, !progress.contains(where: { statuses.contains($0.status) }) { return }
        }
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
        if program.tracking != nil {
            // Statuses differ record by record: no template holds them.
            writeTrackedActions(evaluator, progress, into: out)
        } else if let templates, let recalled = evaluator.recalled {
            if !templates.write(recalled, base: evaluator.base, into: out) {
                let start = out.count
                out.marksTimes = true
                writeActions(evaluator, into: out)
                out.marksTimes = false
                templates.keep(recalled, base: evaluator.base, from: out, start: start)
            }
        } else {
            writeActions(evaluator, into: out)
        }
        out.byte(UInt8(ascii: "]"))
        writeWaived(evaluator, into: out)
        if statuses == nil, let tracking = program.tracking { writeUnrequired(evaluator, record, tracking, into: out) }
        if let explain {
            out.raw(",\"explain\":")
            out.raw(explain)
        }
        if let members { out.raw(members) }
        out.raw("}\n")
    }

    /// The members of the `actions` array, in key order.
    func writeActions(_ evaluator: Evaluator, into out: OutputBuffer) {
        var firstAction = true
        for key in evaluator.activeKeys {
            let k = Int(key)
            if !firstAction { out.byte(UInt8(ascii: ",")) }
            firstAction = false
            writeAction(k, evaluator.winning(k), evaluator, into: out)
            out.byte(UInt8(ascii: "}"))
        }
    }

    /// One member of the `actions` array, less its closing brace.
    @inline(__always)
    func writeAction(_ k: Int, _ win: Evaluator.Contribution, _ evaluator: Evaluator, into out: OutputBuffer) {
        do {
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
    }

    func writeRemedies(_ k: Int, _ evaluator: Evaluator, into out: OutputBuffer) {
        out.raw(",\"remedies\":[")
        var first = true
        if pieces.remediesFitASet {
            var bits = evaluator.remedyBits(k)
            while bits != 0 {
                if !first { out.byte(UInt8(ascii: ",")) }
                first = false
                pieces.write(pieces.remedyName + bits.trailingZeroBitCount, to: out)
                bits &= bits - 1
            }
        } else {
            for r in evaluator.remedies(k) {
                if !first { out.byte(UInt8(ascii: ",")) }
                first = false
                pieces.write(pieces.remedyName + r, to: out)
            }
        }
        out.byte(UInt8(ascii: "]"))
    }

    func writeProvenance(_ k: Int, _ win: Evaluator.Contribution, _ winSlot: ActionSlot, _ evaluator: Evaluator,
                         into out: OutputBuffer) {
        out.raw(",\"because\":[")
        var c = evaluator.first(k)
        var first = true
        var anyOverridden = false
        while c >= 0 {
            let run = evaluator.ruleRun(c, winner: win)
            if !first { out.byte(UInt8(ascii: ",")) }
            first = false
            pieces.write(pieces.rule + Int(evaluator.slots[Int(evaluator.contribution(c).action)].rule), to: out)
            if run.lost { anyOverridden = true }
            c = run.next
        }
        out.byte(UInt8(ascii: "]"))
        guard anyOverridden else { return }
        out.raw(",\"overridden\":[")
        c = evaluator.first(k)
        first = true
        while c >= 0 {
            let run = evaluator.ruleRun(c, winner: win)
            if run.lost {
                let own = evaluator.contribution(run.own)
                let slot = evaluator.slots[Int(own.action)]
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

    func writeWaived(_ evaluator: Evaluator, into out: OutputBuffer) {
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
                pieces.write(pieces.rule + r, to: out)
            }
            out.raw("],\"dropped\":[")
            var seen: [Int32] = []
            for c in evaluator.dropped[kind.rank] {
                let rule = evaluator.slots[Int(evaluator.contribution(c).action)].rule
                if seen.contains(rule) { continue }
                if !seen.isEmpty { out.byte(UInt8(ascii: ",")) }
                seen.append(rule)
                pieces.write(pieces.rule + Int(rule), to: out)
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
    package func writeText(record number: Int, _ evaluator: Evaluator, _ record: RecordBuffer, into out: OutputBuffer,
                          input: String? = nil) {
        if program.tracking != nil {
            writeWorklist(record: number, evaluator, record, into: out, input: input)
            return
        }
        var heading = "record \(number)" + (input.map { " from " + $0 } ?? "")
        if let id = program.schema.idField, record.isPresent(id) {
            heading += " (" + program.schema.text(of: id, in: record) + ")"
        }
        out.raw(Array(ControlPictures.safe(heading).utf8))
        out.raw("\n")
        let outcome = evaluator.outcome(tracking: record)
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
/// evaluator remembers (`Evaluator.recalled`): the bytes, and where in them
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
    func write(_ recalled: Evaluator.Recalled, base: Int64, into out: OutputBuffer) -> Bool {
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
    func keep(_ recalled: Evaluator.Recalled, base: Int64, from out: OutputBuffer, start: Int) {
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

/// ReferenceComparison says where the fast path's result for a record
/// (its `Outcome` and the line `ResultWriter` writes) differs from
/// the `ReferenceEvaluator`'s, field by field, and what kind of difference
/// each is. ReferenceResultTests and the fuzz target `differential` use it.
///
/// The expected line is built here from Grammar.md §11, with its own
/// writing of times and durations, not by the writer's code.
enum ReferenceComparison {
    /// A Disagreement is one field on which the fast path and the
    /// reference differ for one record, with what kind of difference it is.
    struct Disagreement: Sendable, CustomStringConvertible {
        var kind: Kind
        var text: String
        var description: String { text }

        /// The points Grammar.md left open and issue 15 decided, which the
        /// fast path is being changed to follow (so their disagreements are
        /// known until it does), and everything else.
        enum Kind: String, Sendable, CaseIterable {
            case overriddenOncePerRule = "decision 1: a rule is overridden at most once per result, by its own earliest deadline (or, for assign, when it does not assign the winning role)"
            case channelAtWinningDeadline = "decision 2: the channel is the first named among the actions at the winning deadline"
            case taskTextsByScalars = "decision 3: one task per text, texts compared by Unicode scalars"
            case exactMembership = "decision 4: `in [list]` on numbers compares exactly"
            case waiverThatRemovedNothing = "decided, no longer reported: Outcome.waived keeps a waive that removed nothing (for explain); the run's line leaves it out (§11)"
            case other = "a disagreement with Grammar.md"
        }
    }

    /// Compares one record's reference result with the fast path's
    /// evaluation of it, and with the line written for it (`number` is its
    /// number in the input).
    static func check(_ expected: ReferenceResult, _ evaluation: Evaluation, _ record: RecordBuffer, number: Int,
                      line: [UInt8]) -> [Disagreement] {
        var out: [Disagreement] = []
        let place = "record \(number)"
        let fast = ReferenceResult(Outcome(evaluation, tracking: record))
        let found = differences(expected, fast, fractions: hasFraction(record, evaluation.program.model))
        out += found.map { Disagreement(kind: $0.kind, text: "\(place), outcome: \($0.text)") }
        guard case .success(let value) = JSONValue.parse(line) else {
            out.append(Disagreement(kind: .other, text: "\(place): the run's line is not JSON: \(String(decoding: line, as: UTF8.self))"))
            return out
        }
        let recordID = id(record, evaluation.program)
        if let lineDifference = difference(json(expected, record: number, id: recordID), value, at: "") {
            // The line against the reference; when the outcome differs
            // from the reference the same way, the kind is the outcome's.
            let same = difference(json(fast, record: number, id: recordID, droppingEmptyWaivers: true), value, at: "") == nil
            let kind = same ? (found.first(where: { $0.kind != .waiverThatRemovedNothing })?.kind ?? .other) : .other
            out.append(Disagreement(
                kind: kind,
                text: "\(place), run: \(lineDifference)" + (same ? "" : " (and the line is not the outcome)")
                    + "; line \(String(decoding: line, as: UTF8.self))"))
        }
        return out
    }

    /// The record's `id`, as the line gives it (§11): "a text as it is, a
    /// number as a JSON number, and any other type as a string written as
    /// the policy writes it (a level's or value's name, a time as
    /// `2026-03-02T09:00:00Z`, a duration as `PT2H`, yes/no as `yes` or
    /// `no`)". A list has no such writing; the line gives an empty text.
    static func id(_ record: RecordBuffer, _ program: Program) -> JSONValue? {
        let model = program.model
        guard let f = model.fieldIndex("id"), record.isPresent(f) else { return nil }
        let v = record.scalar(f)
        func name(_ names: [String]) -> JSONValue {
            let i = ReferenceInterpreter.whole(v)
            return i >= 0 && i < names.count && Double(i) == v ? .string(names[Int(i)]) : .number(v)
        }
        switch model.fields[f].type {
        case .text: return .string(written(Array(record.text(f))))
        case .number: return .number(v)
        case .bool: return .string(v != 0 ? "yes" : "no")
        case .time: return .string(time(ReferenceInterpreter.whole(v)))
        case .duration: return .string(iso(seconds: ReferenceInterpreter.whole(v)))
        case .scale(let s): return name(model.scales.indices.contains(s) ? model.scales[s].levels : [])
        case .enumeration(let e): return name(model.enumerations.indices.contains(e) ? model.enumerations[e].values : [])
        case .list: return .string("")
        }
    }

    /// A record's text as the line writes it: each byte that is not part of
    /// well-formed UTF-8 as U+FFFD (one per byte, Fuzz/README.md finding 3).
    static func written(_ bytes: [UInt8]) -> String {
        var out = ""
        var i = 0
        while i < bytes.count {
            let lead = bytes[i]
            let n = lead < 0x80 ? 1 : lead >> 5 == 0b110 ? 2 : lead >> 4 == 0b1110 ? 3 : lead >> 3 == 0b11110 ? 4 : 0
            if n > 0, i + n <= bytes.count, let scalar = String(validating: bytes[i..<(i + n)], as: UTF8.self) {
                out += scalar
                i += n
            } else {
                out += "\u{FFFD}"
                i += 1
            }
        }
        return out
    }

    // MARK: - Against the outcome

    /// Whether a number field of the record holds a value that is not whole
    /// (where decision 4 can change which rules fire).
    static func hasFraction(_ record: RecordBuffer, _ model: PolicyModel) -> Bool {
        model.fields.indices.contains { f in
            model.fields[f].type == .number && record.isPresent(f) && record.scalar(f) != record.scalar(f).rounded()
        }
    }

    /// Where two results differ, field by field, and what kind of difference each is.
    static func differences(_ expected: ReferenceResult, _ actual: ReferenceResult,
                            fractions: Bool) -> [(kind: Disagreement.Kind, text: String)] {
        var out: [(kind: Disagreement.Kind, text: String)] = []
        let firedDiffer = expected.fired != actual.fired
        if firedDiffer { out.append((fractions ? .exactMembership : .other, "fired \(actual.fired), expected \(expected.fired)")) }
        // When other rules fire, every other difference follows from that.
        func kind(_ k: Disagreement.Kind) -> Disagreement.Kind { firedDiffer ? (fractions ? .exactMembership : .other) : k }
        if expected.base != actual.base { out.append((.other, "base \(actual.base), expected \(expected.base)")) }
        let names = { (r: ReferenceResult) in r.actions.map(label) }
        let untasked = { (r: ReferenceResult) in r.actions.filter { $0.kind != .task }.map(label) }
        if names(expected) != names(actual) {
            out.append((kind(untasked(expected) == untasked(actual) ? .taskTextsByScalars : .other), "actions \(names(actual)), expected \(names(expected))"))
        } else {
            for (e, a) in zip(expected.actions, actual.actions) {
                let what = label(e)
                if e.role != a.role { out.append((kind(.other), "\(what): role \(a.role ?? "none"), expected \(e.role ?? "none")")) }
                if e.components != a.components { out.append((kind(.other), "\(what): components \(a.components), expected \(e.components)")) }
                if e.remedies != a.remedies { out.append((kind(.other), "\(what): remedies \(a.remedies), expected \(e.remedies)")) }
                if !sameScalars(e.text, a.text) { out.append((kind(.other), "\(what): text \(a.text ?? "none"), expected \(e.text ?? "none")")) }
                if e.channel != a.channel {
                    out.append((kind(.channelAtWinningDeadline), "\(what): channel \(a.channel ?? "none"), expected \(e.channel ?? "none")"))
                }
                if e.due != a.due || e.within != a.within {
                    out.append((kind(.other), "\(what): due \(describe(a.due, a.within)), expected \(describe(e.due, e.within))"))
                }
                if e.because != a.because { out.append((kind(.other), "\(what): because \(a.because), expected \(e.because)")) }
                if e.progress != a.progress {
                    out.append((kind(.other), "\(what): progress \(String(describing: a.progress)), expected \(String(describing: e.progress))"))
                }
                if e.overridden != a.overridden {
                    // Decision 1's shape: the fast path lists every losing
                    // action; each expected entry is among them, and each of
                    // them is a rule that asked.
                    let shape = e.overridden.allSatisfy(a.overridden.contains) && a.overridden.allSatisfy { e.because.contains($0.rule) }
                    out.append((kind(shape ? .overriddenOncePerRule : .other),
                                "\(what): overridden \(a.overridden.map(describe)), expected \(e.overridden.map(describe))"))
                }
            }
        }
        // Decided: `Outcome.waived` keeps every waive that fired, with what it
        // removed (so `explain` can say a waive removed nothing), while the
        // line lists only those that removed something (§11). What they
        // must agree on is the waives that removed something.
        if expected.waived != actual.waived.filter({ !$0.dropped.isEmpty }) {
            out.append((kind(.other), "waived \(actual.waived.map(describe)), expected \(expected.waived.map(describe))"))
        }
        if expected.unrequired != actual.unrequired {
            out.append((kind(.other), "unrequired \(actual.unrequired), expected \(expected.unrequired)"))
        }
        return out
    }

    /// `notify supervisor`, `task "call back"`.
    static func label(_ a: ReferenceResult.Action) -> String {
        a.kind.rawValue + (a.role.map { " " + $0 } ?? "")
            + (a.text.map { " \"" + $0.unicodeScalars.map { $0.isASCII ? String($0) : "\\u{\(String($0.value, radix: 16))}" }.joined() + "\"" } ?? "")
    }

    static func sameScalars(_ a: String?, _ b: String?) -> Bool {
        switch (a, b) {
        case (nil, nil): return true
        case (let x?, let y?): return x.unicodeScalars.elementsEqual(y.unicodeScalars)
        default: return false
        }
    }

    static func describe(_ due: Int64?, _ within: DurationSpec?) -> String {
        guard let due else { return "none" + (within.map { " (within \($0))" } ?? "") }
        return time(due) + (within.map { " (within \($0))" } ?? "")
    }

    static func describe(_ l: ReferenceResult.Loser) -> String {
        "\(l.rule)" + (l.role.map { " assign \($0)" } ?? "") + (l.due != nil ? " " + describe(l.due, l.within) : "")
    }

    static func describe(_ w: ReferenceResult.Waived) -> String {
        "\(w.kind.rawValue) by \(w.by) dropping \(w.dropped)"
    }

    // MARK: - Against the written line

    /// The line the reference says `amends run` writes, as JSON (§11).
    /// `droppingEmptyWaivers` leaves out a waiver that removed nothing (an
    /// outcome may list one; §11 writes none).
    static func json(_ r: ReferenceResult, record: Int, id: JSONValue?, droppingEmptyWaivers: Bool = false) -> JSONValue {
        var members: [(key: String, value: JSONValue)] = [("record", .number(Double(record)))]
        if let id { members.append(("id", id)) }
        members.append(("actions", .array(r.actions.map(json))))
        let waived = droppingEmptyWaivers ? r.waived.filter { !$0.dropped.isEmpty } : r.waived
        if !waived.isEmpty {
            members.append(("waived", .array(waived.map { w in
                .object([("kind", .string(w.kind.jsonName)), ("by", .array(w.by.map(json))), ("dropped", .array(w.dropped.map(json)))])
            })))
        }
        if !r.unrequired.isEmpty {
            members.append(("unrequired", .array(r.unrequired.map { u in
                var m: [(key: String, value: JSONValue)] = [("kind", .string(u.kind.jsonName))]
                if let role = u.role { m.append(("role", .string(role))) }
                if let text = u.text { m.append(("text", .string(text))) }
                m.append(("field", .string(u.field)))
                if let t = u.doneAt { m.append(("done_at", .string(time(t)))) }
                return .object(m)
            })))
        }
        return .object(members)
    }

    static func json(_ a: ReferenceResult.Action) -> JSONValue {
        var m: [(key: String, value: JSONValue)] = [("kind", .string(a.kind.jsonName))]
        if let role = a.role { m.append(("role", .string(role))) }
        if a.kind == .apology { m.append(("components", .array(a.components.map { .string($0.rawValue) }))) }
        if a.kind == .offer { m.append(("remedies", .array(a.remedies.map { .string($0) }))) }
        if let text = a.text { m.append(("text", .string(text))) }
        if let due = a.due {
            m.append(("due", .string(time(due))))
            if let within = a.within { m.append(("within", .string(iso(within)))) }
        }
        if let channel = a.channel { m.append(("by", .string(channel))) }
        m.append(("because", .array(a.because.map(json))))
        if !a.overridden.isEmpty {
            m.append(("overridden", .array(a.overridden.map { l in
                guard case .object(var o) = json(l.rule) else { return .null }
                if let role = l.role { o.append(("role", .string(role))) }
                if let due = l.due {
                    o.append(("due", .string(time(due))))
                    if let within = l.within { o.append(("within", .string(iso(within)))) }
                }
                return .object(o)
            })))
        }
        if let p = a.progress {
            m.append(("status", .string(p.status)))
            if let t = p.doneAt { m.append(("done_at", .string(time(t)))) }
            if let margin = p.margin {
                m.append(("margin", .string(p.business ? isoHours(margin) : iso(seconds: margin))))
                m.append(("margin_seconds", .number(Double(margin))))
                if p.business { m.append(("margin_business", .bool(true))) }
            }
            if !p.notes.isEmpty { m.append(("notes", .array(p.notes.map { .string($0) }))) }
        }
        return .object(m)
    }

    static func json(_ c: ReferenceResult.Cite) -> JSONValue {
        var m: [(key: String, value: JSONValue)] = [("file", .string(c.file)), ("line", .number(Double(c.line)))]
        if let name = c.name { m.append(("rule", .string(name))) }
        return .object(m)
    }

    /// §8: "A deadline past the year 9999 … is written as 9999-12-31T23:59:59Z."
    static func time(_ t: Int64) -> String {
        let clamped = min(max(t, -62_167_219_200), 253_402_300_799)
        let days = clamped >= 0 ? clamped / 86_400 : (clamped - 86_399) / 86_400
        let second = Int(clamped - days * 86_400)
        let (year, month, day) = Civil.date(days: Int(days))
        func pad(_ v: Int, _ width: Int) -> String { String(repeating: "0", count: max(0, width - String(v).count)) + String(v) }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(second / 3_600, 2)):\(pad(second / 60 % 60, 2)):\(pad(second % 60, 2))Z"
    }

    /// §11: ISO 8601 for calendar durations (`P3D`, `PT2H`), business time
    /// as written (`4 business hours`). Written here from the definition,
    /// not by the writer's formatter.
    static func iso(_ d: DurationSpec) -> String {
        guard let seconds = d.seconds else { return d.description }
        return iso(seconds: seconds)
    }

    /// "ISO 8601 in days, hours, minutes and seconds, normalised: `24 hours`
    /// is `P1D`, `90 minutes` is `PT1H30M`, `2 weeks` is `P14D`"; a leading
    /// `-` for a negative one.
    static func iso(seconds: Int64) -> String {
        let magnitude = seconds.magnitude
        let days = magnitude / 86_400, hours = magnitude % 86_400 / 3_600, minutes = magnitude % 3_600 / 60, rest = magnitude % 60
        var time = ""
        if hours > 0 { time += "\(hours)H" }
        if minutes > 0 { time += "\(minutes)M" }
        if rest > 0 { time += "\(rest)S" }
        if days == 0 && time.isEmpty { time = "0S" }
        return (seconds < 0 ? "-P" : "P") + (days > 0 ? "\(days)D" : "") + (time.isEmpty ? "" : "T" + time)
    }

    /// The first place two JSON values differ, nil when they do not:
    /// members in any order (each key once), strings by Unicode scalars.
    static func difference(_ expected: JSONValue, _ actual: JSONValue, at path: String) -> String? {
        switch (expected, actual) {
        case (.object(let e), .object(let a)):
            let keys = { (m: [(key: String, value: JSONValue)]) in m.map(\.key) }
            guard Set(keys(e)) == Set(keys(a)), keys(a).count == Set(keys(a)).count else {
                return "\(path): keys \(keys(a)), expected \(keys(e))"
            }
            for (key, value) in e {
                guard let other = a.first(where: { $0.key == key })?.value else { return "\(path).\(key) missing" }
                if let d = difference(value, other, at: path + "." + key) { return d }
            }
            return nil
        case (.array(let e), .array(let a)):
            guard e.count == a.count else { return "\(path): \(a.count) items, expected \(e.count)" }
            for (i, (x, y)) in zip(e, a).enumerated() {
                if let d = difference(x, y, at: "\(path)[\(i)]") { return d }
            }
            return nil
        case (.string(let e), .string(let a)):
            return e.unicodeScalars.elementsEqual(a.unicodeScalars) ? nil : "\(path): \"\(a)\", expected \"\(e)\""
        default:
            return expected == actual ? nil : "\(path): \(actual), expected \(expected)"
        }
    }
}

extension ReferenceResult {
    /// The fast path's outcome in the reference's terms, to compare.
    init(_ o: Outcome) {
        func cite(_ r: RuleRef) -> Cite { Cite(index: r.index, file: r.file, line: r.line, name: r.name) }
        let actions = o.actions.map { r in
            var a = Action(kind: r.kind)
            a.role = r.role
            a.components = r.components
            a.remedies = r.remedies
            a.text = r.text
            a.channel = r.channel
            a.due = r.due
            a.within = r.within
            a.because = r.because.map(cite)
            a.overridden = r.overridden.map { Loser(rule: cite($0.rule), due: $0.due, within: $0.within, role: $0.role) }
            a.progress = r.progress.map { Standing(status: $0.status.jsonName, doneAt: $0.doneAt, margin: $0.margin,
                                                   business: $0.marginIsBusiness, notes: $0.notes) }
            return a
        }
        let waived = o.waived.map { Waived(kind: $0.kind, by: $0.by.map(cite), dropped: $0.dropped.map(cite)) }
        self.init(fired: o.fired.map(cite), base: o.base, actions: actions, waived: waived)
        unrequired = o.unrequired.map { Unrequired(kind: $0.kind, role: $0.role, text: $0.text, field: $0.field, doneAt: $0.doneAt) }
    }
}

/// Why a condition holds or not, in words, with the record's actual values:
///
///     severity is medium; the rule needs >= high
///     amount is missing; the rule needs > 5000
///     category is billing; the rule needs one of delivery, outage
///
/// For a false `and` the first false part is explained; for a false `or`
/// every alternative; for a false `not` what held. For a condition that
/// holds, the values that made it hold.

/// A Reason is one explanation: a line of text, and for a false `or` the
/// alternatives that all failed (each its own Reason).
package struct Reason: Sendable, Hashable {
    package var holds: Bool
    /// The explanation on one line.
    package var text: String
    /// For "no alternative holds": each alternative's reason, and the text
    /// that leads up to them (`valued does not hold: no alternative holds`).
    package var alternatives: [Reason]
    package var lead: String

    package init(holds: Bool, text: String, alternatives: [Reason] = [], lead: String = "") {
        self.holds = holds
        self.text = text
        self.alternatives = alternatives
        self.lead = lead
    }

    /// The same reason with a prefix (`our_fault does not hold: …`).
    func prefixed(_ prefix: String) -> Reason {
        Reason(holds: holds, text: prefix + text, alternatives: alternatives, lead: alternatives.isEmpty ? lead : prefix + lead)
    }
}

extension ReferenceInterpreter {
    // MARK: - Entry point

    /// Why `condition` holds or not for `record`.
    package func reason(_ condition: Condition, in record: RecordBuffer) -> Reason {
        reason(condition, record, depth: 0)
    }

    func reason(_ c: Condition, _ r: RecordBuffer, depth: Int) -> Reason {
        let value = holds(c, r, depth: depth)
        if depth >= Self.maxDepth { return Reason(holds: value, text: "the conditions nest too deeply to explain") }
        switch c.kind {
        case .and(let a, let b):
            if value {
                return Reason(holds: true, text: reason(a, r, depth: depth + 1).text + "; and " + reason(b, r, depth: depth + 1).text)
            }
            return holds(a, r, depth: depth + 1) ? reason(b, r, depth: depth + 1) : reason(a, r, depth: depth + 1)
        case .or(let a, let b):
            if value {
                return holds(a, r, depth: depth + 1) ? reason(a, r, depth: depth + 1) : reason(b, r, depth: depth + 1)
            }
            let alternatives = orParts(c).map { reason($0, r, depth: depth + 1) }
            return Reason(holds: false, text: "no alternative holds: " + alternatives.map(\.text).joined(separator: " | "),
                          alternatives: alternatives, lead: "no alternative holds")
        case .not(let a):
            return negated(a, r, depth: depth + 1, holds: value, written: c.ref.source.text(c.ref.span))
        case .define(let d):
            guard model.defines.indices.contains(d) else { return Reason(holds: value, text: "an unknown define") }
            let define = model.defines[d]
            let inner = reason(define.condition, r, depth: depth + 1)
            return inner.prefixed("\(define.name) \(value ? "holds" : "does not hold"): ")
        default:
            return Reason(holds: value, text: leaf(c, r, negated: false, holds: value))
        }
    }

    /// The alternatives of an `or` chain, flattened (`a or b or c`).
    func orParts(_ c: Condition) -> [Condition] {
        if case .or(let a, let b) = c.kind { return orParts(a) + orParts(b) }
        return [c]
    }

    /// `not A`: a leaf is described with the negated requirement (`the rule
    /// needs < high`); anything larger by what `A` says about itself.
    func negated(_ a: Condition, _ r: RecordBuffer, depth: Int, holds value: Bool, written: String) -> Reason {
        switch a.kind {
        case .and, .or, .not, .define:
            var inner = reason(a, r, depth: depth)
            inner.holds = value
            if value { return inner.prefixed("`\(written)` holds: ") }
            return inner.prefixed("the rule needs `\(written)`, but ")
        default:
            return Reason(holds: value, text: leaf(a, r, negated: true, holds: value))
        }
    }

    // MARK: - Leaves

    /// One test, as `SUBJECT is VALUE; the rule needs REQUIREMENT` when it
    /// fails, or `SUBJECT is VALUE, which is REQUIREMENT` when it holds.
    /// `negated`: the test stands under a `not`, and is described by the
    /// opposite requirement.
    func leaf(_ c: Condition, _ r: RecordBuffer, negated: Bool, holds value: Bool) -> String {
        let written = c.ref.source.text(c.ref.span)
        /// The subject that is missing, when the test met a missing value.
        var missing: String?
        func check(_ operand: Operand) {
            if missing == nil, !isValue(operand), datum(operand, r) == nil { missing = subject(operand, r) }
        }
        let subjectText: String
        let need: String
        /// How the test reads when it holds: `which is >= high`, `which contains "x"`.
        var met: String?
        /// `!=`, `none of`: a missing value fails it although it reads as met.
        var negativeNeed = false
        switch c.kind {
        case .constant(let b):
            return b != negated ? "the condition always holds" : "the condition never holds"
        case .flag(let f):
            check(.field(f))
            subjectText = subject(.field(f), r)
            need = negated ? "no" : "yes"
            met = ""
        case .compare(var op, var a, var b):
            if case .value = a, !isValue(b) { swap(&a, &b); op = op.flipped }
            check(a)
            check(b)
            if negated { op = op.negated }
            subjectText = subject(a, r)
            need = op.rawValue + " " + operandText(b, r)
            negativeNeed = op == .notEqual
        case .member(let a, let values, var neg):
            check(a)
            if negated { neg.toggle() }
            subjectText = subject(a, r)
            need = (neg ? "none of " : "one of ") + values.map { model.describe($0) }.joined(separator: ", ")
            negativeNeed = neg
        case .memberOfField(let a, let list, var neg):
            check(a)
            check(.field(list))
            if negated { neg.toggle() }
            subjectText = subject(a, r)
            need = (neg ? "none of the items of " : "one of the items of ") + operandText(.field(list), r)
            negativeNeed = neg
        case .listContains(let list, let item):
            check(.field(list))
            subjectText = subject(.field(list), r)
            need = (negated ? "it not to contain " : "it to contain ") + model.describe(item)
            met = (negated ? ", which does not contain " : ", which contains ") + model.describe(item)
        case .text(let test, let f, let needle):
            check(.field(f))
            let verb: String
            switch test {
            case .contains: verb = "contain"
            case .startsWith: verb = "start with"
            case .endsWith: verb = "end with"
            }
            subjectText = subject(.field(f), r)
            need = (negated ? "it not to " : "it to ") + verb + " " + SExpr.quote(needle)
            let verbs = test == .contains ? "contains" : test == .startsWith ? "starts with" : "ends with"
            met = (negated ? ", which does not \(verb) " : ", which \(verbs) ") + SExpr.quote(needle)
            negativeNeed = negated
        case .presence(let f, var isMissing):
            if negated { isMissing.toggle() }
            subjectText = subject(.field(f), r)
            need = isMissing ? "it missing" : "it present"
            met = isMissing ? "" : ", present"
        case .clock(let test, let f, let calendarIndex):
            check(.field(f))
            let name = model.fields.indices.contains(f) ? model.fields[f].name : "?"
            let shown: Value? = self.value(of: f, in: r)
            if case .time(let t)? = shown {
                let zone = calendarIndex.flatMap { model.calendars.indices.contains($0) ? model.calendars[$0].zone : nil }
                let lookup = ZoneLookup(zone: zone)
                subjectText = name + " is " + LocalTime.text(t, in: lookup)
            } else {
                subjectText = subject(.field(f), r)
            }
            let words = model.describe(test)
            need = (negated ? "it not " : "it ") + words
            met = (negated ? ", which is not " : ", which is ") + words
            negativeNeed = negated
        case .define, .not, .and, .or:
            return reason(c, r, depth: 1).text
        }
        if let missing {
            // A test on a missing value is false, whatever it asks; under a
            // `not` that makes the whole true. (When the other operand is
            // the missing one, `need` says so: `> limit (which is missing)`.)
            if negated && value { return "\(missing), so `\(written)` does not hold" }
            if !value && negativeNeed { return "\(subjectText); the rule needs \(need) (a test on a missing value is false)" }
        }
        if value { return subjectText + (met ?? ", which is \(need)") }
        return "\(subjectText); the rule needs \(need)"
    }

    func isValue(_ operand: Operand) -> Bool {
        if case .value = operand { return true }
        return false
    }

    /// `severity is medium`, `amount is missing`, `age is 2 hours (…)`.
    func subject(_ operand: Operand, _ r: RecordBuffer) -> String {
        switch operand {
        case .field(let f):
            let name = model.fields.indices.contains(f) ? model.fields[f].name : "?"
            return "\(name) is " + (value(of: f, in: r).map { model.describe($0) } ?? "missing")
        case .age:
            guard let clock = model.clockField, model.fields.indices.contains(clock) else {
                return "age is unknown (the policy has no `deadlines from` field)"
            }
            let name = model.fields[clock].name
            guard case .time(let start)? = value(of: clock, in: r) else { return "age is unknown: \(name) is missing" }
            let now = Self.whole(r.now)
            return "age is \(DurationText.describe(seconds: now &- start)) (from \(name) \(ISOTimeText.format(start)) to now \(ISOTimeText.format(now)))"
        case .value(let v):
            return model.describe(v)
        case .history(let i):
            let shown = r.historyValue(i).map { v in
                model.historyTerms.indices.contains(i) && model.historyTerms[i].measure == .count
                    ? SExpr.number(v) : DurationText.describe(seconds: Self.whole(v))
            } ?? "missing"
            return "\(model.describe(history: i)) is \(shown)"
        }
    }

    /// The right-hand side of a comparison: a value as written, or a field
    /// with what it holds.
    func operandText(_ operand: Operand, _ r: RecordBuffer) -> String {
        switch operand {
        case .value(let v): return model.describe(v)
        case .age: return "age"
        case .history(let i): return model.describe(history: i)
        case .field(let f):
            guard model.fields.indices.contains(f) else { return "?" }
            let shown = value(of: f, in: r).map { model.describe($0) } ?? "missing"
            return "\(model.fields[f].name) (which is \(shown))"
        }
    }
}

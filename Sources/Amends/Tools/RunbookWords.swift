/// RunbookWords says a policy's conditions and actions in words a new member
/// of staff understands, without a record (the explainer's wording, which
/// needs one, says why a rule fired for a given incident):
///
///     severity is high or critical, and our mistake (caused by is us or vendor)
///     more than 14 days have passed since found
///     tell the supervisor within 30 minutes
///
/// Levels are listed rather than compared (`>= high` is "high or critical"):
/// nobody has to remember the order of a scale.
struct RunbookWords {
    let model: PolicyModel

    // MARK: - Names

    /// `caused_by` → `caused by`; `customer.name` → `customer name`.
    func field(_ f: Int) -> String {
        guard model.fields.indices.contains(f) else { return "?" }
        return Self.human(model.fields[f].name)
    }

    /// The type of field `f` (text for an index the model does not have).
    func fieldType(_ f: Int) -> ValueType {
        model.fields.indices.contains(f) ? model.fields[f].type : .text
    }

    static func human(_ name: String) -> String {
        String(name.map { $0 == "_" || $0 == "." ? " " : $0 })
    }

    func role(_ r: Int) -> String { model.roles.indices.contains(r) ? Self.human(model.roles[r]) : "?" }
    func remedy(_ r: Int) -> String { model.remedies.indices.contains(r) ? Self.human(model.remedies[r]) : "?" }
    func channel(_ c: Int) -> String { model.channels.indices.contains(c) ? Self.human(model.channels[c]) : "?" }

    /// `a`, `a or b`, `a, b or c`.
    static func list(_ items: [String], _ last: String = "or") -> String {
        guard let final = items.last else { return "" }
        if items.count == 1 { return final }
        return items.dropLast().joined(separator: ", ") + " \(last) " + final
    }

    // MARK: - Conditions

    func condition(_ c: Condition) -> String {
        words(c, negated: false, depth: 0)
    }

    private func words(_ c: Condition, negated: Bool, depth: Int) -> String {
        guard depth < 64 else { return "(a condition nested too deeply to say)" }
        switch c.kind {
        case .and:
            if negated { return "not (" + words(c, negated: false, depth: depth + 1) + ")" }
            return parts(c, and: true).map { part(words($0, negated: false, depth: depth + 1), $0, inside: true) }
                .joined(separator: ", and ")
        case .or:
            if negated { return "not (" + words(c, negated: false, depth: depth + 1) + ")" }
            let said = parts(c, and: false).map { part(words($0, negated: false, depth: depth + 1), $0, inside: false) }
            // `a, b or c, or d`: a list inside an alternative keeps its own commas.
            if said.contains(where: { $0.contains(",") || $0.contains(" or ") }) { return said.joined(separator: ", or ") }
            return Self.list(said)
        case .not(let inner):
            return words(inner, negated: !negated, depth: depth + 1)
        case .define(let d):
            guard model.defines.indices.contains(d) else { return "?" }
            let define = model.defines[d]
            let inner = words(define.condition, negated: false, depth: depth + 1)
            return (negated ? "not " : "") + "\(Self.human(define.name)) (\(inner))"
        default:
            return leaf(c, negated: negated)
        }
    }

    /// The operands of an `and` (or `or`) chain, flattened.
    private func parts(_ c: Condition, and: Bool) -> [Condition] {
        switch c.kind {
        case .and(let a, let b) where and: return parts(a, and: true) + parts(b, and: true)
        case .or(let a, let b) where !and: return parts(a, and: false) + parts(b, and: false)
        default: return [c]
        }
    }

    /// An `or` inside an `and` (and an `and` inside an `or`) is bracketed.
    private func part(_ text: String, _ c: Condition, inside and: Bool) -> String {
        switch c.kind {
        case .or where and, .and where !and: return "(" + text + ")"
        default: return text
        }
    }

    private func leaf(_ c: Condition, negated: Bool) -> String {
        switch c.kind {
        case .constant(let b):
            return b != negated ? "always" : "never"
        case .flag(let f):
            return "\(field(f)) is \(negated ? "no" : "yes")"
        case .compare(var op, var a, var b):
            if case .value = a, !isValue(b) { swap(&a, &b); op = op.flipped }
            if negated { op = op.negated }
            return comparison(op, a, b)
        case .member(let a, let values, var neg):
            if negated { neg.toggle() }
            let names = values.map { model.describe($0) }
            if case .field(let f) = a, let listed = choices(f, values.compactMap { $0.scalar }, negated: neg) {
                return "\(field(f)) is \(listed)"
            }
            return "\(operand(a)) is " + (neg ? "none of " : "") + Self.list(names)
        case .memberOfField(let a, let list, var neg):
            if negated { neg.toggle() }
            return "\(operand(a)) is \(neg ? "not " : "")one of the \(field(list))"
        case .listContains(let list, let item):
            return "\(field(list)) \(negated ? "do not include" : "include") \(model.describe(item))"
        case .text(let test, let f, let needle):
            let verb: String
            switch test {
            case .contains: verb = negated ? "does not contain" : "contains"
            case .startsWith: verb = negated ? "does not start with" : "starts with"
            case .endsWith: verb = negated ? "does not end with" : "ends with"
            }
            return "\(field(f)) \(verb) \(SExpr.quote(needle))"
        case .presence(let f, var missing):
            if negated { missing.toggle() }
            return "\(field(f)) \(missing ? "is not given" : "is given")"
        case .clock(let test, let f, let c):
            let calendar = c.flatMap { model.calendars.indices.contains($0) ? model.calendars[$0] : nil }
            if case .openingHours(let inside) = test {
                let whose = calendar?.name.map { " of calendar \($0)" } ?? ""
                return "\(field(f)) is \(inside != negated ? "inside" : "outside") opening hours\(whose)"
            }
            let zone = calendar?.zone?.identifier ?? "UTC"
            return "\(field(f)) is \(negated ? "not " : "")\(model.describe(test)) (\(zone) time)"
        case .define, .not, .and, .or:
            return words(c, negated: negated, depth: 1)
        }
    }

    private func isValue(_ o: Operand) -> Bool {
        if case .value = o { return true }
        return false
    }

    private func operand(_ o: Operand) -> String {
        switch o {
        case .field(let f): return field(f)
        case .age: return "the time since \(clockName)"
        case .value(let v): return model.describe(v)
        case .history(let i):
            let words = model.describe(history: i)
            return words.hasPrefix("earlier") ? "the number of the client's \(words)" : "the time \(words)"
        }
    }

    var clockName: String {
        guard let clock = model.clockField else { return "now" }
        return field(clock)
    }

    /// A comparison in words: levels and values listed, numbers with
    /// "more than", "at most"…
    private func comparison(_ op: CompareOp, _ a: Operand, _ b: Operand) -> String {
        if case .age = a, case .value(let v) = b {
            let d = model.describe(v)
            switch op {
            case .greater: return "more than \(d) have passed since \(clockName)"
            case .greaterEqual: return "at least \(d) have passed since \(clockName)"
            case .less: return "less than \(d) has passed since \(clockName)"
            case .lessEqual: return "at most \(d) has passed since \(clockName)"
            case .equal: return "exactly \(d) has passed since \(clockName)"
            case .notEqual: return "the time since \(clockName) is not \(d)"
            }
        }
        if case .field(let f) = a, case .value(let v) = b, let k = v.scalar, fieldType(f).isChoice,
           let count = choiceCount(f) {
            let members = (0..<count).filter { ConditionCompiler.apply(op, Double($0), k) }
            if let listed = choices(f, members.map(Double.init), negated: false) { return "\(field(f)) is \(listed)" }
        }
        let right = operand(b)
        switch op {
        case .equal: return "\(operand(a)) is \(right)"
        case .notEqual: return "\(operand(a)) is not \(right)"
        case .greater: return "\(operand(a)) is more than \(right)"
        case .greaterEqual: return "\(operand(a)) is at least \(right)"
        case .less: return "\(operand(a)) is less than \(right)"
        case .lessEqual: return "\(operand(a)) is at most \(right)"
        }
    }

    private func choiceCount(_ f: Int) -> Int? {
        switch fieldType(f) {
        case .scale(let s): return model.scales.indices.contains(s) ? model.scales[s].levels.count : nil
        case .enumeration(let e): return model.enumerations.indices.contains(e) ? model.enumerations[e].values.count : nil
        case .bool: return 2
        default: return nil
        }
    }

    /// The values of a scale, `one of` or yes/no field with these indexes,
    /// listed (`high or critical`); `negated` lists the others.
    private func choices(_ f: Int, _ indexes: [Double], negated: Bool) -> String? {
        guard let count = choiceCount(f) else { return nil }
        let set = Set(indexes.compactMap { Int(exactly: $0) })
        let members = (0..<count).filter { set.contains($0) != negated }
        if members.isEmpty { return "never anything (no value fits)" }
        return Self.list(members.map { choiceName(f, $0) })
    }

    func choiceName(_ f: Int, _ i: Int) -> String {
        switch fieldType(f) {
        case .scale(let s): return model.describe(.level(s, i))
        case .enumeration(let e): return model.describe(.choice(e, i))
        case .bool: return i == 1 ? "yes" : "no"
        default: return "\(i)"
        }
    }

    /// A level with the spellings records use for it: `high (P2)`.
    func choiceNameSpelled(_ f: Int, _ i: Int) -> String {
        let name = choiceName(f, i)
        guard case .scale(let s) = fieldType(f), model.scales.indices.contains(s),
              model.scales[s].spellings.indices.contains(i), !model.scales[s].spellings[i].isEmpty else { return name }
        return name + " (" + model.scales[s].spellings[i].joined(separator: ", ") + ")"
    }

    // MARK: - Actions

    /// What the apology components mean, from the research (DOMAIN.md).
    static func meaning(_ c: ApologyComponent) -> String {
        switch c {
        case .repair: return "how we will put it right"
        case .responsibility: return "that we understand our part and own it"
        case .prevention: return "what we will change so it does not happen again"
        case .explanation: return "what went wrong, in terms the client understands"
        case .regret: return "that we are sorry"
        case .forgiveness: return "ask the client to forgive us"
        }
    }

    func within(_ d: DurationSpec?) -> String {
        guard let d else { return "" }
        return " within \(d)" + (d.seconds == nil ? " (counted in opening hours)" : "")
    }

    func by(_ c: Int?) -> String {
        guard let c else { return "" }
        return ", by \(channel(c))"
    }

    /// One action as an instruction: `tell the supervisor within 30 minutes`.
    func action(_ a: ActionModel) -> String {
        switch a {
        case .notify(let r, let d): return "Tell the \(role(r))\(within(d))."
        case .escalate(let r, let d): return "Escalate to the \(role(r))\(within(d))."
        case .assign(let r): return "The \(role(r)) owns the recovery (when another situation names a different owner, the one listed first in this runbook wins)."
        case .respond(let d, let c): return "Contact the client\(within(d))\(by(c))."
        case .apology(let comps, let d, let c):
            let said = comps.isEmpty ? "" : ": say, in this order, " + Self.list(comps.map { "\($0.rawValue) (\(Self.meaning($0)))" }, "then")
            return "Apologise to the client\(within(d))\(by(c))\(said)."
        case .offer(let remedies): return "Offer the client a choice of: \(Self.list(remedies.map(remedy)))."
        case .followUp(let d, let c): return "Follow up with the client after \(d)\(d.seconds == nil ? " (counted in opening hours)" : "")\(by(c)), to check the recovery met their expectations."
        case .review(let d): return "Find and fix the cause\(within(d))."
        case .task(let text, let d): return "\(text.prefix(1).uppercased() + text.dropFirst())\(within(d))."
        case .waive(let kind): return "No \(Self.kindWord(kind)) is required: it is waived (this beats every rule that asks for one)."
        }
    }

    static func kindWord(_ k: ActionKindName) -> String {
        switch k {
        case .notify: return "telling anyone"
        case .escalate: return "escalation"
        case .assign: return "owner"
        case .respond: return "contact with the client"
        case .apology: return "apology"
        case .offer: return "offer"
        case .followUp: return "follow-up"
        case .review: return "review of the cause"
        case .task: return "task"
        }
    }

    /// A merged action of the decision table, short: `tell supervisor within 15 minutes`.
    static func short(_ a: RequiredAction) -> String {
        let w = a.within.map { a.kind == .followUp ? " after \($0)" : " within \($0)" } ?? ""
        let by = a.channel.map { ", by \(human($0))" } ?? ""
        switch a.kind {
        case .notify: return "tell \(human(a.role ?? "?"))\(w)"
        case .escalate: return "escalate to \(human(a.role ?? "?"))\(w)"
        case .assign: return "owner of the recovery: \(human(a.role ?? "?"))"
        case .respond: return "contact the client\(w)\(by)"
        case .apology:
            return "apologise\(w)\(by)" + (a.components.isEmpty ? "" : ": " + a.components.map(\.rawValue).joined(separator: ", "))
        case .offer: return "offer " + list(a.remedies.map(human))
        case .followUp: return "follow up with the client\(w)\(by)"
        case .review: return "fix the cause\(w)"
        case .task: return (a.text ?? "") + w
        }
    }
}

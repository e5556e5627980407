/// The incidents of a comparison without records (PolicyComparison.swift):
/// made from the solver's answer, run through both compiled policies, and
/// written as an example's `given` line and a JSON record.

extension PolicyComparison {
    /// A concrete incident: a value per joint field (nil: missing) and its age.
    struct Incident {
        var values: [Int: Value] = [:]
        var age: Double?
    }

    func incident(_ a: Assignment) -> Incident {
        var out = Incident()
        for (v, domain) in a.domains {
            switch v {
            case .field(let f):
                guard joint.fields.indices.contains(f), let value = PolicyComparison.value(domain, joint.fields[f].type) else { continue }
                out.values[f] = value
            case .age:
                if case .numeric(let set) = domain.values { out.age = ExampleIncident.roundSample(set) }
            case .atom(let a):
                // A list holds the item exactly when the solver needs the test true.
                guard let (f, item) = listItems[a], case .finite(let set) = domain.values, !set.contains(0), set.contains(1),
                      joint.fields.indices.contains(f), case .list(let element) = joint.fields[f].type else { continue }
                let typed = PolicyComparison.importValue(item, type: element)
                if case .list(let items)? = out.values[f] {
                    out.values[f] = .list(items + [typed])
                } else {
                    out.values[f] = .list([typed])
                }
            }
        }
        for (f, v) in out.values {
            if case .list(let items) = v, items.count > 1 { out.values[f] = .list(items.sorted { joint.describe($0) < joint.describe($1) }) }
        }
        for (f, field) in joint.fields.enumerated() where out.values[f] == nil && field.isRequired {
            out.values[f] = PolicyComparison.plain(field.type)
        }
        if out.age != nil {
            for side in [old, new] {
                if let clock = side.model.clockField, let j = side.fieldOf.first(where: { $0.value == clock })?.key, out.values[j] == nil {
                    out.values[j] = .time(ExampleIncident.defaultTime)
                }
            }
        }
        return out
    }

    static func value(_ domain: Constraint, _ type: ValueType) -> Value? {
        switch (domain.values, type) {
        case (.finite(let set), .scale(let s)): return set.first.map { .level(s, $0) }
        case (.finite(let set), .enumeration(let e)): return set.first.map { .choice(e, $0) }
        case (.finite(let set), .bool): return set.first.map { .bool($0 == 1) }
        case (.finite(let set), .list): return set.first.map { _ in .list([]) }
        case (.numeric(let set), .number): return set.sample.map { .number($0) }
        case (.numeric(let set), .time): return ExampleIncident.roundSample(set).map { .time(ExampleIncident.seconds($0)) }
        case (.numeric(let set), .duration): return ExampleIncident.roundSample(set).map { .duration(ExampleIncident.seconds($0)) }
        case (.text(let d), .text): return d.sample.map { .text($0) }
        default: return nil
        }
    }

    static func plain(_ type: ValueType) -> Value {
        switch type {
        case .text: return .text("")
        case .number: return .number(0)
        case .bool: return .bool(false)
        case .time: return .time(ExampleIncident.defaultTime)
        case .duration: return .duration(0)
        case .scale(let s): return .level(s, 0)
        case .enumeration(let e): return .choice(e, 0)
        case .list: return .list([])
        }
    }

    /// The incident as one policy's record.
    func record(_ incident: Incident, _ side: Side) -> RecordBuffer {
        let schema = side.program.schema
        var record = RecordBuffer(fieldCount: schema.fields.count)
        for (j, f) in side.fieldOf {
            if let v = incident.values[j] { schema.assign(f, v, into: &record) }
        }
        _ = schema.finish(&record, requireAll: false)
        if let clock = schema.clockField, record.isPresent(clock) {
            record.now = record.scalar(clock) + (incident.age ?? 0)
        } else {
            record.now = Double(ExampleIncident.defaultTime)
        }
        return record
    }

    /// Other times of the week to try a witness at, from Monday 09:00 UTC:
    /// Friday 16:30, Saturday 12:00, Monday 08:00, Wednesday 13:00.
    static let otherTimes: [Int64] = [4 * 86_400 + 27_000, 5 * 86_400 + 10_800, 7 * 86_400 - 3_600, 2 * 86_400 + 14_400]

    /// The incident with its clock fields moved by `shift` (its age kept),
    /// when the solver left them free; nil when it did not.
    func moveClock(_ incident: Incident, _ a: Assignment, by shift: Int64) -> Incident? {
        var moved = incident
        var any = false
        for side in [old, new] {
            guard let clock = side.model.clockField, let j = side.fieldOf.first(where: { $0.value == clock })?.key,
                  a.domains[.field(j)] == nil, case .time(let t)? = incident.values[j] else { continue }
            moved.values[j] = .time(t + shift)
            any = true
        }
        return any ? moved : nil
    }

    /// What the runtime requires differently of the incident (empty: the same).
    func confirm(_ incident: Incident) -> [ActionChange] {
        let oldOutcome = Outcome(oldEvaluator.evaluate(record(incident, old)))
        let newOutcome = Outcome(newEvaluator.evaluate(record(incident, new)))
        return PolicyDiff.compare(oldOutcome, newOutcome).changes
    }

    func witness(_ incident: Incident) -> Witness {
        var fields: [(name: String, value: String?, json: String)] = []
        var newValues: [(name: String, value: String?)] = []
        var shown = Set<String>()
        for (j, field) in joint.fields.enumerated() {
            guard let v = incident.values[j] else { continue }
            if shown.contains(field.name) {
                newValues.append((field.name, joint.describe(v)))
                continue
            }
            shown.insert(field.name)
            fields.append((field.name, given(v), json(v)))
        }
        var now: String?
        if let age = incident.age {
            var base = ExampleIncident.defaultTime
            if let clock = old.model.clockField, case .time(let t)? = incident.values[clock] { base = t }
            now = ISOTimeText.format(base + ExampleIncident.seconds(age))
        }
        return Witness(fields: fields, now: now, newValues: newValues)
    }

    /// A value as an example's `given` writes it.
    func given(_ v: Value) -> String {
        switch v {
        case .duration(let d):
            for (unit, size) in [("weeks", Int64(604_800)), ("days", 86_400), ("hours", 3_600), ("minutes", 60)] where d != 0 && d % size == 0 {
                return "\(d / size) \(unit)"
            }
            return ISODuration.format(seconds: d).debugDescription
        default: return joint.describe(v)
        }
    }

    /// A value as a JSON record holds it.
    func json(_ v: Value) -> String {
        var j = JSONBytes()
        switch v {
        case .number(let x): j.raw(Array(SExpr.number(x).utf8))
        case .bool(let b): j.raw(b ? "true" : "false")
        case .text(let s): j.string(s)
        case .duration(let d): j.string(ISODuration.format(seconds: d))
        case .list(let items): j.raw(Array(("[" + items.map(json).joined(separator: ", ") + "]").utf8))
        default: j.string(joint.describe(v))
        }
        return String(decoding: j.bytes, as: UTF8.self)
    }
}

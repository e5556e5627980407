/// Example incidents: the concrete records behind the findings that say
/// "this can happen". The solver's satisfying assignment gives each
/// constrained field a set; a value is picked from each, the compiled policy
/// runs on the record, and only what it confirms is reported.

/// An ExampleIncident is a concrete incident an analysis found: field
/// values (nil: missing), the incident's age, and which fields to show.
struct ExampleIncident {
    var values: [Int: Value?] = [:]
    var age: Double?
    var shown: Set<Int> = []

    /// Monday 2026-03-02 09:00 UTC: the clock of examples that need one.
    static let defaultTime: Int64 = 1_772_442_000

    /// A time or duration in the set that reads well: a whole hour or
    /// minute past an open bound when there is room, else any sample.
    static func roundSample(_ set: IntervalSet) -> Double? {
        guard let first = set.parts.first else { return nil }
        if first.low.isFinite {
            for step in [3600.0, 60, 1] where set.contains(first.low + step) { return first.lowClosed ? first.low : first.low + step }
        }
        return set.sample
    }

    /// Whole seconds, within ±100,000 years (no trap on huge or odd values).
    static func seconds(_ v: Double) -> Int64 {
        let limit = 3.2e12
        guard v.isFinite else { return 0 }
        return Int64(max(-limit, min(limit, v.rounded())))
    }
}

extension AnalysisContext {
    /// A concrete incident from a satisfying assignment: constrained fields
    /// take a value from their sets, `overrides` win, other required fields
    /// take a plain value, other optional fields stay missing.
    func example(_ assignment: Assignment, overrides: [Int: Value?] = [:]) -> ExampleIncident {
        var incident = ExampleIncident()
        for (v, domain) in assignment.domains {
            switch v {
            case .field(let f):
                guard model.fields.indices.contains(f), overrides[f] == nil else { continue }
                incident.values[f] = value(from: domain, type: model.fields[f].type)
                incident.shown.insert(f)
            case .age:
                if case .numeric(let set) = domain.values { incident.age = ExampleIncident.roundSample(set) }
            case .atom:
                continue
            }
        }
        for (f, v) in overrides {
            incident.values[f] = v
            incident.shown.insert(f)
        }
        for (f, field) in model.fields.enumerated() where incident.values[f] == nil && field.isRequired {
            incident.values[f] = .some(plainValue(field.type))
        }
        if let clock = model.clockField, incident.age != nil, incident.values[clock] == nil {
            incident.values[clock] = .some(plainValue(.time))
        }
        return incident
    }

    /// A value in a domain, preferring a present one.
    func value(from domain: Constraint, type: ValueType) -> Value? {
        switch (domain.values, type) {
        case (.finite(let set), .scale(let s)): return set.first.map { .level(s, $0) }
        case (.finite(let set), .enumeration(let e)): return set.first.map { .choice(e, $0) }
        case (.finite(let set), .bool): return set.first.map { .bool($0 == 1) }
        case (.finite(let set), .list): return set.first.map { _ in .list([]) }
        case (.numeric(let set), .number): return set.sample.map { .number($0) }
        case (.numeric(let set), .time): return ExampleIncident.roundSample(set).map { .time(ExampleIncident.seconds($0)) }
        case (.numeric(let set), .duration): return ExampleIncident.roundSample(set).map { .duration(ExampleIncident.seconds($0)) }
        case (.text(let domain), .text): return domain.sample.map { .text($0) }
        default: return nil
        }
    }

    /// A neutral value of a type, for fields the finding does not depend on.
    func plainValue(_ type: ValueType) -> Value {
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

    /// Runs the compiled policy on an incident.
    func outcome(_ incident: ExampleIncident) -> Outcome {
        Outcome(evaluate(incident))
    }

    /// Runs the compiled policy on an incident (the result is valid until
    /// the next run).
    @discardableResult
    func evaluate(_ incident: ExampleIncident) -> Evaluation {
        evaluator.evaluate(record(incident))
    }

    /// Whether rule `r` fires for an incident, by the compiled policy: only
    /// its condition is run (for an `otherwise` rule, the whole policy).
    func fires(_ incident: ExampleIncident, rule r: Int) -> Bool {
        guard program.rules.indices.contains(r), program.rules[r].index == r,
              let condition = program.rules[r].condition else {
            return evaluate(incident).didFire(r)
        }
        return program.code.holds(condition, record(incident))
    }

    /// An incident as the compiled policy reads it.
    func record(_ incident: ExampleIncident) -> RecordBuffer {
        let schema = program.schema
        var record = RecordBuffer(fieldCount: schema.fields.count)
        for (f, v) in incident.values {
            if let v { schema.assign(f, v, into: &record) }
        }
        _ = schema.finish(&record, requireAll: false)
        if let clock = schema.clockField, record.isPresent(clock) {
            record.now = record.scalar(clock) + (incident.age ?? 0)
        } else {
            record.now = Double(ExampleIncident.defaultTime)
        }
        return record
    }

    /// `{severity: high, category: outage}`, fields in declaration order,
    /// with missing ones named after it.
    func describe(_ incident: ExampleIncident) -> String {
        var present: [String] = []
        var missing: [String] = []
        for f in model.fields.indices where incident.shown.contains(f) {
            if case .some(.some(let v)) = incident.values[f] {
                present.append("\(model.fields[f].name): \(model.describe(v))")
            } else {
                missing.append("`\(model.fields[f].name)`")
            }
        }
        var text = "`{" + present.joined(separator: ", ") + "}`"
        if let age = incident.age { text += " \(DurationText.describe(seconds: ExampleIncident.seconds(age))) old" }
        if !missing.isEmpty { text += " with no " + missing.joined(separator: " or ") }
        return text
    }

    /// The merged result the policy gives `incident` for the result `action`
    /// goes to (the role notified, the apology, the task…), or nil for none.
    func result(_ incident: ExampleIncident, for action: ActionModel) -> RequiredAction? {
        let evaluation = evaluate(incident)
        guard let k = resultKey(action), let i = evaluation.result(forKey: k) else { return nil }
        return RequiredAction(evaluation, i, provenance: false)
    }

    /// Where `action`'s result goes in the program's result list.
    func resultKey(_ action: ActionModel) -> Int? {
        program.keys.firstIndex { key in
            guard key.kind == action.kind else { return false }
            switch action {
            case .notify(let role, _), .escalate(let role, _): return key.role == role
            case .task(let text, _): return key.label.utf8.elementsEqual(text.utf8)
            default: return true
            }
        }
    }
}

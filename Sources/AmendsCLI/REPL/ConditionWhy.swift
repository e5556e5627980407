import Amends

/// ConditionWhy says why a condition came out as it did, for the REPL: the
/// values of the fields it looks at (through the defines it names), each
/// marked when it is a default or missing.
///
///     tier is basic (default)
///     amount is missing
///     valued = tier >= premium or amount > 5000
///
/// The first line is the explainer's reason (which part of the condition
/// decided it: "severity is medium; the rule needs >= high"); the values of
/// the fields it names follow.
enum ConditionWhy {
    /// The lines that explain `condition` for `record`.
    static func lines(_ condition: Condition, _ record: RecordBuffer, model: PolicyModel, given: Set<Int>) -> [String] {
        var uses = Uses()
        uses.collect(condition, model)
        let reason = ReferenceInterpreter(model: model).reason(condition, in: record)
        var lines: [String] = [reason.text]
        for d in uses.defines where model.defines.indices.contains(d) {
            let c = model.defines[d].condition
            let text = InputShape.oneLine(c.ref.source.text(c.ref.span)).trimmingWhitespace
            lines.append("\(model.defines[d].name) means \(text)")
        }
        // Field values the reason does not already state.
        for f in uses.fields where model.fields.indices.contains(f) {
            let line = "\(model.fields[f].name) is " + describe(field: f, record, model: model, given: given)
            let plain = line.hasSuffix(" (default)") ? String(line.dropLast(10)) : line
            if reason.text.contains(plain) && plain == line { continue }
            lines.append(line)
        }
        if uses.age, !reason.text.contains("age is") {
            if let clock = model.clockField, model.fields.indices.contains(clock), record.isPresent(clock) {
                let age = Int64(saturating: record.now) &- Int64(saturating: record.scalar(clock))
                lines.append("age is \(model.describe(.duration(age))) (from \(model.fields[clock].name) to now)")
            } else {
                lines.append("age is unknown: the incident has no clock field")
            }
        }
        if lines.isEmpty { lines.append("the condition looks at no field") }
        return lines
    }

    /// A field's value as the policy writes it, `missing`, or with `(default)`.
    static func describe(field f: Int, _ record: RecordBuffer, model: PolicyModel, given: Set<Int>) -> String {
        guard let value = value(of: f, record, model: model) else { return "missing" }
        let shown = model.describe(value)
        return given.contains(f) ? shown : shown + " (default)"
    }

    /// The typed value of a field in a record, nil when missing.
    static func value(of f: Int, _ record: RecordBuffer, model: PolicyModel) -> Value? {
        guard model.fields.indices.contains(f), record.isPresent(f) else { return nil }
        let scalar = record.scalar(f)
        func item(_ type: ValueType, _ x: Double) -> Value {
            switch type {
            case .text, .list: return .number(x)
            case .number: return .number(x)
            case .bool: return .bool(x != 0)
            case .time: return .time(Int64(saturating: x))
            case .duration: return .duration(Int64(saturating: x))
            case .scale(let s): return .level(s, Int(saturating: x))
            case .enumeration(let e): return .choice(e, Int(saturating: x))
            }
        }
        switch model.fields[f].type {
        case .text: return .text(record.textString(f))
        case .list(let element):
            if case .text = element {
                return .list(record.listTexts(f).map { .text(String(decoding: record.textBytes[$0], as: UTF8.self)) })
            }
            return .list(record.listScalars(f).map { item(element, $0) })
        case let type: return item(type, scalar)
        }
    }

    /// The fields, defines and `age` a condition looks at, in order of first use.
    struct Uses {
        var fields: [Int] = []
        var defines: [Int] = []
        var age = false

        mutating func collect(_ c: Condition, _ model: PolicyModel) {
            switch c.kind {
            case .constant: break
            case .flag(let f): field(f)
            case .compare(_, let a, let b): operand(a); operand(b)
            case .member(let a, _, _): operand(a)
            case .memberOfField(let a, let list, _): operand(a); field(list)
            case .listContains(let list, _): field(list)
            case .text(_, let f, _): field(f)
            case .presence(let f, _): field(f)
            case .clock(_, let f, _): field(f)
            case .define(let d):
                guard !defines.contains(d) else { return }
                defines.append(d)
                if model.defines.indices.contains(d) { collect(model.defines[d].condition, model) }
            case .not(let a): collect(a, model)
            case .and(let a, let b), .or(let a, let b): collect(a, model); collect(b, model)
            }
        }

        mutating func operand(_ o: Operand) {
            switch o {
            case .field(let f): field(f)
            case .age: age = true
            case .value, .history: break
            }
        }

        mutating func field(_ f: Int) {
            if !fields.contains(f) { fields.append(f) }
        }
    }
}

extension Int64 {
    /// The nearest Int64 to a Double (0 for NaN): no trap on any input.
    init(saturating x: Double) {
        if x.isNaN { self = 0 } else if x >= 9.2e18 { self = .max } else if x <= -9.2e18 { self = .min } else { self = Int64(x) }
    }
}

extension Int {
    init(saturating x: Double) { self = Int(Int64(saturating: x)) }
}

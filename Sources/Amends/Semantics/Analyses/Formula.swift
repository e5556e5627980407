/// Conditions as the analyses see them: formulas over variables (the
/// record's fields, `age`, and opaque facts), in negation normal form.
///
/// A checked `Condition` is lowered into a `Formula` once: defines are
/// inlined, `not` is pushed down to the leaves, and each leaf becomes a
/// `Literal`, "this variable's value is in this set". Leaves the analyses do
/// not model (one field compared with another, list membership) become
/// opaque yes/no variables, each treated as independent: that can only make
/// the analyses find fewer problems, never wrong ones.

// MARK: - Variables and literals

/// A Variable is one thing a record decides: a field, `age`, or an opaque
/// fact (an interned leaf the analyses do not look inside).
enum Variable: Sendable, Hashable {
    case field(Int)
    case age
    case atom(Int)
}

/// A Literal says that a variable's value is in a set. Its `ref` is where the
/// condition text is, for explanations; it takes no part in equality.
struct Literal: Sendable, Hashable {
    var variable: Variable
    var constraint: Constraint
    var ref: SourceRef?

    static func == (a: Literal, b: Literal) -> Bool { a.variable == b.variable && a.constraint == b.constraint }
    func hash(into h: inout Hasher) {
        h.combine(variable)
        h.combine(constraint)
    }

    var negated: Literal { Literal(variable: variable, constraint: constraint.complement(), ref: ref) }
}

// MARK: - Formulas

/// A Formula in negation normal form. Build compound ones with `all` and
/// `any`, which flatten and fold constants.
indirect enum Formula: Sendable, Hashable {
    case constant(Bool)
    case literal(Literal)
    case and([Formula])
    case or([Formula])

    static let yes = Formula.constant(true)
    static let no = Formula.constant(false)

    /// The conjunction, flattened, constants folded.
    static func all(_ parts: [Formula]) -> Formula {
        var out: [Formula] = []
        out.reserveCapacity(parts.count)
        for p in parts {
            switch p {
            case .constant(true): continue
            case .constant(false): return .no
            case .and(let inner): out += inner
            default: out.append(p)
            }
        }
        if out.isEmpty { return .yes }
        if out.count == 1, let only = out.first { return only }
        return .and(out)
    }

    /// The disjunction, flattened, constants folded.
    static func any(_ parts: [Formula]) -> Formula {
        var out: [Formula] = []
        out.reserveCapacity(parts.count)
        for p in parts {
            switch p {
            case .constant(false): continue
            case .constant(true): return .yes
            case .or(let inner): out += inner
            default: out.append(p)
            }
        }
        if out.isEmpty { return .no }
        if out.count == 1, let only = out.first { return only }
        return .or(out)
    }

    /// The formula that holds exactly when this one does not.
    var negated: Formula {
        switch self {
        case .constant(let b): return .constant(!b)
        case .literal(let l): return .literal(l.negated)
        case .and(let parts): return .any(parts.map(\.negated))
        case .or(let parts): return .all(parts.map(\.negated))
        }
    }

    /// Every variable the formula mentions.
    var variables: Set<Variable> {
        var out = Set<Variable>()
        collectVariables(into: &out)
        return out
    }

    func collectVariables(into out: inout Set<Variable>) {
        switch self {
        case .constant: break
        case .literal(let l): out.insert(l.variable)
        case .and(let parts), .or(let parts): for p in parts { p.collectVariables(into: &out) }
        }
    }

    func mentions(_ v: Variable) -> Bool {
        switch self {
        case .constant: return false
        case .literal(let l): return l.variable == v
        case .and(let parts), .or(let parts): return parts.contains { $0.mentions(v) }
        }
    }

    /// The formula once a finite variable is known to hold value `index`
    /// (nil: to be missing).
    func substituting(_ v: Variable, index: Int?) -> Formula {
        switch self {
        case .constant: return self
        case .literal(let l):
            guard l.variable == v else { return self }
            guard let index else { return .constant(l.constraint.missing) }
            if case .finite(let set) = l.constraint.values { return .constant(set.contains(index)) }
            return self
        case .and(let parts): return .all(parts.map { $0.substituting(v, index: index) })
        case .or(let parts): return .any(parts.map { $0.substituting(v, index: index) })
        }
    }

    /// Whether the formula, true with finite variable `v` at `lower`, is
    /// surely true with it at `higher` (all else equal): every literal on `v`
    /// that holds at `lower` holds at `higher` too. (In negation normal form
    /// a formula only grows with its literals.)
    func grows(_ v: Variable, from lower: Int, to higher: Int) -> Bool {
        switch self {
        case .constant: return true
        case .literal(let l):
            guard l.variable == v, case .finite(let set) = l.constraint.values else { return true }
            return !set.contains(lower) || set.contains(higher)
        case .and(let parts), .or(let parts): return parts.allSatisfy { $0.grows(v, from: lower, to: higher) }
        }
    }

    /// The same formula with every literal's `ref` set to `ref`.
    func withRefs(_ ref: SourceRef) -> Formula {
        switch self {
        case .constant: return self
        case .literal(var l):
            l.ref = ref
            return .literal(l)
        case .and(let parts): return .and(parts.map { $0.withRefs(ref) })
        case .or(let parts): return .or(parts.map { $0.withRefs(ref) })
        }
    }

    /// Number of nodes, for budgets.
    var size: Int {
        switch self {
        case .constant, .literal: return 1
        case .and(let parts), .or(let parts): return parts.reduce(1) { $0 + $1.size }
        }
    }
}

// MARK: - Lowering conditions

/// A Lowering turns a model's checked conditions into formulas, inlining
/// defines (each lowered once) and interning opaque leaves.
struct Lowering {
    let model: PolicyModel
    private var atoms: [AtomKey: Int] = [:]
    private var defineFormulas: [Int: Formula] = [:]

    /// A leaf the analyses do not look inside.
    enum AtomKey: Hashable {
        case compare(CompareOp, Operand, Operand)
        case memberOfField(Operand, Int, Bool)
        case listContains(Int, Value)
        case clock(ClockTest, Int, Int?)
    }

    init(model: PolicyModel) {
        self.model = model
    }

    /// The leaf behind an opaque variable (for the runbook's decision table).
    func atomKey(_ id: Int) -> AtomKey? {
        atoms.first { $0.value == id }?.key
    }

    /// Every value a variable can have in a record that reaches evaluation:
    /// a required field or one with a default is never missing.
    func universe(_ v: Variable) -> Constraint {
        switch v {
        case .field(let f):
            guard model.fields.indices.contains(f) else { return Constraint(values: .finite(FiniteSet(count: 1, all: true)), missing: true) }
            let field = model.fields[f]
            return Constraint(values: allValues(field.type), missing: field.optional && field.defaultValue == nil)
        case .age:
            var missing = false
            if let clock = model.clockField, model.fields.indices.contains(clock) {
                missing = model.fields[clock].optional && model.fields[clock].defaultValue == nil
            }
            return Constraint(values: .numeric(.all), missing: missing)
        case .atom:
            return Constraint(values: .finite(FiniteSet(count: 2, all: true)), missing: false)
        }
    }

    func allValues(_ type: ValueType) -> Constraint.Values {
        switch type {
        case .scale(let s): return .finite(FiniteSet(count: model.scales.indices.contains(s) ? model.scales[s].levels.count : 0, all: true))
        case .enumeration(let e):
            return .finite(FiniteSet(count: model.enumerations.indices.contains(e) ? model.enumerations[e].values.count : 0, all: true))
        case .bool: return .finite(FiniteSet(count: 2, all: true))
        case .number, .time, .duration: return .numeric(.all)
        case .text: return .text(.all)
        case .list: return .finite(FiniteSet(count: 1, all: true))
        }
    }

    /// The number of values of a finite field (levels, `one of` values, 2 for yes/no).
    func finiteCount(_ f: Int) -> Int? {
        guard model.fields.indices.contains(f), case .finite(let set) = allValues(model.fields[f].type) else { return nil }
        return set.count
    }

    mutating func formula(_ c: Condition) -> Formula {
        switch c.kind {
        case .constant(let b):
            return .constant(b)
        case .flag(let f):
            return literal(.field(f), .finite(FiniteSet(count: 2, members: [1])), c.ref)
        case .define(let d):
            if let cached = defineFormulas[d] { return cached }
            var f = Formula.no
            if model.defines.indices.contains(d) { f = formula(model.defines[d].condition) }
            defineFormulas[d] = f
            return f
        case .not(let inner):
            // Explanations quote the `not` as written, not the tests inside it.
            return formula(inner).negated.withRefs(c.ref)
        case .and(let a, let b):
            return .all([formula(a), formula(b)])
        case .or(let a, let b):
            return .any([formula(a), formula(b)])
        case .presence(let f, let missing):
            guard model.fields.indices.contains(f) else { return .yes }
            var values = allValues(model.fields[f].type)
            if missing { values = Constraint(values: values, missing: false).complement().values }
            return .literal(Literal(variable: .field(f), constraint: Constraint(values: values, missing: missing), ref: c.ref))
        case .compare(let op, let a, let b):
            return comparison(op, a, b, c)
        case .member(let a, let values, let negated):
            return membership(a, values, negated: negated, c)
        case .memberOfField(let a, let list, let negated):
            return atom(.memberOfField(a, list, negated), c.ref)
        case .listContains(let list, let value):
            return atom(.listContains(list, value), c.ref)
        case .clock(let test, let f, let calendar):
            return atom(.clock(test, f, calendar), c.ref)
        case .text(let test, let f, let needle):
            let domain = TextDomain(set: .all, patterns: [TextPattern(test: test, needle: needle, positive: true)])
            return literal(.field(f), .text(domain), c.ref)
        }
    }

    private func literal(_ v: Variable, _ values: Constraint.Values, _ ref: SourceRef) -> Formula {
        .literal(Literal(variable: v, constraint: Constraint(values: values, missing: false), ref: ref))
    }

    private mutating func atom(_ key: AtomKey, _ ref: SourceRef) -> Formula {
        let id: Int
        if let known = atoms[key] {
            id = known
        } else {
            id = atoms.count
            atoms[key] = id
        }
        return literal(.atom(id), .finite(FiniteSet(count: 2, members: [1])), ref)
    }

    private func variable(_ operand: Operand) -> Variable? {
        switch operand {
        case .field(let f): return .field(f)
        case .age: return .age
        case .value, .history: return nil
        }
    }

    private func type(of v: Variable) -> ValueType? {
        switch v {
        case .field(let f): return model.fields.indices.contains(f) ? model.fields[f].type : nil
        case .age: return .duration
        case .atom: return .bool
        }
    }

    private mutating func comparison(_ op: CompareOp, _ a: Operand, _ b: Operand, _ c: Condition) -> Formula {
        guard let v = variable(a), case .value(let value) = b, let type = type(of: v) else {
            return atom(.compare(op, a, b), c.ref)
        }
        switch allValues(type) {
        case .finite(let all):
            guard let k = value.scalar.flatMap({ Int(exactly: $0) }) else { return atom(.compare(op, a, b), c.ref) }
            let members = (0..<all.count).filter { ConditionCompiler.apply(op, Double($0), Double(k)) }
            return literal(v, .finite(FiniteSet(count: all.count, members: members)), c.ref)
        case .numeric:
            guard let x = value.scalar else { return atom(.compare(op, a, b), c.ref) }
            return literal(v, .numeric(IntervalSet.comparison(op, x)), c.ref)
        case .text:
            guard case .text(let s) = value else { return atom(.compare(op, a, b), c.ref) }
            switch op {
            case .equal: return literal(v, .text(TextDomain(set: TextSet(cofinite: false, items: [s]), patterns: [])), c.ref)
            case .notEqual: return literal(v, .text(TextDomain(set: TextSet(cofinite: true, items: [s]), patterns: [])), c.ref)
            default: return .no // the runtime: text has no order
            }
        }
    }

    private mutating func membership(_ a: Operand, _ values: [Value], negated: Bool, _ c: Condition) -> Formula {
        guard let v = variable(a), let type = type(of: v) else { return atom(.compare(.equal, a, .value(.list(values))), c.ref) }
        var set: Constraint.Values
        switch allValues(type) {
        case .finite(let all):
            set = .finite(FiniteSet(count: all.count, members: values.compactMap { $0.scalar.flatMap { Int(exactly: $0) } }))
        case .numeric:
            set = .numeric(IntervalSet(values.compactMap(\.scalar).map(Interval.point)))
        case .text:
            let texts = values.compactMap { v -> String? in
                if case .text(let s) = v { return s }
                return nil
            }
            set = .text(TextDomain(set: TextSet(cofinite: false, items: Set(texts)), patterns: []))
        }
        if negated {
            // `not in` is false for a missing value too: complement the values only.
            set = Constraint(values: set, missing: true).complement().values
        }
        return literal(v, set, c.ref)
    }
}

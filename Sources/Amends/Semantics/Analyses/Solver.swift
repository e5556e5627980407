/// The Solver decides whether a formula can hold: some record makes it true
/// (`sat`, with the sets each variable may still take), none does (`unsat`),
/// or it ran out of budget (`unknown`).
///
/// It is a small DPLL-style search over negation normal form: literals
/// narrow each variable's set (interval reasoning for numbers, times and
/// durations; finite sets for scales, `one of` values and yes/no; sets and
/// patterns for texts); each `or` is a clause whose branches are dropped when
/// they contradict what is known, and which is satisfied outright when one
/// branch already follows from it; a clause with one branch left is asserted;
/// only then does the search branch, on the clause with fewest branches.
/// Every step counts against a budget, so no policy can make the analyses
/// slow: when the budget runs out the answer is `unknown`, and analyses treat
/// `unknown` as "no finding".

// MARK: - Results

/// What the solver knows at a satisfying leaf: each constrained variable's
/// set. Variables not in it may take any value.
struct Assignment: Sendable {
    var domains: [Variable: Constraint]
}

/// Why a formula cannot hold, when the reason is one variable's literals
/// (found without branching).
struct Conflict: Sendable {
    var variable: Variable
    var refs: [SourceRef]
}

enum SatResult: Sendable {
    case sat(Assignment)
    case unsat(Conflict?)
    case unknown

    var isSat: Bool {
        if case .sat = self { return true }
        return false
    }

    var isUnsat: Bool {
        if case .unsat = self { return true }
        return false
    }
}

// MARK: - The search

struct Solver {
    let lowering: Lowering
    /// Steps left for the current query.
    private var budget = 0
    /// Steps the last query took.
    private(set) var stepsUsed = 0
    /// Whether to keep, for each variable, the literals that narrowed it
    /// (for explaining a contradiction; costs time, so off unless asked).
    private var explaining = false
    /// The default number of steps one query may take.
    static let defaultBudget = 4_000

    /// Each field's and `age`'s full set, made once (they are asked for often).
    private let fieldUniverses: [Constraint]
    private let ageUniverse: Constraint
    private let atomUniverse: Constraint

    init(lowering: Lowering) {
        self.lowering = lowering
        fieldUniverses = lowering.model.fields.indices.map { lowering.universe(.field($0)) }
        ageUniverse = lowering.universe(.age)
        atomUniverse = lowering.universe(.atom(0))
    }

    private struct State {
        /// Narrowed sets by variable slot (see `slot`); nil: the full set.
        var domains: [Constraint?] = []
        var refs: [Variable: [SourceRef]] = [:]
        var clauses: [[Formula]] = []
        var conflict: Conflict?
    }

    private struct OutOfBudget: Error {}

    /// Whether `formula` can hold for some record.
    mutating func solve(_ formula: Formula, budget: Int = Solver.defaultBudget, explain: Bool = false) -> SatResult {
        self.budget = budget
        self.explaining = explain
        defer { stepsUsed = budget - max(0, self.budget) }
        do {
            var state = State()
            guard try assert(formula, &state) else { return .unsat(state.conflict) }
            state.conflict = nil
            guard try propagate(&state) else { return .unsat(state.conflict) }
            if let assignment = try search(state) { return .sat(assignment) }
            return .unsat(nil)
        } catch {
            return .unknown
        }
    }

    /// Whether `formula` holds for every record (its negation cannot hold).
    mutating func isValid(_ formula: Formula, budget: Int = Solver.defaultBudget) -> Bool {
        solve(formula.negated, budget: budget).isUnsat
    }

    private mutating func spend(_ n: Int = 1) throws {
        budget -= n
        if budget < 0 { throw OutOfBudget() }
    }

    /// A variable's place in `State.domains`: fields first, then `age`, then atoms.
    private func slot(_ v: Variable) -> Int {
        switch v {
        case .field(let f): return f
        case .age: return fieldUniverses.count
        case .atom(let a): return fieldUniverses.count + 1 + a
        }
    }

    private func assignment(_ state: State) -> Assignment {
        var domains: [Variable: Constraint] = [:]
        for (k, d) in state.domains.enumerated() {
            guard let d else { continue }
            let v: Variable = k < fieldUniverses.count ? .field(k) : k == fieldUniverses.count ? .age : .atom(k - fieldUniverses.count - 1)
            domains[v] = d
        }
        return Assignment(domains: domains)
    }

    private func domain(_ v: Variable, _ state: State) -> Constraint {
        let k = slot(v)
        if k < state.domains.count, let known = state.domains[k] { return known }
        switch v {
        case .field(let f): return fieldUniverses.indices.contains(f) ? fieldUniverses[f] : lowering.universe(v)
        case .age: return ageUniverse
        case .atom: return atomUniverse
        }
    }

    /// Adds a formula to what is known; false on a contradiction.
    private mutating func assert(_ f: Formula, _ state: inout State) throws -> Bool {
        try spend()
        switch f {
        case .constant(let b):
            return b
        case .literal(let l):
            let narrowed = domain(l.variable, state).intersection(l.constraint)
            if explaining, let ref = l.ref { state.refs[l.variable, default: []].append(ref) }
            let k = slot(l.variable)
            if k >= state.domains.count { state.domains += Array(repeating: nil, count: k + 1 - state.domains.count) }
            state.domains[k] = narrowed
            if narrowed.isEmpty {
                state.conflict = Conflict(variable: l.variable, refs: state.refs[l.variable] ?? [])
                return false
            }
            return true
        case .and(let parts):
            for p in parts where try !assert(p, &state) { return false }
            return true
        case .or(let parts):
            state.clauses.append(parts)
            return true
        }
    }

    /// What a branch of a clause is, given what is known.
    private enum Status { case contradicted, entailed, open }

    private mutating func status(_ f: Formula, _ state: State) throws -> Status {
        try spend()
        switch f {
        case .constant(let b):
            return b ? .entailed : .contradicted
        case .literal(let l):
            let d = domain(l.variable, state)
            if d.intersection(l.constraint).isEmpty { return .contradicted }
            if d.isSubset(of: l.constraint) { return .entailed }
            return .open
        case .and(let parts):
            var allEntailed = true
            for p in parts {
                switch try status(p, state) {
                case .contradicted: return .contradicted
                case .entailed: continue
                case .open: allEntailed = false
                }
            }
            return allEntailed ? .entailed : .open
        case .or(let parts):
            var allContradicted = true
            for p in parts {
                switch try status(p, state) {
                case .entailed: return .entailed
                case .contradicted: continue
                case .open: allContradicted = false
                }
            }
            return allContradicted ? .contradicted : .open
        }
    }

    /// Simplifies the clauses until nothing changes; false on a contradiction.
    private mutating func propagate(_ state: inout State) throws -> Bool {
        var changed = true
        while changed {
            changed = false
            var kept: [[Formula]] = []
            var units: [Formula] = []
            for clause in state.clauses {
                var open: [Formula] = []
                var satisfied = false
                for branch in clause {
                    switch try status(branch, state) {
                    case .entailed: satisfied = true
                    case .contradicted: continue
                    case .open: open.append(branch)
                    }
                    if satisfied { break }
                }
                if satisfied { continue }
                if open.isEmpty { return false }
                if open.count == 1, let only = open.first {
                    units.append(only)
                } else {
                    kept.append(open)
                }
            }
            state.clauses = kept
            for unit in units {
                changed = true
                guard try assert(unit, &state) else { return false }
            }
        }
        return true
    }

    private mutating func search(_ start: State) throws -> Assignment? {
        var state = start
        guard try propagate(&state) else { return nil }
        guard !state.clauses.isEmpty else { return assignment(state) }
        // Branch on the clause with fewest branches.
        var pick = 0
        for k in state.clauses.indices where state.clauses[k].count < state.clauses[pick].count { pick = k }
        let clause = state.clauses.remove(at: pick)
        for branch in clause {
            var next = state
            next.conflict = nil
            guard try assert(branch, &next) else { continue }
            if let found = try search(next) { return found }
        }
        return nil
    }
}

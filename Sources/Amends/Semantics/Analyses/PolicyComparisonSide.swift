/// One policy of a comparison without records (PolicyComparison.swift):
/// when each rule fires, over the variables the two policies share, and the
/// conditions §7's merge gives each result's deadline, channel and assignee.

// MARK: - One side's formulas

extension PolicyComparison.Side {
    /// Lowers the rules' conditions and maps their variables to the shared
    /// ones. A leaf the analyses do not look inside (`a = b` of two fields,
    /// list membership) is one variable for both policies when it tests the
    /// same shared fields the same way.
    mutating func setUp(fieldMap: (Int) -> Int, atoms: inout [Lowering.AtomKey: Int]) {
        var lowering = Lowering(model: model)
        let conditions = model.rules.map { rule in rule.condition.map { lowering.formula($0) } }
        func operand(_ o: Operand) -> Operand {
            switch o {
            case .field(let i): return .field(fieldMap(i))
            case .value(let v): return .value(PolicyComparison.Side.plain(v))
            default: return o
            }
        }
        var shared: [Int: Int] = [:]
        func atom(_ a: Int) -> Int {
            if let known = shared[a] { return known }
            var key: Lowering.AtomKey?
            switch lowering.atomKey(a) {
            case .compare(let op, let x, let y)?: key = .compare(op, operand(x), operand(y))
            case .memberOfField(let x, let list, let negated)?: key = .memberOfField(operand(x), fieldMap(list), negated)
            case .listContains(let list, let v)?: key = .listContains(fieldMap(list), PolicyComparison.Side.plain(v))
            // The calendar by its index: two policies whose calendars differ
            // in order share a clock test wrongly (noted in docs/diff.md).
            case .clock(let test, let field, let calendar)?: key = .clock(test, fieldMap(field), calendar)
            case nil: key = nil
            }
            // INVARIANT: every atom of a lowering has a key; a made-up one keeps it apart if not.
            let id: Int
            if let known = atoms[key ?? .listContains(-1 - atoms.count, .number(0))] {
                id = known
            } else {
                id = atoms.count
                atoms[key ?? .listContains(-1 - atoms.count, .number(0))] = id
            }
            shared[a] = id
            return id
        }
        func remap(_ f: Formula) -> Formula {
            switch f {
            case .constant: return f
            case .literal(var l):
                switch l.variable {
                case .field(let i): l.variable = .field(fieldMap(i))
                case .atom(let a):
                    usesAtoms = true
                    l.variable = .atom(atom(a))
                case .age: break
                }
                return .literal(l)
            case .and(let parts): return .and(parts.map(remap))
            case .or(let parts): return .or(parts.map(remap))
            }
        }
        let mapped = conditions.map { $0.map(remap) }
        let otherwise = Formula.all(mapped.compactMap { $0?.negated })
        fires = mapped.map { $0 ?? otherwise }
        notFires = fires.map(\.negated)
        for (r, rule) in model.rules.enumerated() {
            for action in rule.actions {
                if case .waive(let kind) = action {
                    if waivers[kind]?.last != r { waivers[kind, default: []].append(r) }
                    continue
                }
                if kindRules[action.kind]?.last != r { kindRules[action.kind, default: []].append(r) }
                contributions[key(action), default: []].append((r, action))
            }
        }
    }

    /// A value with its scale or `one of` left out: the two policies number them apart.
    static func plain(_ v: Value) -> Value {
        switch v {
        case .level(_, let i): return .level(-1, i)
        case .choice(_, let i): return .choice(-1, i)
        case .list(let items): return .list(items.map(plain))
        default: return v
        }
    }

    func key(_ a: ActionModel) -> PolicyComparison.Key {
        switch a {
        case .notify(let role, _), .escalate(let role, _): return .init(kind: a.kind, label: model.roles[role])
        case .task(let text, _): return .init(kind: a.kind, label: text)
        default: return .init(kind: a.kind, label: "")
        }
    }

    /// `role` is assigned: the first rule in file order with an assign that fires assigns it.
    func assigns(_ key: PolicyComparison.Key, _ role: String) -> Formula {
        var parts: [Formula] = []
        var earlier: [Formula] = []
        for (r, a) in contributions[key] ?? [] {
            if case .assign(let x) = a, model.roles[x] == role { parts.append(.all([fires[r]] + earlier)) }
            earlier.append(notFires[r])
        }
        return .any(parts)
    }

    /// Some of the rules fires, and none does.
    func some(_ rules: [Int]) -> (yes: Formula, no: Formula) {
        (.any(rules.map { fires[$0] }), .all(rules.map { notFires[$0] }))
    }

    /// Some contribution with exactly this duration fires (and when not).
    func has(_ key: PolicyComparison.Key, _ t: DeadlineRank) -> (yes: Formula, no: Formula) {
        some((contributions[key] ?? []).filter { $0.action.duration.map(DeadlineRank.init) == t }.map(\.rule))
    }

    /// Some contribution with a deadline no later than `t` fires, one family of units (and when not).
    func atMost(_ key: PolicyComparison.Key, _ t: DeadlineRank) -> (yes: Formula, no: Formula) {
        some((contributions[key] ?? []).filter { c in c.action.duration.map { DeadlineRank($0) <= t } ?? false }.map(\.rule))
    }

    /// The merged deadline is exactly `t` (nil: no deadline), one family of units.
    func winning(_ key: PolicyComparison.Key, _ t: DeadlineRank?) -> Formula {
        let list = contributions[key] ?? []
        let earlier = list.filter { c in
            guard let x = c.action.duration.map(DeadlineRank.init) else { return false }
            guard let t else { return true }
            return x < t
        }
        let at = list.filter { $0.action.duration.map(DeadlineRank.init) == t }
        return .all([.any(at.map { fires[$0.rule] })] + earlier.map { notFires[$0.rule] })
    }

    /// The merged channel is `channel` ("": none), as §7 picks it: the first
    /// action in file order at the winning deadline that names one, else the
    /// first contributing action that names one.
    ///
    /// Returns the condition and its negation, each built from the rules'
    /// conditions and their negations made once (negating the whole would
    /// negate each rule's condition once per place it appears).
    func channel(_ key: PolicyComparison.Key, _ channel: String) -> (yes: Formula, no: Formula) {
        let list = contributions[key] ?? []
        func token(_ a: ActionModel) -> DeadlineRank? { a.duration.map(DeadlineRank.init) }
        // No fired deadline earlier than t (nil: none at all), and its negation, made once per t.
        var memo: [DeadlineRank?: (yes: Formula, no: Formula)] = [:]
        func wins(_ t: DeadlineRank?) -> (yes: Formula, no: Formula) {
            if let known = memo[t] { return known }
            let earlier = list.filter { c in
                guard let x = token(c.action) else { return false }
                guard let t else { return true }
                return x < t
            }
            let made = (yes: Formula.all(earlier.map { notFires[$0.rule] }), no: Formula.any(earlier.map { fires[$0.rule] }))
            memo[t] = made
            return made
        }
        let named = list.indices.filter { list[$0].action.channel != nil }
        if channel.isEmpty {
            return (.all(named.map { notFires[list[$0].rule] }), .any(named.map { fires[list[$0].rule] }))
        }
        var atWinner: [Formula] = []
        var firstNamed: (yes: [Formula], no: [Formula]) = ([], [])
        for i in named {
            let c = list[i]
            let t = token(c.action)
            let sameEarlier = named.filter { $0 < i && token(list[$0].action) == t }.map { list[$0].rule }
            let w = wins(t)
            let here = (yes: Formula.all([fires[c.rule], w.yes]), no: Formula.any([notFires[c.rule], w.no]))
            atWinner.append(here.yes)
            if c.action.channel.map({ model.channels[$0] }) == channel {
                firstNamed.yes.append(.all([here.yes] + sameEarlier.map { notFires[$0] }))
                firstNamed.no.append(.any([here.no] + sameEarlier.map { fires[$0] }))
            }
        }
        let someAtWinner = Formula.any(atWinner)
        let noneAtWinner = Formula.all(named.map { i in
            Formula.any([notFires[list[i].rule], wins(token(list[i].action)).no])
        })
        var fallback: (yes: [Formula], no: [Formula]) = ([], [])
        for i in named where list[i].action.channel.map({ model.channels[$0] }) == channel {
            let earlier = named.filter { $0 < i }.map { list[$0].rule }
            fallback.yes.append(.all([fires[list[i].rule]] + earlier.map { notFires[$0] }))
            fallback.no.append(.any([notFires[list[i].rule]] + earlier.map { fires[$0] }))
        }
        let yes = Formula.any([.any(firstNamed.yes), .all([noneAtWinner, .any(fallback.yes)])])
        let no = Formula.all([.all(firstNamed.no), .any([someAtWinner, .all(fallback.no)])])
        return (yes, no)
    }
}

/// A deadline's place in order within one family of units: seconds for
/// calendar time, the amount for business hours or business days.
struct DeadlineRank: Hashable, Comparable {
    var family: String
    var amount: Int64

    init(_ d: DurationSpec) {
        family = d.unit.isBusiness ? d.unit.rawValue : "calendar"
        amount = d.seconds ?? d.amount
    }

    static func < (a: DeadlineRank, b: DeadlineRank) -> Bool { a.family != b.family ? a.family < b.family : a.amount < b.amount }
}

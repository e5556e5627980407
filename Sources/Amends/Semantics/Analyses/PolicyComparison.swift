/// `amends diff OLD NEW` without records: the ways two policies treat some
/// incident differently, found from the policies alone, each with a
/// witness incident (docs/diff.md, "Without records").
///
/// Both policies' rule conditions are lowered to formulas (Formula.swift)
/// over one set of variables: fields of the same name and the same
/// declaration are one variable; others are kept apart. For each result
/// (notify ROLE, escalate ROLE, assign, respond, apology, offer, follow up,
/// review, task TEXT) and each waived kind, the conditions under which each
/// policy requires it, with a given deadline, component, remedy, channel or
/// assignee, are built from the merge of Grammar.md §7, and the solver
/// (Solver.swift) is asked for an incident where the two differ. Each
/// incident it finds is run through both compiled policies, and only the
/// differences the runtime shows are reported (`PolicyDiff.compare`, as for
/// records). When every question is answered "no such incident" and the
/// comparison approximated nothing (see `approximations`), no incident is
/// treated differently.
///
/// Every question has a step budget, and the whole comparison a total
/// (`PolicyComparison.defaultBudget`), so the time it takes is bounded.

// MARK: - The comparison

package struct PolicyComparison {
    /// Solver steps for the whole comparison: measured at under a second on
    /// 2 cores with the release build (docs/diff.md).
    package static let defaultBudget = 2_000_000

    /// One policy, its rules' firing conditions over the shared variables.
    struct Side {
        let program: Program
        var model: PolicyModel { program.model }
        /// When each rule fires, and when it does not (made once: big conditions are negated often).
        var fires: [Formula] = []
        var notFires: [Formula] = []
        /// Per joint field: this policy's field index (nil: not declared here).
        var fieldOf: [Int: Int] = [:]
        /// Non-waive actions by result, in file order.
        var contributions: [Key: [(rule: Int, action: ActionModel)]] = [:]
        var waivers: [ActionKindName: [Int]] = [:]
        /// Rules with a non-waive action of each kind.
        var kindRules: [ActionKindName: [Int]] = [:]
        var usesAtoms = false
    }

    /// A result of §7's merge: a kind, and the role or task text.
    struct Key: Hashable, Comparable {
        var kind: ActionKindName
        var label: String

        static func < (a: Key, b: Key) -> Bool { a.kind != b.kind ? a.kind < b.kind : a.label < b.label }
    }

    var old: Side
    var new: Side
    let joint: PolicyModel
    var solver: Solver
    var budget: Int
    /// The budget the comparison started with.
    let bound: Int
    var questions = 0
    /// Questions not asked: the bound had run out.
    var skipped = 0
    var stepsUsed = 0
    /// Why an answer "no such incident" to every question would not prove the policies the same.
    var approximations: [String] = []
    var undecided: [String] = []
    var notes: [String] = []
    var found: [PolicyDifference] = []
    var seen = Set<String>()
    var unconfirmed = 0
    let oldEvaluator: Evaluator
    let newEvaluator: Evaluator
    /// Atoms that test whether a list field holds an item: the field and the item.
    let listItems: [Int: (field: Int, item: Value)]

    package init(old: Program, new: Program, budget: Int = PolicyComparison.defaultBudget) {
        self.budget = budget
        bound = budget
        oldEvaluator = Evaluator(program: old)
        newEvaluator = Evaluator(program: new)
        var joint = old.model
        var oldSide = Side(program: old)
        var newSide = Side(program: new)
        var notes: [String] = []
        var approximations: [String] = []
        for f in old.model.fields.indices { oldSide.fieldOf[f] = f }
        // New fields: the old field of the same name and declaration, else a variable of their own.
        var newToJoint: [Int: Int] = [:]
        for (f, field) in new.model.fields.enumerated() {
            if let o = old.model.fieldIndex(field.name) {
                if PolicyComparison.sameDeclaration(old.model, old.model.fields[o], new.model, field) {
                    newToJoint[f] = o
                    continue
                }
                notes.append("`\(field.name)` is declared differently (\(PolicyComparison.declaration(old.model, old.model.fields[o])) → "
                             + "\(PolicyComparison.declaration(new.model, field))): the two policies read it apart")
                approximations.append("`\(field.name)` is declared differently")
            } else {
                notes.append("`\(field.name)` is a new field (\(PolicyComparison.declaration(new.model, field)))")
            }
            var copy = field
            copy.type = PolicyComparison.importType(field.type, from: new.model, into: &joint)
            if let d = field.defaultValue { copy.defaultValue = PolicyComparison.importValue(d, type: copy.type) }
            newToJoint[f] = joint.fields.count
            joint.fields.append(copy)
        }
        for field in old.model.fields where new.model.fieldIndex(field.name) == nil {
            notes.append("`\(field.name)` is no longer a field")
        }
        for (f, j) in newToJoint { newSide.fieldOf[j] = f }
        let oldClock = old.model.clockField.map { old.model.fields[$0].name }
        let newClock = new.model.clockField.map { new.model.fields[$0].name }
        if oldClock != newClock {
            notes.append("deadlines count from \(oldClock.map { "`\($0)`" } ?? "`--now`") → \(newClock.map { "`\($0)`" } ?? "`--now`")")
            approximations.append("deadlines count from another field")
        }
        if PolicyComparison.calendarText(old.model) != PolicyComparison.calendarText(new.model) {
            notes.append("the calendar changed: business deadlines may fall at other times")
            approximations.append("the calendar changed")
        }
        var atoms: [Lowering.AtomKey: Int] = [:]
        oldSide.setUp(fieldMap: { $0 }, atoms: &atoms)
        newSide.setUp(fieldMap: { newToJoint[$0] ?? $0 }, atoms: &atoms)
        // `tags contains "x"`: an item to put in the witness's list when the solver makes it true.
        var listItems: [Int: (field: Int, item: Value)] = [:]
        for (key, id) in atoms {
            if case .listContains(let f, let v) = key, f >= 0 { listItems[id] = (f, v) }
        }
        self.listItems = listItems
        self.old = oldSide
        self.new = newSide
        self.joint = joint
        self.notes = notes
        self.approximations = approximations
        solver = Solver(lowering: Lowering(model: joint))
    }

    // MARK: Declarations

    static func sameDeclaration(_ a: PolicyModel, _ x: Field, _ b: PolicyModel, _ y: Field) -> Bool {
        x.optional == y.optional && declaration(a, x) == declaration(b, y)
    }

    /// `scale severity: low < high = low`, `number?`: what decides how a field's values read.
    static func declaration(_ m: PolicyModel, _ f: Field) -> String {
        var s = typeText(m, f.type)
        if f.optional { s += "?" }
        if let d = f.defaultValue { s += " = " + m.describe(d) }
        return s
    }

    static func typeText(_ m: PolicyModel, _ t: ValueType) -> String {
        switch t {
        case .scale(let s): return "scale " + (m.scales.indices.contains(s) ? m.scales[s].levels.joined(separator: " < ") : "?")
        case .enumeration(let e): return "one of " + (m.enumerations.indices.contains(e) ? m.enumerations[e].values.joined(separator: ", ") : "?")
        case .list(let inner): return "list of " + typeText(m, inner)
        default: return m.describe(t)
        }
    }

    static func importType(_ t: ValueType, from m: PolicyModel, into joint: inout PolicyModel) -> ValueType {
        switch t {
        case .scale(let s):
            guard m.scales.indices.contains(s) else { return t }
            joint.scales.append(m.scales[s])
            return .scale(joint.scales.count - 1)
        case .enumeration(let e):
            guard m.enumerations.indices.contains(e) else { return t }
            joint.enumerations.append(m.enumerations[e])
            return .enumeration(joint.enumerations.count - 1)
        case .list(let inner): return .list(importType(inner, from: m, into: &joint))
        default: return t
        }
    }

    static func importValue(_ v: Value, type: ValueType) -> Value {
        switch (v, type) {
        case (.level(_, let i), .scale(let s)): return .level(s, i)
        case (.choice(_, let i), .enumeration(let e)): return .choice(e, i)
        default: return v
        }
    }

    static func calendarText(_ m: PolicyModel) -> String {
        guard let ref = m.calendarRef else { return "" }
        return ref.source.text(ref.span)
    }

    // MARK: Running

    /// Asks every question; the differences found, each confirmed by running both policies.
    package mutating func run() -> PolicyComparisonResult {
        let keys = Set(old.contributions.keys).union(new.contributions.keys).sorted()
        for key in keys { ask(key) }
        let kinds = Set(old.waivers.keys).union(new.waivers.keys).sorted()
        for kind in kinds {
            let o = waived(old, kind), n = waived(new, kind)
            question(.all([o.yes, n.no]), "whether `waive \(PolicyDiff.kindName(kind))` removes something")
            question(.all([o.no, n.yes]), "whether `waive \(PolicyDiff.kindName(kind))` removes something")
        }
        let verdict: PolicyComparisonResult.Verdict
        if !found.isEmpty {
            verdict = .differs
        } else if approximations.isEmpty && undecided.isEmpty && unconfirmed == 0 && skipped == 0 {
            verdict = .same
        } else {
            verdict = .undecided
        }
        var why = undecided
        if skipped > 0 {
            why.append("the bound of \(bound) solver steps ran out: \(skipped) of \(questions) questions were not asked")
        }
        if verdict == .undecided {
            for a in approximations where !why.contains(a) { why.append(a) }
        }
        if unconfirmed > 0 {
            why.append("\(unconfirmed) incident\(unconfirmed == 1 ? "" : "s") the analysis proposed \(unconfirmed == 1 ? "is" : "are") treated alike when both policies run")
        }
        return PolicyComparisonResult(verdict: verdict, differences: found, undecided: why, notes: notes, steps: stepsUsed,
                                      questions: questions, budget: bound)
    }

    /// The questions for one result.
    mutating func ask(_ key: Key) {
        let o = old.contributions[key] ?? [], n = new.contributions[key] ?? []
        let activeOld = active(old, key), activeNew = active(new, key)
        let name = describe(key)
        // Added or removed, once per deadline it would have: each is its own change.
        for (side, active, inactive) in [(old, activeOld.yes, activeNew.no), (new, activeNew.yes, activeOld.no)] {
            let list = side.contributions[key] ?? []
            let specs = list.compactMap(\.action.duration)
            if Set(specs.map { $0.unit.isBusiness ? $0.unit.rawValue : "calendar" }).count == 1 {
                let ranks: [DeadlineRank?] = Set(specs.map(DeadlineRank.init)).sorted() + (list.contains { $0.action.duration == nil } ? [nil] : [])
                for t in ranks { question(.all([active, inactive, side.winning(key, t)]), "whether `\(name)` is required") }
            }
            question(.all([active, inactive]), "whether `\(name)` is required")
        }
        guard !o.isEmpty, !n.isEmpty else { return }
        let both = Formula.all([activeOld.yes, activeNew.yes])
        func compare(_ what: String, _ x: (Side) -> (yes: Formula, no: Formula)) {
            let a = x(old), b = x(new)
            question(.all([both, a.yes, b.no]), what)
            question(.all([both, a.no, b.yes]), what)
        }
        switch key.kind {
        case .apology:
            var components = Set<ApologyComponent>()
            for (_, a) in o + n { if case .apology(let c, _, _) = a { components.formUnion(c) } }
            for c in components.sorted() {
                compare("the apology's `\(c.rawValue)`") { side in
                    side.some((side.contributions[key] ?? []).filter { if case .apology(let cs, _, _) = $0.action { return cs.contains(c) }; return false }
                        .map(\.rule))
                }
            }
        case .offer:
            var remedies = Set<String>()
            for (side, list) in [(old, o), (new, n)] { for (_, a) in list { if case .offer(let rs) = a { remedies.formUnion(rs.map { side.model.remedies[$0] }) } } }
            for remedy in remedies.sorted() {
                compare("the offer of `\(remedy)`") { side in
                    side.some((side.contributions[key] ?? []).filter { if case .offer(let rs) = $0.action { return rs.contains { side.model.remedies[$0] == remedy } }; return false }
                        .map(\.rule))
                }
            }
        case .assign:
            var roles = Set<String>()
            for (side, list) in [(old, o), (new, n)] { for (_, a) in list { if case .assign(let r) = a { roles.insert(side.model.roles[r]) } } }
            for role in roles.sorted() {
                compare("who is assigned") { side in
                    let f = side.assigns(key, role)
                    return (f, f.negated)
                }
            }
        default:
            break
        }
        if key.kind != .assign && key.kind != .offer { deadlines(key, both, name) }
    }

    /// The deadline (and channel) questions of a result both policies can require.
    mutating func deadlines(_ key: Key, _ both: Formula, _ name: String) {
        let all = (old.contributions[key] ?? []) + (new.contributions[key] ?? [])
        let specs = all.compactMap(\.action.duration)
        let units = Set(specs.map { $0.unit.isBusiness ? $0.unit.rawValue : "calendar" })
        let channels = [.respond, .apology, .followUp].contains(key.kind)
        if units.count > 1 {
            // Business and calendar time together: which is earlier depends on
            // the incident's time. The same deadlines firing in both proves the
            // same one wins; an incident where they differ is tried at several times.
            for spec in Set(specs.map(DeadlineRank.init)).sorted() {
                let a = old.has(key, spec), b = new.has(key, spec)
                question(.all([both, a.yes, b.no]), "the deadline of `\(name)`", exact: false)
                question(.all([both, a.no, b.yes]), "the deadline of `\(name)`", exact: false)
                let c = old.atMost(key, spec), d = new.atMost(key, spec)
                question(.all([both, c.yes, d.no]), "the deadline of `\(name)`", exact: false)
                question(.all([both, c.no, d.yes]), "the deadline of `\(name)`", exact: false)
            }
            if channels { inexactChannels(key, both, name) }
            return
        }
        let tokens = Set(specs.map(DeadlineRank.init)).sorted()
        for t in tokens {
            let a = old.atMost(key, t), b = new.atMost(key, t)
            question(.all([both, a.yes, b.no]), "the deadline of `\(name)`")
            question(.all([both, a.no, b.yes]), "the deadline of `\(name)`")
        }
        guard channels else { return }
        var names = Set<String>()
        for (side, list) in [(old, old.contributions[key] ?? []), (new, new.contributions[key] ?? [])] {
            for (_, a) in list { if let c = a.channel { names.insert(side.model.channels[c]) } }
        }
        for channel in names.sorted() + [""] {
            let a = old.channel(key, channel), b = new.channel(key, channel)
            question(.all([both, a.yes, b.no]), "the channel of `\(name)`")
            question(.all([both, a.no, b.yes]), "the channel of `\(name)`")
        }
    }

    /// The channel when business and calendar deadlines mix: the same
    /// deadlines and channels fire in both policies (asked), and every two
    /// channel-naming actions come in the same order in both (looked up),
    /// so §7 picks the same one; when the order differs, not decided.
    mutating func inexactChannels(_ key: Key, _ both: Formula, _ name: String) {
        struct Pair: Hashable, Comparable {
            var rank: DeadlineRank?
            var channel: String
            static func < (a: Pair, b: Pair) -> Bool {
                if a.channel != b.channel { return a.channel < b.channel }
                guard let x = a.rank, let y = b.rank else { return a.rank == nil && b.rank != nil }
                return x < y
            }
        }
        func pairs(_ side: Side) -> [Pair] {
            (side.contributions[key] ?? []).compactMap { c in
                c.action.channel.map { Pair(rank: c.action.duration.map(DeadlineRank.init), channel: side.model.channels[$0]) }
            }
        }
        func before(_ list: [Pair]) -> Set<[Pair]> {
            var out = Set<[Pair]>()
            for i in list.indices { for j in list.indices where i < j && list[i] != list[j] { out.insert([list[i], list[j]]) } }
            return out
        }
        let o = before(pairs(old)), n = before(pairs(new))
        let orders = o.union(n)
        if orders.contains(where: { orders.contains([$0[1], $0[0]]) }) {
            let why = "the channel of `\(name)` depends on which of its business and calendar deadlines is earlier"
            if !approximations.contains(why) { approximations.append(why) }
        }
        for pair in Set(pairs(old) + pairs(new)).sorted() {
            func fired(_ side: Side) -> (yes: Formula, no: Formula) {
                side.some((side.contributions[key] ?? []).filter { c in
                    c.action.channel.map { side.model.channels[$0] } == pair.channel && c.action.duration.map(DeadlineRank.init) == pair.rank
                }.map(\.rule))
            }
            let a = fired(old), b = fired(new)
            question(.all([both, a.yes, b.no]), "the channel of `\(name)`", exact: false)
            question(.all([both, a.no, b.yes]), "the channel of `\(name)`", exact: false)
        }
    }

    /// A result is required: some rule asking for it fires, and no waive of its kind (and when not).
    func active(_ side: Side, _ key: Key) -> (yes: Formula, no: Formula) {
        let asked = side.some((side.contributions[key] ?? []).map(\.rule)), waived = side.some(side.waivers[key.kind] ?? [])
        return (.all([asked.yes, waived.no]), .any([asked.no, waived.yes]))
    }

    /// A waive of `kind` removes something: a waiver fires, and a rule with an action of that kind (and when not).
    func waived(_ side: Side, _ kind: ActionKindName) -> (yes: Formula, no: Formula) {
        let w = side.some(side.waivers[kind] ?? []), k = side.some(side.kindRules[kind] ?? [])
        return (.all([w.yes, k.yes]), .any([w.no, k.no]))
    }

    func describe(_ key: Key) -> String {
        switch key.kind {
        case .notify: return "notify \(key.label)"
        case .escalate: return "escalate to \(key.label)"
        case .task: return "task " + SExpr.quote(key.label)
        default: return PolicyDiff.kindName(key.kind)
        }
    }

    /// Asks the solver for an incident where `formula` holds; runs both
    /// policies on it and keeps each change not seen before. An answer
    /// "none" proves this part the same. `exact`: an incident found must
    /// differ when run (false: the question asks more than the difference,
    /// e.g. which deadlines fire rather than which wins).
    mutating func question(_ formula: Formula, _ what: String, exact: Bool = true) {
        if case .constant(false) = formula { return }
        questions += 1
        guard budget > 0 else {
            skipped += 1
            return
        }
        let result = solver.solve(formula, budget: min(Solver.defaultBudget * 5, budget))
        budget -= solver.stepsUsed
        stepsUsed += solver.stepsUsed
        switch result {
        case .unsat:
            break
        case .unknown:
            noteUndecided("\(what) could not be decided within \(min(Solver.defaultBudget * 5, budget + solver.stepsUsed)) steps")
        case .sat(let assignment):
            var incident = self.incident(assignment)
            var changes = confirm(incident)
            if changes.isEmpty && !exact {
                // Business deadlines against calendar ones: another time of the week may tell them apart.
                for shift in PolicyComparison.otherTimes {
                    guard let moved = moveClock(incident, assignment, by: shift) else { break }
                    changes = confirm(moved)
                    if !changes.isEmpty {
                        incident = moved
                        break
                    }
                }
            }
            if changes.isEmpty {
                // An exact question's incident must differ when run: else the analysis has a bug.
                if old.usesAtoms || new.usesAtoms {
                    let why = "an incident found depends on a condition that compares two fields or tests a list, which the analysis does not look inside"
                    if !approximations.contains(why) { approximations.append(why) }
                } else if exact {
                    unconfirmed += 1
                } else if !approximations.contains(what) {
                    approximations.append(what)
                }
                return
            }
            for c in changes where seen.insert(c.label).inserted {
                found.append(PolicyDifference(change: c, witness: witness(incident)))
            }
        }
    }

    mutating func noteUndecided(_ why: String) {
        if !undecided.contains(why) { undecided.append(why) }
    }
}

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
/// questions are exact (see `exact`), no incident is treated differently.
///
/// Every question has a step budget, and the whole comparison a total
/// (`PolicyComparison.defaultBudget`), so the time it takes is bounded.

// MARK: - Results

/// A Witness is one incident two policies treat differently: its field
/// values by name, and the time it is looked at (when `age` matters).
public struct Witness: Sendable {
    /// Field names (as the policy declares them) and values as a policy
    /// writes them (`high`, `"text"`, `2026-03-02T09:00:00Z`); nil: missing.
    public var fields: [(name: String, value: String?, json: String)]
    /// The `now` of the witness, ISO 8601, when the policies test `age`.
    public var now: String?
    /// Fields the new policy reads differently from the old (declared apart): name and the new value.
    public var newValues: [(name: String, value: String?)]

    /// `given {severity: high, tier: premium}`, to paste into an `example`.
    public var given: String {
        "given {" + fields.compactMap { f in f.value.map { "\(Witness.key(f.name)): \($0)" } }.joined(separator: ", ") + "}"
    }

    /// The incident as a JSON object, keys the field names (dotted names nested).
    public var json: String {
        var tree = WitnessObject()
        for f in fields { tree.insert(f.name.split(separator: ".").map(String.init), f.json) }
        return tree.text
    }

    static func key(_ name: String) -> String {
        let plain = name.unicodeScalars.allSatisfy { $0 == "_" || $0 == "." || $0.properties.isAlphabetic || ("0"..."9").contains($0) }
        return plain ? name : SExpr.quote(name)
    }
}

/// Nested JSON objects, keys in the order first given.
struct WitnessObject {
    var keys: [String] = []
    var leaves: [String: String] = [:]
    var children: [String: WitnessObject] = [:]

    mutating func insert(_ path: [String], _ json: String) {
        guard let head = path.first else { return }
        if !keys.contains(head) { keys.append(head) }
        if path.count == 1 {
            leaves[head] = json
        } else {
            var child = children[head] ?? WitnessObject()
            child.insert(Array(path.dropFirst()), json)
            children[head] = child
        }
    }

    var text: String {
        "{" + keys.map { k in
            var j = JSONBytes()
            j.string(k)
            return String(decoding: j.bytes, as: UTF8.self) + ": " + (children[k]?.text ?? leaves[k] ?? "null")
        }.joined(separator: ", ") + "}"
    }
}

/// A Difference is one distinct way incidents are treated differently,
/// with the incident that shows it.
public struct PolicyDifference: Sendable {
    public var change: ActionChange
    public var witness: Witness
}

/// The answer of a comparison without records.
public struct PolicyComparisonResult: Sendable {
    public enum Verdict: String, Sendable {
        /// No incident is treated differently: proved.
        case same
        /// Some incident is treated differently (`differences` has each way).
        case differs
        /// No difference found, but not proved either (`undecided` says why).
        case undecided
    }

    public var verdict: Verdict
    public var differences: [PolicyDifference]
    /// Why some questions went unanswered (the budget, an approximation).
    public var undecided: [String]
    /// How the record declarations differ (fields added, removed, declared apart).
    public var notes: [String]
    /// Solver steps taken, questions asked, and the budget.
    public var steps: Int
    public var questions: Int
    public var budget: Int
}

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

    // MARK: Witnesses

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

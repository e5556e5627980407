/// A Program is a checked policy compiled for evaluation: no name is looked
/// up per record. Fields are slots, scale levels and `one of` values are
/// numbers, texts are bytes, every condition is a run of instructions
/// specialised for its operand types (`ConditionCode`), and every action
/// knows in advance where its result goes (`ActionSlot`). What it prints is
/// the writer's (`ResultWriter`).
///
/// A Program is immutable and `Sendable`: build it once, evaluate records on
/// any number of threads, each with its own `Evaluator`.
package final class Program: Sendable {
    package typealias Test = @Sendable (RecordBuffer) -> Bool

    package let model: PolicyModel
    package let schema: RecordSchema
    /// The default calendar.
    package let calendar: BusinessCalendar?
    /// Every calendar, parallel to `model.calendars`.
    package let calendars: [BusinessCalendar?]
    package let rules: [CompiledRule]
    /// Indexes of the `when` rules and of the `otherwise` rules.
    package let whenRules: [Int]
    package let otherwiseRules: [Int]
    /// The places results go, in the order they are printed.
    package let keys: [ResultKey]
    /// Task texts, in order of first appearance (their keys follow the fixed ones).
    package let taskTexts: [String]
    /// Every rule's actions other than `waive`, in file order: rule `r`'s
    /// are `actions[rules[r].firstAction...]`.
    package let actions: [CompiledAction]
    /// What merging needs of each action, parallel to `actions`.
    let slots: [ActionSlot]
    /// The compiled conditions.
    let code: ConditionCode
    /// Which terms each byte of leaf bits allows, made once for every
    /// evaluator of the program (nil when it would be too large).
    let termTable: TermTable?
    /// The `done:` block compiled against the keys; nil when the policy
    /// tracks nothing.
    package let tracking: TrackingPlan?

    /// Compiles a checked model. The model must have no errors.
    package init(model: PolicyModel, zone: ZoneLookup, calendar: BusinessCalendar?, calendars: [BusinessCalendar?]? = nil) {
        self.model = model
        self.schema = RecordSchema(model: model, zone: zone)
        self.calendar = calendar
        // Without the list, the default calendar is the only one.
        let calendars = calendars ?? model.calendars.indices.map { $0 == model.defaultCalendar ? calendar : nil }
        self.calendars = calendars

        let keyTable = ResultKey.Table(model)
        var rules: [CompiledRule] = []
        var flat: [CompiledAction] = []
        for rule in model.rules {
            var actions: [CompiledAction] = []
            var waives: UInt16 = 0
            for (k, action) in rule.actions.enumerated() {
                if case .waive(let kind) = action {
                    waives |= 1 << UInt16(kind.rank)
                    continue
                }
                // INVARIANT: the table has a key for every action but `waive`.
                actions.append(CompiledAction(action: action, key: keyTable.key(for: action) ?? 0, rule: rule.index, index: k,
                                              calendar: rule.calendar))
            }
            rules.append(CompiledRule(index: rule.index, condition: nil, firstAction: flat.count, actions: actions,
                                      waives: waives))
            flat += actions
        }
        let (code, conditions) = ConditionCompiler.compile(model: model, calendars: calendars, model.rules.map(\.condition))
        for (r, condition) in conditions.enumerated() { rules[r].condition = condition }
        self.rules = rules
        self.whenRules = rules.filter { $0.condition != nil }.map(\.index)
        self.otherwiseRules = rules.filter { $0.condition == nil }.map(\.index)
        self.actions = flat
        self.slots = flat.map(ActionSlot.init)
        self.code = code
        self.termTable = TermTable(code, leafCount: code.leaves.count)
        self.keys = keyTable.keys
        self.taskTexts = keyTable.taskTexts
        self.tracking = TrackingPlan(model: model, keys: keyTable.keys, calendar: calendar)
    }

    /// Whether rule `index`'s condition holds for `record` (false for an
    /// `otherwise` rule, which has none, and for an index out of range).
    package func holds(rule index: Int, _ record: RecordBuffer) -> Bool {
        guard rules.indices.contains(index), let condition = rules[index].condition else { return false }
        return code.holds(condition, record)
    }
}

/// A ResultKey is one place a merged result can go: notify a given role,
/// the apology, the offer, a given task.
package struct ResultKey: Sendable {
    package var kind: ActionKindName
    package var role: Int?
    /// The role's name, the task's text, or the kind.
    package var label: String

    /// A Table is every place a policy's results can go, in the order they
    /// are printed (Grammar.md §7): notify per role and escalate per role
    /// (roles in declaration order), one key each for assign, respond,
    /// apology, offer, follow up and review, then one per task text. An
    /// action finds its key by what it is, never by an offset.
    struct Table {
        private(set) var keys: [ResultKey] = []
        /// Task texts, in order of first appearance in the policy text.
        private(set) var taskTexts: [String] = []
        private var perRole: [ActionKindName: [Int]] = [:]
        private var perKind: [ActionKindName: Int] = [:]
        /// Tasks by their text's UTF-8: one task per text, by its Unicode
        /// scalars exactly, as conditions compare texts (Swift's `==` would
        /// join canonically equivalent spellings).
        private var perTask: [[UInt8]: Int] = [:]

        init(_ model: PolicyModel) {
            for kind in [ActionKindName.notify, .escalate] {
                perRole[kind] = model.roles.indices.map { add(ResultKey(kind: kind, role: $0, label: model.roles[$0])) }
            }
            for kind in [ActionKindName.assign, .respond, .apology, .offer, .followUp, .review] {
                perKind[kind] = add(ResultKey(kind: kind, role: nil, label: kind.rawValue))
            }
            for rule in model.rules {
                for case .task(let text, _) in rule.actions where perTask[Array(text.utf8)] == nil {
                    perTask[Array(text.utf8)] = add(ResultKey(kind: .task, role: nil, label: text))
                    taskTexts.append(text)
                }
            }
        }

        private mutating func add(_ key: ResultKey) -> Int {
            keys.append(key)
            return keys.count - 1
        }

        /// The key an action's result goes to; nil for `waive`, which has none.
        func key(for action: ActionModel) -> Int? {
            switch action {
            case .notify(let role, _), .escalate(let role, _):
                guard let roles = perRole[action.kind], roles.indices.contains(role) else { return nil }
                return roles[role]
            case .task(let text, _): return perTask[Array(text.utf8)]
            case .waive: return nil
            default: return perKind[action.kind]
            }
        }
    }
}

/// A CompiledRule is a rule's condition and its actions, ready to merge.
package struct CompiledRule: Sendable {
    package var index: Int
    /// Where its condition's code is; nil for `otherwise`.
    package var condition: CompiledCondition?
    /// The index of its first action in `Program.actions`.
    package var firstAction: Int
    /// Its actions other than `waive`.
    package var actions: [CompiledAction]
    /// Bit `kind.rank` set for each kind it waives.
    package var waives: UInt16
}

/// A CompiledAction is one action of one rule: where it goes and what it adds.
package struct CompiledAction: Sendable {
    package var action: ActionModel
    package var key: Int
    package var rule: Int
    /// Position in the rule's action list (for `actionRefs`).
    package var index: Int
    package var kind: ActionKindName
    package var duration: DurationSpec?
    /// Fixed seconds for calendar durations; nil for business time or none.
    package var seconds: Int64?
    package var channel: Int?
    package var components: UInt8
    /// The calendar its business time counts in (its rule's).
    package var calendar: Int?

    init(action: ActionModel, key: Int, rule: Int, index: Int, calendar: Int? = nil) {
        self.calendar = calendar
        self.action = action
        self.key = key
        self.rule = rule
        self.index = index
        self.kind = action.kind
        self.components = action.components.bits
        duration = action.duration
        channel = action.channel
        seconds = duration?.seconds
    }
}

/// An ActionSlot is what merging needs of one action, trivially copyable so
/// the evaluator reads it without reference counting.
struct ActionSlot: Sendable {
    enum Timing: UInt8, Sendable {
        case none, fixed, businessHours, businessDays
    }

    var key: Int32
    var rule: Int32
    /// `1 << kind.rank`, against a rule's `waives`.
    var kindBit: UInt16
    var isAssign: Bool
    var timing: Timing
    /// Seconds for `fixed`, the number of hours or days for business time.
    var amount: Int64
    var components: UInt8
    /// The channel's index, or -1.
    var channel: Int32
    /// The role an `assign` gives, or -1.
    var assignRole: Int32
    /// The remedies an `offer` adds, as a bit set of the first 64.
    var remedies: UInt64
    /// Whether it offers a remedy past the 64th (then read `action`).
    var remediesBeyondSet: Bool
    /// The calendar business time counts in (index into `calendars`), or -1.
    var calendar: Int32

    init(_ a: CompiledAction) {
        key = Int32(truncatingIfNeeded: a.key)
        rule = Int32(truncatingIfNeeded: a.rule)
        kindBit = 1 << UInt16(a.kind.rank)
        isAssign = a.kind == .assign
        components = a.components
        channel = Int32(truncatingIfNeeded: a.channel ?? -1)
        if let s = a.seconds {
            timing = .fixed
            amount = s
        } else if let d = a.duration {
            timing = d.unit == .businessDays ? .businessDays : .businessHours
            amount = d.amount
        } else {
            timing = .none
            amount = 0
        }
        assignRole = -1
        remedies = 0
        remediesBeyondSet = false
        calendar = Int32(truncatingIfNeeded: a.calendar ?? -1)
        switch a.action {
        case .assign(let role): assignRole = Int32(truncatingIfNeeded: role)
        case .offer(let list):
            for r in list {
                if r >= 0 && r < 64 { remedies |= 1 << UInt64(r) } else { remediesBeyondSet = true }
            }
        default: break
        }
    }
}

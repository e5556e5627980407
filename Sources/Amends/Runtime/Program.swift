/// A Program is a checked policy compiled for evaluation: no name is looked
/// up per record. Fields are slots, scale levels and `one of` values are
/// numbers, texts are bytes, every condition is a run of instructions
/// specialised for its operand types (`ConditionCode`), and every action
/// knows in advance where its result goes (`ActionSlot`) and the bytes it
/// prints.
///
/// A Program is immutable and `Sendable`: build it once, evaluate records on
/// any number of threads, each with its own `Evaluator`.
public final class Program: Sendable {
    public typealias Test = @Sendable (RecordBuffer) -> Bool

    public let model: PolicyModel
    public let schema: RecordSchema
    public let calendar: BusinessCalendar?
    public let rules: [CompiledRule]
    /// Indexes of the `when` rules and of the `otherwise` rules.
    public let whenRules: [Int]
    public let otherwiseRules: [Int]
    /// The places results go, in the order they are printed.
    public let keys: [ResultKey]
    /// Task texts, in order of first appearance (their keys follow the fixed ones).
    public let taskTexts: [String]
    /// Bytes printed for each rule in `because` lists.
    public let ruleJSON: [[UInt8]]
    /// Every rule's actions other than `waive`, in file order: rule `r`'s
    /// are `actions[rules[r].firstAction...]`.
    public let actions: [CompiledAction]
    /// What merging needs of each action, parallel to `actions`.
    let slots: [ActionSlot]
    /// The compiled conditions.
    let code: ConditionCode
    /// Which terms each byte of leaf bits allows, made once for every
    /// evaluator of the program (nil when it would be too large).
    let termTable: TermTable?

    /// Compiles a checked model. The model must have no errors.
    public init(model: PolicyModel, zone: ZoneLookup, calendar: BusinessCalendar?) {
        self.model = model
        self.schema = RecordSchema(model: model, zone: zone)
        self.calendar = calendar

        // Result keys: notify per role, escalate per role, then one key each
        // for assign, respond, apology, offer, follow up, review, then tasks.
        var keys: [ResultKey] = []
        for (i, role) in model.roles.enumerated() { keys.append(ResultKey(kind: .notify, role: i, label: role)) }
        for (i, role) in model.roles.enumerated() { keys.append(ResultKey(kind: .escalate, role: i, label: role)) }
        for kind in [ActionKindName.assign, .respond, .apology, .offer, .followUp, .review] {
            keys.append(ResultKey(kind: kind, role: nil, label: kind.rawValue))
        }
        // One task per text, by its Unicode scalars exactly, as conditions
        // compare texts (Swift's `==` would join canonically equivalent
        // spellings); in the order of first appearance in the policy text.
        var taskTexts: [String] = []
        var taskIndex: [[UInt8]: Int] = [:]
        for rule in model.rules {
            for case .task(let text, _) in rule.actions where taskIndex[Array(text.utf8)] == nil {
                taskIndex[Array(text.utf8)] = taskTexts.count
                taskTexts.append(text)
            }
        }
        for text in taskTexts { keys.append(ResultKey(kind: .task, role: nil, label: text)) }
        let roleCount = model.roles.count
        func key(for action: ActionModel) -> Int {
            switch action {
            case .notify(let role, _): return role
            case .escalate(let role, _): return roleCount + role
            case .assign: return 2 * roleCount
            case .respond: return 2 * roleCount + 1
            case .apology: return 2 * roleCount + 2
            case .offer: return 2 * roleCount + 3
            case .followUp: return 2 * roleCount + 4
            case .review: return 2 * roleCount + 5
            case .task(let text, _): return 2 * roleCount + 6 + (taskIndex[Array(text.utf8)] ?? 0)
            case .waive: return -1
            }
        }

        var rules: [CompiledRule] = []
        var ruleJSON: [[UInt8]] = []
        var flat: [CompiledAction] = []
        for rule in model.rules {
            var actions: [CompiledAction] = []
            var waives: UInt16 = 0
            for (k, action) in rule.actions.enumerated() {
                if case .waive(let kind) = action {
                    waives |= 1 << UInt16(kind.rank)
                    continue
                }
                actions.append(CompiledAction(action: action, key: key(for: action), rule: rule.index, index: k))
            }
            rules.append(CompiledRule(index: rule.index, condition: nil, firstAction: flat.count, actions: actions,
                                      waives: waives))
            flat += actions
            var json = JSONBytes()
            json.raw("{\"file\":")
            json.string(rule.file)
            json.raw(",\"line\":")
            json.int(rule.line)
            if let name = rule.name {
                json.raw(",\"rule\":")
                json.string(name)
            }
            json.raw("}")
            ruleJSON.append(json.bytes)
        }
        let (code, conditions) = ConditionCompiler.compile(model: model, model.rules.map(\.condition))
        for (r, condition) in conditions.enumerated() { rules[r].condition = condition }
        self.rules = rules
        self.whenRules = rules.filter { $0.condition != nil }.map(\.index)
        self.otherwiseRules = rules.filter { $0.condition == nil }.map(\.index)
        self.actions = flat
        self.slots = flat.map(ActionSlot.init)
        self.code = code
        self.termTable = TermTable(code, leafCount: code.leaves.count)
        self.keys = keys
        self.taskTexts = taskTexts
        self.ruleJSON = ruleJSON
    }

    /// Whether rule `index`'s condition holds for `record` (false for an
    /// `otherwise` rule, which has none, and for an index out of range).
    public func holds(rule index: Int, _ record: RecordBuffer) -> Bool {
        guard rules.indices.contains(index), let condition = rules[index].condition else { return false }
        return code.holds(condition, record)
    }
}

/// A ResultKey is one place a merged result can go: notify a given role,
/// the apology, the offer, a given task.
public struct ResultKey: Sendable {
    public var kind: ActionKindName
    public var role: Int?
    /// The role's name, the task's text, or the kind.
    public var label: String
}

/// A CompiledRule is a rule's condition and its actions, ready to merge.
public struct CompiledRule: Sendable {
    public var index: Int
    /// Where its condition's code is; nil for `otherwise`.
    public var condition: CompiledCondition?
    /// The index of its first action in `Program.actions`.
    public var firstAction: Int
    /// Its actions other than `waive`.
    public var actions: [CompiledAction]
    /// Bit `kind.rank` set for each kind it waives.
    public var waives: UInt16
}

/// A CompiledAction is one action of one rule: where it goes and what it adds.
public struct CompiledAction: Sendable {
    public var action: ActionModel
    public var key: Int
    public var rule: Int
    /// Position in the rule's action list (for `actionRefs`).
    public var index: Int
    public var kind: ActionKindName
    public var duration: DurationSpec?
    /// Fixed seconds for calendar durations; nil for business time or none.
    public var seconds: Int64?
    public var channel: Int?
    public var components: UInt8
    /// `"within":"PT2H"` (or empty when the action has no duration).
    public var withinJSON: [UInt8]

    init(action: ActionModel, key: Int, rule: Int, index: Int) {
        self.action = action
        self.key = key
        self.rule = rule
        self.index = index
        self.kind = action.kind
        self.components = 0
        switch action {
        case .notify(_, let w), .escalate(_, let w), .task(_, let w): duration = w
        case .respond(let w, let c): duration = w; channel = c
        case .apology(let set, let w, let c): duration = w; channel = c; components = set.bits
        case .followUp(let w, let c): duration = w; channel = c
        case .review(let w): duration = w
        case .assign, .offer, .waive: duration = nil
        }
        seconds = duration?.seconds
        var json = JSONBytes()
        if let d = duration {
            json.raw("\"within\":")
            if let s = d.seconds {
                json.string(ISODuration.format(seconds: s))
            } else {
                json.string(d.description)
            }
        }
        withinJSON = json.bytes
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

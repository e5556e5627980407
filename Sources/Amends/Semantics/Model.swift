/// The checked policy: every name resolved, every condition typed, every
/// action's role, remedy, channel and component an index. The checker builds
/// it; the compiler turns it into a `Program`; the tools read it.

/// The type of a field or a value.
package indirect enum ValueType: Sendable, Hashable {
    case text, number, bool, time, duration
    /// A scale, by index into `PolicyModel.scales`.
    case scale(Int)
    /// A field's `one of …` values, by index into `PolicyModel.enumerations`.
    case enumeration(Int)
    case list(ValueType)

    /// Ordered types allow `<`, `<=`, `>`, `>=`.
    package var isOrdered: Bool {
        switch self {
        case .number, .time, .duration, .scale: return true
        default: return false
        }
    }

    /// Whether the values are a scale's levels or `one of` values: kept as
    /// their index, so always a small whole number.
    package var isChoice: Bool {
        switch self {
        case .scale, .enumeration: return true
        default: return false
        }
    }
}

/// A Scale is an ordered set of levels: `low < medium < high < critical`.
package struct Scale: Sendable {
    package var name: String
    package var levels: [String]
    /// Extra spellings records may use for each level (`"1 - Critical"`).
    package var spellings: [[String]]
    package var declaration: SourceRef
}

/// An Enumeration is the unordered set of values of one `one of` field.
package struct Enumeration: Sendable {
    /// The field that declares it, for messages.
    package var owner: String
    package var values: [String]
    package var spellings: [[String]]
}

/// A SourceRef is a place in one of the policy's files.
package struct SourceRef: Sendable {
    package var source: SourceText
    package var span: Span

    package init(_ source: SourceText, _ span: Span) {
        self.source = source
        self.span = span
    }

    package var file: String { source.path }
    package var line: Int { source.location(of: span.start).line }
}

/// A Value is a typed constant: a literal in a condition, a default, a
/// field's value in a decoded record.
package enum Value: Sendable, Hashable {
    case text(String)
    case number(Double)
    case bool(Bool)
    /// Seconds since 1970-01-01T00:00:00Z.
    case time(Int64)
    /// A calendar duration in seconds.
    case duration(Int64)
    /// A level of a scale: scale index, level index.
    case level(Int, Int)
    /// A value of an enumeration: enumeration index, value index.
    case choice(Int, Int)
    case list([Value])

    /// The number every scalar is compared as: numbers, seconds, level and
    /// value indexes, 0/1 for yes/no.
    package var scalar: Double? {
        switch self {
        case .number(let v): return v
        case .bool(let b): return b ? 1 : 0
        case .time(let t): return Double(t)
        case .duration(let d): return Double(d)
        case .level(_, let i): return Double(i)
        case .choice(_, let i): return Double(i)
        case .text, .list: return nil
        }
    }
}

/// A Field is one declared field of the record.
package struct Field: Sendable {
    /// The name conditions use (`customer.name`).
    package var name: String
    /// Where a record keeps it: the `from` text, or the name. JSON reads it
    /// as a path (dots go into nested objects); CSV as a column heading.
    package var key: String
    package var type: ValueType
    package var optional: Bool
    package var defaultValue: Value?
    /// The `format "…"` of a time field read from text.
    package var format: String?
    package var declaration: SourceRef

    /// A record must have it (no `?`, no default).
    package var isRequired: Bool { !optional && defaultValue == nil }
}

/// A duration as a rule states it.
public struct DurationSpec: Sendable, Hashable, CustomStringConvertible {
    public var amount: Int64
    public var unit: DurationUnit

    package init(amount: Int64, unit: DurationUnit) {
        self.amount = amount
        self.unit = unit
    }

    package init(_ literal: DurationLiteral) {
        self.amount = literal.amount
        self.unit = literal.unit
    }

    /// Seconds for calendar units; nil for business time.
    public var seconds: Int64? { unit.seconds.map { $0 &* amount } }

    public var description: String {
        DurationLiteral(amount: amount, unit: unit, span: .none).description
    }
}

// MARK: - Conditions

/// An Operand of a comparison.
package enum Operand: Sendable, Hashable {
    case field(Int)
    /// Now minus the clock field: a duration.
    case age
    case value(Value)
    /// A fact of the key's earlier incidents, by index into
    /// `PolicyModel.historyTerms`: a number or a duration, read before the
    /// record is evaluated (`HistoryTracker`).
    case history(Int)
}

/// A HistoryTerm is one fact a policy reads from the earlier incidents of a
/// record's key: how many there were, or how long since the last, of those
/// within `window` seconds before it (and, with a filter, for which the
/// filter holds).
package struct HistoryTerm: Sendable, Hashable {
    package var measure: HistoryExpr.Measure
    /// An index into `PolicyModel.historyFilters`.
    package var filter: Int?
    package var window: Int64

    package init(measure: HistoryExpr.Measure, filter: Int?, window: Int64) {
        self.measure = measure
        self.filter = filter
        self.window = window
    }

    package var type: ValueType { measure == .count ? .number : .duration }
}

/// A checked condition, with the span of the text it came from.
package struct Condition: Sendable {
    package var kind: ConditionKind
    package var ref: SourceRef

    package init(_ kind: ConditionKind, _ ref: SourceRef) {
        self.kind = kind
        self.ref = ref
    }
}

package indirect enum ConditionKind: Sendable {
    case constant(Bool)
    /// A yes/no field used as a condition.
    case flag(Int)
    case compare(CompareOp, Operand, Operand)
    /// `x in [..]` with constant items, or `x in LIST_FIELD`.
    case member(Operand, [Value], negated: Bool)
    case memberOfField(Operand, list: Int, negated: Bool)
    /// `LIST_FIELD contains VALUE`.
    case listContains(list: Int, Value)
    case text(TextTest, field: Int, String)
    case presence(field: Int, missing: Bool)
    /// A test of a time field's local clock (`reported on sat, sun`), in
    /// a calendar (an index into `PolicyModel.calendars`; nil: UTC, no hours).
    case clock(ClockTest, field: Int, calendar: Int?)
    /// A `define`d condition, by index into `PolicyModel.defines`.
    case define(Int)
    case not(Condition)
    case and(Condition, Condition)
    case or(Condition, Condition)
}

/// A CalendarModel is one declared calendar: the default (`calendar:`) or a
/// named one (`calendar edinburgh:`), with its time zone loaded.
package struct CalendarModel: Sendable {
    /// Nil for the default calendar.
    package var name: String?
    package var decl: CalendarDecl
    package var ref: SourceRef
    /// Nil: UTC.
    package var zone: ZoneInfo?

    /// `calendar edinburgh`, or `the default calendar`, for messages.
    package var title: String { name.map { "calendar `\($0)`" } ?? "the default calendar" }
}

/// A ClockTest is what a clock condition asks of a time, read in the
/// calendar's time zone (UTC without one): its local day of the week, its
/// local time of day, or whether the calendar is open then.
package enum ClockTest: Sendable, Hashable {
    /// The local weekday is one of a set: bit 0 Monday … bit 6 Sunday.
    case weekdays(UInt8)
    /// The local time of day is in one of the ranges.
    case timeOfDay([TimeOfDayRange])
    /// The calendar is open (inside: true) or not (inside: false).
    case openingHours(inside: Bool)
}

/// A TimeOfDayRange is a span of local times of day in minutes since
/// midnight, `from` inclusive and `to` exclusive; when `to` is not after
/// `from` it runs past midnight (`18:00-08:00` is 18:00 to 24:00 and 00:00
/// to 08:00). `from` and `to` are never equal (the checker refuses that).
package struct TimeOfDayRange: Sendable, Hashable, CustomStringConvertible {
    package var from: Int
    package var to: Int

    package init(from: Int, to: Int) {
        self.from = from
        self.to = to
    }

    /// Whether a local minute of the day (0..<1440) is in the range.
    @inline(__always)
    package func contains(_ minute: Int) -> Bool {
        from < to ? (from <= minute && minute < to) : (minute >= from || minute < to)
    }

    /// `18:00-08:00`.
    package var description: String { "\(ClockTime(minutes: from))-\(ClockTime(minutes: to))" }
}

// MARK: - Rules and actions

/// A checked action. Roles, remedies and channels are indexes into the
/// model's lists; apology components a set.
package enum ActionModel: Sendable, Hashable {
    case notify(role: Int, within: DurationSpec?)
    case escalate(role: Int, within: DurationSpec?)
    case assign(role: Int)
    case respond(within: DurationSpec, channel: Int?)
    case apology(components: ComponentSet, within: DurationSpec?, channel: Int?)
    case offer(remedies: [Int])
    case followUp(after: DurationSpec, channel: Int?)
    case review(within: DurationSpec)
    case task(text: String, within: DurationSpec?)
    case waive(ActionKindName)

    package var kind: ActionKindName {
        switch self {
        case .notify: return .notify
        case .escalate: return .escalate
        case .assign: return .assign
        case .respond: return .respond
        case .apology: return .apology
        case .offer: return .offer
        case .followUp: return .followUp
        case .review: return .review
        case .task: return .task
        case .waive(let k): return k
        }
    }

    package var isWaive: Bool {
        if case .waive = self { return true }
        return false
    }

    // What each kind carries, said once: everything that reads an action's
    // parts (the compiler, `RequiredAction`, the runbook) reads them here.

    /// The deadline's duration (for follow up: when to follow up).
    package var duration: DurationSpec? {
        switch self {
        case .notify(_, let w), .escalate(_, let w), .task(_, let w), .apology(_, let w, _): return w
        case .respond(let w, _), .followUp(let w, _), .review(let w): return w
        case .assign, .offer, .waive: return nil
        }
    }

    /// The channel's index, for the kinds that take `by CHANNEL`.
    package var channel: Int? {
        switch self {
        case .respond(_, let c), .apology(_, _, let c), .followUp(_, let c): return c
        default: return nil
        }
    }

    /// The role's index, for notify, escalate and assign.
    package var role: Int? {
        switch self {
        case .notify(let r, _), .escalate(let r, _), .assign(let r): return r
        default: return nil
        }
    }

    /// The apology's components (empty for other kinds).
    package var components: ComponentSet {
        if case .apology(let set, _, _) = self { return set }
        return ComponentSet()
    }
}

/// A set of apology components, printed in speaking order.
package struct ComponentSet: Sendable, Hashable, Sequence {
    package var bits: UInt8

    package init(bits: UInt8 = 0) { self.bits = bits }

    package init<S: Sequence>(_ components: S) where S.Element == ApologyComponent {
        bits = 0
        for c in components { insert(c) }
    }

    package mutating func insert(_ c: ApologyComponent) { bits |= 1 << UInt8(c.rank) }
    package func contains(_ c: ApologyComponent) -> Bool { bits & (1 << UInt8(c.rank)) != 0 }
    package var isEmpty: Bool { bits == 0 }

    package func makeIterator() -> IndexingIterator<[ApologyComponent]> {
        ApologyComponent.allCases.filter(contains).makeIterator()
    }
}

/// A checked rule.
package struct RuleModel: Sendable {
    /// Position among all rules of the policy, in file order.
    package var index: Int
    package var name: String?
    /// Nil for `otherwise`.
    package var condition: Condition?
    package var actions: [ActionModel]
    /// Where each action was written, parallel to `actions`.
    package var actionRefs: [SourceRef]
    package var ref: SourceRef
    package var headerRef: SourceRef
    /// The calendar its business time and clock conditions count in: an
    /// index into `PolicyModel.calendars`, nil when the policy has none.
    package var calendar: Int? = nil

    package var isOtherwise: Bool { condition == nil }
    package var file: String { ref.file }
    package var line: Int { ref.line }
}

/// A checked `define`.
package struct DefineModel: Sendable {
    package var name: String
    package var condition: Condition
    package var ref: SourceRef
}

/// A checked mark (`serious: severity >= high`): the incidents the lints
/// treat as serious, as our fault, or as the client's.
package struct MarkModel: Sendable {
    package var kind: MarkKind
    package var condition: Condition
    /// The whole declaration.
    package var ref: SourceRef
    /// The condition as written (`severity >= p2`), for messages.
    package var text: String
}

/// One `expect` of an example, resolved.
package struct ExpectationModel: Sendable {
    package var atLeast: Bool
    /// Nil for `expect nothing`.
    package var actions: [ActionModel]
    package var ref: SourceRef
    /// `expect status …`: where a tracked action stands (then `actions` is empty).
    package var status: StatusExpectationModel? = nil
}

/// `expect status TARGET: STATUS [by D]`, resolved.
package struct StatusExpectationModel: Sendable {
    package var kind: ActionKindName
    package var role: Int?
    package var text: String?
    /// The action as written (`notify supervisor`).
    package var written: String
    package var status: ProgressStatus
    /// The margin, when the line gives one (`by 1 hour`, `by 2 business hours`).
    package var margin: DurationSpec?
}

/// A checked example: its record, typed; the time it is evaluated at; the
/// expected actions.
package struct ExampleModel: Sendable {
    package var name: String
    /// The `given` record: field index and value, in the order written.
    package var record: [(field: Int, value: Value)]
    /// `now …`, when the example sets it.
    package var now: Int64?
    package var expectations: [ExpectationModel]
    package var ref: SourceRef
}

/// An EvidenceModel is one checked `done:` line: the action it tracks and
/// the record field that shows it was done (Grammar.md §4, "done:").
package struct EvidenceModel: Sendable {
    package var kind: ActionKindName
    /// The role of a notify or escalate, by index into `PolicyModel.roles`.
    package var role: Int?
    /// The text of a task.
    package var text: String?
    /// The record field: a `time` (when it was done) or a `yes/no` (whether).
    package var field: Int
    /// The field is `yes/no`: done, with no time.
    package var isFlag: Bool
    /// The action as the line writes it (`notify supervisor`).
    package var written: String
    package var ref: SourceRef

    /// Whether it tracks the result of this kind, role and task text.
    package func tracks(kind: ActionKindName, role: Int?, text: String?) -> Bool {
        guard kind == self.kind else { return false }
        switch kind {
        case .notify, .escalate: return role == self.role
        case .task: return text == self.text
        default: return true
        }
    }
}

/// A PolicyModel is a whole checked policy: the main file and every file it
/// `use`s, merged into one set of names.
package struct PolicyModel: Sendable {
    package var name: String?
    package var scales: [Scale] = []
    package var enumerations: [Enumeration] = []
    package var recordName: String?
    package var fields: [Field] = []
    /// Texts that mean "no value" in records.
    package var missingTexts: [String] = []
    /// The field deadlines count from (`deadlines from`).
    package var clockField: Int?
    package var roles: [String] = []
    package var remedies: [String] = []
    package var channels: [String] = PolicyModel.defaultChannels
    /// The default calendar (`calendar:`), its place and its zone (nil: UTC).
    package var calendar: CalendarDecl?
    package var calendarRef: SourceRef?
    package var zone: ZoneInfo?
    /// Every calendar, the default (when declared) among them, in the order
    /// declared; rules and clock conditions refer to them by index.
    package var calendars: [CalendarModel] = []
    /// The default calendar's index in `calendars`.
    package var defaultCalendar: Int?
    /// The field whose earlier incidents history reads (`history by`).
    package var historyKey: Int?
    /// The facts of earlier incidents the conditions read, each once.
    package var historyTerms: [HistoryTerm] = []
    /// The conditions that pick earlier incidents (`earlier (category =
    /// billing) within 90 days`), each once.
    package var historyFilters: [Condition] = []
    /// The longest window of any term, in seconds (0: no history).
    package var longestHistoryWindow: Int64 { historyTerms.map(\.window).max() ?? 0 }
    package var defines: [DefineModel] = []
    /// The marks declared, by kind; the lints fall back on names without them.
    package var marks: [MarkKind: MarkModel] = [:]
    package var rules: [RuleModel] = []
    /// The `done:` lines: which field shows each action was done.
    package var evidence: [EvidenceModel] = []
    /// The first `done:` block, when the policy tracks progress at all.
    package var doneRef: SourceRef?
    /// Examples of the main file only (a used file's examples run when that
    /// file is tested).
    package var examples: [ExampleModel] = []
    /// Every file that makes up the policy, main file last.
    package var sources: [SourceText] = []

    package static let defaultChannels = ["phone", "email", "chat", "in_person"]

    package init() {}

    package func fieldIndex(_ name: String) -> Int? { fields.firstIndex { $0.name == name } }

    /// How a value reads in a policy: `high`, `"text"`, `3 days`.
    package func describe(_ value: Value) -> String {
        switch value {
        case .text(let s): return SExpr.quote(s)
        case .number(let v): return SExpr.number(v)
        case .bool(let b): return b ? "yes" : "no"
        case .time(let t): return ISOTimeText.format(t)
        case .duration(let d): return DurationText.describe(seconds: d)
        case .level(let s, let i): return scales.indices.contains(s) && scales[s].levels.indices.contains(i) ? scales[s].levels[i] : "?"
        case .choice(let e, let i):
            return enumerations.indices.contains(e) && enumerations[e].values.indices.contains(i) ? enumerations[e].values[i] : "?"
        case .list(let items): return "[" + items.map(describe).joined(separator: ", ") + "]"
        }
    }

    /// How a history term reads: `earlier (category = billing) within 90 days`.
    package func describe(history i: Int) -> String {
        guard historyTerms.indices.contains(i) else { return "history" }
        let term = historyTerms[i]
        let filter = term.filter.flatMap { historyFilters.indices.contains($0) ? historyFilters[$0] : nil }
            .map { " (" + $0.ref.source.text($0.ref.span) + ")" } ?? ""
        return term.measure.rawValue + filter + " within " + DurationText.describe(seconds: term.window)
    }

    /// How a clock test reads: `on sat, sun`, `at 18:00-08:00`, `inside
    /// opening hours`.
    package func describe(_ test: ClockTest) -> String {
        switch test {
        case .weekdays(let bits):
            return "on " + Weekday.allCases.filter { bits & (1 << UInt8($0.rawValue - 1)) != 0 }.map(\.name).joined(separator: ", ")
        case .timeOfDay(let ranges):
            return "at " + ranges.map(\.description).joined(separator: ", ")
        case .openingHours(let inside):
            return inside ? "inside opening hours" : "outside opening hours"
        }
    }

    /// How a type reads in a message: `scale \`severity\``, `number`.
    package func describe(_ type: ValueType) -> String {
        switch type {
        case .text: return "text"
        case .number: return "number"
        case .bool: return "yes/no"
        case .time: return "time"
        case .duration: return "duration"
        case .scale(let s): return "scale `\(scales.indices.contains(s) ? scales[s].name : "?")`"
        case .enumeration(let e):
            let values = enumerations.indices.contains(e) ? enumerations[e].values : []
            return "one of " + values.map { "`\($0)`" }.joined(separator: ", ")
        case .list(let element): return "list of \(describe(element))"
        }
    }
}

/// Minimal time and duration text for messages (the runtime has the fast
/// writers).
enum ISOTimeText {
    static func format(_ seconds: Int64) -> String {
        let days = Int(seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400)
        let rest = Int(seconds - Int64(days) * 86_400)
        let (y, m, d) = Civil.date(days: days)
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(y)-\(two(m))-\(two(d))T\(two(rest / 3600)):\(two(rest / 60 % 60)):\(two(rest % 60))Z"
    }
}

enum DurationText {
    /// `3 days`, `2 hours 30 minutes`, `0 minutes`.
    static func describe(seconds: Int64) -> String {
        if seconds == 0 { return "0 minutes" }
        var parts: [String] = []
        var rest = seconds
        let negative = rest < 0
        if negative { rest = -rest }
        for (unit, size) in [("week", Int64(604_800)), ("day", 86_400), ("hour", 3_600), ("minute", 60), ("second", 1)] {
            let n = rest / size
            if n > 0 {
                parts.append("\(n) \(unit)\(n == 1 ? "" : "s")")
                rest -= n * size
            }
        }
        return (negative ? "-" : "") + parts.joined(separator: " ")
    }
}

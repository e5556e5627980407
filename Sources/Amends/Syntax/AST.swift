/// The abstract syntax tree of one policy file: value types, every node with
/// the span of its text. Names are not resolved here; the checker does that.
///
/// The S-expression dump (`SExpr.dump`) prints a tree without its spans, for
/// tests and `amends parse`.

/// An Identifier is a name as written, with its span. Dotted names
/// (`customer.name`) are one identifier.
package struct Identifier: Sendable, Equatable, Hashable {
    package var name: String
    package var span: Span

    package init(_ name: String, _ span: Span) {
        self.name = name
        self.span = span
    }

    package static func == (a: Identifier, b: Identifier) -> Bool { a.name == b.name }
    package func hash(into h: inout Hasher) { h.combine(name) }
}

/// A StringLiteral is a string's decoded value and the span of its quotes.
package struct StringLiteral: Sendable, Equatable {
    package var value: String
    package var span: Span

    package init(_ value: String, _ span: Span) {
        self.value = value
        self.span = span
    }

    package static func == (a: StringLiteral, b: StringLiteral) -> Bool { a.value == b.value }
}

// MARK: - Values

/// The unit of a duration. Business units count only the calendar's open time.
public enum DurationUnit: String, Sendable, CaseIterable {
    case minutes, hours, days, weeks
    case businessHours = "business hours"
    case businessDays = "business days"

    public var isBusiness: Bool { self == .businessHours || self == .businessDays }

    /// The unit's length in seconds for calendar units; business units have none.
    public var seconds: Int64? {
        switch self {
        case .minutes: return 60
        case .hours: return 3_600
        case .days: return 86_400
        case .weeks: return 604_800
        case .businessHours, .businessDays: return nil
        }
    }
}

/// A DurationLiteral is a whole number of a unit: `3 days`, `4 business hours`.
package struct DurationLiteral: Sendable, Equatable, Hashable, CustomStringConvertible {
    package var amount: Int64
    package var unit: DurationUnit
    package var span: Span

    package init(amount: Int64, unit: DurationUnit, span: Span) {
        self.amount = amount
        self.unit = unit
        self.span = span
    }

    package static func == (a: DurationLiteral, b: DurationLiteral) -> Bool { a.amount == b.amount && a.unit == b.unit }
    package func hash(into h: inout Hasher) { h.combine(amount); h.combine(unit) }

    /// How the policy writes it: `1 day`, `3 days`, `4 business hours`.
    package var description: String {
        var unitText = unit.rawValue
        if amount == 1 { unitText.removeLast() }
        return "\(amount) \(unitText)"
    }
}

/// A Timestamp literal: a date, or a date and time, with an optional UTC offset.
/// Without an offset it is read in the calendar's time zone (UTC if none).
package struct TimestampLiteral: Sendable, Hashable {
    package var year: Int, month: Int, day: Int
    /// Nil for a bare date.
    package var hour: Int?, minute: Int?, second: Int?
    package var nanosecond: Int
    /// Offset from UTC in seconds; nil when the text gave none.
    package var offsetSeconds: Int?
    package var text: String

    package init(year: Int, month: Int, day: Int, hour: Int? = nil, minute: Int? = nil, second: Int? = nil,
                nanosecond: Int = 0, offsetSeconds: Int? = nil, text: String) {
        self.year = year
        self.month = month
        self.day = day
        self.hour = hour
        self.minute = minute
        self.second = second
        self.nanosecond = nanosecond
        self.offsetSeconds = offsetSeconds
        self.text = text
    }

    package var isDate: Bool { hour == nil }

    /// Equal when they name the same instant the same way (text ignored).
    package static func == (a: TimestampLiteral, b: TimestampLiteral) -> Bool {
        a.year == b.year && a.month == b.month && a.day == b.day && a.hour == b.hour && a.minute == b.minute
            && a.second == b.second && a.nanosecond == b.nanosecond && a.offsetSeconds == b.offsetSeconds
    }

    package func hash(into h: inout Hasher) {
        h.combine(year); h.combine(month); h.combine(day); h.combine(hour); h.combine(minute); h.combine(second)
    }
}

/// A time of day in a calendar: `09:00`, `17:30`.
package struct ClockTime: Sendable, Equatable, Hashable, Comparable, CustomStringConvertible {
    /// Minutes since midnight (0...1440; 24:00 is the end of a day).
    package var minutes: Int
    package init(minutes: Int) { self.minutes = minutes }
    public static func < (a: ClockTime, b: ClockTime) -> Bool { a.minutes < b.minutes }
    package var description: String {
        let h = minutes / 60, m = minutes % 60
        return (h < 10 ? "0" : "") + "\(h):" + (m < 10 ? "0" : "") + "\(m)"
    }
}

// MARK: - Conditions and values

/// An Expr is a condition or a value in one, with its span.
package struct Expr: Sendable, Equatable {
    package var kind: ExprKind
    package var span: Span

    package init(_ kind: ExprKind, _ span: Span) {
        self.kind = kind
        self.span = span
    }

    package static func == (a: Expr, b: Expr) -> Bool { a.kind == b.kind }
}

package enum CompareOp: String, Sendable, CaseIterable {
    case equal = "=", notEqual = "!=", less = "<", lessEqual = "<=", greater = ">", greaterEqual = ">="

    package var isOrdering: Bool { self != .equal && self != .notEqual }

    /// The operator that holds exactly when this one does not.
    package var negated: CompareOp {
        switch self {
        case .equal: return .notEqual
        case .notEqual: return .equal
        case .less: return .greaterEqual
        case .lessEqual: return .greater
        case .greater: return .lessEqual
        case .greaterEqual: return .less
        }
    }

    /// The operator with its operands swapped (`a < b` is `b > a`).
    package var flipped: CompareOp {
        switch self {
        case .equal, .notEqual: return self
        case .less: return .greater
        case .lessEqual: return .greaterEqual
        case .greater: return .less
        case .greaterEqual: return .lessEqual
        }
    }
}

package enum TextTest: String, Sendable {
    case contains
    case startsWith = "starts with"
    case endsWith = "ends with"
}

/// One `key: value` of a record literal (`given {severity: high}`).
package struct RecordEntry: Sendable, Equatable {
    package var key: Identifier
    package var value: Expr

    package init(key: Identifier, value: Expr) {
        self.key = key
        self.value = value
    }
}

package indirect enum ExprKind: Sendable, Equatable {
    /// A bare word: a field, a `define`, a scale level or an enumeration value.
    /// The checker decides which from where it stands.
    case name(String)
    case age
    case number(Double)
    case string(String)
    case bool(Bool)
    case null
    case duration(DurationLiteral)
    case timestamp(TimestampLiteral)
    case list([Expr])
    case record([RecordEntry])
    case compare(CompareOp, Expr, Expr)
    /// `x in [a, b]` (negated: `x not in [a, b]`).
    case member(Expr, Expr, negated: Bool)
    case text(TextTest, Expr, Expr)
    /// `x is missing` (missing: true) or `x is present`.
    case presence(Expr, missing: Bool)
    /// A fact of the key's earlier incidents: `earlier (category = billing)
    /// within 90 days`, `since last within 30 days`.
    case history(HistoryExpr)
    /// A test of a time field's local clock: `reported on sat, sun`,
    /// `reported at 18:00-08:00`, `reported is outside opening hours`.
    case clock(Expr, ClockTestSyntax)
    case not(Expr)
    case and(Expr, Expr)
    case or(Expr, Expr)
    /// Parentheses as written; kept so the formatter can keep them.
    case group(Expr)
    /// Where the parser recovered from an error (already reported).
    case error
}

/// A HistoryExpr is a value read from the earlier incidents of the same
/// key (`history by client`): how many there were in a window, or how long
/// ago the last one was.
package struct HistoryExpr: Sendable, Equatable {
    package enum Measure: String, Sendable, Equatable {
        /// `earlier … within D`: a number.
        case count = "earlier"
        /// `since last … within D`: a duration, missing when there was none.
        case sinceLast = "since last"
    }

    package var measure: Measure
    /// `(category = billing)`: only earlier incidents for which it holds.
    package var filter: Expr?
    package var window: DurationLiteral

    package init(measure: Measure, filter: Expr?, window: DurationLiteral) {
        self.measure = measure
        self.filter = filter
        self.window = window
    }
}

/// What a clock condition tests of a time (Grammar.md §5, Clock conditions).
package enum ClockTestSyntax: Sendable, Equatable {
    /// `on sat, sun`, `on mon-fri`: the local day of the week.
    case days([DayRange])
    /// `at 18:00-08:00`: the local time of day, in one of the ranges (a
    /// range whose end is not after its start runs past midnight).
    case hours([HoursRange])
    /// `is inside opening hours` (inside: true), `is outside opening hours`.
    case openingHours(inside: Bool)
}

// MARK: - Actions

/// The kinds of required action, in the order results are printed.
public enum ActionKindName: String, Sendable, CaseIterable, Comparable {
    case notify, escalate, assign, respond, apology, offer
    case followUp = "follow up"
    case review, task

    /// The word used in JSON output (`follow_up`).
    public var jsonName: String { self == .followUp ? "follow_up" : rawValue }

    /// Position in the printing order.
    public var rank: Int { Self.allCases.firstIndex(of: self) ?? 0 }

    public static func < (a: ActionKindName, b: ActionKindName) -> Bool { a.rank < b.rank }
}

/// The parts of an apology, in the order the research says to speak them.
public enum ApologyComponent: String, Sendable, CaseIterable, Comparable {
    case repair, responsibility, prevention, explanation, regret, forgiveness

    /// Position in the speaking order.
    public var rank: Int { Self.allCases.firstIndex(of: self) ?? 0 }

    public static func < (a: ApologyComponent, b: ApologyComponent) -> Bool { a.rank < b.rank }
}

/// An Action is one line (or `;`-separated part) of a rule's body.
package struct Action: Sendable, Equatable {
    package var kind: ActionKind
    package var span: Span

    package init(_ kind: ActionKind, _ span: Span) {
        self.kind = kind
        self.span = span
    }

    package static func == (a: Action, b: Action) -> Bool { a.kind == b.kind }
}

package enum ActionKind: Sendable, Equatable {
    case notify(roles: [Identifier], within: DurationLiteral?)
    case escalate(role: Identifier, within: DurationLiteral?)
    case assign(role: Identifier)
    case respond(within: DurationLiteral, by: Identifier?)
    /// Components are identifiers so the checker can point at a typo.
    case apology(components: [Identifier], within: DurationLiteral?, by: Identifier?)
    case offer(remedies: [Identifier])
    case followUp(after: DurationLiteral, by: Identifier?)
    case review(within: DurationLiteral)
    case task(text: StringLiteral, within: DurationLiteral?)
    case waive(ActionKindName, Span)

    /// Equal when they say the same (the span of a waived kind ignored).
    package static func == (a: ActionKind, b: ActionKind) -> Bool {
        switch (a, b) {
        case let (.notify(r1, w1), .notify(r2, w2)): return r1 == r2 && w1 == w2
        case let (.escalate(r1, w1), .escalate(r2, w2)): return r1 == r2 && w1 == w2
        case let (.assign(r1), .assign(r2)): return r1 == r2
        case let (.respond(w1, c1), .respond(w2, c2)): return w1 == w2 && c1 == c2
        case let (.apology(p1, w1, c1), .apology(p2, w2, c2)): return p1 == p2 && w1 == w2 && c1 == c2
        case let (.offer(r1), .offer(r2)): return r1 == r2
        case let (.followUp(d1, c1), .followUp(d2, c2)): return d1 == d2 && c1 == c2
        case let (.review(w1), .review(w2)): return w1 == w2
        case let (.task(t1, w1), .task(t2, w2)): return t1 == t2 && w1 == w2
        case let (.waive(k1, _), .waive(k2, _)): return k1 == k2
        default: return false
        }
    }

    package var name: ActionKindName {
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
        case .waive(let kind, _): return kind
        }
    }
}

// MARK: - Declarations

/// A level of a scale, or a value of `one of`, with the spellings that
/// records may use for it (`critical ("1 - Critical", "P1")`).
package struct LevelDecl: Sendable, Equatable {
    package var name: Identifier
    package var spellings: [StringLiteral]

    package init(name: Identifier, spellings: [StringLiteral] = []) {
        self.name = name
        self.spellings = spellings
    }
}

package struct ScaleDecl: Sendable, Equatable {
    package var name: Identifier
    package var levels: [LevelDecl]
}

package struct TypeExpr: Sendable, Equatable {
    package var kind: TypeKind
    package var span: Span

    package init(_ kind: TypeKind, _ span: Span) {
        self.kind = kind
        self.span = span
    }

    package static func == (a: TypeExpr, b: TypeExpr) -> Bool { a.kind == b.kind }
}

package indirect enum TypeKind: Sendable, Equatable {
    case text, number, yesNo, time, duration
    /// A scale by name (resolved by the checker).
    case named(Identifier)
    case oneOf([LevelDecl])
    case list(TypeExpr)
}

/// One field of the `record` declaration:
/// `opened: time from "opened_at" format "d/M/yyyy HH:mm"`.
package struct FieldDecl: Sendable, Equatable {
    package var name: Identifier
    package var type: TypeExpr
    package var optional: Bool
    package var column: StringLiteral?
    package var format: StringLiteral?
    package var defaultValue: Expr?
    package var span: Span

    package static func == (a: FieldDecl, b: FieldDecl) -> Bool {
        a.name == b.name && a.type == b.type && a.optional == b.optional && a.column == b.column
            && a.format == b.format && a.defaultValue == b.defaultValue
    }
}

package struct RecordDecl: Sendable, Equatable {
    package var name: Identifier
    /// Texts that mean "no value" (`missing "?", "N/A", ""`).
    package var missing: [StringLiteral]
    package var fields: [FieldDecl]
}

package enum NameListKind: String, Sendable, CaseIterable {
    case roles, remedies, channels

    /// The singular noun, for messages: "unknown role `x`".
    package var singular: String {
        switch self {
        case .roles: return "role"
        case .remedies: return "remedy"
        case .channels: return "channel"
        }
    }
}

package struct NameListDecl: Sendable, Equatable {
    package var kind: NameListKind
    package var names: [Identifier]
}

package struct DefineDecl: Sendable, Equatable {
    package var name: Identifier
    package var condition: Expr
}

/// A MarkKind is what a mark declaration tells the lints about incidents:
/// which are serious, which we caused, which the client caused.
package enum MarkKind: String, Sendable, CaseIterable {
    case serious
    case ourFault = "our fault"
    case clientFault = "client fault"

    /// The S-expression head: `serious`, `our-fault`, `client-fault`.
    package var dumpName: String { String(rawValue.map { $0 == " " ? "-" : $0 }) }
}

/// A MarkDecl (`serious: severity >= high`, `our fault: caused_by = us`,
/// `client fault: caused_by = customer`) names, by a condition, the
/// incidents the service-recovery lints treat as serious, as our fault or
/// as the client's.
package struct MarkDecl: Sendable, Equatable {
    package var kind: MarkKind
    /// The keyword's words (`our fault`), for messages.
    package var keywordSpan: Span
    package var condition: Expr

    /// Spans do not count, as for every node.
    package static func == (a: MarkDecl, b: MarkDecl) -> Bool { a.kind == b.kind && a.condition == b.condition }
}

package enum Weekday: Int, Sendable, CaseIterable, Comparable {
    case mon = 1, tue, wed, thu, fri, sat, sun
    public static func < (a: Weekday, b: Weekday) -> Bool { a.rawValue < b.rawValue }
    package var name: String { String(describing: self) }
}

/// A run of days in `open mon-fri 09:00-17:30`.
package struct DayRange: Sendable, Equatable {
    package var first: Weekday
    package var last: Weekday
    package var span: Span

    package static func == (a: DayRange, b: DayRange) -> Bool { a.first == b.first && a.last == b.last }
}

package struct HoursRange: Sendable, Equatable {
    package var from: ClockTime
    package var to: ClockTime
    package var span: Span

    package static func == (a: HoursRange, b: HoursRange) -> Bool { a.from == b.from && a.to == b.to }
}

/// A closed date, or an inclusive run of them (`2026-12-24 to 2026-12-31`).
package struct DateRange: Sendable, Equatable {
    package var first: TimestampLiteral
    package var last: TimestampLiteral?
    package var span: Span

    package static func == (a: DateRange, b: DateRange) -> Bool { a.first == b.first && a.last == b.last }
}

package enum CalendarEntry: Sendable, Equatable {
    case open(days: [DayRange], hours: [HoursRange], span: Span)
    /// `open sat 10:00-14:00 from 2027-01-02 to 2027-01-30`: hours that hold
    /// only on the dates of a season (both ends included), beside the others.
    case seasonal(days: [DayRange], hours: [HoursRange], season: DateRange, span: Span)
    case timeZone(StringLiteral)
    case closed([DateRange], span: Span)

    package static func == (a: CalendarEntry, b: CalendarEntry) -> Bool {
        switch (a, b) {
        case let (.open(d1, h1, _), .open(d2, h2, _)): return d1 == d2 && h1 == h2
        case let (.seasonal(d1, h1, s1, _), .seasonal(d2, h2, s2, _)): return d1 == d2 && h1 == h2 && s1 == s2
        case let (.timeZone(z1), .timeZone(z2)): return z1 == z2
        case let (.closed(c1, _), .closed(c2, _)): return c1 == c2
        default: return false
        }
    }
}

package struct CalendarDecl: Sendable, Equatable {
    /// `calendar edinburgh:`; nil for the default calendar, `calendar:`.
    package var name: Identifier? = nil
    package var entries: [CalendarEntry]

    package init(name: Identifier? = nil, entries: [CalendarEntry]) {
        self.name = name
        self.entries = entries
    }
}

/// What one `done:` line tracks: a kind of action, with the role of a
/// notify or escalate and the text of a task (`notify supervisor`,
/// `task "call the client"`).
package struct DoneTarget: Sendable, Equatable {
    package var kind: ActionKindName
    package var role: Identifier?
    package var text: StringLiteral?
    package var span: Span

    package init(kind: ActionKindName, role: Identifier? = nil, text: StringLiteral? = nil, span: Span) {
        self.kind = kind
        self.role = role
        self.text = text
        self.span = span
    }

    package static func == (a: DoneTarget, b: DoneTarget) -> Bool {
        a.kind == b.kind && a.role == b.role && a.text == b.text
    }

    /// How the policy writes it: `notify supervisor`, `task "call"`, `follow up`.
    package var written: String {
        switch kind {
        case .notify: return "notify \(role?.name ?? "")"
        case .escalate: return "escalate to \(role?.name ?? "")"
        case .task: return "task \(SExpr.quote(text?.value ?? ""))"
        case .review: return "review cause"
        default: return kind.rawValue
        }
    }
}

/// One line of the `done:` block: `respond: responded_at`, the action and
/// the record field that shows it was done.
package struct DoneLine: Sendable, Equatable {
    package var target: DoneTarget
    package var field: Identifier
    package var span: Span

    package static func == (a: DoneLine, b: DoneLine) -> Bool { a.target == b.target && a.field == b.field }
}

/// The `done:` block: which record field shows each action was done.
package struct DoneDecl: Sendable, Equatable {
    package var lines: [DoneLine]
}

/// A Rule is `when COND: actions` (or `otherwise: actions`), optionally named.
package struct Rule: Sendable, Equatable {
    package var name: StringLiteral?
    /// Nil for `otherwise`.
    package var condition: Expr?
    package var actions: [Action]
    /// Written on one line with `;` between actions (a layout fact, kept for
    /// the formatter; not part of equality).
    package var oneLine: Bool
    /// The span of the header, `rule "x" when COND:`.
    package var headerSpan: Span
    /// `when COND using calendar edinburgh:`: the calendar the rule counts in.
    package var calendar: Identifier? = nil

    package static func == (a: Rule, b: Rule) -> Bool {
        a.name == b.name && a.condition == b.condition && a.actions == b.actions && a.calendar == b.calendar
    }
}

/// An `expect` line of an example.
package struct Expectation: Sendable, Equatable {
    /// `expect at least …`: the example also accepts actions it does not list.
    package var atLeast: Bool
    /// Nil for `expect nothing`.
    package var action: Action?
    package var span: Span
    /// `expect status respond: late by 1 hour`: where an action stands at
    /// the example's `now` (then `action` is nil).
    package var status: StatusExpectation? = nil

    package static func == (a: Expectation, b: Expectation) -> Bool {
        a.atLeast == b.atLeast && a.action == b.action && a.status == b.status
    }
}

/// `expect status TARGET: STATUS [by DURATION]`: the status an example
/// expects a tracked action to have, and optionally its margin.
package struct StatusExpectation: Sendable, Equatable {
    package var target: DoneTarget
    /// The status word as written (`late`, `on_time`, `overdue`).
    package var status: Identifier
    package var margin: DurationLiteral?
}

package struct Example: Sendable, Equatable {
    package var name: StringLiteral
    /// The record literal after `given`.
    package var given: Expr?
    /// `now TIMESTAMP`: the time `age` is measured at (default: the clock field).
    package var now: Expr?
    package var expectations: [Expectation]
}

package enum ItemKind: Sendable, Equatable {
    case policyName(StringLiteral)
    case scale(ScaleDecl)
    case record(RecordDecl)
    case deadlinesFrom(Identifier)
    case names(NameListDecl)
    case define(DefineDecl)
    case mark(MarkDecl)
    case use(StringLiteral)
    case calendar(CalendarDecl)
    /// `using calendar edinburgh`: the file's rules count in that calendar.
    case usingCalendar(Identifier)
    /// `history by client`: the field whose earlier incidents history reads.
    case historyKey(Identifier)
    case done(DoneDecl)
    case rule(Rule)
    case example(Example)
}

/// An Item is one top-level statement of a file.
package struct Item: Sendable, Equatable {
    package var kind: ItemKind
    package var span: Span

    package init(_ kind: ItemKind, _ span: Span) {
        self.kind = kind
        self.span = span
    }

    package static func == (a: Item, b: Item) -> Bool { a.kind == b.kind }
}

/// A PolicyFile is what the parser makes of one source text: its items, its
/// comments (for the formatter) and its syntax diagnostics.
package struct PolicyFile: Sendable {
    package var source: SourceText
    package var items: [Item]
    package var comments: [Comment]
    package var diagnostics: [Diagnostic]
    /// What its declarations that could not be read would have declared.
    package var unreadable = Unreadable()

    package init(source: SourceText, items: [Item], comments: [Comment], diagnostics: [Diagnostic]) {
        self.source = source
        self.items = items
        self.comments = comments
        self.diagnostics = diagnostics
    }
}

/// Unreadable is what the declarations with a syntax error (already
/// reported) would have declared, so that the checker does not report every
/// use of those names again: one broken `roles:` line is one error, not one
/// more for every rule that notifies a role.
package struct Unreadable: Sendable, Equatable {
    /// Lists (`roles:`, `remedies:`, `channels:`) with a line that could not be read.
    package var lists: Set<NameListKind> = []
    /// Fields, defines and scales declared on a line that could not be read.
    package var names: Set<String> = []
    /// Scales among `names`: a field of that type is not an unknown type.
    package var scales: Set<String> = []
    /// A calendar line could not be read (it may have been the opening hours).
    package var calendar = false

    package init() {}

    package mutating func formUnion(_ other: Unreadable) {
        lists.formUnion(other.lists)
        names.formUnion(other.names)
        scales.formUnion(other.scales)
        calendar = calendar || other.calendar
    }
}

/// A ReferenceInterpreter evaluates a checked `Condition` on a record by
/// walking the tree, one case per kind of condition, with no specialisation
/// and no caching. It is the plain statement of what a condition means:
///
/// - a comparison, membership or text test with a missing value is false
///   (so `not` of it is true);
/// - texts compare byte for byte (no Unicode folding); every other value
///   compares as the number it is kept as (levels and `one of` values by
///   their position, times and durations in seconds, yes/no as 1/0);
/// - `age` is `now` minus the clock field, missing when the clock is;
/// - `and`, `or` and `not` are the boolean operators; a `define` means its
///   condition.
///
/// `amends explain` uses it to say why a rule did or did not fire, and the
/// tests run it beside the compiled closures (`ConditionCompiler`) and
/// require both to agree on every record: the fast path is checked against
/// this slow, obvious one. `ReferenceEvaluator` builds on it for the rest
/// of what a policy requires (firing, waiving, merging, deadlines).
package struct ReferenceInterpreter: Sendable {
    package let model: PolicyModel

    /// Deepest chain of `define`s followed; the checker rejects cycles, so
    /// this only guards against a model built by hand.
    static let maxDepth = 1_000

    package init(model: PolicyModel) {
        self.model = model
    }

    /// A Datum is a value as conditions see it: bytes for text, a number
    /// for every other scalar, items for a list.
    enum Datum: Equatable {
        case bytes([UInt8])
        case scalar(Double)
        case items([Datum])
    }

    // MARK: - Evaluation

    /// Whether `condition` holds for `record`.
    package func holds(_ condition: Condition, in record: RecordBuffer) -> Bool {
        holds(condition, record, depth: 0)
    }

    func holds(_ condition: Condition, _ r: RecordBuffer, depth: Int) -> Bool {
        guard depth < Self.maxDepth else { return false }
        switch condition.kind {
        case .constant(let b):
            return b
        case .flag(let f):
            guard case .scalar(let v)? = datum(field: f, r) else { return false }
            return v != 0
        case .compare(let op, let a, let b):
            guard let x = datum(a, r), let y = datum(b, r) else { return false }
            return compare(op, x, y)
        case .member(let a, let values, let negated):
            guard let x = datum(a, r) else { return false }
            let found = values.contains { same(x, datum(value: $0)) }
            return found != negated
        case .memberOfField(let a, let list, let negated):
            guard let x = datum(a, r), case .items(let items)? = datum(field: list, r) else { return false }
            let found = items.contains { same(x, $0) }
            return found != negated
        case .listContains(let list, let value):
            guard case .items(let items)? = datum(field: list, r) else { return false }
            let wanted = datum(value: value)
            return items.contains { same($0, wanted) }
        case .text(let test, let f, let needle):
            guard case .bytes(let text)? = datum(field: f, r) else { return false }
            return Self.textTest(test, text, Array(needle.utf8))
        case .presence(let f, let missing):
            let present = r.isPresent(f)
            return missing ? !present : present
        case .clock(let test, let f, let c):
            guard case .scalar(let v)? = datum(field: f, r) else { return false }
            return clockHolds(test, at: Self.whole(v), calendar: c)
        case .define(let d):
            guard model.defines.indices.contains(d) else { return false }
            return holds(model.defines[d].condition, r, depth: depth + 1)
        case .not(let a):
            return !holds(a, r, depth: depth + 1)
        case .and(let a, let b):
            return holds(a, r, depth: depth + 1) && holds(b, r, depth: depth + 1)
        case .or(let a, let b):
            return holds(a, r, depth: depth + 1) || holds(b, r, depth: depth + 1)
        }
    }

    // MARK: - Clock conditions

    /// A clock condition at an instant, read on the wall clock of the
    /// calendar's zone (UTC without one): the local time is the instant
    /// plus the zone's offset at that instant; its day gives the weekday,
    /// the rest the minute of the day.
    func clockHolds(_ test: ClockTest, at instant: Int64, calendar c: Int?) -> Bool {
        let calendar = c.flatMap { model.calendars.indices.contains($0) ? model.calendars[$0] : nil }
        let t = BusinessCalendar.clamp(instant)
        let local = t + Int64(calendar?.zone?.offset(atUTC: t) ?? 0)
        var day = local / 86_400
        if day * 86_400 > local { day -= 1 }
        let minute = Int((local - day * 86_400) / 60)
        switch test {
        case .weekdays(let bits):
            let monday0 = Civil.weekday(days: Int(day)) - 1
            return (bits >> UInt8(monday0)) & 1 == 1
        case .timeOfDay(let ranges):
            return ranges.contains { r in
                r.from < r.to ? (minute >= r.from && minute < r.to) : !(minute >= r.to && minute < r.from)
            }
        case .openingHours(let inside):
            guard let calendar else { return false }
            return isOpen(calendar, at: t) == inside
        }
    }

    /// Whether a calendar is open at an instant, read from its
    /// declaration: some `open` line's hours (a seasonal one's only on the
    /// days of its season), on a local day of their weekday that no
    /// `closed` line names, run from the UTC instant of
    /// their opening to that of their closing (opening inclusive, closing
    /// exclusive; a local time a clock change skips moves on by the gap,
    /// as business time counts it, §8). Hours of the local day before and
    /// after are looked at too, since the zone's offset moves a day's hours
    /// across UTC midnight.
    func isOpen(_ calendar: CalendarModel, at t: Int64) -> Bool {
        let decl = calendar.decl
        let zone = calendar.zone ?? ZoneInfo.utc
        let local = t + Int64(zone.offset(atUTC: t))
        var today = local / 86_400
        if today * 86_400 > local { today -= 1 }
        var closed: [ClosedRange<Int>] = []
        for case .closed(let dates, _) in decl.entries {
            for d in dates {
                let first = BusinessCalendar.dayNumber(d.first)
                closed.append(first...max(first, d.last.map(BusinessCalendar.dayNumber) ?? first))
            }
        }
        for day in Int(today - 1)...Int(today + 1) where !closed.contains(where: { $0.contains(day) }) {
            let weekday = Civil.weekday(days: day)
            for entry in decl.entries {
                let days: [DayRange], hours: [HoursRange]
                switch entry {
                case .open(let d, let h, _): (days, hours) = (d, h)
                case .seasonal(let d, let h, let season, _):
                    let first = BusinessCalendar.dayNumber(season.first)
                    let last = season.last.map(BusinessCalendar.dayNumber) ?? first
                    guard day >= first && day <= last else { continue }
                    (days, hours) = (d, h)
                default: continue
                }
                guard days.contains(where: { CalendarValidation.days($0).contains { $0.rawValue == weekday } }) else { continue }
                for h in hours {
                    let opens = zone.utc(fromLocal: Int64(day) * 86_400 + Int64(h.from.minutes) * 60)
                    let closes = zone.utc(fromLocal: Int64(day) * 86_400 + Int64(h.to.minutes) * 60)
                    if opens <= t && t < closes { return true }
                }
            }
        }
        return false
    }

    /// `=` and `!=` on texts compare bytes; order is not defined on texts
    /// (the checker allows none), so an ordering test on them is false.
    /// Everything else compares as numbers.
    func compare(_ op: CompareOp, _ x: Datum, _ y: Datum) -> Bool {
        switch (x, y) {
        case (.bytes(let a), .bytes(let b)):
            switch op {
            case .equal: return a == b
            case .notEqual: return a != b
            default: return false
            }
        case (.scalar(let a), .scalar(let b)):
            switch op {
            case .equal: return a == b
            case .notEqual: return a != b
            case .less: return a < b
            case .lessEqual: return a <= b
            case .greater: return a > b
            case .greaterEqual: return a >= b
            }
        default:
            return false
        }
    }

    /// Whether two data are the same value (for membership).
    func same(_ x: Datum, _ y: Datum) -> Bool {
        switch (x, y) {
        case (.bytes(let a), .bytes(let b)): return a == b
        case (.scalar(let a), .scalar(let b)): return a == b
        default: return false
        }
    }

    static func textTest(_ test: TextTest, _ text: [UInt8], _ needle: [UInt8]) -> Bool {
        switch test {
        case .startsWith:
            return text.count >= needle.count && Array(text.prefix(needle.count)) == needle
        case .endsWith:
            return text.count >= needle.count && Array(text.suffix(needle.count)) == needle
        case .contains:
            if needle.isEmpty { return true }
            guard text.count >= needle.count else { return false }
            for start in 0...(text.count - needle.count) where Array(text[start..<(start + needle.count)]) == needle {
                return true
            }
            return false
        }
    }

    // MARK: - Reading operands

    /// An operand's datum, nil when it is missing.
    func datum(_ operand: Operand, _ r: RecordBuffer) -> Datum? {
        switch operand {
        case .field(let f): return datum(field: f, r)
        case .value(let v): return datum(value: v)
        case .age:
            guard let clock = model.clockField, case .scalar(let start)? = datum(field: clock, r) else { return nil }
            return .scalar(r.now - start)
        case .history(let i):
            // Read from the record: worked out in input order before it is
            // evaluated; `ReferenceHistory` states how.
            return r.historyValue(i).map { .scalar($0) }
        }
    }

    /// A field's datum as the record holds it, nil when missing.
    func datum(field f: Int, _ r: RecordBuffer) -> Datum? {
        guard model.fields.indices.contains(f), r.isPresent(f) else { return nil }
        switch model.fields[f].type {
        case .text:
            return .bytes(Array(r.text(f)))
        case .list(let element):
            if element == .text { return .items(r.listTexts(f).map { .bytes(Array(r.textBytes[$0])) }) }
            return .items(r.listScalars(f).map { .scalar($0) })
        default:
            return .scalar(r.scalar(f))
        }
    }

    func datum(value: Value) -> Datum {
        switch value {
        case .text(let s): return .bytes(Array(s.utf8))
        case .list(let items): return .items(items.map { datum(value: $0) })
        default: return .scalar(value.scalar ?? .nan)
        }
    }

    // MARK: - Values for people

    /// A field's value as a typed `Value` (for showing it), nil when missing.
    package func value(of f: Int, in r: RecordBuffer) -> Value? {
        guard model.fields.indices.contains(f), r.isPresent(f) else { return nil }
        return Self.value(type: model.fields[f].type, field: f, r)
    }

    static func value(type: ValueType, field f: Int, _ r: RecordBuffer) -> Value {
        switch type {
        case .text: return .text(r.textString(f))
        case .number: return .number(r.scalar(f))
        case .bool: return .bool(r.scalar(f) != 0)
        case .time: return .time(Self.whole(r.scalar(f)))
        case .duration: return .duration(Self.whole(r.scalar(f)))
        case .scale(let s): return .level(s, Int(Self.whole(r.scalar(f))))
        case .enumeration(let e): return .choice(e, Int(Self.whole(r.scalar(f))))
        case .list(let element):
            if element == .text {
                return .list(r.listTexts(f).map { .text(String(decoding: r.textBytes[$0], as: UTF8.self)) })
            }
            return .list(r.listScalars(f).map { scalarValue(element, $0) })
        }
    }

    static func scalarValue(_ type: ValueType, _ v: Double) -> Value {
        switch type {
        case .bool: return .bool(v != 0)
        case .time: return .time(whole(v))
        case .duration: return .duration(whole(v))
        case .scale(let s): return .level(s, Int(whole(v)))
        case .enumeration(let e): return .choice(e, Int(whole(v)))
        default: return .number(v)
        }
    }

    /// A number as whole seconds or an index, without trapping on values
    /// no record should hold (NaN, out of range).
    static func whole(_ v: Double) -> Int64 {
        guard v.isFinite else { return 0 }
        if v >= 9.0e18 { return Int64(9.0e18) }
        if v <= -9.0e18 { return Int64(-9.0e18) }
        return Int64(v.rounded(.towardZero))
    }
}

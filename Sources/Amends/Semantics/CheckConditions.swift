/// Conditions: resolving bare names, typing comparisons, turning literals
/// into typed values.
///
/// A bare name is, in this order: a level or value of the type it is compared
/// with; a field; a `define`. So in `severity >= high`, `high` is a level of
/// the severity scale even if a field were called `high`.
extension Checker {
    /// A condition, or nil when it has errors (reported).
    mutating func checkCondition(_ e: Expr, _ source: SourceText) -> Condition? {
        let ref = SourceRef(source, e.span)
        switch e.kind {
        case .group(let inner):
            return checkCondition(inner, source)
        case .and(let a, let b):
            let ca = checkCondition(a, source)
            let cb = checkCondition(b, source)
            guard let ca, let cb else { return nil }
            return Condition(.and(ca, cb), ref)
        case .or(let a, let b):
            let ca = checkCondition(a, source)
            let cb = checkCondition(b, source)
            guard let ca, let cb else { return nil }
            return Condition(.or(ca, cb), ref)
        case .not(let a):
            return checkCondition(a, source).map { Condition(.not($0), ref) }
        case .bool(let b):
            return Condition(.constant(b), ref)
        case .name(let name):
            if let d = defineIndex[name] {
                usedDefines.insert(d)
                guard checkDefine(d) != nil else { return nil }
                return Condition(.define(d), ref)
            }
            if let f = fieldIndex[name] {
                if model.fields[f].type == .bool { return Condition(.flag(f), ref) }
                report(.notACondition, "`\(name)` is \(model.describe(model.fields[f].type)), not a condition", source, e.span,
                       help: conditionHelp(for: f))
                return nil
            }
            if let owner = levelOwner(name) {
                report(.notACondition, "`\(name)` is a value, not a condition", source, e.span,
                       help: "compare a field with it, e.g. `\(owner) = \(name)`")
                return nil
            }
            reportUnknownName(name, source, e.span, candidates: model.fields.map(\.name) + defineSyntax.map(\.name.name))
            return nil
        case .compare(_, _, let b) where b.kind == .error, .member(_, let b, _) where b.kind == .error,
             .text(_, _, let b) where b.kind == .error:
            // Cut short where the parser reported it (half-typed): nothing more to say.
            return nil
        case .compare(let op, let a, let b):
            return checkComparison(op, a, b, source, ref)
        case .member(let a, let list, let negated):
            return checkMembership(a, list, negated: negated, source, ref)
        case .text(let test, let a, let b):
            return checkTextTest(test, a, b, source, ref)
        case .presence(let a, let missing):
            guard case .name(let name) = a.kind, let f = fieldIndex[name] else {
                if case .name(let name) = a.kind {
                    reportUnknownName(name, source, a.span, candidates: model.fields.map(\.name))
                } else {
                    report(.notACondition, "`is \(missing ? "missing" : "present")` tests a field", source, a.span,
                           help: "write `FIELD is \(missing ? "missing" : "present")`")
                }
                return nil
            }
            return Condition(.presence(field: f, missing: missing), ref)
        case .clock(let a, let test):
            return checkClockTest(a, test, source, ref)
        case .age:
            report(.notACondition, "`age` is a duration, not a condition", source, e.span, help: "compare it, e.g. `age > 2 days`")
            return nil
        case .history(let h):
            report(.notACondition, "`\(h.measure.rawValue)` is a \(h.measure == .count ? "number" : "duration"), not a condition",
                   source, e.span, help: h.measure == .count ? "compare it, e.g. `\(source.text(e.span)) >= 1`"
                                                             : "compare it, e.g. `\(source.text(e.span)) < 30 days`")
            return nil
        case .list, .record:
            report(.invalidList, "a \(e.kind.isList ? "list" : "record") is not a condition", source, e.span,
                   help: "compare a field with values, e.g. `category in [billing, delivery]`")
            return nil
        case .number, .string, .duration, .timestamp, .null:
            report(.notACondition, "`\(source.text(e.span))` is a value, not a condition", source, e.span,
                   help: "compare a field with it, e.g. `amount > 5000`")
            return nil
        case .error:
            return nil
        }
    }

    func conditionHelp(for field: Int) -> String {
        let f = model.fields[field]
        switch f.type {
        case .scale(let s):
            let level = model.scales[s].levels.last ?? "high"
            return "compare it, e.g. `\(f.name) >= \(level)`"
        case .enumeration(let e):
            return "compare it, e.g. `\(f.name) = \(model.enumerations[e].values.first ?? "value")`"
        case .number: return "compare it, e.g. `\(f.name) > 0`"
        case .text: return "compare it, e.g. `\(f.name) = \"…\"`, or test `\(f.name) is present`"
        default: return "compare it with a value, or test `\(f.name) is present`"
        }
    }

    /// A scale or enumeration that has a level or value named `name`, for
    /// messages (`severity`).
    func levelOwner(_ name: String) -> String? {
        for field in model.fields {
            switch field.type {
            case .scale(let s) where model.scales[s].levels.contains(name): return field.name
            case .enumeration(let e) where model.enumerations[e].values.contains(name): return field.name
            default: continue
            }
        }
        return nil
    }

    mutating func reportUnknownName(_ name: String, _ source: SourceText, _ span: Span, candidates: [String]) {
        // A field whose type is unknown is declared; its E103 says what is wrong.
        if untypedFields.contains(name) { return }
        var help = Suggest.didYouMean(name, in: candidates)
        if help == nil {
            if model.roles.contains(name) || model.remedies.contains(name) {
                help = "`\(name)` is a \(model.roles.contains(name) ? "role" : "remedy"); conditions test the record's fields"
            } else if model.fields.isEmpty {
                help = "declare the record's fields first: `record incident:` with `\(name): TYPE` below it"
            } else {
                help = "add it to the record: `\(name): TYPE`"
            }
        }
        report(.unknownName, "unknown name `\(name)`", source, span, help: help)
    }

    // MARK: - Operands

    /// A field or `age`: the side of a comparison that comes from the record.
    enum Anchor {
        case field(Int, ValueType)
        case age
        /// A history term by index; -1 when it had errors (reported).
        case history(Int, ValueType)
        var type: ValueType {
            switch self {
            case .field(_, let t): return t
            case .age: return .duration
            case .history(_, let t): return t
            }
        }
        var operand: Operand {
            switch self {
            case .field(let f, _): return .field(f)
            case .age: return .age
            case .history(let i, _): return .history(i)
            }
        }
    }

    /// An expression that names a field or `age`, or nil (a constant).
    mutating func anchor(_ e: Expr, _ source: SourceText, preferValueOf other: ValueType?) -> Anchor? {
        switch e.kind {
        case .group(let inner): return anchor(inner, source, preferValueOf: other)
        case .age: return .age
        case .history(let h):
            return .history(historyTerm(h, source, e.span) ?? -1, h.measure == .count ? .number : .duration)
        case .name(let name):
            // A level of the other side's type wins over a field of that name.
            if let other, isValueName(name, of: other) { return nil }
            if let f = fieldIndex[name] { return .field(f, model.fields[f].type) }
            return nil
        default: return nil
        }
    }

    func isValueName(_ name: String, of type: ValueType) -> Bool {
        switch type {
        case .scale(let s): return model.scales[s].levels.contains(name)
        case .enumeration(let e): return model.enumerations[e].values.contains(name)
        case .list(let element): return isValueName(name, of: element)
        default: return false
        }
    }

    mutating func checkAge(_ anchor: Anchor, _ source: SourceText, _ span: Span) -> Bool {
        if case .history(let i, _) = anchor { return i >= 0 }
        if case .age = anchor, model.clockField == nil {
            if clockDeclared { return false } // the `deadlines from` line is already reported
            report(.ageWithoutClock, "`age` needs to know when the incident happened", source, span,
                   help: "say which time field it is: `deadlines from reported`")
            return false
        }
        return true
    }

    // MARK: - Comparisons

    mutating func checkComparison(_ op: CompareOp, _ a: Expr, _ b: Expr, _ source: SourceText, _ ref: SourceRef) -> Condition? {
        // A level of the other side's type wins over a field of that name,
        // on either side (§5 Names): `severity = high` and `high = severity`.
        var left = anchor(a, source, preferValueOf: nil)
        let right = anchor(b, source, preferValueOf: left?.type)
        if left != nil, let r = right, case .name(let name) = a.kind, isValueName(name, of: r.type) { left = nil }
        switch (left, right) {
        case (nil, nil):
            // Either an unknown name, or two constants.
            for side in [a, b] {
                if case .name(let name) = side.kind, defineIndex[name] == nil, levelOwner(name) == nil {
                    reportUnknownName(name, source, side.span, candidates: model.fields.map(\.name))
                    return nil
                }
            }
            report(.constantComparison, "this compares two values; one side must be a field or `age`", source, ref.span,
                   help: fieldExampleHelp())
            return nil
        case (let l?, let r?):
            guard checkAge(l, source, a.span), checkAge(r, source, b.span) else { return nil }
            guard l.type == r.type else {
                report(.typeMismatch, "`\(source.text(a.span))` is \(model.describe(l.type)), but `\(source.text(b.span))` is \(model.describe(r.type))",
                       source, ref.span, help: "compare values of the same type")
                return nil
            }
            guard checkOrdering(op, l.type, source, ref.span) else { return nil }
            return Condition(.compare(op, l.operand, r.operand), ref)
        case (let l?, nil):
            guard checkAge(l, source, a.span), checkOrdering(op, l.type, source, ref.span) else { return nil }
            guard let value = comparand(b, for: l, a, source) else { return nil }
            return Condition(.compare(op, l.operand, .value(value)), ref)
        case (nil, let r?):
            guard checkAge(r, source, b.span), checkOrdering(op, r.type, source, ref.span) else { return nil }
            guard let value = comparand(a, for: r, b, source) else { return nil }
            return Condition(.compare(op.flipped, r.operand, .value(value)), ref)
        }
    }

    mutating func checkOrdering(_ op: CompareOp, _ type: ValueType, _ source: SourceText, _ span: Span) -> Bool {
        guard op.isOrdering, !type.isOrdered else { return true }
        var help = "`=` and `!=` compare these; order needs a number, time, duration or scale"
        if case .enumeration = type { help = "`one of` values have no order; declare a `scale` to compare with `\(op.rawValue)`, or use `in [..]`" }
        if case .list = type { help = "test a list with `contains`" }
        report(.unorderedComparison, "`\(op.rawValue)` needs an order, but \(model.describe(type)) has none", source, span, help: help)
        return false
    }

    /// The constant side of a comparison, typed as the anchor's type.
    mutating func comparand(_ e: Expr, for anchor: Anchor, _ anchorExpr: Expr, _ source: SourceText) -> Value? {
        let what = "`\(source.text(anchorExpr.span))`"
        if case .list(let element) = anchor.type {
            _ = element
            report(.typeMismatch, "\(what) is a list; compare it with `contains`", source, e.span,
                   help: "write `\(source.text(anchorExpr.span)) contains \(source.text(e.span))`")
            return nil
        }
        if case .duration(let d) = e.kind, d.unit.isBusiness {
            report(.typeMismatch, "business time cannot be compared: it depends on when it starts", source, e.span,
                   help: "compare with calendar time, e.g. `\(d.amount) \(d.unit == .businessDays ? "days" : "hours")`")
            return nil
        }
        return constant(e, as: anchor.type, source, context: what, code: .typeMismatch)
    }

    // MARK: - Membership and text

    mutating func checkMembership(_ a: Expr, _ list: Expr, negated: Bool, _ source: SourceText, _ ref: SourceRef) -> Condition? {
        // A value in a list field (`"urgent" in tags`) is `tags contains "urgent"`;
        // `not in` is false, as every test, when the list is missing.
        // A name that is one of the list's values is that value, even when a
        // field has the name (§5 Names).
        if case .name(let listName) = list.kind, let f = fieldIndex[listName], case .list(let element) = model.fields[f].type,
           anchor(a, source, preferValueOf: model.fields[f].type) == nil {
            guard let value = constant(a, as: element, source, context: "an item of `\(listName)`", code: .typeMismatch) else { return nil }
            let contains = Condition(.listContains(list: f, value), ref)
            guard negated else { return contains }
            return Condition(.and(Condition(.presence(field: f, missing: false), ref), Condition(.not(contains), ref)), ref)
        }
        guard let left = anchor(a, source, preferValueOf: nil) else {
            if case .name(let name) = a.kind, levelOwner(name) == nil {
                reportUnknownName(name, source, a.span, candidates: model.fields.map(\.name))
            } else {
                report(.constantComparison, "`in` tests a field; `\(source.text(a.span))` is a value", source, a.span,
                       help: "write `FIELD in [a, b]`")
            }
            return nil
        }
        guard checkAge(left, source, a.span) else { return nil }
        switch list.kind {
        case .list(let items):
            var values: [Value] = []
            var ok = true
            for item in items {
                if let v = comparand(item, for: left, a, source) { values.append(v) } else { ok = false }
            }
            guard ok else { return nil }
            return Condition(.member(left.operand, values, negated: negated), ref)
        case .name(let name):
            if let f = fieldIndex[name], case .list(let element) = model.fields[f].type {
                guard element == left.type else {
                    report(.typeMismatch, "`\(name)` is a list of \(model.describe(element)), but `\(source.text(a.span))` is \(model.describe(left.type))",
                           source, ref.span, help: "compare values of the same type")
                    return nil
                }
                return Condition(.memberOfField(left.operand, list: f, negated: negated), ref)
            }
            fallthrough
        default:
            report(.invalidList, "`in` needs a list, e.g. `[billing, delivery]`", source, list.span,
                   help: "write `\(source.text(a.span)) \(negated ? "not in" : "in") [\(source.text(list.span))]`")
            return nil
        }
    }

    mutating func checkTextTest(_ test: TextTest, _ a: Expr, _ b: Expr, _ source: SourceText, _ ref: SourceRef) -> Condition? {
        guard case .name(let name) = a.kind, let f = fieldIndex[name] else {
            if case .name(let name) = a.kind {
                reportUnknownName(name, source, a.span, candidates: model.fields.map(\.name))
            } else {
                report(.constantComparison, "`\(test.rawValue)` tests a field; `\(source.text(a.span))` is a value", source, a.span,
                       help: "write `FIELD \(test.rawValue) \(source.text(b.span))`")
            }
            return nil
        }
        let type = model.fields[f].type
        if test == .contains, case .list(let element) = type {
            // `tags contains name` is `name in tags` (§5): a field's value.
            if let item = anchor(b, source, preferValueOf: type) {
                guard checkAge(item, source, b.span) else { return nil }
                guard item.type == element else {
                    report(.typeMismatch, "`\(name)` is a list of \(model.describe(element)), but `\(source.text(b.span))` is \(model.describe(item.type))",
                           source, ref.span, help: "compare values of the same type")
                    return nil
                }
                return Condition(.memberOfField(item.operand, list: f, negated: false), ref)
            }
            guard let value = constant(b, as: element, source, context: "an item of `\(name)`", code: .typeMismatch) else { return nil }
            return Condition(.listContains(list: f, value), ref)
        }
        guard type == .text else {
            report(.typeMismatch, "`\(test.rawValue)` tests text, but `\(name)` is \(model.describe(type))", source, ref.span,
                   help: type.isOrdered || type == .bool ? "compare it with `=`" : "use `=` or `in [..]`")
            return nil
        }
        guard case .string(let text) = b.kind else {
            report(.typeMismatch, "`\(test.rawValue)` needs text in quotes", source, b.span,
                   help: "write `\(name) \(test.rawValue) \"\(source.text(b.span))\"`")
            return nil
        }
        return Condition(.text(test, field: f, text), ref)
    }

    // MARK: - History

    /// The index of a history term, made the first time it is written;
    /// nil after reporting what is wrong with it.
    mutating func historyTerm(_ h: HistoryExpr, _ source: SourceText, _ span: Span) -> Int? {
        let words = h.measure.rawValue
        var ok = true
        if checkingHistoryFilter {
            report(.ageWithoutClock, "a history's condition cannot read history itself", source, span,
                   help: "test the earlier incident's own fields, e.g. `\(words) (category = billing) within 90 days`")
            return nil
        }
        if model.historyKey == nil && !historyKeyDeclared {
            report(.ageWithoutClock, "`\(words)` needs to know whose earlier incidents to read", source, span,
                   help: "say which field identifies the client: `history by client`")
            ok = false
        }
        if model.clockField == nil && !clockDeclared {
            report(.ageWithoutClock, "`\(words)` needs to know when each incident happened", source, span,
                   help: "say which time field it is: `deadlines from reported`")
            ok = false
        }
        guard let window = h.window.unit.seconds.map({ $0 &* h.window.amount }) else {
            report(.typeMismatch, "a history's window is calendar time, not business time", source, h.window.span,
                   help: "write `within \(h.window.amount) \(h.window.unit == .businessDays ? "days" : "hours")`")
            return nil
        }
        var filter: Int?
        if let e = h.filter {
            let text = source.text(e.span)
            if let known = historyFilterIndex[text] {
                filter = known
            } else {
                checkingHistoryFilter = true
                let condition = checkCondition(e, source)
                checkingHistoryFilter = false
                guard let condition else { return nil }
                filter = model.historyFilters.count
                historyFilterIndex[text] = model.historyFilters.count
                model.historyFilters.append(condition)
            }
        }
        guard ok, model.historyKey != nil, model.clockField != nil else { return nil }
        let term = HistoryTerm(measure: h.measure, filter: filter, window: window)
        if let known = model.historyTerms.firstIndex(of: term) { return known }
        model.historyTerms.append(term)
        return model.historyTerms.count - 1
    }

    // MARK: - Clock conditions

    /// `reported on sat, sun`, `reported at 18:00-08:00`, `reported is
    /// outside opening hours`: a time field, tested in the calendar's zone.
    mutating func checkClockTest(_ a: Expr, _ test: ClockTestSyntax, _ source: SourceText, _ ref: SourceRef) -> Condition? {
        let words: String
        switch test {
        case .days: words = "on"
        case .hours: words = "at"
        case .openingHours(let inside): words = inside ? "is inside opening hours" : "is outside opening hours"
        }
        guard case .name(let name) = a.kind, let f = fieldIndex[name] else {
            if case .name(let name) = a.kind {
                reportUnknownName(name, source, a.span, candidates: model.fields.map(\.name).filter { fieldIndex[$0].map { model.fields[$0].type == .time } ?? false })
            } else {
                report(.constantComparison, "`\(words)` tests a time field; `\(source.text(a.span))` is \(a.kind == .age ? "a duration" : "a value")",
                       source, a.span, help: "write it of a time field, e.g. `reported \(words)\(words == "on" ? " sat, sun" : words == "at" ? " 18:00-08:00" : "")`")
            }
            return nil
        }
        guard model.fields[f].type == .time else {
            report(.typeMismatch, "`\(words)` tests a time, but `\(name)` is \(model.describe(model.fields[f].type))", source, ref.span,
                   help: Suggest.didYouMean(name, in: model.fields.filter { $0.type == .time }.map(\.name))
                       ?? "declare a time field to test, e.g. `reported: time`")
            return nil
        }
        switch test {
        case .days(let days):
            var bits: UInt8 = 0
            for range in days {
                for day in CalendarValidation.days(range) { bits |= 1 << UInt8(day.rawValue - 1) }
            }
            return Condition(.clock(.weekdays(bits), field: f, calendar: currentCalendar), ref)
        case .hours(let hours):
            var ranges: [TimeOfDayRange] = []
            for h in hours {
                if h.from == h.to || h.from.minutes == 1440 || (h.from.minutes == 0 && h.to.minutes == 1440) {
                    let problem = h.from == h.to ? "is empty: it ends when it starts"
                        : h.from.minutes == 1440 ? "starts at the end of the day" : "is the whole day"
                    report(.invalidCalendar, "the time of day \(h.from)-\(h.to) \(problem)", source, h.span,
                           help: h.from.minutes == 0 && h.to.minutes == 1440
                               ? "every time is in it: test `\(name) is present` instead"
                               : "write a range of local times, e.g. `\(name) at 18:00-08:00` (it may run past midnight)")
                    return nil
                }
                ranges.append(TimeOfDayRange(from: h.from.minutes, to: h.to.minutes == 1440 ? 0 : h.to.minutes))
            }
            return Condition(.clock(.timeOfDay(ranges), field: f, calendar: currentCalendar), ref)
        case .openingHours(let inside):
            guard let calendar = currentCalendar else {
                if currentCalendarUnknown { return nil }
                report(.businessTimeWithoutCalendar, "`\(words)` needs a calendar of opening hours", source, ref.span,
                       help: model.calendars.isEmpty ? "declare one: `calendar:` with a line such as `open mon-fri 09:00-17:30`"
                           : "the policy has no default calendar: say which the rule counts in, `when … using calendar NAME:`")
                return nil
            }
            return Condition(.clock(.openingHours(inside: inside), field: f, calendar: calendar), ref)
        }
    }

    // MARK: - Constants

    /// A literal as a value of `type`, or nil after reporting why it is not.
    mutating func constant(_ e: Expr, as type: ValueType, _ source: SourceText, context: String, code: DiagnosticCode) -> Value? {
        func mismatch(_ what: String, help: String? = nil) -> Value? {
            report(code, "\(context) is \(model.describe(type)), but `\(source.text(e.span))` is \(what)", source, e.span,
                   help: help ?? sampleHelp(type))
            return nil
        }
        if case .group(let inner) = e.kind { return constant(inner, as: type, source, context: context, code: code) }
        switch (type, e.kind) {
        case (.text, .string(let s)): return .text(s)
        case (.text, .name(let n)): return mismatch("a name", help: "put text in quotes: \"\(n)\"")
        case (.number, .number(let v)): return .number(v)
        case (.number, .string(let s)):
            return mismatch("text", help: Double(s) != nil ? "write the number without quotes: `\(s)`" : nil)
        case (.number, .duration): return mismatch("a duration", help: "compare durations with `age` or a duration field")
        case (.bool, .bool(let b)): return .bool(b)
        case (.time, .timestamp(let t)): return .time(localZone.epochSeconds(t))
        case (.time, .duration(let d)):
            return mismatch("a duration", help: "to test how long ago the incident happened, compare `age`: `age > \(d)`")
        case (.time, .string(let s)):
            if case .success(let t) = TimestampLiteral.parse(Array(s.utf8)) { return .time(localZone.epochSeconds(t)) }
            return mismatch("text", help: "write a timestamp like `2026-03-02T09:00:00Z`")
        case (.duration, .duration(let d)):
            guard let seconds = d.unit.seconds else {
                return mismatch("business time", help: "use calendar units: minutes, hours, days, weeks")
            }
            return .duration(seconds * d.amount)
        case (.duration, .number):
            return mismatch("a number", help: "give the unit, e.g. `\(source.text(e.span)) days`")
        case (.scale(let s), .name(let n)), (.scale(let s), .string(let n)):
            if let i = model.scales[s].levels.firstIndex(of: n) ?? model.scales[s].spellings.firstIndex(where: { $0.contains(n) }) {
                return .level(s, i)
            }
            if let other = model.scales.firstIndex(where: { $0.levels.contains(n) }) {
                report(.wrongScale, "`\(n)` is a level of scale `\(model.scales[other].name)`, not of `\(model.scales[s].name)`",
                       source, e.span, help: "\(context) takes \(model.scales[s].levels.map { "`\($0)`" }.joined(separator: ", "))")
                return nil
            }
            report(.unknownLevel, "`\(n)` is not a level of scale `\(model.scales[s].name)`", source, e.span,
                   help: Suggest.didYouMean(n, in: model.scales[s].levels)
                       ?? "the levels are \(model.scales[s].levels.map { "`\($0)`" }.joined(separator: " < "))")
            return nil
        case (.enumeration(let en), .name(let n)), (.enumeration(let en), .string(let n)):
            let enumeration = model.enumerations[en]
            if let i = enumeration.values.firstIndex(of: n) ?? enumeration.spellings.firstIndex(where: { $0.contains(n) }) {
                return .choice(en, i)
            }
            report(.unknownLevel, "`\(n)` is not one of the values of `\(enumeration.owner)`", source, e.span,
                   help: Suggest.didYouMean(n, in: enumeration.values)
                       ?? "the values are \(enumeration.values.map { "`\($0)`" }.joined(separator: ", "))")
            return nil
        case (.list(let element), .list(let items)):
            var values: [Value] = []
            for item in items {
                guard let v = constant(item, as: element, source, context: "an item of \(context)", code: code) else { return nil }
                values.append(v)
            }
            return .list(values)
        case (_, .list):
            report(.invalidList, "\(context) is \(model.describe(type)), not a list", source, e.span,
                   help: "to test several values, write `FIELD in [a, b]`")
            return nil
        case (_, .record):
            report(.invalidList, "a record is not a value here", source, e.span)
            return nil
        case (_, .name(let n)):
            if fieldIndex[n] != nil || defineIndex[n] != nil {
                return mismatch("a \(fieldIndex[n] != nil ? "field" : "define")")
            }
            // A bare word where a yes/no belongs: say what belongs there.
            if type == .bool && !untypedFields.contains(n) && Suggest.closest(to: n, in: model.fields.map(\.name)) == nil {
                report(.unknownName, "unknown name `\(n)`", source, e.span, help: "\(context) is yes/no: compare it with `yes` or `no`")
                return nil
            }
            reportUnknownName(n, source, e.span, candidates: model.fields.map(\.name))
            return nil
        case (_, .error): return nil
        case (_, .string): return mismatch("text")
        case (_, .number): return mismatch("a number")
        case (_, .bool): return mismatch("yes/no")
        case (_, .timestamp): return mismatch("a time")
        case (_, .duration): return mismatch("a duration")
        case (_, .null): return mismatch("null", help: "to test for no value, write `FIELD is missing`")
        default: return mismatch("not a value")
        }
    }
}

extension Checker {
    /// `write a value like `0``: a literal of the type, for help lines.
    func sampleHelp(_ type: ValueType) -> String? {
        sampleLiteral(type).map { "write a value like `\($0)`" }
    }

    func sampleLiteral(_ type: ValueType) -> String? {
        switch type {
        case .text: return "\"text\""
        case .number: return "0"
        case .bool: return "no"
        case .time: return "2026-03-02T09:00:00Z"
        case .duration: return "1 day"
        case .scale(let s): return model.scales.indices.contains(s) ? model.scales[s].levels.first : nil
        case .enumeration(let e): return model.enumerations.indices.contains(e) ? model.enumerations[e].values.first : nil
        case .list(let element): return sampleLiteral(element).map { "[\($0)]" }
        }
    }

    /// A help line naming a real field: `compare a field of the record, e.g. `tier = basic``.
    func fieldExampleHelp() -> String {
        for field in model.fields {
            if let literal = sampleLiteral(field.type), !field.type.isList {
                return "compare a field of the record, e.g. `\(field.name) = \(literal)`"
            }
        }
        return "compare a field of the record with a value"
    }
}

extension ValueType {
    var isList: Bool {
        if case .list = self { return true }
        return false
    }
}

extension ExprKind {
    var isList: Bool {
        if case .list = self { return true }
        return false
    }
}

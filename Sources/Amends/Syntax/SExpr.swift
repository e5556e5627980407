/// S-expression dumps of the AST, without spans: one line per item.
///
///     (rule (when (>= severity high)) (notify supervisor)
///       (apology (with responsibility prevention)) (follow-up (in 3 days)))
///
/// (printed on one line). Tests compare trees through these dumps.
package enum SExpr {
    package static func dump(_ file: PolicyFile) -> String {
        file.items.map { dump($0) + "\n" }.joined()
    }

    package static func dump(_ item: Item) -> String {
        switch item.kind {
        case .policyName(let name): return "(policy \(quote(name.value)))"
        case .scale(let scale):
            return "(scale \(scale.name.name) \(scale.levels.map(level).joined(separator: " ")))"
        case .record(let record):
            var parts = ["record", record.name.name]
            if !record.missing.isEmpty { parts.append("(missing \(record.missing.map { quote($0.value) }.joined(separator: " ")))") }
            parts += record.fields.map(field)
            return "(" + parts.joined(separator: " ") + ")"
        case .deadlinesFrom(let field): return "(deadlines-from \(field.name))"
        case .names(let list): return "(\(list.kind.rawValue) \(list.names.map(\.name).joined(separator: " ")))"
        case .define(let define): return "(define \(define.name.name) \(dump(define.condition)))"
        case .mark(let mark): return "(\(mark.kind.dumpName) \(dump(mark.condition)))"
        case .use(let path): return "(use \(quote(path.value)))"
        case .calendar(let calendar):
            return "(calendar" + (calendar.name.map { " " + $0.name } ?? "") + calendar.entries.map { " " + entry($0) }.joined() + ")"
        case .usingCalendar(let name): return "(using-calendar \(name.name))"
        case .historyKey(let name): return "(history-by \(name.name))"
        case .done(let done):
            return "(done" + done.lines.map { " (\(doneTarget($0.target)) \($0.field.name))" }.joined() + ")"
        case .rule(let rule): return dump(rule)
        case .example(let example):
            var parts = ["example", quote(example.name.value)]
            if let given = example.given { parts.append("(given \(dump(given)))") }
            if let now = example.now { parts.append("(now \(dump(now)))") }
            for e in example.expectations {
                if let s = e.status {
                    parts.append("(expect-status (\(doneTarget(s.target))) \(s.status.name)" + (s.margin.map { " (by \($0))" } ?? "") + ")")
                    continue
                }
                let body = e.action.map(dump) ?? "nothing"
                parts.append(e.atLeast ? "(expect-at-least \(body))" : "(expect \(body))")
            }
            return "(" + parts.joined(separator: " ") + ")"
        }
    }

    package static func dump(_ rule: Rule) -> String {
        var parts = ["rule"]
        if let name = rule.name { parts.append(quote(name.value)) }
        parts.append(rule.condition.map { "(when \(dump($0)))" } ?? "otherwise")
        if let calendar = rule.calendar { parts.append("(using-calendar \(calendar.name))") }
        parts += rule.actions.map(dump)
        return "(" + parts.joined(separator: " ") + ")"
    }

    package static func dump(_ action: Action) -> String {
        func within(_ d: DurationLiteral?) -> String { d.map { " (within \($0))" } ?? "" }
        func by(_ c: Identifier?) -> String { c.map { " (by \($0.name))" } ?? "" }
        switch action.kind {
        case .notify(let roles, let w): return "(notify \(roles.map(\.name).joined(separator: " "))\(within(w)))"
        case .escalate(let role, let w): return "(escalate \(role.name)\(within(w)))"
        case .assign(let role): return "(assign \(role.name))"
        case .respond(let w, let c): return "(respond\(within(w))\(by(c)))"
        case .apology(let components, let w, let c):
            let with = components.isEmpty ? "" : " (with \(components.map(\.name).joined(separator: " ")))"
            return "(apology\(with)\(within(w))\(by(c)))"
        case .offer(let remedies): return "(offer \(remedies.map(\.name).joined(separator: " ")))"
        case .followUp(let d, let c): return "(follow-up (in \(d))\(by(c)))"
        case .review(let w): return "(review\(within(w)))"
        case .task(let text, let w): return "(task \(quote(text.value))\(within(w)))"
        case .waive(let kind, _): return "(waive \(kind.rawValue.replacing(" ", with: "-")))"
        }
    }

    package static func dump(_ expr: Expr) -> String {
        switch expr.kind {
        case .name(let n): return n
        case .age: return "age"
        case .number(let v): return number(v)
        case .string(let s): return quote(s)
        case .bool(let b): return b ? "yes" : "no"
        case .null: return "null"
        case .duration(let d): return "(\(d))"
        case .timestamp(let t): return t.text
        case .list(let items): return "[" + items.map(dump).joined(separator: " ") + "]"
        case .record(let entries): return "{" + entries.map { "\(key($0.key.name)): \(dump($0.value))" }.joined(separator: ", ") + "}"
        case .compare(let op, let a, let b): return "(\(op.rawValue) \(dump(a)) \(dump(b)))"
        case .member(let a, let b, let negated): return "(\(negated ? "not-in" : "in") \(dump(a)) \(dump(b)))"
        case .text(let test, let a, let b):
            return "(\(test.rawValue.replacing(" ", with: "-")) \(dump(a)) \(dump(b)))"
        case .presence(let a, let missing): return "(\(missing ? "is-missing" : "is-present") \(dump(a)))"
        case .history(let h):
            return "(\(h.measure == .count ? "earlier" : "since-last")\(h.filter.map { " " + dump($0) } ?? "") (within \(h.window)))"
        case .clock(let a, let test):
            switch test {
            case .days(let days):
                let text = days.map { $0.first == $0.last ? $0.first.name : "\($0.first.name)-\($0.last.name)" }
                return "(on \(dump(a)) \(text.joined(separator: " ")))"
            case .hours(let hours):
                return "(at \(dump(a)) \(hours.map { "\($0.from)-\($0.to)" }.joined(separator: " ")))"
            case .openingHours(let inside):
                return "(\(inside ? "inside" : "outside")-opening-hours \(dump(a)))"
            }
        case .not(let a): return "(not \(dump(a)))"
        case .and(let a, let b): return "(and \(dump(a)) \(dump(b)))"
        case .or(let a, let b): return "(or \(dump(a)) \(dump(b)))"
        case .group(let a): return "(group \(dump(a)))"
        case .error: return "(error)"
        }
    }

    /// A record key: bare when it is a name, quoted otherwise.
    static func key(_ name: String) -> String {
        let scalars = name.unicodeScalars
        let isName = !name.isEmpty && scalars.first.map { $0.properties.isAlphabetic || $0 == "_" } == true
            && scalars.allSatisfy { $0.properties.isAlphabetic || $0.properties.numericType != nil || $0 == "_" || $0 == "." }
        return isName ? name : quote(name)
    }

    static func level(_ level: LevelDecl) -> String {
        level.spellings.isEmpty ? level.name.name
            : "(\(level.name.name) \(level.spellings.map { quote($0.value) }.joined(separator: " ")))"
    }

    static func type(_ t: TypeExpr) -> String {
        switch t.kind {
        case .text: return "text"
        case .number: return "number"
        case .yesNo: return "yes/no"
        case .time: return "time"
        case .duration: return "duration"
        case .named(let name): return name.name
        case .oneOf(let values): return "(one-of \(values.map(level).joined(separator: " ")))"
        case .list(let element): return "(list-of \(type(element)))"
        }
    }

    static func field(_ f: FieldDecl) -> String {
        var parts = ["field", f.name.name, type(f.type)]
        if f.optional { parts.append("optional") }
        if let column = f.column { parts.append("(from \(quote(column.value)))") }
        if let format = f.format { parts.append("(format \(quote(format.value)))") }
        if let d = f.defaultValue { parts.append("(default \(dump(d)))") }
        return "(" + parts.joined(separator: " ") + ")"
    }

    /// `notify-supervisor`, `task-"call"`, `follow-up`: a `done:` line's action.
    static func doneTarget(_ t: DoneTarget) -> String {
        switch t.kind {
        case .notify, .escalate: return "\(t.kind.rawValue) \(t.role?.name ?? "")"
        case .task: return "task \(quote(t.text?.value ?? ""))"
        case .followUp: return "follow-up"
        default: return t.kind.rawValue
        }
    }

    static func entry(_ e: CalendarEntry) -> String {
        switch e {
        case .open(let days, let hours, _):
            let d = days.map { $0.first == $0.last ? $0.first.name : "\($0.first.name)-\($0.last.name)" }.joined(separator: " ")
            let h = hours.map { "\($0.from)-\($0.to)" }.joined(separator: " ")
            return "(open (days \(d)) (hours \(h)))"
        case .seasonal(let days, let hours, let season, _):
            let d = days.map { $0.first == $0.last ? $0.first.name : "\($0.first.name)-\($0.last.name)" }.joined(separator: " ")
            let h = hours.map { "\($0.from)-\($0.to)" }.joined(separator: " ")
            return "(open (days \(d)) (hours \(h)) (season \(season.first.text)..\(season.last?.text ?? season.first.text)))"
        case .timeZone(let zone): return "(time-zone \(quote(zone.value)))"
        case .closed(let dates, _):
            return "(closed " + dates.map { r in r.last.map { "\(r.first.text)..\($0.text)" } ?? r.first.text }.joined(separator: " ") + ")"
        }
    }

    /// A number as the policy would write it: no `.0` on whole numbers.
    package static func number(_ v: Double) -> String {
        if v == v.rounded() && abs(v) < 1e15 { return String(Int64(v)) }
        return String(v)
    }

    /// A string in double quotes with the language's escapes.
    package static func quote(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += "\\u{\(String(scalar.value, radix: 16))}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}

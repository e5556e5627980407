/// The reference parts of a runbook: the worked examples, the calendar and
/// the glossary of roles, remedies, channels, apology parts and fields.
extension RunbookBuilder {
    // MARK: - Worked examples

    mutating func examples() {
        guard !model.examples.isEmpty else { return }
        heading(2, "Worked examples")
        add(.paragraph([.text("The policy's own examples, which `amends test` checks: an incident, and what it requires.")]))
        let runner = ExampleRunner(program: program)
        let table = DecisionTable(compiled)
        for example in model.examples {
            heading(3, example.name.prefix(1).uppercased() + example.name.dropFirst())
            let given = example.record.map { item -> String in
                let name = model.fields.indices.contains(item.field) ? words.field(item.field) : "?"
                if case .time(let t) = item.value { return "\(name): \(localTime(t))" }
                return "\(name): \(model.describe(item.value))"
            }
            add(.paragraph([.strong("The incident:"), .text(" " + given.joined(separator: "; ") + ". "), Self.link(example.ref)]))
            let result = runner.run(example)
            let record = runner.record(for: example)
            // Soonest first: the order to do them in.
            let actions = result.outcome.actions.enumerated().sorted { a, b in
                (a.element.due ?? .max, a.offset) < (b.element.due ?? .max, b.offset)
            }.map(\.element)
            var items: [[Inline]] = actions.map { action in
                var line: [Inline] = [.text(RunbookWords.short(action))]
                if let due = action.due { line.append(.text(action.kind == .followUp ? ", on \(localTime(due))" : ", by \(localTime(due))")) }
                line.append(.text(" "))
                for (i, rule) in RunbookBuilder.deciding(action).enumerated() {
                    if i > 0 { line.append(.text(" ")) }
                    line.append(.source(file: rule.file, line: rule.line))
                }
                return line
            }
            for waiver in result.outcome.waived { items.append([.text("no \(RunbookWords.kindWord(waiver.kind)) (waived)")]) }
            if items.isEmpty { items = [[.text("nothing required")]] }
            var lead: [Inline] = [.strong("What it requires:")]
            if let row = table.row(for: record) {
                lead += [.text(" (case \(row + 1) of the "), .anchor("decision table", id: "decision-table"), .text(")")]
            }
            lead.append(.text(", soonest first:"))
            add(.paragraph(lead))
            add(.bullets(items))
        }
    }

    /// `Tue 2026-03-03 10:00 Europe/London`, or UTC without a calendar.
    func localTime(_ t: Int64) -> String {
        guard let calendar = program.calendar else { return ISOTime.string(utc: t) }
        return calendar.localText(t) + " " + program.schema.zone.identifier
    }

    // MARK: - Calendar

    mutating func calendar() {
        heading(2, "Calendar")
        guard !model.calendars.isEmpty else {
            add(.paragraph([.text("The policy has no calendar: every deadline is in hours and days round the clock, in UTC.")]))
            return
        }
        // The default calendar first, then the named ones, as declared.
        let order = model.calendars.indices.sorted { (model.calendars[$0].name != nil ? 1 : 0, $0) < (model.calendars[$1].name != nil ? 1 : 0, $1) }
        for c in order {
            let calendar = model.calendars[c]
            if model.calendars.count > 1 {
                add(.paragraph([.text(calendar.name.map { "Calendar \($0): the rules that say `using calendar \($0)` count in it." }
                    ?? "The default calendar: rules count in it unless they name another.")]))
            }
            calendarItems(calendar.decl, calendar.ref)
        }
        add(.paragraph([.text("Business time counts only these hours. \"Within 4 business hours\" starts now if we are open, else at the next opening, and skips closed days. \"Within 1 business day\" is the same time on the next open day (from outside opening hours: the close of the next open day). Hours and days without \"business\" run round the clock, weekends included.")]))
    }

    mutating func calendarItems(_ decl: CalendarDecl, _ ref: SourceRef) {
        if let doc = docs.text(for: ref) { add(.paragraph([.text(doc)])) }
        var items: [[Inline]] = []
        for entry in decl.entries {
            switch entry {
            case .open(let days, let hours, let span):
                let dayText = RunbookWords.list(days.map { d in d.first == d.last ? Self.dayName(d.first) : "\(Self.dayName(d.first)) to \(Self.dayName(d.last))" }, "and")
                let hourText = RunbookWords.list(hours.map { "\($0.from) to \($0.to)" }, "and")
                items.append([.text("Open \(dayText), \(hourText). "), Self.link(SourceRef(ref.source, span))])
            case .seasonal(let days, let hours, let season, let span):
                let dayText = RunbookWords.list(days.map { d in d.first == d.last ? Self.dayName(d.first) : "\(Self.dayName(d.first)) to \(Self.dayName(d.last))" }, "and")
                let hourText = RunbookWords.list(hours.map { "\($0.from) to \($0.to)" }, "and")
                let seasonText = "from \(season.first.text) to \(season.last?.text ?? season.first.text)"
                items.append([.text("Also open \(dayText), \(hourText), \(seasonText). "), Self.link(SourceRef(ref.source, span))])
            case .timeZone(let zone):
                items.append([.text("Times are in \(zone.value). "), Self.link(SourceRef(ref.source, zone.span))])
            case .closed(let ranges, let span):
                let text = RunbookWords.list(ranges.map { r in r.last.map { "\(r.first.text) to \($0.text)" } ?? r.first.text }, "and")
                items.append([.text("Closed \(text). "), Self.link(SourceRef(ref.source, span))])
            }
        }
        add(.bullets(items))
    }

    static func dayName(_ d: Weekday) -> String {
        // INVARIANT: a Weekday's raw value is 1 (Monday) to 7 (Sunday).
        ["", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"][d.rawValue]
    }

    // MARK: - Glossary

    mutating func glossary() {
        heading(2, "Glossary")
        let declared = nameDeclarations()
        for (title, kind, names) in [("Roles", NameListKind.roles, model.roles), ("Remedies", .remedies, model.remedies),
                                     ("Channels", .channels, model.channels)] where !names.isEmpty {
            if options.audience != nil && kind != .roles { continue }
            heading(3, title)
            add(.bullets(names.map { name in
                var line: [Inline] = [.strong(RunbookWords.human(name))]
                if let ref = declared[kind]?[name] {
                    line.append(.text(docs.text(for: ref).map { ": " + Self.sentence($0) + ". " } ?? " "))
                    line.append(Self.link(ref))
                } else {
                    line.append(.text(" (built in)"))
                }
                return line
            }))
        }
        if options.audience == nil {
            heading(3, "The parts of an apology")
            add(.paragraph([.text("An apology says only the parts its situation asks for, always in this order, the order research found most effective (Warwick Business School; Lewicki, Polin and Lount): responsibility matters most, then repair; asking for forgiveness matters least.")]))
            add(.numbered(ApologyComponent.allCases.map { [.strong($0.rawValue), .text(": \(RunbookWords.meaning($0)).")] }))
        }
        terms()
        heading(3, "The incident's details")
        add(.bullets(model.fields.indices.map { f in
            let field = model.fields[f]
            var text = Self.sentence(describeType(field.type))
            if field.key != field.name { text += ", \(SExpr.quote(field.key)) in the records" }
            if let d = field.defaultValue { text += ", \(model.describe(d)) when not given" } else if field.optional { text += ", may be left out" }
            if let doc = docs.text(for: field.declaration) { text = Self.sentence(doc) + ". " + text }
            return [.strong(words.field(f)), .text(": " + text + ". "), Self.link(field.declaration)]
        }))
    }

    /// The policy's marks (`serious: …`) and defines, in words: what the
    /// policy means by "serious", "our fault" and its own named conditions.
    mutating func terms() {
        var items: [[Inline]] = []
        for kind in MarkKind.allCases {
            guard let mark = model.marks[kind] else { continue }
            let doc = docs.text(for: mark.ref).map { " " + Self.sentence($0) + "." } ?? ""
            items.append([.strong(kind.rawValue), .text(": when \(words.condition(mark.condition)).\(doc) "), Self.link(mark.ref)])
        }
        for define in model.defines {
            let doc = docs.text(for: define.ref).map { " " + Self.sentence($0) + "." } ?? ""
            items.append([.strong(RunbookWords.human(define.name)), .text(": when \(words.condition(define.condition)).\(doc) "),
                          Self.link(define.ref)])
        }
        guard !items.isEmpty else { return }
        heading(3, "Terms")
        add(.bullets(items))
    }

    /// The text with a capital first letter and no final period (the caller adds one).
    static func sentence(_ s: String) -> String {
        let text = s.hasSuffix(".") ? String(s.dropLast()) : s
        return text.prefix(1).uppercased() + text.dropFirst()
    }

    func describeType(_ type: ValueType) -> String {
        switch type {
        case .scale(let s) where model.scales.indices.contains(s):
            let scale = model.scales[s]
            let levels = scale.levels.indices.map { i in
                scale.spellings.indices.contains(i) && !scale.spellings[i].isEmpty
                    ? "\(scale.levels[i]) (\(scale.spellings[i].joined(separator: ", ")))" : scale.levels[i]
            }
            return "one of " + RunbookWords.list(levels) + ", lowest first"
        case .enumeration(let e) where model.enumerations.indices.contains(e): return "one of " + RunbookWords.list(model.enumerations[e].values)
        case .text: return "text"
        case .number: return "a number"
        case .bool: return "yes or no"
        case .time: return "a date and time"
        case .duration: return "a length of time"
        case .list(let inner): return "a list (\(describeType(inner)))"
        default: return model.describe(type)
        }
    }

    /// Where each role, remedy and channel is declared.
    func nameDeclarations() -> [NameListKind: [String: SourceRef]] {
        var out: [NameListKind: [String: SourceRef]] = [:]
        for (file, item) in compiled.loaded.items {
            guard case .names(let decl) = item.kind, compiled.loaded.files.indices.contains(file) else { continue }
            let source = compiled.loaded.files[file].source
            for name in decl.names where out[decl.kind]?[name.name] == nil {
                out[decl.kind, default: [:]][name.name] = SourceRef(source, name.span)
            }
        }
        return out
    }
}

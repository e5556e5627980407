/// Defines, rules, actions and examples.
extension Checker {
    /// The checked body of a define, checking it on first use; nil when it
    /// has errors or is part of a cycle (reported once, at the define).
    mutating func checkDefine(_ index: Int) -> Condition? {
        switch defineState[index] {
        case .done(let condition):
            return condition
        case .checking:
            // A cycle: report it at the define where it closes.
            let start = defineChain.firstIndex(of: index) ?? 0
            let cycle = Array(defineChain[start...]) + [index]
            let names = cycle.map { "`\(defineSyntax[$0].name.name)`" }.joined(separator: " -> ")
            let notes = cycle.dropLast().dropFirst().map {
                Diagnostic.Note("`\(defineSyntax[$0].name.name)` is defined here", source: defineSources[$0], span: defineSyntax[$0].name.span)
            }
            report(.defineCycle, "`\(defineSyntax[index].name.name)` is defined in terms of itself: \(names)",
                   defineSources[index], defineSyntax[index].name.span,
                   help: "a define may use other defines, but not in a circle", notes: Array(notes))
            for member in cycle { defineState[member] = .done(nil) }
            return nil
        case .unchecked:
            defineState[index] = .checking
            defineChain.append(index)
            // A define's clock conditions count in the calendar of its file.
            let outer = (currentCalendar, currentCalendarUnknown)
            enterCalendar(of: defineSources[index])
            let condition = checkCondition(defineSyntax[index].condition, defineSources[index])
            (currentCalendar, currentCalendarUnknown) = outer
            defineChain.removeLast()
            if case .done = defineState[index] { return nil } // closed a cycle meanwhile
            defineState[index] = .done(condition)
            return condition
        }
    }

    /// A mark: declared once in the whole policy, its condition checked as
    /// a define's is. A bare level or value gets the condition it stands for.
    mutating func checkMark(_ decl: MarkDecl, _ source: SourceText, _ span: Span) {
        let what = "`\(decl.kind.rawValue):`"
        if let first = model.marks[decl.kind] {
            report(.repeatedDeclaration, "\(what) is already declared", source, decl.keywordSpan,
                   help: "keep one \(what) line; join the conditions with `or`",
                   notes: [Diagnostic.Note("the first one", source: first.ref.source, span: first.ref.span)])
            return
        }
        if case .name(let name) = decl.condition.kind, defineIndex[name] == nil {
            let written = "\(decl.kind.rawValue): "
            if fieldIndex[name] == nil, let owner = levelOwner(name) {
                let op = decl.kind == .serious && isScaleField(owner) ? ">=" : "="
                report(.notACondition, "`\(name)` is a value, not a condition", source, decl.condition.span,
                       help: "write `\(written)\(owner) \(op) \(name)`")
                return
            }
            if let f = fieldIndex[name], model.fields[f].type != .bool {
                var help = conditionHelp(for: f)
                if case .scale(let s) = model.fields[f].type, decl.kind == .serious {
                    let levels = model.scales[s].levels
                    let level = levels.first { $0.lowercased() == "high" } ?? levels.last ?? "high"
                    help = "write `\(written)\(name) >= \(level)`, naming the lowest serious level"
                } else if case .enumeration(let e) = model.fields[f].type, decl.kind != .serious {
                    let values = model.enumerations[e].values
                    let words = decl.kind == .ourFault ? ["us", "we", "ours", "internal"] : ["customer", "client"]
                    let value = values.first { words.contains($0.lowercased()) } ?? values.first ?? "value"
                    help = "write `\(written)\(name) = \(value)`"
                }
                report(.notACondition, "`\(name)` is \(model.describe(model.fields[f].type)), not a condition", source,
                       decl.condition.span, help: help)
                return
            }
        }
        enterCalendar(of: source)
        guard let condition = checkCondition(decl.condition, source) else { return }
        model.marks[decl.kind] = MarkModel(kind: decl.kind, condition: condition, ref: SourceRef(source, span),
                                           text: source.text(decl.condition.span))
    }

    func isScaleField(_ name: String) -> Bool {
        guard let f = fieldIndex[name], case .scale = model.fields[f].type else { return false }
        return true
    }

    mutating func checkRule(_ rule: Rule, _ source: SourceText, _ span: Span) {
        if let name = rule.name, name.value.trimmingSpaces.isEmpty {
            report(.emptyName, "a rule's name cannot be empty", source, name.span,
                   help: "name what the rule is for, e.g. `rule \"valued client, our fault\"`, or leave the name out")
        } else if let name = rule.name {
            let key = "rule:\(name.value)"
            if let previous = declaredAt[key] {
                report(.duplicateDeclaration, "two rules are named \(SExpr.quote(name.value))", source, name.span,
                       help: "rule names identify rules in results; give each a different name",
                       notes: [Diagnostic.Note("the other rule", source: previous.source, span: previous.span)])
            }
            declaredAt[key] = SourceRef(source, name.span)
        }
        enterCalendar(of: source, rule: rule.calendar)
        let calendar = currentCalendar
        var condition: Condition?
        var ok = true
        if let c = rule.condition {
            condition = checkCondition(c, source)
            if condition == nil { ok = false }
        }
        var actions: [ActionModel] = []
        var refs: [SourceRef] = []
        for action in rule.actions {
            for checked in checkAction(action, source) {
                actions.append(checked)
                refs.append(SourceRef(source, action.span))
            }
        }
        guard ok else { return }
        model.rules.append(RuleModel(index: model.rules.count, name: rule.name?.value, condition: condition,
                                     actions: actions, actionRefs: refs, ref: SourceRef(source, span),
                                     headerRef: SourceRef(source, rule.headerSpan), calendar: calendar))
    }

    // MARK: - Actions

    /// One action as written may be several (`notify a, b` is two).
    mutating func checkAction(_ action: Action, _ source: SourceText) -> [ActionModel] {
        switch action.kind {
        case .notify(let roles, let within):
            let w = checkDuration(within, source)
            var indexes: [Int] = []
            for r in roles {
                guard let i = role(r, source) else { continue }
                if indexes.contains(i) {
                    report(.duplicateDeclaration, "`\(r.name)` is notified twice", source, r.span, help: "list each role once")
                    continue
                }
                indexes.append(i)
            }
            return indexes.map { .notify(role: $0, within: w) }
        case .escalate(let r, let within):
            let w = checkDuration(within, source)
            return role(r, source).map { [.escalate(role: $0, within: w)] } ?? []
        case .assign(let r):
            return role(r, source).map { [.assign(role: $0)] } ?? []
        case .respond(let within, let by):
            let w = checkDuration(within, source) ?? DurationSpec(within)
            let c = channel(by, source)
            if by != nil && c == nil { return [] }
            return [.respond(within: w, channel: c)]
        case .apology(let components, let within, let by):
            var set = ComponentSet()
            var ok = true
            for component in components {
                if let c = ApologyComponent(rawValue: component.name) {
                    if set.contains(c) {
                        report(.duplicateDeclaration, "`\(component.name)` is listed twice", source, component.span,
                               help: "list each component once")
                    }
                    set.insert(c)
                } else {
                    ok = false
                    report(.unknownComponent, "unknown apology component `\(component.name)`", source, component.span,
                           help: Suggest.didYouMean(component.name, in: ApologyComponent.allCases.map(\.rawValue))
                               ?? "components are repair, responsibility, prevention, explanation, regret and forgiveness")
                }
            }
            let w = checkDuration(within, source)
            let c = channel(by, source)
            if !ok || (by != nil && c == nil) { return [] }
            return [.apology(components: set, within: w, channel: c)]
        case .offer(let remedies):
            var indexes: [Int] = []
            for remedy in remedies {
                guard let i = remedyIndex[remedy.name] else {
                    report(.unknownRemedy, "unknown remedy `\(remedy.name)`", source, remedy.span,
                           help: Suggest.didYouMean(remedy.name, in: model.remedies)
                               ?? (model.remedies.isEmpty ? "declare it: `remedies: \(remedy.name)`" : "declare it in `remedies:`"))
                    continue
                }
                usedRemedies.insert(i)
                if indexes.contains(i) {
                    report(.duplicateDeclaration, "`\(remedy.name)` is offered twice", source, remedy.span, help: "list each remedy once")
                }
                indexes.append(i)
            }
            return indexes.isEmpty ? [] : [.offer(remedies: indexes)]
        case .followUp(let after, let by):
            let w = checkDuration(after, source) ?? DurationSpec(after)
            let c = channel(by, source)
            if by != nil && c == nil { return [] }
            return [.followUp(after: w, channel: c)]
        case .review(let within):
            return [.review(within: checkDuration(within, source) ?? DurationSpec(within))]
        case .task(let text, let within):
            if text.value.trimmingSpaces.isEmpty {
                report(.emptyTask, "a task needs a description", source, text.span, help: "say what must be done, e.g. `task \"call the client\"`")
                return []
            }
            return [.task(text: text.value, within: checkDuration(within, source))]
        case .waive(let kind, _):
            return [.waive(kind)]
        }
    }

    mutating func role(_ name: Identifier, _ source: SourceText) -> Int? {
        if let i = roleIndex[name.name] {
            usedRoles.insert(i)
            return i
        }
        report(.unknownRole, "unknown role `\(name.name)`", source, name.span,
               help: Suggest.didYouMean(name.name, in: model.roles)
                   ?? (model.roles.isEmpty ? "declare it: `roles: \(name.name)`" : "declare it in `roles:` (\(model.roles.joined(separator: ", ")))"))
        return nil
    }

    mutating func channel(_ name: Identifier?, _ source: SourceText) -> Int? {
        guard let name else { return nil }
        if let i = model.channels.firstIndex(of: name.name) {
            usedChannels.insert(i)
            return i
        }
        let spoken = name.name == "in_person" ? "in person" : name.name
        report(.unknownChannel, "unknown channel `\(spoken)`", source, name.span,
               help: Suggest.didYouMean(name.name, in: model.channels)
                   ?? "channels are \(model.channels.map { $0 == "in_person" ? "in person" : $0 }.joined(separator: ", "))")
        return nil
    }

    mutating func checkDuration(_ d: DurationLiteral?, _ source: SourceText) -> DurationSpec? {
        guard let d else { return nil }
        if d.unit.isBusiness && currentCalendar == nil && !currentCalendarUnknown {
            report(.businessTimeWithoutCalendar, "`\(d)` needs a calendar of opening hours", source, d.span,
                   help: model.calendars.isEmpty ? "declare one: `calendar:` with a line such as `open mon-fri 09:00-17:30`"
                       : "the policy has no default calendar: say which this rule counts in, `when … using calendar "
                         + (model.calendars.first?.name ?? "NAME") + ":`, or for the whole file `using calendar "
                         + (model.calendars.first?.name ?? "NAME") + "`")
        }
        return DurationSpec(d)
    }

    // MARK: - Examples

    mutating func checkExample(_ example: Example, _ source: SourceText, _ span: Span) {
        enterCalendar(of: source)
        // An expected `within 4 business hours` counts in the calendar of the
        // rule that gives the result (`ExampleRunner.sameDue`): any calendar will do.
        if currentCalendar == nil && !model.calendars.isEmpty { currentCalendarUnknown = true }
        if example.name.value.trimmingSpaces.isEmpty {
            report(.emptyName, "an example's name cannot be empty", source, example.name.span,
                   help: "say what the example shows, e.g. `example \"a billing mistake for a valued client\"`")
        }
        var record: [(field: Int, value: Value)] = []
        if let given = example.given {
            guard case .record(let entries) = given.kind else {
                report(.invalidExample, "`given` takes a record in braces", source, given.span,
                       help: "write `given {severity: high}`")
                return
            }
            flatten(entries, prefix: "", source, into: &record)
        } else if !loaded.diagnostics.contains(where: { $0.source === source && $0.span.start >= span.start && $0.span.start < span.end }) {
            // (A `given` the parser could not read is reported already.)
            report(.invalidExample, "the example has no `given` record", source, example.name.span,
                   help: "add a line such as `given {\(givenSample())}`")
        }
        var now: Int64?
        if let n = example.now, case .timestamp(let t) = n.kind { now = localZone.epochSeconds(t) }
        var expectations: [ExpectationModel] = []
        for expectation in example.expectations {
            if let s = expectation.status {
                if let status = checkStatusExpectation(s, source) {
                    expectations.append(ExpectationModel(atLeast: false, actions: [], ref: SourceRef(source, expectation.span),
                                                         status: status))
                }
                continue
            }
            let actions = expectation.action.map { checkAction($0, source) } ?? []
            expectations.append(ExpectationModel(atLeast: expectation.atLeast, actions: actions,
                                                 ref: SourceRef(source, expectation.span)))
        }
        if example.expectations.isEmpty {
            report(.invalidExample, "the example expects nothing", source, example.name.span,
                   help: "add `expect` lines, or `expect nothing` when no action is required")
        }
        model.examples.append(ExampleModel(name: example.name.value, record: record, now: now, expectations: expectations,
                                           ref: SourceRef(source, span)))
    }

    /// `severity: low, repeat: 0`: the first fields of the record with a value each.
    func givenSample() -> String {
        let parts = model.fields.prefix(2).compactMap { f in sampleLiteral(f.type).map { "\(f.name): \($0)" } }
        return parts.isEmpty ? "severity: high" : parts.joined(separator: ", ")
    }

    /// `{customer: {name: "x"}}` gives `customer.name`.
    mutating func flatten(_ entries: [RecordEntry], prefix: String, _ source: SourceText, into record: inout [(field: Int, value: Value)]) {
        for entry in entries {
            let name = prefix + entry.key.name
            if let f = fieldIndex[name] {
                if record.contains(where: { $0.field == f }) {
                    report(.invalidExample, "`\(name)` is given twice", source, entry.key.span, help: "give each field once")
                    continue
                }
                if case .null = entry.value.kind { continue }
                if let v = givenValue(entry.value, field: f, name: name, source) { record.append((f, v)) }
            } else if case .record(let inner) = entry.value.kind, model.fields.contains(where: { $0.name.hasPrefix(name + ".") }) {
                flatten(inner, prefix: name + ".", source, into: &record)
            } else if let byKey = model.fields.firstIndex(where: { $0.key == name }) {
                // The record's own spelling (`from "priority"`) is fine too.
                if let v = givenValue(entry.value, field: byKey, name: name, source) { record.append((byKey, v)) }
            } else {
                report(.invalidExample, "the record has no field `\(name)`", source, entry.key.span,
                       help: Suggest.didYouMean(name, in: model.fields.map(\.name)) ?? "declare it in the record, or remove it")
            }
        }
    }
}

extension Checker {
    /// A `given` value, read as a record's would be: a text that the record
    /// lists as `missing` is no value (nil, nothing reported), a time
    /// field with a `format` reads text in that format, and a quoted level
    /// or `one of` value is found as a record's is (its name or a spelling,
    /// exactly, else ignoring ASCII letter case: `"Critical"`).
    mutating func givenValue(_ e: Expr, field f: Int, name: String, _ source: SourceText) -> Value? {
        let field = model.fields[f]
        if case .string(let text) = e.kind {
            if model.missingTexts.contains(text) { return nil }
            if field.type == .time, let pattern = field.format, case .success(let format) = TimeFormat.compile(pattern),
               let local = format.parse(Array(text.utf8)) {
                return .time(localZone.utc(fromLocal: local))
            }
        }
        if let level = quotedLevel(e, as: field.type) { return level }
        return constant(e, as: field.type, source, context: "`\(name)`", code: .invalidExample)
    }

    /// A quoted text (or a list of them) read as a record's level or `one
    /// of` value, with the records' `LevelTable`; nil when it is not one
    /// (the ordinary reading then reports why).
    func quotedLevel(_ e: Expr, as type: ValueType) -> Value? {
        switch (type, e.kind) {
        case (.scale(let s), .string(let text)) where model.scales.indices.contains(s):
            let scale = model.scales[s]
            return LevelTable(names: scale.levels, spellings: scale.spellings).index(of: Array(text.utf8)).map { .level(s, $0) }
        case (.enumeration(let en), .string(let text)) where model.enumerations.indices.contains(en):
            let values = model.enumerations[en]
            return LevelTable(names: values.values, spellings: values.spellings).index(of: Array(text.utf8)).map { .choice(en, $0) }
        case (.list(let element), .list(let items)) where items.contains(where: { if case .string = $0.kind { true } else { false } }):
            var values: [Value] = []
            for item in items {
                guard let v = quotedLevel(item, as: element) else { return nil }
                values.append(v)
            }
            return .list(values)
        default:
            return nil
        }
    }
}

extension String {
    var trimmingSpaces: Substring {
        var s = self[...]
        while let c = s.first, c == " " || c == "\t" { s = s.dropFirst() }
        while let c = s.last, c == " " || c == "\t" { s = s.dropLast() }
        return s
    }
}

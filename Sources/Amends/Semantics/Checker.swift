/// The Checker resolves names and types across a loaded policy and builds the
/// `PolicyModel`, reporting every mistake in one pass.
///
/// Order of work: declarations (scales, record, names, clock, calendar, the
/// names of `define`s), then `define` bodies (with cycle detection), rules,
/// and the main file's examples. Declarations may come in any order in the
/// files; a name is known everywhere once declared anywhere.
package struct Checker {
    /// Words a declared name may not be: they mean something in conditions.
    package static let reservedWords: Set<String> = ["and", "or", "not", "in", "is", "contains", "starts", "ends",
                                                    "yes", "no", "true", "false", "null", "age"]

    var model = PolicyModel()
    var diagnostics: [Diagnostic] = []
    let loaded: Loader.Loaded

    // Symbol tables.
    var scaleIndex: [String: Int] = [:]
    /// Named calendars by name (indexes into `model.calendars`).
    var calendarIndex: [String: Int] = [:]
    /// The calendar each file's rules count in (`using calendar NAME`), by
    /// the file's path; a file without one counts in the default calendar.
    var fileCalendars: [String: Int] = [:]
    /// The files whose `using calendar` line named no calendar (reported):
    /// their business time is not reported again.
    var fileCalendarUnknown: Set<String> = []
    /// The calendar in force while a rule, define or mark is checked: its
    /// business time and clock conditions count in it (nil: none).
    var currentCalendar: Int?
    /// The calendar in force is one that could not be found (reported).
    var currentCalendarUnknown = false
    /// A `history by` line was written (valid or not).
    var historyKeyDeclared = false
    /// Checking a history's condition (which cannot read history itself).
    var checkingHistoryFilter = false
    /// History filters by their text, so that one written twice is one.
    var historyFilterIndex: [String: Int] = [:]
    var fieldIndex: [String: Int] = [:]
    /// Fields declared with a type that could not be resolved (already an
    /// E103), and fields and defines declared on a line the parser could not
    /// read (already an E0xx): their uses are not reported again as unknown names.
    var untypedFields: Set<String> = []
    /// What the declarations with syntax errors would have declared.
    var unreadable = Unreadable()
    var defineIndex: [String: Int] = [:]
    var roleIndex: [String: Int] = [:]
    var remedyIndex: [String: Int] = [:]
    var channelIndex: [String: Int] = [:]
    /// Which names each declared name came from (for duplicate notes).
    var declaredAt: [String: SourceRef] = [:]

    /// Define bodies: the syntax, and the state of checking each.
    var defineSyntax: [DefineDecl] = []
    var defineSources: [SourceText] = []
    var defineState: [DefineState] = []
    var defineChain: [Int] = []
    enum DefineState { case unchecked, checking, done(Condition?) }

    /// Offset (seconds east) used for timestamps written without one: the
    /// calendar's zone when declared, else UTC. Set once the calendar is read.
    var localZone: ZoneLookup = .utc

    /// Uses of declared names, for the "never used" analyses.
    var usedRoles: Set<Int> = []
    var usedRemedies: Set<Int> = []
    var usedChannels: Set<Int> = []
    var usedDefines: Set<Int> = []

    init(_ loaded: Loader.Loaded) {
        self.loaded = loaded
        model.sources = loaded.files.map(\.source)
    }

    /// What checking a policy gives: the model (usable when there are no
    /// errors), the checker's diagnostics, what the rules use, and the zone
    /// timestamps written without an offset are read in.
    package struct Checked: Sendable {
        package var model: PolicyModel
        package var diagnostics: [Diagnostic]
        package var usage: PolicyUsage
        package var zone: ZoneLookup
    }

    /// Checks a loaded policy.
    package static func checked(_ loaded: Loader.Loaded) -> Checked {
        var checker = Checker(loaded)
        checker.run()
        return Checked(model: checker.model, diagnostics: checker.diagnostics,
                       usage: PolicyUsage(roles: checker.usedRoles, remedies: checker.usedRemedies,
                                          channels: checker.usedChannels, defines: checker.usedDefines),
                       zone: checker.localZone)
    }

    /// Checks a loaded policy. The model is usable when there are no errors.
    package static func check(_ loaded: Loader.Loaded) -> (model: PolicyModel, diagnostics: [Diagnostic]) {
        let checked = checked(loaded)
        return (checked.model, checked.diagnostics)
    }

    mutating func run() {
        let items = loaded.items
        for file in loaded.files { unreadable.formUnion(file.unreadable) }
        untypedFields.formUnion(unreadable.names)
        // 1. Names that other declarations refer to.
        for (file, item) in items {
            let source = loaded.files[file].source
            switch item.kind {
            case .scale(let decl): declareScale(decl, source)
            case .names(let decl): declareNames(decl, source)
            case .define(let decl): declareDefine(decl, source)
            case .policyName(let name):
                if name.value.trimmingSpaces.isEmpty {
                    report(.emptyName, "the policy's name cannot be empty", source, name.span,
                           help: "name the policy, e.g. `policy \"Standard client recovery\"`, or leave the line out")
                }
                if file == loaded.main {
                    if let first = policyNameRef {
                        report(.repeatedDeclaration, "the policy is already named", source, item.span,
                               help: "keep one `policy \"…\"` line",
                               notes: [Diagnostic.Note("the first name", source: first.source, span: first.span)])
                    } else {
                        policyNameRef = SourceRef(source, item.span)
                    }
                    model.name = model.name ?? name.value
                }
            default: break
            }
        }
        // 2. Calendar (its zone reads timestamps), the record, the clock.
        for (file, item) in items {
            if case .calendar(let decl) = item.kind { declareCalendar(decl, loaded.files[file].source, item.span) }
        }
        for (file, item) in items {
            if case .usingCalendar(let name) = item.kind { declareFileCalendar(name, loaded.files[file].source, item.span) }
        }
        for (file, item) in items {
            if case .record(let decl) = item.kind { declareRecord(decl, loaded.files[file].source, item.span) }
        }
        for (file, item) in items {
            if case .deadlinesFrom(let name) = item.kind { declareClock(name, loaded.files[file].source, item.span) }
        }
        for (file, item) in items {
            if case .historyKey(let name) = item.kind { declareHistoryKey(name, loaded.files[file].source, item.span) }
        }
        // A define may not share a field's name (§4: each name is declared
        // once); in a condition, one would silently hide the other.
        for (i, decl) in defineSyntax.enumerated() {
            guard let f = fieldIndex[decl.name.name] else { continue }
            let field = model.fields[f].declaration
            report(.duplicateDeclaration, "`\(decl.name.name)` is declared both as a field and as a define", defineSources[i],
                   decl.name.span, help: "give the define another name, e.g. `\(decl.name.name)_case`",
                   notes: [Diagnostic.Note("the field `\(decl.name.name)`", source: field.source, span: field.span)])
        }
        // 3. Define bodies, rules, examples.
        for index in defineSyntax.indices { _ = checkDefine(index) }
        for (file, item) in items {
            if case .mark(let decl) = item.kind { checkMark(decl, loaded.files[file].source, item.span) }
        }
        for (file, item) in items {
            if case .rule(let rule) = item.kind { checkRule(rule, loaded.files[file].source, item.span) }
        }
        for (file, item) in items {
            if case .done(let decl) = item.kind { checkDone(decl, loaded.files[file].source, item.span) }
        }
        for item in loaded.files[loaded.main].items {
            if case .example(let example) = item.kind { checkExample(example, loaded.files[loaded.main].source, item.span) }
        }
        // A list with a line that could not be read may hold the name a use
        // misses: that line's syntax error is the one to fix.
        let unknown: [NameListKind: DiagnosticCode] = [.roles: .unknownRole, .remedies: .unknownRemedy, .channels: .unknownChannel]
        var suppressed = Set(unreadable.lists.compactMap { unknown[$0] })
        if unreadable.calendar { suppressed.insert(.businessTimeWithoutCalendar) }
        if !suppressed.isEmpty { diagnostics.removeAll { suppressed.contains($0.code) } }
        model.defines = defineState.indices.compactMap { i in
            if case .done(let condition?) = defineState[i] {
                return DefineModel(name: defineSyntax[i].name.name, condition: condition,
                                   ref: SourceRef(defineSources[i], defineSyntax[i].name.span))
            }
            return nil
        }
        if model.defines.count != defineSyntax.count {
            // Keep indexes stable: a define that failed still has a slot.
            model.defines = defineSyntax.indices.map { i in
                var condition = Condition(.constant(false), SourceRef(defineSources[i], defineSyntax[i].condition.span))
                if case .done(let c?) = defineState[i] { condition = c }
                return DefineModel(name: defineSyntax[i].name.name, condition: condition,
                                   ref: SourceRef(defineSources[i], defineSyntax[i].name.span))
            }
        }
    }

    // MARK: - History

    /// `history by client`: a field of the record, not a list, once.
    mutating func declareHistoryKey(_ name: Identifier, _ source: SourceText, _ span: Span) {
        if historyKeyDeclared {
            report(.repeatedDeclaration, "the policy already says whose history to read", source, span,
                   help: "keep one `history by FIELD` line")
            return
        }
        historyKeyDeclared = true
        guard let f = fieldIndex[name.name] else {
            reportUnknownName(name.name, source, name.span, candidates: model.fields.map(\.name))
            return
        }
        if case .list = model.fields[f].type {
            report(.typeMismatch, "`\(name.name)` is a list; history reads the incidents of one key", source, name.span,
                   help: "name the field that identifies the client, e.g. `history by client`")
            return
        }
        model.historyKey = f
    }

    // MARK: - Calendars in force

    /// `using calendar NAME`: the file's rules count in that calendar.
    mutating func declareFileCalendar(_ name: Identifier, _ source: SourceText, _ span: Span) {
        if fileCalendars[source.path] != nil || fileCalendarUnknown.contains(source.path) {
            report(.repeatedDeclaration, "this file already says which calendar its rules count in", source, span,
                   help: "keep one `using calendar` line a file; a rule may name another: `when … using calendar NAME:`")
            return
        }
        guard let index = lookUpCalendar(name, source) else {
            fileCalendarUnknown.insert(source.path)
            return
        }
        fileCalendars[source.path] = index
    }

    /// A named calendar, or nil after reporting an unknown name.
    mutating func lookUpCalendar(_ name: Identifier, _ source: SourceText) -> Int? {
        if let index = calendarIndex[name.name] { return index }
        let names = model.calendars.compactMap(\.name)
        report(.unknownName, "unknown calendar `\(name.name)`", source, name.span,
               help: Suggest.didYouMean(name.name, in: names)
                   ?? (names.isEmpty ? "declare it: `calendar \(name.name):` with its opening hours below"
                                     : "the calendars are " + names.map { "`\($0)`" }.joined(separator: ", ")))
        return nil
    }

    /// Sets the calendar in force for what is written in `source` (a rule
    /// may name its own).
    mutating func enterCalendar(of source: SourceText, rule: Identifier? = nil) {
        currentCalendarUnknown = fileCalendarUnknown.contains(source.path)
        currentCalendar = fileCalendars[source.path] ?? (currentCalendarUnknown ? nil : model.defaultCalendar)
        if let rule {
            currentCalendar = lookUpCalendar(rule, source)
            currentCalendarUnknown = currentCalendar == nil
        }
    }

    // MARK: - Declarations

    mutating func declareName(_ name: Identifier, kind: String, _ source: SourceText) -> Bool {
        if Checker.reservedWords.contains(name.name) {
            report(.reservedName, "`\(name.name)` is a reserved word and cannot name a \(kind)", source, name.span,
                   help: "choose another name, e.g. `\(name.name)_\(kind.split(separator: " ").last ?? "")`")
            return false
        }
        return true
    }

    mutating func duplicate(_ what: String, _ name: Identifier, _ source: SourceText, previous: SourceRef?) {
        var notes: [Diagnostic.Note] = []
        if let previous { notes.append(Diagnostic.Note("first declared here", source: previous.source, span: previous.span)) }
        report(.duplicateDeclaration, "\(what) `\(name.name)` is declared twice", source, name.span,
               help: "remove one of them, or give one another name", notes: notes)
    }

    mutating func declareScale(_ decl: ScaleDecl, _ source: SourceText) {
        guard declareName(decl.name, kind: "scale", source) else { return }
        if let existing = scaleIndex[decl.name.name] {
            duplicate("scale", decl.name, source, previous: model.scales[existing].declaration)
            return
        }
        var levels: [String] = []
        var spellings: [[String]] = []
        var seenSpellings: [String: String] = [:]
        for level in decl.levels {
            guard declareName(level.name, kind: "level", source) else { continue }
            if levels.contains(level.name.name) {
                report(.duplicateDeclaration, "level `\(level.name.name)` appears twice in scale `\(decl.name.name)`", source,
                       level.name.span, help: "each level is listed once, lowest first")
                continue
            }
            for spelling in level.spellings {
                if let other = seenSpellings[spelling.value], other != level.name.name {
                    report(.duplicateDeclaration, "spelling \(SExpr.quote(spelling.value)) is given to both `\(other)` and `\(level.name.name)`",
                           source, spelling.span, help: "a spelling reads as one level only")
                }
                seenSpellings[spelling.value] = level.name.name
            }
            levels.append(level.name.name)
            spellings.append(level.spellings.map(\.value))
        }
        scaleIndex[decl.name.name] = model.scales.count
        model.scales.append(Scale(name: decl.name.name, levels: levels, spellings: spellings,
                                  declaration: SourceRef(source, decl.name.span)))
    }

    mutating func declareNames(_ decl: NameListDecl, _ source: SourceText) {
        if decl.kind == .channels && !channelsDeclared {
            // A `channels:` list replaces the built-in channels.
            channelsDeclared = true
            model.channels = []
        }
        for name in decl.names {
            guard declareName(name, kind: decl.kind.singular, source) else { continue }
            let key = "\(decl.kind.rawValue):\(name.name)"
            if let previous = declaredAt[key] {
                duplicate(decl.kind.singular, name, source, previous: previous)
                continue
            }
            declaredAt[key] = SourceRef(source, name.span)
            switch decl.kind {
            case .roles:
                roleIndex[name.name] = model.roles.count
                model.roles.append(name.name)
            case .remedies:
                remedyIndex[name.name] = model.remedies.count
                model.remedies.append(name.name)
            case .channels:
                channelIndex[name.name] = model.channels.count
                model.channels.append(name.name)
            }
        }
    }

    var channelsDeclared = false
    /// Where the main file names the policy, for a second `policy` line.
    var policyNameRef: SourceRef?
    /// A `deadlines from` was written (valid or not): `age` is then not
    /// reported again when the clock is unusable.
    var clockDeclared = false

    mutating func declareDefine(_ decl: DefineDecl, _ source: SourceText) {
        guard declareName(decl.name, kind: "define", source) else { return }
        if let existing = defineIndex[decl.name.name] {
            duplicate("define", decl.name, source, previous: SourceRef(defineSources[existing], defineSyntax[existing].name.span))
            return
        }
        defineIndex[decl.name.name] = defineSyntax.count
        defineSyntax.append(decl)
        defineSources.append(source)
        defineState.append(.unchecked)
    }

    mutating func declareCalendar(_ decl: CalendarDecl, _ source: SourceText, _ span: Span) {
        if let name = decl.name {
            guard declareName(name, kind: "calendar", source) else { return }
            if let previous = calendarIndex[name.name] {
                duplicate("calendar", name, source, previous: model.calendars[previous].ref)
                return
            }
        } else if let previous = model.calendarRef {
            report(.repeatedDeclaration, "the policy already has a default calendar", source, span,
                   help: "put all opening hours, the time zone and closed days in one `calendar:` block, "
                       + "or name the other calendar: `calendar edinburgh:`",
                   notes: [Diagnostic.Note("the first calendar", source: previous.source, span: previous.span)])
            return
        }
        let index = model.calendars.count
        model.calendars.append(CalendarModel(name: decl.name?.name, decl: decl, ref: SourceRef(source, span), zone: nil))
        if let name = decl.name {
            calendarIndex[name.name] = index
        } else {
            model.calendar = decl
            model.calendarRef = SourceRef(source, span)
            model.defaultCalendar = index
        }
        var firstZone: StringLiteral?
        for entry in decl.entries {
            switch entry {
            case .timeZone(let zone):
                if let first = firstZone {
                    report(.invalidCalendar, "the calendar already has a time zone, `\(first.value)`", source, zone.span,
                           help: "a calendar has one time zone: keep one `time zone` line",
                           notes: [Diagnostic.Note("the first time zone", source: source, span: first.span)])
                    continue
                }
                firstZone = zone
                switch ZoneLookup.load(zone.value) {
                case .success(let lookup):
                    model.calendars[index].zone = lookup.zone
                    if decl.name == nil {
                        // Timestamps without an offset read in the default calendar's zone.
                        localZone = lookup
                        model.zone = lookup.zone
                    }
                case .failure(let failure):
                    report(.invalidCalendar, failure.message, source, zone.span, help: ZoneLookup.suggestion(for: zone.value))
                }
            case .open, .seasonal, .closed:
                continue
            }
        }
        for problem in CalendarValidation.problems(decl) {
            // Without readable hours, "no opening hours" would only repeat
            // the syntax error of the line that gave them.
            if problem.kind == .noHours && unreadable.calendar { continue }
            report(.invalidCalendar, problem.message, source, problem.span ?? span, help: problem.help)
        }
    }

    mutating func declareRecord(_ decl: RecordDecl, _ source: SourceText, _ span: Span) {
        if let name = model.recordName {
            report(.repeatedDeclaration, "the policy already declares the record `\(name)`", source, decl.name.span,
                   help: "a policy has one record; put all fields in it")
            return
        }
        model.recordName = decl.name.name
        model.missingTexts = decl.missing.map(\.value)
        for fieldDecl in decl.fields {
            guard declareName(fieldDecl.name, kind: "field", source) else { continue }
            if let existing = fieldIndex[fieldDecl.name.name] {
                duplicate("field", fieldDecl.name, source, previous: model.fields[existing].declaration)
                continue
            }
            guard let type = resolveType(fieldDecl.type, field: fieldDecl.name.name, source) else {
                untypedFields.insert(fieldDecl.name.name)
                continue
            }
            var field = Field(name: fieldDecl.name.name, key: fieldDecl.column?.value ?? fieldDecl.name.name, type: type,
                              optional: fieldDecl.optional, defaultValue: nil, format: fieldDecl.format?.value,
                              declaration: SourceRef(source, fieldDecl.name.span))
            if let format = fieldDecl.format {
                if type != .time {
                    report(.invalidFormat, "`format` applies to time fields; `\(field.name)` is \(model.describe(type))", source,
                           format.span, help: "remove the format, or make the field a `time`")
                } else if case .failure(let message) = TimeFormat.compile(format.value) {
                    report(.invalidFormat, message.message, source, format.span,
                           help: "patterns use yyyy, M, MM, MMM, d, dd, H, HH, h, a, m, mm, s, ss, e.g. \"d/M/yyyy HH:mm\"")
                }
            }
            if let d = fieldDecl.defaultValue {
                if fieldDecl.optional {
                    report(.invalidDefault, "`\(field.name)` is optional and has a default; one is enough", source, d.span,
                           help: "a default already fills in a missing value: remove the `?`")
                }
                field.defaultValue = constant(d, as: type, source, context: "the default of `\(field.name)`", code: .invalidDefault)
            }
            fieldIndex[field.name] = model.fields.count
            model.fields.append(field)
        }
        // Each key (a JSON key or CSV column) is read by one field: a record
        // gives a key one value, and the readers give it to one field.
        var readers: [String: Int] = [:]
        for (i, field) in model.fields.enumerated() {
            guard let first = readers[field.key] else {
                readers[field.key] = i
                continue
            }
            let other = model.fields[first]
            report(.duplicateDeclaration, "the key \(SExpr.quote(field.key)) is read by both `\(other.name)` and `\(field.name)`",
                   field.declaration.source, field.declaration.span,
                   help: "read the key into one field, and use that field in each condition",
                   notes: [Diagnostic.Note("`\(other.name)` reads it here", source: other.declaration.source, span: other.declaration.span)])
        }
        // A dotted field and a plain field cannot share a path prefix as a value.
        for field in model.fields where field.name.contains(".") {
            let head = String(field.name.split(separator: ".").first ?? "")
            if let clash = fieldIndex[head] {
                report(.duplicateDeclaration, "`\(head)` is a field, so `\(field.name)` cannot reach inside it", source,
                       field.declaration.span, help: "rename one of the two fields",
                       notes: [Diagnostic.Note("`\(head)` is declared here", source: model.fields[clash].declaration.source,
                                               span: model.fields[clash].declaration.span)])
            }
        }
    }

    mutating func resolveType(_ type: TypeExpr, field: String, _ source: SourceText) -> ValueType? {
        switch type.kind {
        case .text: return .text
        case .number: return .number
        case .yesNo: return .bool
        case .time: return .time
        case .duration: return .duration
        case .named(let name):
            if let scale = scaleIndex[name.name] { return .scale(scale) }
            if unreadable.scales.contains(name.name) { return nil } // its line's syntax error is reported
            let aliases = ["bool": "yes/no", "boolean": "yes/no", "string": "text", "int": "number", "integer": "number",
                           "float": "number", "double": "number", "decimal": "number", "money": "number",
                           "date": "time", "datetime": "time", "timestamp": "time", "enum": "one of a, b, c"]
            let help: String
            if let alias = aliases[name.name.lowercased()] {
                help = "write `\(alias)`"
            } else if let suggestion = Suggest.closest(to: name.name, in: ["text", "number", "time", "duration"] + model.scales.map(\.name)) {
                help = "did you mean `\(suggestion)`?"
            } else {
                help = "types are text, number, yes/no, time, duration, `one of a, b`, `list of TYPE` or a declared scale"
            }
            report(.unknownType, "unknown type `\(name.name)`", source, name.span, help: help)
            return nil
        case .oneOf(let values):
            var names: [String] = []
            var spellings: [[String]] = []
            for value in values {
                guard declareName(value.name, kind: "value", source) else { continue }
                if names.contains(value.name.name) {
                    report(.duplicateDeclaration, "value `\(value.name.name)` is listed twice", source, value.name.span,
                           help: "list each value once")
                    continue
                }
                names.append(value.name.name)
                spellings.append(value.spellings.map(\.value))
            }
            model.enumerations.append(Enumeration(owner: field, values: names, spellings: spellings))
            return .enumeration(model.enumerations.count - 1)
        case .list(let element):
            if case .list = element.kind {
                report(.invalidList, "a list of lists is not supported", source, element.span, help: "use `list of text` or `list of one of …`")
                return nil
            }
            return resolveType(element, field: field, source).map { .list($0) }
        }
    }

    mutating func declareClock(_ name: Identifier, _ source: SourceText, _ span: Span) {
        clockDeclared = true
        if model.clockField != nil {
            report(.repeatedDeclaration, "the policy already says where deadlines count from", source, span,
                   help: "keep one `deadlines from` line")
            return
        }
        guard let index = fieldIndex[name.name] else {
            let timeFields = model.fields.filter { $0.type == .time }.map(\.name)
            report(.invalidClock, "`deadlines from` names `\(name.name)`, which is not a field", source, name.span,
                   help: Suggest.didYouMean(name.name, in: timeFields)
                       ?? (timeFields.isEmpty ? "declare a time field in the record, e.g. `reported: time`"
                                              : "time fields: \(timeFields.map { "`\($0)`" }.joined(separator: ", "))"))
            return
        }
        guard model.fields[index].type == .time else {
            report(.invalidClock, "deadlines count from a time, but `\(name.name)` is \(model.describe(model.fields[index].type))",
                   source, name.span, help: "declare `\(name.name): time`, or name a time field")
            return
        }
        model.clockField = index
    }

    // MARK: - Reporting

    mutating func report(_ code: DiagnosticCode, _ message: String, _ source: SourceText, _ span: Span,
                         help: String? = nil, notes: [Diagnostic.Note] = []) {
        diagnostics.append(Diagnostic(code, message, source: source, span: span, help: help, notes: notes))
    }
}

/// What a policy's rules use, for "declared but never used" findings: the
/// indexes of the roles, remedies, channels and `define`s some rule or
/// define refers to.
package struct PolicyUsage: Sendable {
    package var roles: Set<Int>
    package var remedies: Set<Int>
    package var channels: Set<Int>
    package var defines: Set<Int>
}

/// CalendarValidation is every rule a calendar's hours and closed days must
/// keep, in one place: the checker reports each problem where it is
/// written (E117), and `BusinessCalendar.from` refuses a declaration that
/// has any (which a checked policy never has).
enum CalendarValidation {
    /// A Problem is one broken rule: what, where (nil: the whole calendar),
    /// and the fix.
    struct Problem: Sendable {
        enum Kind: Sendable { case emptyHours, reversedHours, reversedClosedPeriod, noHours, overlap }
        var kind: Kind
        var message: String
        var span: Span?
        var help: String
    }

    /// What is wrong with a calendar declaration's hours and closed days,
    /// in the order written (its time zone is the checker's to load).
    static func problems(_ decl: CalendarDecl) -> [Problem] {
        var problems: [Problem] = []
        var hasOpen = false
        for entry in decl.entries {
            switch entry {
            case .open(_, let hours, _), .seasonal(_, let hours, _, _):
                if case .open = entry { hasOpen = true }
                if case .seasonal(_, _, let season, _) = entry, let last = season.last,
                   last.epochSeconds() < season.first.epochSeconds() {
                    problems.append(Problem(kind: .reversedClosedPeriod, message: "the season ends before it starts",
                                            span: season.span, help: "write the earlier date first"))
                }
                for range in hours where range.from >= range.to {
                    problems.append(range.from == range.to
                        ? Problem(kind: .emptyHours, message: "opening hours `\(range.from)-\(range.to)` are empty: they end as they start",
                                  span: range.span, help: "give the closing time, e.g. `\(range.from)-17:30`, or leave the day out to close it")
                        : Problem(kind: .reversedHours, message: "opening hours `\(range.from)-\(range.to)` end before they start",
                                  span: range.span, help: "write the opening time first, e.g. `09:00-17:30`; hours cannot pass midnight"))
                }
            case .closed(let dates, _):
                for date in dates {
                    if let last = date.last, last.epochSeconds() < date.first.epochSeconds() {
                        problems.append(Problem(kind: .reversedClosedPeriod, message: "the closed period ends before it starts",
                                                span: date.span, help: "write the earlier date first"))
                    }
                }
            case .timeZone:
                continue
            }
        }
        if !hasOpen {
            problems.append(Problem(kind: .noHours, message: "the calendar has no opening hours outside a season", span: nil,
                                    help: "add a line such as `open mon-fri 09:00-17:30`; hours `from … to …` hold only in their season"))
        }
        if let overlap = overlaps(decl, seasonal: false) ?? overlaps(decl, seasonal: true) {
            problems.append(Problem(kind: .overlap, message: overlap.text, span: overlap.span,
                                    help: "give each day's hours once, without overlaps"))
        }
        return problems
    }

    /// The first two hours of one day that overlap, in words.
    /// Seasonal hours are checked among themselves, and only where their
    /// seasons share a date (two years' tax seasons on Saturdays do not
    /// overlap): on a day of a season they add to the regular hours
    /// (overlaps with those merge).
    static func overlaps(_ decl: CalendarDecl, seasonal: Bool) -> (text: String, span: Span)? {
        typealias Hours = (range: HoursRange, span: Span, season: ClosedRange<Int64>?)
        var byDay: [Weekday: [Hours]] = [:]
        for entry in decl.entries {
            let days: [DayRange], hours: [HoursRange], span: Span
            var season: ClosedRange<Int64>?
            switch entry {
            case .open(let d, let h, let s) where !seasonal: (days, hours, span) = (d, h, s)
            case .seasonal(let d, let h, let dates, let s) where seasonal:
                (days, hours, span) = (d, h, s)
                let first = dates.first.epochSeconds(), last = (dates.last ?? dates.first).epochSeconds()
                season = first <= last ? first...last : nil   // a reversed season is reported apart
                if season == nil { continue }
            default: continue
            }
            for range in days {
                for day in CalendarValidation.days(range) {
                    for h in hours { byDay[day, default: []].append((h, span, season)) }
                }
            }
        }
        for day in Weekday.allCases {
            let ranges = (byDay[day] ?? []).sorted { $0.range.from < $1.range.from }
            for k in ranges.indices {
                for j in ranges.indices where j < k && ranges[k].range.from < ranges[j].range.to {
                    if let a = ranges[j].season, let b = ranges[k].season, !a.overlaps(b) { continue }
                    return ("the hours for \(day.name) overlap (\(ranges[j].range.from)-\(ranges[j].range.to) and \(ranges[k].range.from)-\(ranges[k].range.to))",
                            ranges[k].span)
                }
            }
        }
        return nil
    }

    /// The days of `mon-fri` (wrapping, as `fri-mon`).
    static func days(_ range: DayRange) -> [Weekday] {
        var result: [Weekday] = []
        var d = range.first.rawValue
        for _ in 0..<7 {
            if let day = Weekday(rawValue: d) { result.append(day) }
            if d == range.last.rawValue { break }
            d = d % 7 + 1
        }
        return result
    }
}

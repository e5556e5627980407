/// The Formatter rewrites a policy file into the one canonical layout
/// (docs/fmt.md), keeping its comments and blank-line groups and never
/// changing what it means: the formatted text parses to the same tree.
///
/// It works from the syntax tree, the comments the lexer kept and the source
/// text (for spans): statements are laid out as logical lines
/// (`PolicyLayout`), comments are put back beside the pieces they stood next
/// to and lines are wrapped (`FormatPrinter`).
package enum Formatter {
    /// The column limit for wrapping lists and choosing one-line rules.
    package static let width = 100
    /// A rule written on one line stays on one line with at most this many actions.
    package static let maxOneLineActions = 3
    /// Spaces per block level.
    package static let indentWidth = 2
    /// Extra spaces for a continuation line, relative to its statement.
    package static let continuationIndent = 4

    /// The canonical text of a parsed file, or nil when the file has syntax
    /// errors: a broken file is never formatted.
    package static func format(_ file: PolicyFile) -> String? {
        guard !file.diagnostics.hasErrors else { return nil }
        var layout = PolicyLayout(source: file.source)
        for item in file.items { layout.item(item) }
        var printer = FormatPrinter(source: file.source, lines: layout.lines)
        return printer.print(comments: file.comments)
    }

    /// Parses and formats a text; nil when it has syntax errors.
    package static func format(text: String, path: String = "<string>") -> String? {
        format(Parser.parse(path: path, text: text))
    }
}

/// A PolicyLayout turns a file's items into logical lines, in source order.
struct PolicyLayout: Sendable {
    let source: SourceText
    var lines: [FormatLine] = []

    init(source: SourceText) {
        self.source = source
    }

    // MARK: - Items

    mutating func item(_ item: Item) {
        let at = item.span.start
        var b = LineBuilder(at: at)
        switch item.kind {
        case .policyName(let name):
            b.word("policy", at: at)
            b.word(SExpr.quote(name.value), name.span)
        case .scale(let scale):
            b.word("scale", at: at)
            b.word(scale.name.name, scale.name.span)
            b.glue(":")
            for (k, level) in scale.levels.enumerated() {
                if k > 0 {
                    let previous = scale.levels[k - 1]
                    b.word("<", at: previous.spellings.last.map(\.span.end) ?? previous.name.span.end, breakAfter: true)
                }
                self.level(level, &b)
            }
        case .record(let record):
            recordBlock(record, at: at)
            return
        case .deadlinesFrom(let field):
            b.word("deadlines from", at: at)
            b.word(field.name, field.span)
        case .names(let list):
            namesList(list, at: at)
            return
        case .define(let define):
            b.word("define", at: at)
            b.word(define.name.name, define.name.span)
            b.glue(":")
            expr(define.condition, &b)
        case .mark(let mark):
            b.word(mark.kind.rawValue, at: at)
            b.glue(":")
            expr(mark.condition, &b)
        case .use(let path):
            b.word("use", at: at)
            b.word(SExpr.quote(path.value), path.span)
        case .calendar(let calendar):
            calendarBlock(calendar, at: at)
            return
        case .usingCalendar(let name):
            b.word("using calendar", at: at)
            b.word(name.name, name.span)
        case .historyKey(let name):
            b.word("history by", at: at)
            b.word(name.name, name.span)
        case .done(let done):
            doneBlock(done, at: at)
            return
        case .rule(let rule):
            self.rule(rule, at: at)
            return
        case .example(let example):
            exampleBlock(example, at: at)
            return
        }
        lines.append(b.line(level: 0))
    }

    /// `record NAME:` and its lines: `missing` statements and fields, in
    /// source order.
    mutating func recordBlock(_ record: RecordDecl, at: Int) {
        var header = LineBuilder(at: at)
        header.word("record", at: at)
        header.word(record.name.name, record.name.span)
        header.glue(":")
        lines.append(header.line(level: 0, opensBlock: true))
        var blockLines: [FormatLine] = []
        for run in missingStatements(record.missing) {
            guard let first = run.first else { continue }
            var b = LineBuilder(at: first.span.start)
            b.word("missing", at: first.span.start)
            b.list(run) { b, text in b.word(SExpr.quote(text.value), text.span) }
            blockLines.append(b.line(level: 1))
        }
        for field in record.fields {
            var b = LineBuilder(at: field.name.span.start)
            b.word(field.name.name, field.name.span)
            b.glue(":")
            type(field.type, &b)
            if field.optional { b.glue("?") }
            if let column = field.column {
                b.word("from", at: column.span.start)
                b.word(SExpr.quote(column.value), column.span)
            }
            if let format = field.format {
                b.word("format", at: format.span.start)
                b.word(SExpr.quote(format.value), format.span)
            }
            if let value = field.defaultValue {
                b.word("=", at: value.span.start)
                expr(value, &b)
            }
            blockLines.append(b.line(level: 1))
        }
        lines += blockLines.sorted { $0.start < $1.start }
    }

    /// The `missing` texts grouped by the statement that wrote them (two
    /// texts belong to one statement when only a comma stands between them).
    func missingStatements(_ texts: [StringLiteral]) -> [[StringLiteral]] {
        var runs: [[StringLiteral]] = []
        for text in texts {
            if let previous = runs.last?.last, onlyCommaBetween(previous.span.end, text.span.start) {
                runs[runs.count - 1].append(text)
            } else {
                runs.append([text])
            }
        }
        return runs
    }

    /// True when the source between two offsets is one `,` with whitespace
    /// and comments around it.
    func onlyCommaBetween(_ from: Int, _ to: Int) -> Bool {
        let bytes = source.bytes
        var k = max(0, from)
        let end = min(to, bytes.count)
        var commas = 0
        while k < end {
            let c = bytes[k]
            if c == UInt8(ascii: "#") {
                while k < end && bytes[k] != 0x0A && bytes[k] != 0x0D { k += 1 }
                continue
            }
            if c == UInt8(ascii: ",") {
                commas += 1
            } else if c != 0x20 && c != 0x09 && c != 0x0C && c != 0x0A && c != 0x0D {
                return false
            }
            k += 1
        }
        return commas == 1
    }

    /// `roles: a, b, c` on one line (wrapped when long), or, when the source
    /// wrote the names on the lines below `roles:`, one name per line.
    mutating func namesList(_ list: NameListDecl, at: Int) {
        let keyword = list.kind.rawValue + ":"
        let blockForm = list.names.first.map { source.lineIndex(of: $0.span.start) > source.lineIndex(of: at) } ?? false
        func name(_ id: Identifier) -> String {
            list.kind == .channels ? PolicyLayout.channelName(id) : id.name
        }
        var b = LineBuilder(at: at)
        b.word(keyword, at: at)
        if blockForm {
            lines.append(b.line(level: 0, opensBlock: true))
            for id in list.names {
                var line = LineBuilder(at: id.span.start)
                line.word(name(id), id.span)
                lines.append(line.line(level: 1))
            }
            return
        }
        b.list(list.names) { b, id in b.word(name(id), id.span) }
        lines.append(b.line(level: 0))
    }

    /// `calendar:` and its `open`, `time zone` and `closed` lines.
    mutating func calendarBlock(_ calendar: CalendarDecl, at: Int) {
        var header = LineBuilder(at: at)
        if let name = calendar.name {
            header.word("calendar", at: at)
            header.word(name.name, name.span)
            header.glue(":")
        } else {
            header.word("calendar:", at: at)
        }
        lines.append(header.line(level: 0, opensBlock: true))
        for entry in calendar.entries {
            switch entry {
            case .open(let days, let hours, let span):
                var b = LineBuilder(at: span.start)
                b.word("open", at: span.start)
                b.list(days) { b, range in
                    let text = range.first == range.last ? range.first.name : "\(range.first.name)-\(range.last.name)"
                    b.word(text, range.span)
                }
                b.list(hours) { b, range in b.word("\(range.from)-\(range.to)", range.span) }
                lines.append(b.line(level: 1))
            case .seasonal(let days, let hours, let season, let span):
                var b = LineBuilder(at: span.start)
                b.word("open", at: span.start)
                b.list(days) { b, range in
                    let text = range.first == range.last ? range.first.name : "\(range.first.name)-\(range.last.name)"
                    b.word(text, range.span)
                }
                b.list(hours) { b, range in b.word("\(range.from)-\(range.to)", range.span) }
                b.word("from", at: season.span.start)
                b.word(season.first.text, at: season.span.start)
                b.word("to", at: season.span.start)
                b.word(season.last?.text ?? season.first.text, at: season.span.start, end: season.span.end)
                lines.append(b.line(level: 1))
            case .timeZone(let zone):
                var b = LineBuilder(at: zone.span.start)
                b.word("time zone", at: zone.span.start)
                b.word(PolicyLayout.zoneText(zone.value), zone.span)
                lines.append(b.line(level: 1))
            case .closed(let dates, let span):
                var b = LineBuilder(at: span.start)
                b.word("closed", at: span.start)
                b.list(dates) { b, range in
                    b.word(range.first.text, at: range.span.start)
                    if let last = range.last {
                        b.word("to", at: range.span.start)
                        b.word(last.text, at: range.span.start, end: range.span.end)
                    }
                }
                lines.append(b.line(level: 1))
            }
        }
    }

    /// `done:` and its lines, `ACTION: FIELD`, in source order.
    mutating func doneBlock(_ done: DoneDecl, at: Int) {
        var header = LineBuilder(at: at)
        header.word("done:", at: at)
        lines.append(header.line(level: 0, opensBlock: true))
        for line in done.lines {
            var b = LineBuilder(at: line.span.start)
            b.word(line.target.written, line.target.span)
            b.glue(":")
            b.word(line.field.name, line.field.span)
            lines.append(b.line(level: 1))
        }
    }

    /// A time zone bare (`Europe/London`) when it reads back so, else quoted.
    static func zoneText(_ zone: String) -> String {
        let bare = !zone.isEmpty && !zone.contains(where: { $0 == "\n" || $0 == "\r" || $0 == "#" })
        if bare {
            let file = Parser.parse(path: "", text: "calendar:\n  time zone \(zone)\n")
            if !file.diagnostics.hasErrors, file.comments.isEmpty, file.items.count == 1,
               case .calendar(let calendar) = file.items[0].kind, calendar.entries.count == 1,
               case .timeZone(let parsed) = calendar.entries[0], parsed.value == zone {
                return zone
            }
        }
        return SExpr.quote(zone)
    }

    // MARK: - Rules

    /// A rule written on one line stays so when it has at most
    /// `maxOneLineActions` actions and fits in `width` columns; otherwise it
    /// is a block, one action per line. A block is never joined into one line.
    mutating func rule(_ rule: Rule, at: Int) {
        var header = LineBuilder(at: at)
        if let name = rule.name {
            header.word("rule", at: at)
            header.word(SExpr.quote(name.value), name.span)
        }
        if let condition = rule.condition {
            header.word("when", at: condition.span.start)
            expr(condition, &header)
        } else {
            header.word("otherwise", at: rule.headerSpan.start)
        }
        if let calendar = rule.calendar {
            header.word("using calendar", at: calendar.span.start)
            header.word(calendar.name, calendar.span)
        }
        header.glue(":")
        if rule.oneLine && rule.actions.count <= Formatter.maxOneLineActions {
            var one = header
            for (k, action) in rule.actions.enumerated() {
                self.action(action, &one)
                if k < rule.actions.count - 1 { one.glue(";") }
            }
            let line = one.line(level: 0)
            if line.flatWidth <= Formatter.width {
                lines.append(line)
                return
            }
        }
        lines.append(header.line(level: 0, opensBlock: true))
        for action in rule.actions {
            var b = LineBuilder(at: action.span.start)
            self.action(action, &b)
            lines.append(b.line(level: 1))
        }
    }

    // MARK: - Examples

    /// `example "name":` and its `given`, `now` and `expect` lines, in source order.
    mutating func exampleBlock(_ example: Example, at: Int) {
        var header = LineBuilder(at: at)
        header.word("example", at: at)
        header.word(SExpr.quote(example.name.value), example.name.span)
        header.glue(":")
        lines.append(header.line(level: 0, opensBlock: true))
        var blockLines: [FormatLine] = []
        if let given = example.given {
            var b = LineBuilder(at: given.span.start)
            b.word("given", at: given.span.start)
            expr(given, &b)
            blockLines.append(b.line(level: 1))
        }
        if let now = example.now {
            var b = LineBuilder(at: now.span.start)
            b.word("now", at: now.span.start)
            expr(now, &b)
            blockLines.append(b.line(level: 1))
        }
        for expectation in example.expectations {
            var b = LineBuilder(at: expectation.span.start)
            if let s = expectation.status {
                b.word("expect status", at: expectation.span.start)
                b.word(s.target.written, s.target.span)
                b.glue(":")
                b.word(s.status.name, s.status.span)
                if let m = s.margin {
                    b.word("by", at: m.span.start)
                    b.word(m.description, m.span)
                }
                blockLines.append(b.line(level: 1))
                continue
            }
            b.word(expectation.atLeast ? "expect at least" : "expect", at: expectation.span.start)
            if let action = expectation.action {
                self.action(action, &b, inExpectation: true)
            } else {
                b.word("nothing", at: expectation.span.start, end: expectation.span.end)
            }
            blockLines.append(b.line(level: 1))
        }
        lines += blockLines.sorted { $0.start < $1.start }
    }
}

/// Declarations: scale, record, names, define, marks, calendar.
extension Parser {
    // scale = "scale" NAME ":" level { "<" level } NEWLINE
    mutating func parseScale() throws -> ScaleDecl {
        advance()
        let name = try expectName("the scale's name after `scale`")
        _ = try expect(.colon, "after the scale's name", help: "write `scale \(name.name): low < medium < high`")
        var levels = [try parseLevel(of: "scale")]
        while at(.less) {
            advance()
            levels.append(try parseLevel(of: "scale"))
        }
        if at(.greater) || at(.comma) {
            // `low, medium, high` or `high > medium > low`: the help writes
            // the whole scale, and when every level is a plain name the scale
            // is kept with them (lowest first), so its fields still check.
            let descending = at(.greater)
            let separator = peek
            var k = p
            var rest: [LevelDecl] = []
            // INVARIANT: the last token is the end of the file, so a separator has a token after it.
            while tokens[k].kind == .comma || tokens[k].kind == .greater || tokens[k].kind == .less,
                  tokens[k + 1].kind == .name {
                rest.append(LevelDecl(name: Identifier(text(tokens[k + 1]), tokens[k + 1].span), spellings: []))
                k += 2
            }
            let kind = tokens[k].kind
            let complete = kind == .newline || kind == .eof || kind == .dedent
            var all = levels + rest
            if descending { all.reverse() }
            let written = all.map(\.name.name).joined(separator: " < ") + (complete ? "" : " < ...")
            let message = descending ? "the levels of a scale are listed lowest first, separated by `<`"
                                     : "the levels of a scale are separated by `<`, lowest first"
            error(.expectedToken, message, at: separator.span, help: "write `scale \(name.name): \(written)`")
            guard complete else { throw Failure() }
            p = k
            try endOfStatement()
            return ScaleDecl(name: name, levels: all)
        }
        try endOfStatement()
        return ScaleDecl(name: name, levels: levels)
    }

    // level = NAME [ "(" STRING { "," STRING } ")" ]
    mutating func parseLevel(of what: String) throws -> LevelDecl {
        let name = try expectName("a level name in the \(what)")
        var spellings: [StringLiteral] = []
        if at(.lparen) {
            advance()
            repeat {
                if at(.rparen) { break }
                spellings.append(try expectString("a spelling in quotes, e.g. (\"1 - Critical\")"))
            } while at(.comma) && advance().kind == .comma
            _ = try expect(.rparen, "after the spellings")
        }
        return LevelDecl(name: name, spellings: spellings)
    }

    // record     = "record" NAME ":" NEWLINE INDENT { recordLine } DEDENT
    // recordLine = "missing" STRING { "," STRING } NEWLINE | field NEWLINE
    mutating func parseRecord() throws -> RecordDecl {
        advance()
        let name = try expectName("the record's name after `record`")
        try expectHeaderColon("after the record's name", help: "write `record \(name.name):` and list its fields below it")
        try expectBlockStart("the record", example: "id: text")
        var record = RecordDecl(name: name, missing: [], fields: [])
        // A field whose line cannot be read is still declared, for its uses.
        parseBlockLines(onError: { parser, first in
            if first.kind == .name { parser.unreadable.names.insert(parser.text(first)) }
        }) { parser in
            if parser.atWord("missing") && parser.peekAhead(1).kind != .colon {
                parser.advance()
                repeat {
                    record.missing.append(try parser.expectString("a text that means no value, e.g. \"N/A\""))
                } while parser.at(.comma) && parser.advance().kind == .comma
                try parser.endOfStatement()
            } else {
                record.fields.append(try parser.parseField())
            }
        }
        return record
    }

    // field = NAME ":" type { "?" | "from" STRING | "format" STRING } [ "=" value ]
    //         (each of `?`, `from` and `format` at most once, in any order)
    mutating func parseField() throws -> FieldDecl {
        let name = try expectName("a field name", help: "a field is written `name: type`, e.g. `amount: number?`")
        _ = try expect(.colon, "after the field name", help: "write `\(name.name): TYPE`, e.g. `\(name.name): text`")
        let type = try parseType()
        var field = FieldDecl(name: name, type: type, optional: false, column: nil, format: nil, defaultValue: nil,
                              span: name.span)
        if at(.question) {
            advance()
            field.optional = true
        }
        var progressed = true
        while progressed {
            progressed = false
            if atWord("from") {
                let word = advance()
                let column = try expectString("the column or key to read, in quotes, after `from`")
                if let first = field.column {
                    // Reported, and the field kept (with its first column), so its uses are still checked.
                    error(.unexpectedToken, "`\(name.name)` already reads from \(SExpr.quote(first.value))",
                          at: word.span.to(column.span), help: "a field reads one key or column: keep one `from`")
                } else {
                    field.column = column
                }
                progressed = true
            }
            if atWord("format") {
                let word = advance()
                let format = try expectString("a time format in quotes, e.g. format \"d/M/yyyy HH:mm\"")
                if let first = field.format {
                    error(.unexpectedToken, "`\(name.name)` already has the format \(SExpr.quote(first.value))",
                          at: word.span.to(format.span), help: "a time field has one format: keep one `format`")
                } else {
                    field.format = format
                }
                progressed = true
            }
            if at(.question) && !field.optional {
                advance()
                field.optional = true
                progressed = true
            }
        }
        if at(.equal) {
            advance()
            field.defaultValue = try parseValue()
            if atWord("from") || atWord("format") || at(.question) {
                // Reported, and the field kept without what follows, so its uses are still checked.
                error(.unexpectedToken, "unexpected \(describe(peek)) after the default", at: peek.span,
                      help: "the default comes last: `\(name.name): TYPE from \"key\" = VALUE`")
                field.span = name.span.to(previous.span)
                skipLine()
                return field
            }
        }
        field.span = name.span.to(previous.span)
        try endOfStatement()
        return field
    }

    // type = "text" | "number" | "yes" "/" "no" | "time" | "duration"
    //      | "one" "of" level { "," level } | "list" "of" type | NAME
    mutating func parseType() throws -> TypeExpr {
        let start = peek.span
        guard at(.name) else {
            if at(.invalid) { throw Failure() }
            throw fail(.expectedToken, "expected a type, found \(describe(peek))", at: peek.span,
                       help: "types are text, number, yes/no, time, duration, a scale's name, `one of a, b` or `list of TYPE`")
        }
        let word = text(peek)
        switch word {
        case "text": advance(); return TypeExpr(.text, start)
        case "number": advance(); return TypeExpr(.number, start)
        case "time": advance(); return TypeExpr(.time, start)
        case "duration": advance(); return TypeExpr(.duration, start)
        case "yes":
            advance()
            _ = try expect(.slash, "in the type `yes/no`")
            try expectWord("no", "in the type `yes/no`")
            return TypeExpr(.yesNo, start.to(previous.span))
        case "one":
            advance()
            try expectWord("of", "after `one`", help: "write `one of a, b, c`")
            var values = [try parseLevel(of: "list of values")]
            while at(.comma) {
                advance()
                values.append(try parseLevel(of: "list of values"))
            }
            return TypeExpr(.oneOf(values), start.to(previous.span))
        case "list":
            advance()
            try expectWord("of", "after `list`", help: "write `list of text` or `list of one of a, b`")
            let element = try parseType()
            return TypeExpr(.list(element), start.to(previous.span))
        default:
            advance()
            return TypeExpr(.named(Identifier(word, start)), start)
        }
    }

    // names = ( "roles" | "remedies" | "channels" ) ":" nameList
    // nameList = NAME { "," NAME } NEWLINE
    //          | NEWLINE INDENT { NAME { "," NAME } NEWLINE } DEDENT
    mutating func parseNameList() throws -> NameListDecl {
        let keyword = advance()
        let kind = NameListKind(rawValue: text(keyword)) ?? .roles
        _ = try expect(.colon, "after `\(kind.rawValue)`", help: "write `\(kind.rawValue): a, b, c`")
        var names: [Identifier] = []
        if at(.newline) || at(.indent) {
            try expectBlockStart("the list of \(kind.rawValue)", example: "supervisor, account_manager")
            parseBlockLines(onError: { parser, _ in parser.unreadable.lists.insert(kind) }) { parser in
                repeat {
                    names.append(try parser.parseListName(kind))
                } while parser.at(.comma) && parser.advance().kind == .comma
                try parser.endOfStatement()
            }
            return NameListDecl(kind: kind, names: names)
        }
        repeat {
            names.append(try parseListName(kind))
        } while at(.comma) && advance().kind == .comma
        try endOfStatement()
        return NameListDecl(kind: kind, names: names)
    }

    private mutating func parseListName(_ kind: NameListKind) throws -> Identifier {
        // "in person" is the built-in channel's spoken form.
        if kind == .channels && atWord("in") && isWord(peekAhead(1), "person") {
            let start = advance().span
            let end = advance().span
            return Identifier("in_person", start.to(end))
        }
        return try expectName("a \(kind.singular) name", help: "names are words like `account_manager`; separate them with commas")
    }

    // define = "define" NAME ":" condition NEWLINE
    mutating func parseDefine() throws -> DefineDecl {
        advance()
        let name = try expectName("a name after `define`")
        _ = try expect(.colon, "after the defined name", help: "write `define \(name.name): CONDITION`")
        let condition = try parseCondition()
        if let help = bracketsHelp(for: condition) {
            throw fail(.unexpectedToken, "unexpected `,` at the end of the statement", at: peek.span, help: help)
        }
        try endOfStatement()
        return DefineDecl(name: name, condition: condition)
    }

    // mark = ( "serious" | "our" "fault" | "client" "fault" ) ":" condition NEWLINE
    mutating func parseMark(_ word: String) throws -> MarkDecl {
        let first = advance().span
        var keyword = first
        let kind: MarkKind
        switch word {
        case "serious":
            kind = .serious
        default:
            kind = word == "our" ? .ourFault : .clientFault
            guard atWord("fault") else {
                throw fail(.unknownStatement, "unknown statement `\(word)`", at: first,
                           help: "write `\(kind.rawValue): CONDITION` to mark the incidents \(kind == .ourFault ? "we" : "the client") caused")
            }
            keyword = first.to(advance().span)
        }
        let example = kind == .serious ? "severity >= high" : kind == .ourFault ? "caused_by = us" : "caused_by = customer"
        _ = try expect(.colon, "after `\(kind.rawValue)`", help: "write `\(kind.rawValue): CONDITION`, e.g. `\(kind.rawValue): \(example)`")
        let condition = try parseCondition()
        if let help = bracketsHelp(for: condition) {
            throw fail(.unexpectedToken, "unexpected `,` at the end of the statement", at: peek.span, help: help)
        }
        try endOfStatement()
        return MarkDecl(kind: kind, keywordSpan: keyword, condition: condition)
    }

    // calendar = "calendar" [ NAME ] ":" NEWLINE INDENT { calendarLine } DEDENT
    // calendarLine = "open" days hours [ "from" DATE "to" DATE ] NEWLINE | …
    // calendarLine = "open" days hours NEWLINE
    //              | "time" "zone" ZONE NEWLINE
    //              | "closed" dates NEWLINE
    mutating func parseCalendar() throws -> CalendarDecl {
        advance()
        var name: Identifier?
        if at(.name) {
            let t = advance()
            name = Identifier(text(t), t.span)
        }
        try expectHeaderColon("after `calendar`", help: "write `calendar:` and its lines below it")
        try expectBlockStart("the calendar", example: "open mon-fri 09:00-17:30")
        var entries: [CalendarEntry] = []
        parseBlockLines(onError: { parser, _ in parser.unreadable.calendar = true }) { parser in
            let start = parser.peek.span
            if parser.atWord("open") {
                parser.advance()
                parser.openLineHelp = parser.openLineSuggestion()
                defer { parser.openLineHelp = nil }
                let days = try parser.parseDays()
                let hours = try parser.parseHours()
                if parser.atWord("from") {
                    // Hours of a season: `from 2027-01-02 to 2027-01-30`.
                    let seasonStart = parser.advance().span
                    let first = try parser.parseDate()
                    try parser.expectWord("to", "after the season's first date",
                                          help: "write the season's dates, both included: `from 2027-01-02 to 2027-01-30`")
                    let last = try parser.parseDate()
                    let season = DateRange(first: first, last: last, span: seasonStart.to(parser.previous.span))
                    entries.append(.seasonal(days: days, hours: hours, season: season, span: start.to(parser.previous.span)))
                } else {
                    entries.append(.open(days: days, hours: hours, span: start.to(parser.previous.span)))
                }
            } else if parser.atWord("time") {
                parser.advance()
                try parser.expectWord("zone", "after `time`", help: "write `time zone Europe/London`")
                entries.append(.timeZone(try parser.parseZone()))
            } else if parser.atWord("closed") {
                parser.advance()
                var dates: [DateRange] = []
                repeat {
                    dates.append(try parser.parseDateRange())
                } while parser.at(.comma) && parser.advance().kind == .comma
                entries.append(.closed(dates, span: start.to(parser.previous.span)))
            } else {
                let word = parser.at(.name) ? parser.text(parser.peek) : ""
                let help = Suggest.didYouMean(word, in: ["open", "time", "closed"])
                    ?? "a calendar line is `open mon-fri 09:00-17:30`, `time zone Europe/London` or `closed 2026-12-25`"
                throw parser.fail(.unknownStatement, "unknown calendar line \(parser.describe(parser.peek))",
                                  at: parser.peek.span, help: help)
            }
            try parser.endOfStatement()
        }
        return CalendarDecl(name: name, entries: entries)
    }

    static let dayNames: [String: Weekday] = [
        "mon": .mon, "tue": .tue, "wed": .wed, "thu": .thu, "fri": .fri, "sat": .sat, "sun": .sun,
        "monday": .mon, "tuesday": .tue, "wednesday": .wed, "thursday": .thu, "friday": .fri,
        "saturday": .sat, "sunday": .sun,
    ]

    // days = dayRange { "," dayRange } ; dayRange = DAY [ "-" DAY ]
    mutating func parseDays() throws -> [DayRange] {
        var days: [DayRange] = []
        repeat {
            let first = try parseDay()
            var last = first
            let start = previous.span
            if at(.minus) {
                advance()
                last = try parseDay()
            }
            days.append(DayRange(first: first, last: last, span: start.to(previous.span)))
        } while at(.comma) && advance().kind == .comma
        return days
    }

    mutating func parseDay() throws -> Weekday {
        guard at(.name) else {
            if at(.invalid) { throw Failure() }
            throw fail(.expectedToken, "expected a day (mon, tue, ... sun), found \(describe(peek))", at: peek.span,
                       help: "write `open mon-fri 09:00-17:30`")
        }
        let word = text(peek)
        if let day = Parser.dayNames[word.lowercased()] {
            advance()
            return day
        }
        let help = openLineHelp
            ?? Parser.dayAliases[word.lowercased()].map { "write `\($0)`" }
            ?? Suggest.didYouMean(word.lowercased(), in: ["mon", "tue", "wed", "thu", "fri", "sat", "sun"])
            ?? "days are mon, tue, wed, thu, fri, sat, sun"
        throw fail(.expectedToken, "`\(Lexer.shown(word))` is not a day of the week", at: peek.span, help: help)
    }

    // hours = CLOCK "-" CLOCK { "," CLOCK "-" CLOCK }
    mutating func parseHours() throws -> [HoursRange] {
        var hours: [HoursRange] = []
        repeat {
            let from = try parseClock()
            let start = previous.span
            _ = try expect(.minus, "between opening and closing times", help: "write hours as `09:00-17:30`")
            let to = try parseClock()
            hours.append(HoursRange(from: from, to: to, span: start.to(previous.span)))
        } while at(.comma) && advance().kind == .comma
        return hours
    }

    mutating func parseClock() throws -> ClockTime {
        guard at(.clock) else {
            if at(.invalid) { throw Failure() }
            let help = openLineHelp
                ?? (at(.number) ? "write times of day with minutes, e.g. `09:00`" : "write hours as `09:00-17:30`")
            throw fail(.expectedToken, "expected a time of day like `09:00`, found \(describe(peek))", at: peek.span, help: help)
        }
        let token = advance()
        let parts = text(token).split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[1].count == 2, let h = Int(parts[0]), let m = Int(parts[1]),
              (h < 24 && m < 60) || (h == 24 && m == 0) else {
            let help = openLineHelp ?? Parser.clockSpelling(text(token)).map { "write `\($0)`, on the 24-hour clock" }
                ?? "write HH:MM from 00:00 to 24:00"
            throw fail(.invalidNumber, "`\(text(token))` is not a time of day", at: token.span, help: help)
        }
        return ClockTime(minutes: h * 60 + m)
    }

    // zone = STRING
    //      | ( "+" | "-" ) ( CLOCK | NUMBER )                  (a fixed offset: +01:00, -0530)
    //      | NAME { ( "/" | "-" | "+" ) NAME | NUMBER | CLOCK }  (written without spaces, e.g. America/New_York)
    mutating func parseZone() throws -> StringLiteral {
        if at(.string) { return try expectString("a time zone") }
        let help = "write an IANA name such as `Europe/London`, `UTC`, or an offset such as `+01:00`"
        if at(.plus) || at(.minus) {
            let sign = advance()
            guard (at(.clock) || at(.number)) && peek.span.start == sign.span.end else {
                if at(.invalid) { throw Failure() }
                throw fail(.expectedToken, "expected an offset such as `+01:00` after `\(text(sign))`, found \(describe(peek))",
                           at: peek.span, help: help)
            }
            let span = sign.span.to(advance().span)
            return StringLiteral(source.text(span), span)
        }
        guard at(.name) else {
            if at(.invalid) { throw Failure() }
            throw fail(.expectedToken, "expected a time zone such as `Europe/London`, found \(describe(peek))", at: peek.span,
                       help: help)
        }
        let start = peek.span
        var end = advance().span
        while (at(.slash) || at(.minus) || at(.plus) || at(.name) || at(.number) || at(.clock)) && peek.span.start == end.end {
            end = advance().span
        }
        let span = start.to(end)
        return StringLiteral(source.text(span), span)
    }

    // dateRange = DATE [ "to" DATE ]
    mutating func parseDateRange() throws -> DateRange {
        let first = try parseDate()
        let start = previous.span
        var last: TimestampLiteral?
        if atWord("to") {
            advance()
            last = try parseDate()
        }
        return DateRange(first: first, last: last, span: start.to(previous.span))
    }

    mutating func parseDate() throws -> TimestampLiteral {
        guard at(.timestamp) else {
            if at(.invalid) { throw Failure() }
            throw fail(.expectedToken, "expected a date like `2026-12-25`, found \(describe(peek))", at: peek.span,
                       help: looseDate().map { "write dates year first: \($0)" })
        }
        let token = advance()
        let value = try timestampValue(token)
        if !value.isDate {
            throw fail(.invalidTimestamp, "a closed day is a date, without a time", at: token.span,
                       help: "write just the date, e.g. `\(String(text(token).prefix(10)))`")
        }
        return value
    }

    /// The value of a timestamp token, or a reported failure.
    mutating func timestampValue(_ token: Token) throws -> TimestampLiteral {
        switch TimestampLiteral.parse(source.bytes[token.span.start..<token.span.end]) {
        case .success(let value): return value
        case .failure(let error): throw fail(.invalidTimestamp, error.message, at: token.span)
        }
    }
}

// MARK: - Spellings from other notations

/// What a calendar line or a date written another way should be: the help
/// of the mistake says the whole spelling (`open mon-fri 09:00-17:00` for
/// `open weekdays 9am-5pm`; `2026-12-25` for `25/12/2026`).
extension Parser {
    static let dayAliases: [String: String] = [
        "weekdays": "mon-fri", "weekday": "mon-fri", "workdays": "mon-fri", "weekends": "sat-sun", "weekend": "sat-sun",
        "daily": "mon-sun", "everyday": "mon-sun", "all": "mon-sun",
        "tues": "tue", "weds": "wed", "thur": "thu", "thurs": "thu", "tu": "tue", "th": "thu",
    ]

    /// `9am` `09:00`, `5pm` `17:00`, `9:30pm` `21:30`, `12am` `00:00`,
    /// `9` `09:00`, `0900` `09:00`, `17.30` `17:30`; nil when it is no time.
    static func clockSpelling(_ written: String, suffix: String? = nil) -> String? {
        var t = written.lowercased()
        var meridiem = suffix?.lowercased()
        for m in ["am", "pm", "a.m.", "p.m."] where t.hasSuffix(m) {
            meridiem = String(m.prefix(1)) + "m"
            t.removeLast(m.count)
        }
        if let m = meridiem, m != "am" && m != "pm" { return nil }
        let parts = t.split(omittingEmptySubsequences: false, whereSeparator: { $0 == ":" || $0 == "." })
        var hour: Int
        var minute = 0
        switch parts.count {
        case 1:
            guard let v = Int(parts[0]) else { return nil }
            if parts[0].count == 4 { hour = v / 100; minute = v % 100 } else { hour = v }
        case 2:
            guard let h = Int(parts[0]), let m = Int(parts[1]), parts[1].count == 2 else { return nil }
            hour = h
            minute = m
        default: return nil
        }
        if let meridiem {
            guard hour >= 1 && hour <= 12 else { return nil }
            hour = hour % 12 + (meridiem == "pm" ? 12 : 0)
        }
        guard (hour < 24 && minute < 60) || (hour == 24 && minute == 0) else { return nil }
        return (hour < 10 ? "0" : "") + "\(hour):" + (minute < 10 ? "0" : "") + "\(minute)"
    }

    /// The `open` line from here to its end as it should be written, e.g.
    /// "write `open mon-fri 09:00-17:00`"; nil when it is written so already
    /// or cannot be read as days and hours.
    func openLineSuggestion() -> String? {
        var days: [String] = []
        var hours: [String] = []
        var k = p
        var written: [String] = []
        while k < tokens.count {
            let t = tokens[k]
            if t.kind == .newline || t.kind == .eof || t.kind == .dedent || t.kind == .indent { break }
            written.append(text(t))
            let word = text(t).lowercased()
            switch t.kind {
            case .name:
                if Parser.dayNames[word] != nil, hours.isEmpty {
                    days.append(String(word.prefix(3)))
                } else if let alias = Parser.dayAliases[word], hours.isEmpty {
                    days.append(alias)
                } else if word == "to" || word == "until" || word == "and" || word == "through" || word == "thru" {
                    days.append(hours.isEmpty ? "-" : ",")
                    if !hours.isEmpty { hours.append("-") }
                } else if word == "am" || word == "pm", !hours.isEmpty, k > p,
                          let clock = Parser.clockSpelling(text(tokens[k - 1]), suffix: word) {
                    hours[hours.count - 1] = clock
                } else {
                    return nil
                }
            case .number, .clock:
                guard let clock = Parser.clockSpelling(text(t)) else { return nil }
                hours.append(clock)
            case .timestamp:
                // `0900-1730` reads as the start of a date.
                let parts = text(t).split(separator: "-", omittingEmptySubsequences: false)
                guard parts.count == 2, let from = Parser.clockSpelling(String(parts[0])),
                      let to = Parser.clockSpelling(String(parts[1])) else { return nil }
                hours += [from, "-", to]
            case .minus, .comma:
                let mark = t.kind == .minus ? "-" : ","
                if hours.isEmpty { days.append(mark) } else { hours.append(mark) }
            default: return nil
            }
            k += 1
        }
        // Days: `mon` `-` `fri` `,` `sat`; hours: `09:00` `-` `17:00` `,` ...
        var dayText = ""
        for d in days {
            if d == "-" || d == "," {
                if dayText.isEmpty || dayText.hasSuffix("-") || dayText.hasSuffix(",") { return nil }
                dayText += d
            } else {
                if !dayText.isEmpty && !dayText.hasSuffix("-") && !dayText.hasSuffix(",") { dayText += "," }
                dayText += d
            }
        }
        var hourText = ""
        var count = 0
        for h in hours {
            if h == "-" {
                guard count % 2 == 1, hourText.hasSuffix("-") == false else { return nil }
                hourText += "-"
            } else if h == "," {
                guard count % 2 == 0, count > 0 else { return nil }
                hourText += ", "
            } else {
                if count % 2 == 1 && !hourText.hasSuffix("-") { hourText += "-" }
                if count % 2 == 0 && count > 0 && !hourText.hasSuffix(", ") { hourText += ", " }
                hourText += h
                count += 1
            }
        }
        guard !dayText.isEmpty, !dayText.hasSuffix("-"), !dayText.hasSuffix(","), count > 0, count % 2 == 0 else { return nil }
        let suggestion = "open \(dayText) \(hourText)"
        if "open " + written.joined(separator: " ") == suggestion { return nil }
        return "write `\(suggestion)`"
    }

    /// A date written day first, month first or with `/` or `.`, from here:
    /// `25/12/2026` as "`2026-12-25`"; nil when it is none.
    func looseDate() -> String? {
        var numbers: [String] = []
        var k = p
        var end = peek.span.start
        while k < tokens.count, tokens[k].span.start == end, numbers.count < 3 {
            let t = tokens[k]
            if t.kind == .number {
                numbers += text(t).split(separator: ".").map(String.init)
            } else if t.kind != .slash && t.kind != .minus {
                break
            }
            end = t.span.end
            k += 1
        }
        return Parser.isoDate(numbers)
    }

    /// Three numbers of a date written another way (`25`, `12`, `2026`) as
    /// "`2026-12-25`", day first unless that cannot be a date; nil when they
    /// are no date.
    static func isoDate(_ numbers: [String]) -> String? {
        guard numbers.count == 3, numbers[0].count == 4 || numbers[2].count == 4, numbers.allSatisfy({ $0.count <= 4 }),
              let a = Int(numbers[0]), let b = Int(numbers[1]), let c = Int(numbers[2]) else { return nil }
        func iso(_ year: Int, _ m: Int, _ d: Int) -> String? {
            guard (1...12).contains(m), (1...31).contains(d) else { return nil }
            func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
            return "\(year)-\(two(m))-\(two(d))"
        }
        if numbers[0].count == 4 { return iso(a, b, c).map { "`\($0)`" } }
        // Day first unless that cannot be a date (`12/25/2026`).
        if let dayFirst = iso(c, b, a) {
            if a != b, let monthFirst = iso(c, a, b) { return "`\(dayFirst)` (or `\(monthFirst)` if the month comes first)" }
            return "`\(dayFirst)`"
        }
        return iso(c, a, b).map { "`\($0)`" }
    }
}

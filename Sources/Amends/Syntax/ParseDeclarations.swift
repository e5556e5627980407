/// Declarations: scale, record, names, define, calendar.
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
            throw fail(.expectedToken, "the levels of a scale are listed lowest first, separated by `<`", at: peek.span,
                       help: "write `scale \(name.name): \(levels.map(\.name.name).joined(separator: " < ")) < ...`")
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
        _ = try expect(.colon, "after the record's name", help: "write `record \(name.name):` and list its fields below it")
        try expectBlockStart("the record", example: "id: text")
        var record = RecordDecl(name: name, missing: [], fields: [])
        parseBlockLines { parser in
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
            parseBlockLines { parser in
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
        try endOfStatement()
        return DefineDecl(name: name, condition: condition)
    }

    // calendar = "calendar" ":" NEWLINE INDENT { calendarLine } DEDENT
    // calendarLine = "open" days hours NEWLINE
    //              | "time" "zone" ZONE NEWLINE
    //              | "closed" dates NEWLINE
    mutating func parseCalendar() throws -> CalendarDecl {
        advance()
        _ = try expect(.colon, "after `calendar`")
        try expectBlockStart("the calendar", example: "open mon-fri 09:00-17:30")
        var entries: [CalendarEntry] = []
        parseBlockLines { parser in
            let start = parser.peek.span
            if parser.atWord("open") {
                parser.advance()
                let days = try parser.parseDays()
                let hours = try parser.parseHours()
                entries.append(.open(days: days, hours: hours, span: start.to(parser.previous.span)))
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
        return CalendarDecl(entries: entries)
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
        let help = Suggest.didYouMean(word.lowercased(), in: ["mon", "tue", "wed", "thu", "fri", "sat", "sun"])
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
            let help = at(.number) ? "write times of day with minutes, e.g. `09:00`" : "write hours as `09:00-17:30`"
            throw fail(.expectedToken, "expected a time of day like `09:00`, found \(describe(peek))", at: peek.span, help: help)
        }
        let token = advance()
        let parts = text(token).split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[1].count == 2, let h = Int(parts[0]), let m = Int(parts[1]),
              (h < 24 && m < 60) || (h == 24 && m == 0) else {
            throw fail(.invalidNumber, "`\(text(token))` is not a time of day", at: token.span,
                       help: "write HH:MM from 00:00 to 24:00")
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
            throw fail(.expectedToken, "expected a date like `2026-12-25`, found \(describe(peek))", at: peek.span)
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

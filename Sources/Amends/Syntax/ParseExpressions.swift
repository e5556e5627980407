/// Conditions and values.
///
/// Precedence, loosest first: `or`, `and`, `not`, then one comparison.
/// Comparisons do not chain.
extension Parser {
    static let conditionKeywords: Set<String> = ["and", "or", "not", "in", "is", "contains", "starts", "ends"]

    // condition = orExpr
    mutating func parseCondition() throws -> Expr {
        try parseOr()
    }

    // orExpr = andExpr { "or" andExpr }
    mutating func parseOr() throws -> Expr {
        var left = try parseAnd()
        while atWord("or") {
            advance()
            let right = try operand { p in
                try p.continuesOnNextLine(after: "or")
                return try p.parseAnd()
            }
            left = Expr(.or(left, right), left.span.to(right.span))
        }
        return left
    }

    // andExpr = notExpr { "and" notExpr }
    mutating func parseAnd() throws -> Expr {
        var left = try parseNot()
        while atWord("and") {
            advance()
            let right = try operand { p in
                try p.continuesOnNextLine(after: "and")
                return try p.parseNot()
            }
            left = Expr(.and(left, right), left.span.to(right.span))
        }
        return left
    }

    /// What follows an operator, where a condition may be cut short (being
    /// typed: `severity >= ` then `:` or the line's end). The mistake is
    /// reported as before, and the missing part read as an `.error` node, so
    /// the rule is kept and the names before it still resolve; a mistake
    /// elsewhere is thrown, as before.
    mutating func operand(_ parse: (inout Parser) throws -> Expr) throws -> Expr {
        do {
            return try parse(&self)
        } catch {
            guard at(.colon) || at(.newline) || at(.eof) || at(.indent) || at(.dedent) else { throw error }
            return Expr(.error, Span.at(previous.span.end))
        }
    }

    /// A line that ends with `and` or `or` goes on only on a line indented
    /// deeper (Grammar.md §2); say so, rather than only that a value is missing.
    mutating func continuesOnNextLine(after word: String) throws {
        guard at(.newline) || at(.eof) else { return }
        throw fail(.expectedCondition, "expected a condition after `\(word)`, found \(describe(peek))", at: Span.at(previous.span.end),
                   help: "to go on with the condition on the next line, indent that line deeper than the first")
    }

    // notExpr = "not" notExpr | comparison
    mutating func parseNot() throws -> Expr {
        if atWord("not") {
            let start = advance().span
            try enter(start)
            defer { depth -= 1 }
            let negated = try operand { try $0.parseNot() }
            return Expr(.not(negated), start.to(negated.span))
        }
        return try parseComparison()
    }

    // comparison = value [ compareOp value
    //                    | [ "not" ] "in" value
    //                    | "is" ( "missing" | "present" | "not" "missing" | "not" "present" )
    //                    | "is" ( "inside" | "outside" ) "opening" "hours"
    //                    | "on" days | "at" hours
    //                    | "contains" value | "starts" "with" value | "ends" "with" value ]
    mutating func parseComparison() throws -> Expr {
        let left = try parseValue()
        var result = left
        if let op = compareOp(peek.kind) {
            advance()
            let right = try operand { try $0.parseValue() }
            result = Expr(.compare(op, left, right), left.span.to(right.span))
        } else if atWord("in") {
            advance()
            let right = try operand { try $0.parseValue() }
            result = Expr(.member(left, right, negated: false), left.span.to(right.span))
        } else if atWord("not") && isWord(peekAhead(1), "in") {
            advance()
            advance()
            let right = try operand { try $0.parseValue() }
            result = Expr(.member(left, right, negated: true), left.span.to(right.span))
        } else if atWord("is") {
            advance()
            var negated = false
            if atWord("not") {
                advance()
                negated = true
            }
            if atWord("missing") || atWord("present") {
                let missing = atWord("missing") != negated
                advance()
                result = Expr(.presence(left, missing: missing), left.span.to(previous.span))
            } else if !negated && (atWord("inside") || atWord("outside")) {
                let inside = atWord("inside")
                advance()
                try expectWord("opening", "after `\(inside ? "inside" : "outside")`",
                               help: "write `\(source.text(left.span)) is \(inside ? "inside" : "outside") opening hours`")
                try expectWord("hours", "after `opening`",
                               help: "write `\(source.text(left.span)) is \(inside ? "inside" : "outside") opening hours`")
                result = Expr(.clock(left, .openingHours(inside: inside)), left.span.to(previous.span))
            } else {
                if at(.invalid) { throw Failure() }
                let help = at(.name) || at(.number) || at(.string)
                    ? "compare with `=`: `\(source.text(left.span)) = \(text(peek))`" : "write `is missing` or `is present`"
                let expected = negated ? "`missing` or `present`" : "`missing`, `present`, `inside` or `outside`"
                throw fail(.expectedToken, "expected \(expected) after `is`, found \(describe(peek))", at: peek.span, help: help)
            }
        } else if atWord("on") && peekAhead(1).kind == .name {
            // `reported on sat, sun`: the local day of the week.
            advance()
            let days = try parseDays()
            result = Expr(.clock(left, .days(days)), left.span.to(previous.span))
        } else if atWord("at") && (peekAhead(1).kind == .clock || peekAhead(1).kind == .number) {
            // `reported at 18:00-08:00`: the local time of day.
            advance()
            let hours = try parseHours()
            result = Expr(.clock(left, .hours(hours)), left.span.to(previous.span))
        } else if atWord("contains") {
            advance()
            let right = try operand { try $0.parseValue() }
            result = Expr(.text(.contains, left, right), left.span.to(right.span))
        } else if atWord("starts") || atWord("ends") {
            let test: TextTest = atWord("starts") ? .startsWith : .endsWith
            advance()
            try expectWord("with", "after `\(test == .startsWith ? "starts" : "ends")`")
            let right = try operand { try $0.parseValue() }
            result = Expr(.text(test, left, right), left.span.to(right.span))
        }
        if compareOp(peek.kind) != nil, case .compare = result.kind {
            throw fail(.unexpectedToken, "comparisons do not chain", at: peek.span,
                       help: "join two comparisons with `and`, e.g. `amount > 10 and amount < 100`")
        }
        return result
    }

    func compareOp(_ kind: TokenKind) -> CompareOp? {
        switch kind {
        case .equal: return .equal
        case .notEqual: return .notEqual
        case .less: return .less
        case .lessEqual: return .lessEqual
        case .greater: return .greater
        case .greaterEqual: return .greaterEqual
        default: return nil
        }
    }

    // value = NAME | "age" | "yes" | "no" | "true" | "false" | "null"
    //       | NUMBER [ [ "business" ] UNIT ] | "-" NUMBER | STRING | TIMESTAMP
    //       | "[" [ value { "," value } [ "," ] ] "]"
    //       | "{" [ entry { "," entry } [ "," ] ] "}"
    //       | "(" condition ")"
    mutating func parseValue() throws -> Expr {
        let token = peek
        switch token.kind {
        case .name:
            let word = text(token)
            if Parser.conditionKeywords.contains(word) && word != "not" {
                throw fail(.expectedCondition, "expected a value before `\(word)`", at: token.span,
                           help: "a comparison reads `FIELD OPERATOR VALUE`, e.g. `severity >= high`")
            }
            if let joined = hyphenatedName() { return Expr(.name(joined.name), joined.span) }
            if (word == "earlier" && (peekAhead(1).kind == .lparen || isWord(peekAhead(1), "within")))
                || (word == "since" && isWord(peekAhead(1), "last")) {
                return try parseHistory()
            }
            advance()
            switch word {
            case "age": return Expr(.age, token.span)
            case "yes", "true": return Expr(.bool(true), token.span)
            case "no", "false": return Expr(.bool(false), token.span)
            case "null": return Expr(.null, token.span)
            default: return Expr(.name(word), token.span)
            }
        case .number:
            if peekAhead(1).kind == .slash || (peekAhead(1).kind == .minus && peekAhead(2).kind == .number),
               peekAhead(1).span.start == token.span.end, let date = looseDate() {
                throw fail(.invalidTimestamp, "a date is written year first, with `-`", at: token.span.to(lastAdjacent().span),
                           help: "write \(date)")
            }
            advance()
            if atWord("business") || (at(.name) && Parser.unitWords[text(peek)] != nil) {
                let duration = try parseDurationUnit(number: token)
                return Expr(.duration(duration), duration.span)
            }
            if at(.name), !Parser.conditionKeywords.contains(text(peek)),
               Parser.unitAliases[text(peek)] != nil
                || Suggest.closest(to: text(peek), in: ["minutes", "hours", "days", "weeks"]) != nil {
                _ = try parseDurationUnit(number: token) // reports the unknown unit
            }
            return Expr(.number(try numberValue(token)), token.span)
        case .minus:
            advance()
            guard at(.number) else {
                if at(.invalid) { throw Failure() }
                throw fail(.expectedCondition, "expected a number after `-`, found \(describe(peek))", at: peek.span)
            }
            let number = advance()
            return Expr(.number(-(try numberValue(number))), token.span.to(number.span))
        case .string:
            advance()
            return Expr(.string(decodeString(token.span)), token.span)
        case .timestamp:
            advance()
            return Expr(.timestamp(try timestampWithTime(token)), token.span.to(previous.span))
        case .lbracket:
            advance()
            try enter(token.span)
            defer { depth -= 1 }
            var elements: [Expr] = []
            while !at(.rbracket) {
                let before = p
                elements.append(try parseValue())
                if !at(.comma) { break }
                advance()
                if p == before { break }
            }
            let close = try expect(.rbracket, "to close the list", help: "separate items with `,` and close the list with `]`")
            return Expr(.list(elements), token.span.to(close.span))
        case .lbrace:
            advance()
            try enter(token.span)
            defer { depth -= 1 }
            var entries: [RecordEntry] = []
            while !at(.rbrace) {
                let before = p
                let key: Identifier
                if at(.string) {
                    let t = advance()
                    key = Identifier(decodeString(t.span), t.span)
                } else {
                    key = try expectName("a field name in the record", help: "write `{severity: high, tier: premium}`")
                }
                _ = try expect(.colon, "after `\(key.name)`", help: "write `\(key.name): VALUE`")
                let value = try parseValue()
                entries.append(RecordEntry(key: key, value: value))
                if !at(.comma) { break }
                advance()
                if p == before { break }
            }
            let close = try expect(.rbrace, "to close the record", help: "separate fields with `,` and close the record with `}`")
            return Expr(.record(entries), token.span.to(close.span))
        case .lparen:
            advance()
            try enter(token.span)
            defer { depth -= 1 }
            let inner = try parseCondition()
            let close = try expect(.rparen, "to close the group", help: "add `)` after the condition")
            return Expr(.group(inner), token.span.to(close.span))
        case .invalid:
            throw Failure()
        case .clock:
            throw fail(.expectedCondition, "a time of day is only used in a calendar's opening hours and after `at`", at: token.span,
                       help: "test a time's local time of day with `at`, e.g. `reported at 09:00-17:00`, "
                           + "or compare times with full timestamps, e.g. `2026-03-02T09:00:00Z`")
        default:
            throw fail(.expectedCondition, "expected a value, found \(describe(token))", at: at(.newline) ? Span.at(previous.span.end) : token.span,
                       help: "a condition compares a field with a value, e.g. `severity >= high`")
        }
    }

    // historyValue = ( "earlier" | "since" "last" ) [ "(" condition ")" ] "within" duration
    mutating func parseHistory() throws -> Expr {
        let start = advance().span
        let measure: HistoryExpr.Measure = text(previous) == "earlier" ? .count : .sinceLast
        if measure == .sinceLast { advance() } // "last"
        var filter: Expr?
        if at(.lparen) {
            let open = advance().span
            try enter(open)
            defer { depth -= 1 }
            filter = try parseCondition()
            _ = try expect(.rparen, "to close the history's condition", help: "write `\(measure.rawValue) (category = billing) within 90 days`")
        }
        try expectWord("within", "after `\(measure.rawValue)`",
                       help: "say how far back to look: `\(measure.rawValue) within 90 days`")
        guard at(.number) else {
            if at(.invalid) { throw Failure() }
            throw fail(.expectedToken, "expected a duration after `within`, found \(describe(peek))", at: peek.span,
                       help: "write `within 90 days`")
        }
        let number = advance()
        let window = try parseDurationUnit(number: number)
        return Expr(.history(HistoryExpr(measure: measure, filter: filter, window: window)), start.to(previous.span))
    }

    mutating func numberValue(_ token: Token) throws -> Double {
        guard let value = Double(text(token)), value.isFinite else {
            throw fail(.invalidNumber, "`\(text(token))` is not a number this tool can hold", at: token.span)
        }
        return value
    }

    /// One level deeper; reports and fails past the limit.
    mutating func enter(_ span: Span) throws {
        depth += 1
        if depth > Parser.maxDepth {
            depth -= 1
            throw fail(.nestingTooDeep, "nested more than \(Parser.maxDepth) levels deep", at: span,
                       help: "split the condition into `define`d parts")
        }
    }
}

// MARK: - Helps for other notations

extension Parser {
    /// The last token written together with the current one (no space between).
    func lastAdjacent() -> Token {
        var k = p
        while k + 1 < tokens.count, tokens[k + 1].span.start == tokens[k].span.end,
              tokens[k + 1].kind != .newline, tokens[k + 1].kind != .eof {
            k += 1
        }
        return tokens[min(k, tokens.count - 1)]
    }

    /// A timestamp token just read; a date followed by a time of day after
    /// one space (`2026-03-02 09:00`, as spreadsheets write it) is reported
    /// with the spelling joined by `T`, and read as that, so what follows is
    /// still checked.
    mutating func timestampWithTime(_ token: Token) throws -> TimestampLiteral {
        let value = try timestampValue(token)
        guard value.isDate, at(.clock), peek.span.start == token.span.end + 1,
              source.bytes[token.span.end] == UInt8(ascii: " ") else { return value }
        let clockStart = peek.span.start
        var end = advance().span.end
        // A zone written onto the time: `Z`, `+01:00`.
        while (at(.name) || at(.plus) || at(.minus) || at(.clock) || at(.number)) && peek.span.start == end {
            end = advance().span.end
        }
        let joined = text(token) + "T" + source.text(Span(start: clockStart, end: end))
        error(.invalidTimestamp, "a date and a time are joined with `T`, not a space", at: Span(start: token.span.start, end: end),
              help: "write `\(Lexer.shown(joined))`")
        if case .success(let combined) = TimestampLiteral.parse(Array(joined.utf8)[...]) { return combined }
        return value
    }

    /// After `x in us` at a `,`: the values meant as a list, in brackets
    /// (`who in [us, client]`); nil when the condition does not end so.
    func bracketsHelp(for condition: Expr?) -> String? {
        guard at(.comma), var e = condition else { return nil }
        while true {
            switch e.kind {
            case .and(_, let right), .or(_, let right): e = right
            case .not(let inner): e = inner
            default:
                guard case .member(let left, let right, let negated) = e.kind else { return nil }
                if case .list = right.kind { return nil }
                var items = [source.text(right.span)]
                var k = p
                while k + 1 < tokens.count, tokens[k].kind == .comma,
                      [.name, .number, .string].contains(tokens[k + 1].kind) {
                    items.append(text(tokens[k + 1]))
                    k += 2
                }
                let written = "\(source.text(left.span)) \(negated ? "not in" : "in") [\(items.joined(separator: ", "))]"
                return "put the values in brackets: `\(Lexer.shown(written))`"
            }
        }
    }
}

/// Rules, their actions, durations and examples.
extension Parser {
    static let actionWords = ["notify", "escalate", "assign", "respond", "require", "offer", "follow", "review", "task", "waive"]

    // rule = [ "rule" STRING ] ( "when" condition | "otherwise" ) [ "using" "calendar" NAME ] ":" body
    // body = action { ";" action } NEWLINE [ block ]
    //      | NEWLINE INDENT { action { ";" action } NEWLINE } DEDENT
    /// A rule whose header is wrong (reported) is kept, so its body is still
    /// checked and its names still resolve: with its condition when only the
    /// `:` is missing, with an `.error` node where a condition is cut short
    /// (`Parser.operand`), else with an `.error` node for the condition.
    mutating func parseRule() throws -> Rule {
        let start = peek.span
        var rule = Rule(name: nil, condition: nil, actions: [], oneLine: false, headerSpan: start)
        do {
            if atWord("rule") {
                advance()
                rule.name = try expectString("the rule's name in quotes after `rule`", until: ["when", "otherwise"])
                if !atWord("when") && !atWord("otherwise") {
                    if at(.invalid) { throw Failure() }
                    let word = at(.name) ? text(peek) : ""
                    throw fail(.expectedToken, "expected `when` or `otherwise` after the rule's name, found \(describe(peek))",
                               at: peek.span, help: Suggest.didYouMean(word, in: ["when", "otherwise"]) ?? "write `rule \"name\" when CONDITION:`")
                }
            }
            if atWord("otherwise") {
                advance()
                if !at(.colon) && !at(.invalid) && !(atWord("using") && isWord(peekAhead(1), "calendar")) {
                    throw fail(.expectedToken, "expected `:` after `otherwise`, found \(describe(peek))", at: peek.span,
                               help: "`otherwise` has no condition: it fires when no `when` rule does; write `otherwise:`")
                }
            } else {
                advance() // "when"
                if at(.colon) {
                    throw fail(.expectedCondition, "expected a condition after `when`", at: peek.span,
                               help: "write `when severity >= high:`, or `otherwise:` for the rule that fires when no other does")
                }
                rule.condition = try parseCondition()
            }
            if atWord("using") && isWord(peekAhead(1), "calendar") {
                // `when COND using calendar edinburgh:`
                advance()
                advance()
                rule.calendar = try expectName("the calendar's name after `using calendar`")
            }
            if at(.colon) {
                advance()
            } else {
                if at(.invalid) { throw Failure() }
                let atAction = at(.name) && Parser.actionWords.contains(text(peek))
                let atThen = atWord("then") || atWord("do")
                let help: String?
                if atThen {
                    // `when severity >= high then notify partner`: `:` stands for `then`.
                    let header = source.text(Span(start: start.start, end: previous.span.end))
                    let rest = restOfLine(from: p + 1, droppingColon: true)
                    help = "write `:` for `\(text(peek))`: `\(Lexer.shown(header)):\(rest.isEmpty ? "" : " " + Lexer.shown(rest))`"
                } else if atAction {
                    help = "put `:` between the condition and the actions: `... : \(text(peek)) ...`"
                } else if at(.newline) {
                    help = "end the rule's header with `:`"
                } else {
                    help = bracketsHelp(for: rule.condition)
                }
                error(.expectedToken, "expected `:` after the condition, found \(describe(peek))",
                      at: at(.newline) ? Span.at(previous.span.end) : peek.span, help: help)
                if atThen {
                    advance()
                    if at(.colon) { advance() }
                }
                // Go on as if the `:` were there when the body follows.
                if !atThen && !atAction && !at(.newline) && !at(.indent) { throw Failure() }
            }
        } catch {
            rule.condition = Expr(.error, start)
            // Recover to the header's `:` on this line, or to the body's start.
            while !at(.colon) && !at(.newline) && !at(.eof) && !at(.indent) { advance() }
            if at(.colon) { advance() }
        }
        rule.headerSpan = start.to(previous.span)
        try parseRuleBody(&rule)
        return rule
    }

    mutating func parseRuleBody(_ rule: inout Rule) throws {
        if !at(.newline) && !at(.indent) && !at(.eof) {
            // One-line form.
            rule.oneLine = true
            do {
                try parseActionsOnLine(into: &rule.actions)
                try endOfActions(rule.actions.last)
            } catch {
                skipLine()
            }
            if at(.indent) {
                error(.unexpectedIndent, "a rule written on one line cannot also have an indented block", at: peek.span,
                      help: "move the actions after `:` to the indented lines, one per line")
                rule.oneLine = false
                parseBlockLines { parser in
                    try parser.parseActionsOnLine(into: &rule.actions)
                    try parser.endOfActions(rule.actions.last)
                }
            }
            return
        }
        if at(.newline) && peekAhead(1).kind == .indent { advance() }
        guard at(.indent) else {
            // Kept without actions (half-typed: the header, and no body yet).
            error(.emptyBlock, "the rule has no actions", at: Span.at(rule.headerSpan.end),
                  help: "put actions after the `:` (`when ...: notify supervisor`) or on indented lines below")
            return
        }
        parseBlockLines { parser in
            try parser.parseActionsOnLine(into: &rule.actions)
            try parser.endOfActions(rule.actions.last)
        }
    }

    /// The end of a line of actions, as `endOfStatement`, with a help that
    /// speaks of actions: a second action needs `;`, an apology's parts
    /// come in the order with, within, by, the names of one action come
    /// before its deadline.
    mutating func endOfActions(_ last: Action?) throws {
        if at(.newline) || at(.eof) || at(.dedent) || at(.invalid) {
            try endOfStatement()
            return
        }
        let word = at(.name) ? text(peek) : ""
        let help: String
        if let within = withinHelp(after: last) {
            help = within
        } else if Parser.actionWords.contains(word) {
            help = "separate actions with `;`: `...; \(word) ...`"
        } else if word == "with", case .apology? = last?.kind {
            help = "the components come first: `require apology with repair, responsibility within 1 day by phone`"
        } else if word == "within", case .followUp? = last?.kind {
            help = "`follow up in 3 days` says when to follow up; it takes no `within`"
        } else if at(.comma) {
            help = "name every role or remedy before `within` or `by`: `notify supervisor, owner within 1 hour`"
        } else {
            help = "the action ends before it; separate actions with `;`"
        }
        throw fail(.unexpectedToken, "unexpected \(describe(peek)) at the end of the action", at: peek.span, help: help)
    }

    /// action { ";" action }
    mutating func parseActionsOnLine(into actions: inout [Action]) throws {
        actions.append(try parseAction())
        while at(.semicolon) {
            advance()
            if at(.newline) || at(.eof) { break } // a trailing `;` is harmless
            actions.append(try parseAction())
        }
    }

    // action = notify | escalate | assign | respond | apology | offer
    //        | followUp | review | task | waive
    mutating func parseAction(inExpectation: Bool = false) throws -> Action {
        let start = peek.span
        guard at(.name) else {
            if at(.invalid) { throw Failure() }
            throw fail(.unknownAction, "expected an action, found \(describe(peek))", at: peek.span,
                       help: "actions are notify, escalate to, assign, respond within, require apology, offer, follow up in, review cause within, task and waive")
        }
        let word = text(peek)
        let kind: ActionKind
        switch word {
        // notify = "notify" NAME { "," NAME } [ within ]
        case "notify":
            advance()
            skipArticle(before: "the role", action: "notify")
            var roles = [try expectName("a role to notify", help: "write `notify supervisor`")]
            while at(.comma) {
                advance()
                skipArticle(before: "the role", action: "notify")
                roles.append(try expectName("a role after `,`"))
            }
            kind = .notify(roles: roles, within: try parseOptionalWithin())
        // escalate = "escalate" "to" NAME [ within ]
        case "escalate":
            advance()
            try expectWord("to", "after `escalate`", help: "write `escalate to ROLE`")
            skipArticle(before: "the role", action: "escalate to")
            let role = try expectName("a role after `escalate to`")
            kind = .escalate(role: role, within: try parseOptionalWithin())
        // assign = "assign" NAME
        case "assign":
            advance()
            skipArticle(before: "the role", action: "assign")
            kind = .assign(role: try expectName("a role after `assign`", help: "write `assign account_manager`"))
        // respond = "respond" within [ "by" channel ]  (in either order)
        case "respond":
            advance()
            var within: DurationLiteral?
            var by: Identifier?
            try parseWithinAndBy(&within, &by, allowWithin: true)
            guard let deadline = within else {
                throw fail(.expectedToken, "expected `within` after `respond`, found \(describe(peek))", at: peek.span,
                           help: withinHelp(after: nil, action: "respond") ?? "say how soon: `respond within 2 hours`")
            }
            kind = .respond(within: deadline, by: by)
        // apology = [ "require" ] "apology" [ "with" NAME { "," NAME } ] [ within ] [ "by" channel ]
        case "require", "apology":
            if word == "apology" && !inExpectation {
                throw fail(.unknownAction, "unknown action `apology`", at: peek.span, help: "write `require apology`")
            }
            advance()
            if word == "require" {
                guard atWord("apology") else {
                    if at(.invalid) { throw Failure() }
                    throw fail(.expectedToken, "expected `apology` after `require`, found \(describe(peek))", at: peek.span,
                               help: "`require` is only used as `require apology`")
                }
                advance()
            }
            var components: [Identifier] = []
            if atWord("with") {
                advance()
                components.append(try expectName("an apology component after `with`",
                                                 help: "components are repair, responsibility, prevention, explanation, regret, forgiveness"))
                while at(.comma) {
                    advance()
                    components.append(try expectName("an apology component after `,`"))
                }
            }
            var within: DurationLiteral?
            var by: Identifier?
            try parseWithinAndBy(&within, &by, allowWithin: true)
            kind = .apology(components: components, within: within, by: by)
        // offer = "offer" NAME { "," NAME }
        case "offer":
            advance()
            skipArticle(before: "the remedy", action: "offer")
            var remedies = [try expectName("a remedy to offer", help: "write `offer refund, credit`")]
            while at(.comma) {
                advance()
                skipArticle(before: "the remedy", action: "offer")
                remedies.append(try expectName("a remedy after `,`"))
            }
            kind = .offer(remedies: remedies)
        // followUp = "follow" "up" "in" duration [ "by" channel ]
        case "follow":
            advance()
            try expectWord("up", "after `follow`", help: "write `follow up in 3 days`")
            try expectWord("in", "after `follow up`", help: "write `follow up in 3 days`")
            let after = try parseDuration()
            var within: DurationLiteral?
            var by: Identifier?
            try parseWithinAndBy(&within, &by, allowWithin: false)
            kind = .followUp(after: after, by: by)
        // review = "review" "cause" within
        case "review":
            advance()
            try expectWord("cause", "after `review`", help: "write `review cause within 10 business days`")
            guard atWord("within") else {
                if at(.invalid) { throw Failure() }
                throw fail(.expectedToken, "expected `within` after `review cause`, found \(describe(peek))", at: peek.span,
                           help: withinHelp(after: nil, action: "review cause") ?? "say by when: `review cause within 10 business days`")
            }
            advance()
            kind = .review(within: try parseDuration())
        // task = "task" STRING [ within ]
        case "task":
            advance()
            let description = try expectString("the task, in quotes, after `task`", until: ["within"])
            kind = .task(text: description, within: try parseOptionalWithin())
        // waive = "waive" kind
        case "waive":
            advance()
            let kindStart = peek.span
            guard let name = try parseActionKindName() else {
                if at(.invalid) { throw Failure() }
                let word = at(.name) ? text(peek) : ""
                let help = Suggest.didYouMean(word, in: ActionKindName.allCases.map(\.rawValue))
                    ?? "waive one kind: notify, escalate, assign, respond, apology, offer, follow up, review or task"
                throw fail(.expectedToken, "expected the kind of action to waive, found \(describe(peek))", at: peek.span, help: help)
            }
            kind = .waive(name, kindStart.to(previous.span))
        default:
            throw unknownAction(Lexer.shown(word))
        }
        return Action(kind, start.to(previous.span))
    }

    /// notify | escalate | assign | respond | apology | offer | "follow" "up" | review | task
    mutating func parseActionKindName() throws -> ActionKindName? {
        guard at(.name) else { return nil }
        let word = text(peek)
        if word == "follow" {
            advance()
            try expectWord("up", "after `follow`", help: "write `waive follow up`")
            return .followUp
        }
        let aliases: [String: ActionKindName] = ["escalation": .escalate, "response": .respond, "offers": .offer,
                                                 "notification": .notify, "assignment": .assign, "tasks": .task]
        if let kind = ActionKindName(rawValue: word), kind != .followUp {
            advance()
            return kind
        }
        if let kind = aliases[word] {
            throw fail(.expectedToken, "expected the kind of action to waive, found `\(word)`", at: peek.span,
                       help: "write `waive \(kind.rawValue)`")
        }
        return nil
    }

    mutating func unknownAction(_ word: String) -> Failure {
        var help: String
        switch word {
        case "apologise", "apologize", "apology": help = "write `require apology`"
        case "followup", "follow_up": help = "write `follow up in DURATION`"
        case "escalate_to": help = "write `escalate to ROLE`"
        case "refund", "credit", "discount", "redo": help = "write `offer \(word)`"
        case "call", "email", "phone", "contact", "reply": help = "write `respond within DURATION by CHANNEL`"
        case "inform", "tell", "alert": help = "write `notify ROLE`"
        default:
            if let suggestion = Suggest.closest(to: word, in: ["notify", "escalate", "assign", "respond", "require", "offer",
                                                                "follow", "review", "task", "waive"]) {
                let shown = suggestion == "follow" ? "follow up" : suggestion == "require" ? "require apology"
                    : suggestion == "escalate" ? "escalate to" : suggestion
                help = "did you mean `\(shown)`?"
            } else if Parser.statementKeywords.contains(word) {
                help = "a new statement starts on its own line, without indentation"
            } else {
                help = "actions are notify, escalate to, assign, respond within, require apology, offer, follow up in, review cause within, task and waive"
            }
        }
        return fail(.unknownAction, "unknown action `\(word)`", at: peek.span, help: help)
    }

    // within = "within" duration
    mutating func parseOptionalWithin() throws -> DurationLiteral? {
        guard atWord("within") else { return nil }
        advance()
        return try parseDuration()
    }

    /// [ "within" duration ] [ "by" channel ], in either order, each at most once.
    mutating func parseWithinAndBy(_ within: inout DurationLiteral?, _ by: inout Identifier?, allowWithin: Bool) throws {
        while true {
            if allowWithin && atWord("within") && within == nil {
                advance()
                within = try parseDuration()
            } else if atWord("by") && by == nil {
                advance()
                by = try parseChannel()
            } else {
                return
            }
        }
    }

    // channel = NAME | "in" "person"
    mutating func parseChannel() throws -> Identifier {
        if atWord("in") && isWord(peekAhead(1), "person") {
            let start = advance().span
            let end = advance().span
            return Identifier("in_person", start.to(end))
        }
        if at(.number) {
            throw fail(.expectedToken, "expected a channel after `by`, found \(describe(peek))", at: peek.span,
                       help: "a deadline is written with `within`: `within \(Lexer.shown(restOfLine(from: p, droppingColon: false)))`")
        }
        return try expectName("a channel after `by`", help: "channels are phone, email, chat and in person, or those declared with `channels:`")
    }

    static let unitWords: [String: DurationUnit] = [
        "minute": .minutes, "minutes": .minutes, "hour": .hours, "hours": .hours,
        "day": .days, "days": .days, "week": .weeks, "weeks": .weeks,
    ]

    static let unitAliases: [String: String] = [
        "min": "minutes", "mins": "minutes", "m": "minutes", "h": "hours", "hr": "hours", "hrs": "hours",
        "d": "days", "w": "weeks", "wk": "weeks", "wks": "weeks",
    ]

    // duration = NUMBER [ "business" ] UNIT
    // UNIT     = minute(s) | hour(s) | day(s) | week(s); business: hour(s) | day(s)
    mutating func parseDuration() throws -> DurationLiteral {
        guard at(.number) else {
            if at(.invalid) { throw Failure() }
            let help = at(.name) && Parser.unitWords[text(peek)] != nil ? "put the number first: `3 \(text(peek))`" : "write a duration such as `2 hours` or `3 business days`"
            throw fail(.expectedToken, "expected a duration, found \(describe(peek))", at: peek.span, help: help)
        }
        let number = advance()
        return try parseDurationUnit(number: number)
    }

    /// The unit after a number already consumed.
    mutating func parseDurationUnit(number: Token) throws -> DurationLiteral {
        let numberText = text(number)
        var business = false
        if atWord("business") {
            business = true
            advance()
        }
        guard at(.name) else {
            if at(.invalid) { throw Failure() }
            throw fail(.unknownDurationUnit, "expected a unit after `\(numberText)\(business ? " business" : "")`, found \(describe(peek))",
                       at: at(.newline) ? Span.at(previous.span.end) : peek.span,
                       help: business ? "write `\(numberText) business hours` or `\(numberText) business days`" : "write `\(numberText) hours`, `\(numberText) days` or another unit")
        }
        let unitToken = peek
        let word = text(unitToken)
        var unit: DurationUnit
        if let u = Parser.unitWords[word] {
            unit = u
        } else {
            let help: String
            if let alias = Parser.unitAliases[word] {
                help = "write `\(numberText) \(alias)`"
            } else if ["month", "months", "year", "years"].contains(word) {
                help = "months and years vary in length; write days or weeks, e.g. `30 days`"
            } else if ["second", "seconds", "sec", "secs"].contains(word) {
                help = "the smallest unit is minutes"
            } else if let suggestion = Suggest.closest(to: word, in: ["minutes", "hours", "days", "weeks", "minute", "hour", "day", "week", "business"]) {
                help = "did you mean `\(suggestion)`?"
            } else {
                help = "units are minutes, hours, days, weeks, business hours and business days"
            }
            throw fail(.unknownDurationUnit, "unknown duration unit `\(Lexer.shown(word))`", at: unitToken.span, help: help)
        }
        advance()
        if business {
            switch unit {
            case .hours: unit = .businessHours
            case .days: unit = .businessDays
            default:
                throw fail(.unknownDurationUnit, "`business \(word)` is not a unit", at: number.span.to(unitToken.span),
                           help: "business time is counted in `business hours` or `business days`")
            }
        }
        let span = number.span.to(unitToken.span)
        guard let amount = Int64(numberText) else {
            if let value = Double(numberText), let seconds = unit.seconds {
                let total = value * Double(seconds)
                let minutes = total / 60
                let fix = minutes == minutes.rounded() && minutes < 1e9 ? "write `\(Int64(minutes)) minutes`" : "use a whole number of a smaller unit"
                throw fail(.fractionalDuration, "a duration is a whole number of its unit", at: span, help: fix)
            }
            throw fail(.fractionalDuration, "a duration is a whole number of its unit", at: span,
                       help: "business time is counted in whole business hours or days")
        }
        guard amount <= 1_000_000 else {
            throw fail(.invalidNumber, "`\(numberText)` is too large for a duration (the limit is 1000000)", at: number.span)
        }
        return DurationLiteral(amount: amount, unit: unit, span: span)
    }

    // example     = "example" STRING ":" NEWLINE INDENT { exampleLine } DEDENT
    // exampleLine = "given" record NEWLINE
    //             | "now" TIMESTAMP NEWLINE
    //             | "expect" [ "at" "least" ] ( action | "nothing" ) NEWLINE
    mutating func parseExample() throws -> Example {
        advance()
        let name = try expectString("the example's name in quotes after `example`")
        _ = try expect(.colon, "after the example's name", help: "write `example \"\(name.value)\":` and its lines below")
        try expectBlockStart("the example", example: "given {severity: high}")
        var example = Example(name: name, given: nil, now: nil, expectations: [])
        parseBlockLines { parser in
            let start = parser.peek.span
            if parser.atWord("given") {
                parser.advance()
                guard parser.at(.lbrace) else {
                    if parser.at(.invalid) { throw Failure() }
                    throw parser.fail(.expectedToken, "expected a record in braces after `given`, found \(parser.describe(parser.peek))",
                                      at: parser.peek.span, help: "write `given {severity: high, tier: premium}`")
                }
                let record = try parser.parseValue()
                if example.given != nil {
                    parser.error(.unexpectedToken, "the example already has a `given` record", at: start.to(parser.previous.span),
                                 help: "write one example per record")
                }
                example.given = record
            } else if parser.atWord("now") {
                parser.advance()
                guard parser.at(.timestamp) else {
                    if parser.at(.invalid) { throw Failure() }
                    throw parser.fail(.expectedToken, "expected a timestamp after `now`, found \(parser.describe(parser.peek))",
                                      at: parser.peek.span, help: "write `now 2026-03-05T09:00:00Z`")
                }
                let token = parser.advance()
                let now = try parser.timestampWithTime(token)
                if example.now != nil {
                    parser.error(.unexpectedToken, "the example already has a `now`", at: start.to(token.span),
                                 help: "an example is measured at one time: keep one `now` line")
                }
                example.now = Expr(.timestamp(now), token.span.to(parser.previous.span))
            } else if parser.atWord("expect") {
                parser.advance()
                var atLeast = false
                if parser.atWord("at") && parser.isWord(parser.peekAhead(1), "least") {
                    parser.advance()
                    parser.advance()
                    atLeast = true
                }
                if parser.atWord("status") && !atLeast {
                    parser.advance()
                    let target = try parser.parseDoneTarget()
                    _ = try parser.expect(.colon, "after `expect status \(target.written)`",
                                          help: "write `expect status \(target.written): STATUS`, e.g. `expect status \(target.written): on_time`")
                    let status = try parser.expectName("a status after `:`",
                                                       help: "a status is on_time, late, open, overdue, done or not_tracked")
                    var margin: DurationLiteral?
                    if parser.atWord("by") {
                        parser.advance()
                        margin = try parser.parseDuration()
                    }
                    example.expectations.append(Expectation(atLeast: false, action: nil, span: start.to(parser.previous.span),
                                                            status: StatusExpectation(target: target, status: status, margin: margin)))
                } else if parser.atWord("nothing") {
                    parser.advance()
                    example.expectations.append(Expectation(atLeast: atLeast, action: nil, span: start.to(parser.previous.span)))
                } else {
                    if parser.atWord("waive") {
                        throw parser.fail(.unknownAction, "`waive` is not an action an incident receives", at: parser.peek.span,
                                          help: "list the actions that remain; a waived kind simply does not appear")
                    }
                    let action = try parser.parseAction(inExpectation: true)
                    example.expectations.append(Expectation(atLeast: atLeast, action: action, span: start.to(parser.previous.span)))
                }
            } else {
                let word = parser.at(.name) ? parser.text(parser.peek) : ""
                let help = Suggest.didYouMean(word, in: ["given", "expect", "now"])
                    ?? "an example has a `given {…}` record and `expect` lines"
                throw parser.fail(.unknownStatement, "unknown example line \(parser.describe(parser.peek))",
                                  at: parser.peek.span, help: help)
            }
            try parser.endOfStatement()
        }
        return example
    }
}

// MARK: - Helps for words of other notations

extension Parser {
    static let articles: Set<String> = ["the", "a", "an", "our", "their", "your", "all", "every", "each", "any"]

    /// `notify the client_manager`: an article before a name is reported,
    /// with the action as it should be written, and skipped, so the name
    /// after it is read (and checked) as the role.
    mutating func skipArticle(before what: String, action: String) {
        guard at(.name), Parser.articles.contains(text(peek)), peekAhead(1).kind == .name,
              !["within", "by"].contains(text(peekAhead(1))) else { return }
        let article = advance()
        let rest = restOfLine(from: p, droppingColon: false)
        error(.unexpectedToken, "unexpected `\(text(article))` before \(what)", at: article.span,
              help: "drop `\(text(article))`: `\(action) \(Lexer.shown(rest))`")
    }

    /// At `in 4 business hours` (or `after`, `for`) where a deadline goes:
    /// the help that writes it with `within`; nil elsewhere.
    func withinHelp(after last: Action?, action: String? = nil) -> String? {
        guard at(.name), ["in", "after", "for", "by"].contains(text(peek)), peekAhead(1).kind == .number else { return nil }
        switch last?.kind {
        case .followUp?, .offer?, .assign?, .waive?: return nil
        default: break
        }
        let duration = restOfLine(from: p + 1, droppingColon: false)
        let written = action ?? last.map { source.text($0.span) } ?? ""
        return "a deadline is written with `within`: `\(Lexer.shown(written)) within \(Lexer.shown(duration))`"
    }

    /// The text of the line from token `k` to its end (or a `;`).
    func restOfLine(from k: Int, droppingColon: Bool) -> String {
        var k = k
        if droppingColon && k < tokens.count && tokens[k].kind == .colon { k += 1 }
        guard k < tokens.count else { return "" }
        let start = tokens[k].span.start
        var end = start
        while k < tokens.count {
            let t = tokens[k]
            if t.kind == .newline || t.kind == .eof || t.kind == .indent || t.kind == .dedent || t.kind == .semicolon { break }
            end = t.span.end
            k += 1
        }
        return source.text(Span(start: start, end: max(start, end)))
    }
}

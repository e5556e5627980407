/// The `done:` block: which record field shows that each action was done
/// (Grammar.md §4, "done:").
extension Parser {
    // done     = "done" ":" NEWLINE INDENT { doneLine } DEDENT
    // doneLine = target ":" NAME NEWLINE
    mutating func parseDone() throws -> DoneDecl {
        advance()
        try expectHeaderColon("after `done`", help: "write `done:` and, below it, lines such as `respond: responded_at`")
        try expectBlockStart("the `done:` block", example: "respond: responded_at")
        var lines: [DoneLine] = []
        parseBlockLines { parser in
            let start = parser.peek.span
            let target = try parser.parseDoneTarget()
            _ = try parser.expect(.colon, "after `\(target.written)`",
                                  help: "write `\(target.written): FIELD`, naming the record field that shows it was done")
            let field = try parser.expectName("the record field that shows `\(target.written)` was done",
                                              help: "write `\(target.written): FIELD`, e.g. `\(target.written): done_at`")
            try parser.endOfStatement()
            lines.append(DoneLine(target: target, field: field, span: start.to(field.span)))
        }
        return DoneDecl(lines: lines)
    }

    // target = "notify" NAME | "escalate" [ "to" ] NAME | "assign" | "respond"
    //        | [ "require" ] "apology" | "offer" | "follow" "up" | "review" [ "cause" ]
    //        | "task" STRING
    mutating func parseDoneTarget() throws -> DoneTarget {
        let first = peek
        guard first.kind == .name else {
            throw fail(.unknownAction, "expected an action before `:`, found \(describe(first))", at: first.span,
                       help: "a `done:` line is `ACTION: FIELD`, e.g. `respond: responded_at` or `notify supervisor: told_at`")
        }
        let word = text(first)
        advance()
        switch word {
        case "notify":
            let role = try expectName("the role after `notify`", help: "write `notify ROLE: FIELD`, e.g. `notify supervisor: supervisor_told`")
            return DoneTarget(kind: .notify, role: role, span: first.span.to(role.span))
        case "escalate":
            if atWord("to") { advance() }
            let role = try expectName("the role after `escalate to`", help: "write `escalate to ROLE: FIELD`")
            return DoneTarget(kind: .escalate, role: role, span: first.span.to(role.span))
        case "assign": return DoneTarget(kind: .assign, span: first.span)
        case "respond": return DoneTarget(kind: .respond, span: first.span)
        case "apology": return DoneTarget(kind: .apology, span: first.span)
        case "require":
            try expectWord("apology", "after `require`", help: "write `apology: FIELD`")
            return DoneTarget(kind: .apology, span: first.span.to(previous.span))
        case "offer": return DoneTarget(kind: .offer, span: first.span)
        case "follow":
            try expectWord("up", "after `follow`", help: "write `follow up: FIELD`")
            return DoneTarget(kind: .followUp, span: first.span.to(previous.span))
        case "review":
            if atWord("cause") { advance() }
            return DoneTarget(kind: .review, span: first.span.to(previous.span))
        case "task":
            let text = try expectString("the task's text in quotes, as the rules write it")
            return DoneTarget(kind: .task, text: text, span: first.span.to(text.span))
        default:
            let kinds = ["notify", "escalate", "assign", "respond", "apology", "offer", "follow", "review", "task"]
            let help = Suggest.didYouMean(word, in: kinds)
                ?? "a `done:` line names an action: notify ROLE, escalate to ROLE, assign, respond, apology, offer, follow up, review, or task \"TEXT\""
            throw fail(.unknownAction, "unknown action `\(Lexer.shown(word))` in `done:`", at: first.span, help: help)
        }
    }
}

/// How conditions, values, types and actions print, as pieces of a line.
///
/// Every form prints so that the parser reads it back into the same tree:
/// `and`, `or` and `not` need no parentheses of their own (the ones the
/// author wrote are `.group` nodes and print as written), and a comparison's
/// operands are values, never conditions.
extension PolicyLayout {
    // MARK: - Conditions and values

    func expr(_ e: Expr, _ b: inout LineBuilder) {
        switch e.kind {
        case .name(let name): b.word(name, e.span)
        case .age: b.word("age", e.span)
        case .number(let value): b.word(numberText(e.span, negative: value.sign == .minus), e.span)
        case .string(let s): b.word(SExpr.quote(s), e.span)
        case .bool(let yes): b.word(yes ? "yes" : "no", e.span)
        case .null: b.word("null", e.span)
        case .duration(let d): b.word(d.description, e.span)
        case .timestamp(let t): b.word(t.text, e.span)
        case .list(let items):
            b.open("[", at: e.span.start)
            b.list(items) { b, item in expr(item, &b) }
            b.close("]", at: max(e.span.start, e.span.end - 1))
        case .record(let entries):
            b.open("{", at: e.span.start)
            b.list(entries) { b, entry in
                b.word(PolicyLayout.recordKey(entry.key.name) + ":", entry.key.span)
                expr(entry.value, &b)
            }
            b.close("}", at: max(e.span.start, e.span.end - 1))
        case .compare(let op, let left, let right):
            expr(left, &b)
            b.word(op.rawValue, at: left.span.end)
            expr(right, &b)
        case .member(let left, let right, let negated):
            expr(left, &b)
            b.word(negated ? "not in" : "in", at: left.span.end)
            expr(right, &b)
        case .text(let test, let left, let right):
            expr(left, &b)
            b.word(test.rawValue, at: left.span.end)
            expr(right, &b)
        case .presence(let operand, let missing):
            expr(operand, &b)
            b.word(missing ? "is missing" : "is present", at: operand.span.end)
        case .history(let h):
            b.word(h.measure.rawValue, at: e.span.start)
            if let filter = h.filter {
                b.open("(", at: filter.span.start)
                expr(filter, &b)
                b.close(")", at: filter.span.end)
            }
            b.word("within", at: h.window.span.start)
            b.word(h.window.description, h.window.span)
        case .clock(let operand, let test):
            expr(operand, &b)
            switch test {
            case .days(let days):
                b.word("on", at: operand.span.end)
                b.list(days) { b, range in
                    b.word(range.first == range.last ? range.first.name : "\(range.first.name)-\(range.last.name)", range.span)
                }
            case .hours(let hours):
                b.word("at", at: operand.span.end)
                b.list(hours) { b, range in b.word("\(range.from)-\(range.to)", range.span) }
            case .openingHours(let inside):
                b.word(inside ? "is inside opening hours" : "is outside opening hours", at: operand.span.end)
            }
        case .not(let operand):
            b.word("not", at: e.span.start)
            expr(operand, &b)
        case .and(let left, let right):
            expr(left, &b)
            b.word("and", at: nextToken(after: left.span.end), breakAfter: true)
            expr(right, &b)
        case .or(let left, let right):
            expr(left, &b)
            b.word("or", at: nextToken(after: left.span.end), breakAfter: true)
            expr(right, &b)
        case .group(let inner):
            b.open("(", at: e.span.start)
            expr(inner, &b)
            b.close(")", at: max(e.span.start, e.span.end - 1))
        case .error:
            // INVARIANT: a file with an error node has a syntax error, and the
            // formatter refuses such files before laying anything out.
            b.word("", e.span)
        }
    }

    /// Where the next token starts after an offset (past spaces, line ends
    /// and comments): the place of a keyword the tree keeps no span for.
    func nextToken(after offset: Int) -> Int {
        let bytes = source.bytes
        var k = max(0, offset)
        while k < bytes.count {
            switch bytes[k] {
            case 0x20, 0x09, 0x0C, 0x0A, 0x0D: k += 1
            case UInt8(ascii: "#"):
                while k < bytes.count && bytes[k] != 0x0A && bytes[k] != 0x0D { k += 1 }
            default: return k
            }
        }
        return k
    }

    /// A number as the author wrote it (`1.50` stays `1.50`): the digits of
    /// its token, with the sign of a negative value.
    func numberText(_ span: Span, negative: Bool) -> String {
        let bytes = source.bytes
        var k = min(max(span.end, 0), bytes.count)
        let lower = min(max(span.start, 0), k)
        while k > lower, bytes[k - 1] == UInt8(ascii: ".") || (bytes[k - 1] >= 0x30 && bytes[k - 1] <= 0x39) { k -= 1 }
        let digits = source.text(Span(start: k, end: min(max(span.end, 0), bytes.count)))
        return (negative ? "-" : "") + (digits.isEmpty ? "0" : digits)
    }

    /// A record key: bare when it reads back as one name, quoted otherwise.
    static func recordKey(_ key: String) -> String {
        isName(key) ? key : SExpr.quote(key)
    }

    /// True when the text lexes as exactly one name token.
    static func isName(_ text: String) -> Bool {
        guard !text.isEmpty, !text.contains(where: { $0 == "\n" || $0 == "\r" }) else { return false }
        let lexer = Lexer.tokenize(SourceText(path: "", text: text))
        guard lexer.diagnostics.isEmpty, lexer.comments.isEmpty, let first = lexer.tokens.first else { return false }
        return first.kind == .name && first.span == Span(start: 0, end: text.utf8.count)
            && lexer.tokens.dropFirst().allSatisfy { $0.kind == .newline || $0.kind == .eof }
    }

    // MARK: - Types

    func type(_ t: TypeExpr, _ b: inout LineBuilder) {
        switch t.kind {
        case .text: b.word("text", t.span)
        case .number: b.word("number", t.span)
        case .yesNo: b.word("yes/no", t.span)
        case .time: b.word("time", t.span)
        case .duration: b.word("duration", t.span)
        case .named(let name): b.word(name.name, name.span)
        case .oneOf(let values):
            b.word("one of", at: t.span.start)
            b.list(values) { b, value in level(value, &b) }
        case .list(let element):
            b.word("list of", at: t.span.start)
            type(element, &b)
        }
    }

    /// `critical ("1 - Critical", "P1")`
    func level(_ level: LevelDecl, _ b: inout LineBuilder) {
        b.word(level.name.name, level.name.span)
        guard let first = level.spellings.first else { return }
        b.open("(", at: max(level.name.span.end, first.span.start - 1))
        b.list(level.spellings) { b, spelling in b.word(SExpr.quote(spelling.value), spelling.span) }
        b.close(")", at: level.spellings.last.map(\.span.end) ?? first.span.end)
    }

    // MARK: - Actions

    /// One action. In an example's `expect` line an apology is written
    /// `apology …`; in a rule, `require apology …`.
    func action(_ a: Action, _ b: inout LineBuilder, inExpectation: Bool = false) {
        let at = a.span.start
        switch a.kind {
        case .notify(let roles, let within):
            b.word("notify", at: at)
            b.list(roles) { b, role in b.word(role.name, role.span) }
            self.within(within, &b)
        case .escalate(let role, let within):
            b.word("escalate to", at: at)
            b.word(role.name, role.span)
            self.within(within, &b)
        case .assign(let role):
            b.word("assign", at: at)
            b.word(role.name, role.span)
        case .respond(let within, let by):
            b.word("respond", at: at)
            self.within(within, &b)
            channel(by, &b)
        case .apology(let components, let within, let by):
            b.word(inExpectation ? "apology" : "require apology", at: at)
            if !components.isEmpty {
                b.word("with", at: components[0].span.start)
                b.list(components) { b, component in b.word(component.name, component.span) }
            }
            self.within(within, &b)
            channel(by, &b)
        case .offer(let remedies):
            b.word("offer", at: at)
            b.list(remedies) { b, remedy in b.word(remedy.name, remedy.span) }
        case .followUp(let after, let by):
            b.word("follow up in", at: at)
            b.word(after.description, after.span)
            channel(by, &b)
        case .review(let within):
            b.word("review cause", at: at)
            self.within(within, &b)
        case .task(let text, let within):
            b.word("task", at: at)
            b.word(SExpr.quote(text.value), text.span)
            self.within(within, &b)
        case .waive(let kind, let span):
            b.word("waive", at: at)
            b.word(kind.rawValue, span)
        }
    }

    func within(_ duration: DurationLiteral?, _ b: inout LineBuilder) {
        guard let duration else { return }
        b.word("within", at: duration.span.start)
        b.word(duration.description, duration.span)
    }

    func channel(_ channel: Identifier?, _ b: inout LineBuilder) {
        guard let channel else { return }
        b.word("by", at: channel.span.start)
        b.word(PolicyLayout.channelName(channel), channel.span)
    }

    /// The built-in channel `in_person` is written as it is spoken: `in person`.
    static func channelName(_ channel: Identifier) -> String {
        channel.name == "in_person" ? "in person" : channel.name
    }
}

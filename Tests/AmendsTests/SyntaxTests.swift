// Unit tests of the front end: the brief's policies parse, the S-expression
// dump, one run reports every mistake, the lexer's line structure, and the
// diagnostic renderer.
import Testing
@testable import Amends

// MARK: - The brief's policies

/// The policies of BRIEF.md, copied in so the tests do not depend on it.
enum BriefExamples {
    /// The policy of BRIEF.md section 1, verbatim.
    static let policy = """
    # The practice's standard client-recovery policy.
    policy "Standard client recovery"

    scale severity: low < medium < high < critical
    scale tier: basic < premium < enterprise

    record incident:
      id: text
      severity: severity
      tier: tier = basic                      # default when the record lacks it
      category: one of billing, delivery, quality, communication, outage
      caused_by: one of us, vendor, customer, unknown = unknown
      repeat: number = 0
      amount: number?                         # optional: may be missing
      reported: time                          # deadlines count from the clock field
      customer.name: text?                    # nested JSON path

    deadlines from reported
    roles: supervisor, account_manager, owner, billing_lead
    remedies: refund, credit, redo, discount

    define our_fault: caused_by = us
    define valued: tier >= premium or amount > 5000

    when severity >= high: notify supervisor; require apology with responsibility, prevention; follow up in 3 days

    rule "valued client, our fault" when our_fault and valued:
      respond within 2 hours by phone
      offer refund, credit, redo
      notify account_manager

    when category in [billing, delivery] and repeat > 1:
      escalate to owner within 4 business hours
      require apology with repair, responsibility, prevention, explanation, regret
      review cause within 10 business days

    when caused_by = customer:
      waive apology
      task "talk through expectations with the client" within 2 days

    otherwise:
      follow up in 7 days

    example "critical outage for an enterprise client":
      given {severity: critical, tier: enterprise, category: outage, caused_by: us,
             reported: 2026-03-02T09:00:00Z}
      expect notify supervisor, account_manager
      expect apology with repair, responsibility, prevention
      expect respond within 2 hours by phone
      expect offer refund, credit, redo
      expect follow up in 3 days

    """

    /// The business-time example of BRIEF.md section 2, verbatim.
    static let businessTime = """
    calendar:
      open mon-fri 09:00-17:30
      time zone Europe/London
      closed 2026-12-25, 2026-12-26, 2027-01-01

    scale priority: low ("4 - Low") < moderate ("3 - Moderate") < high ("2 - High") < critical ("1 - Critical")

    record incident:
      missing "?", "N/A", ""                        # texts that mean "no value" in CSV
      number: text
      severity: priority from "priority"            # read another column; levels accept their spellings
      opened: time from "opened_at" format "d/M/yyyy HH:mm"
      reopened: number from "reopen_count" = 0

    """

    /// The one-line forms of section 2 (declarations, conditions and the action
    /// table), each a complete line.
    static let section2Lines = [
        "use \"other.policy\"",
        "channels: phone, email, chat, in person",
        "define late: age > 2 business days and reported is present",
        "when tier != basic and amount <= 100 and amount < 50 and amount >= 1: notify supervisor",
        "when category not in [billing] and customer.name contains \"Ltd\": assign owner",
        "when customer.name starts with \"Dr\" or customer.name ends with \"plc\": notify owner within 1 hour",
        "when amount is missing and not (tier > basic): escalate to owner within 4 business hours",
        "when repeat > 1: respond within 2 hours by in person",
        "when repeat > 1: require apology with forgiveness within 1 day by email",
        "when repeat > 1: offer refund, credit",
        "when repeat > 1: follow up in 2 weeks by chat",
        "when repeat > 1: review cause within 30 minutes",
        "when repeat > 1: task \"call back\" within 1 business hour",
        "when repeat > 1: waive follow up",
    ]
}

@Suite("Syntax")
struct SyntaxTests {
    @Test func briefSection1PolicyParsesWithoutErrors() {
        let file = Parser.parse(path: "brief.policy", text: BriefExamples.policy)
        #expect(file.diagnostics.isEmpty, "\(DiagnosticRenderer(color: false).render(file.diagnostics))")
        #expect(file.items.count == 15)
        #expect(file.comments.count == 5)
    }

    @Test func briefSection2ExampleParsesWithoutErrors() {
        let file = Parser.parse(path: "business.policy", text: BriefExamples.businessTime)
        #expect(file.diagnostics.isEmpty, "\(DiagnosticRenderer(color: false).render(file.diagnostics))")
        #expect(SExpr.dump(file) == """
            (calendar (open (days mon-fri) (hours 09:00-17:30)) (time-zone "Europe/London") (closed 2026-12-25 2026-12-26 2027-01-01))
            (scale priority (low "4 - Low") (moderate "3 - Moderate") (high "2 - High") (critical "1 - Critical"))
            (record incident (missing "?" "N/A" "") (field number text) (field severity priority (from "priority")) \
            (field opened time (from "opened_at") (format "d/M/yyyy HH:mm")) (field reopened number (from "reopen_count") (default 0)))

            """)
    }

    @Test(arguments: BriefExamples.section2Lines)
    func briefSection2LineParsesWithoutErrors(_ line: String) {
        let file = Parser.parse(path: "line.policy", text: line + "\n")
        #expect(file.diagnostics.isEmpty, "\(DiagnosticRenderer(color: false).render(file.diagnostics))")
        #expect(file.items.count == 1)
    }

    // MARK: - S-expressions

    @Test func oneLineRuleOfTheBriefDumpsExactly() {
        let file = Parser.parse(path: "rule.policy", text:
            "when severity >= high: notify supervisor; require apology with responsibility, prevention; follow up in 3 days")
        #expect(file.diagnostics.isEmpty)
        #expect(SExpr.dump(file) ==
            "(rule (when (>= severity high)) (notify supervisor) (apology (with responsibility prevention)) (follow-up (in 3 days)))\n")
    }

    @Test func blockAndOneLineFormsGiveTheSameTree() {
        let oneLine = Parser.parse(path: "a.policy", text: "when x = 1: notify a; offer b; follow up in 1 day\n")
        let block = Parser.parse(path: "b.policy", text: "when x = 1:\n  notify a\n  offer b\n  follow up in 1 day\n")
        #expect(oneLine.items == block.items)
        #expect(SExpr.dump(oneLine) == SExpr.dump(block))
    }

    // MARK: - Every mistake in one run

    static let fiveMistakes = """
    scale severity: low < medium < high < critical
    wen severity >= high: notify supervisor
    when severity >= high: folow up in 3 days
    when severity = critical: follow up in 3 dayz
    when severity >= high notify owner
    when severity == low: notify owner
    otherwise: follow up in 7 days

    """

    @Test func fiveMistakesOnFiveLinesAreFiveDiagnostics() {
        let file = Parser.parse(path: "five-mistakes.policy", text: Self.fiveMistakes)
        let found = file.diagnostics.map { "\($0.location.line):\($0.location.column) \($0.code.rawValue)" }
        #expect(found == ["2:1 E021", "3:24 E022", "4:42 E023", "5:23 E020", "6:15 E026"])
        #expect(file.diagnostics.map(\.help) == [
            "did you mean `when`?", "did you mean `follow up`?", "did you mean `days`?",
            "put `:` between the condition and the actions: `... : notify ...`", "compare with a single `=`",
        ])
        let rendered = DiagnosticRenderer(color: false).render(file.diagnostics)
        Golden.check(rendered, against: "five-mistakes.txt")
    }

    @Test func everyCaretStandsUnderItsText() {
        let file = Parser.parse(path: "five-mistakes.policy", text: Self.fiveMistakes)
        let expectedUnder = ["wen", "folow", "dayz", "notify", "=="]
        for (d, text) in zip(file.diagnostics, expectedUnder) {
            let lines = DiagnosticRenderer(color: false).render(d).split(separator: "\n", omittingEmptySubsequences: false)
            // Lines: header, empty gutter, source line, caret line.
            let source = lines[2], marks = lines[3]
            let caret = marks.distance(from: marks.startIndex, to: marks.firstIndex(of: "^") ?? marks.endIndex)
            let shown = String(source.dropFirst(caret))
            #expect(shown.hasPrefix(text), "caret of \(d.code.rawValue) is under `\(shown.prefix(10))`")
        }
    }

    // MARK: - Lexer

    func kinds(_ text: String) -> [TokenKind] {
        Lexer.tokenize(SourceText(path: "t.policy", text: text)).tokens.map(\.kind)
    }

    @Test func tokensOfABlockWithIndentAndDedent() {
        let source = SourceText(path: "t.policy", text: "when a = 1:\n  notify b\nroles: c\n")
        let lexer = Lexer.tokenize(source)
        #expect(lexer.diagnostics.isEmpty)
        #expect(lexer.tokens.map(\.kind) == [
            .name, .name, .equal, .number, .colon, .newline,
            .indent, .name, .name, .newline,
            .dedent, .name, .colon, .name, .newline, .eof,
        ])
        #expect(lexer.tokens.filter { $0.kind == .name }.map { source.text($0.span) } == ["when", "a", "notify", "b", "roles", "c"])
    }

    @Test func nestedBlocksCloseWithOneDedentEach() {
        let tokens = kinds("a:\n  b:\n    c\nd\n")
        #expect(tokens.filter { $0 == .indent }.count == 2)
        #expect(tokens.filter { $0 == .dedent }.count == 2)
        // Both dedents come before `d`, after the newline ending `c`.
        #expect(Array(tokens.suffix(6)) == [.newline, .dedent, .dedent, .name, .newline, .eof])
    }

    @Test func blockOpenAtEndOfFileIsClosed() {
        #expect(kinds("when a:\n  notify b") == [.name, .name, .colon, .newline, .indent, .name, .name, .newline, .dedent, .eof])
    }

    @Test func continuationAfterCommaOntoADeeperLine() {
        #expect(kinds("roles: a,\n  b\n") == [.name, .colon, .name, .comma, .name, .newline, .eof])
    }

    @Test func continuationAfterAndOrAndLessThan() {
        #expect(kinds("when a and\n    b: c\n") == [.name, .name, .name, .name, .colon, .name, .newline, .eof])
        #expect(kinds("when a or\n b: c\n") == [.name, .name, .name, .name, .colon, .name, .newline, .eof])
        #expect(kinds("scale s: a <\n  b\n") == [.name, .name, .colon, .name, .less, .name, .newline, .eof])
    }

    @Test func noContinuationOntoALineThatIsNotDeeper() {
        #expect(kinds("roles: a,\nb\n") == [.name, .colon, .name, .comma, .newline, .name, .newline, .eof])
        // Inside a block the block's own indentation is not deeper.
        #expect(kinds("x:\n  a and\n  b\n") == [.name, .colon, .newline, .indent, .name, .name, .newline, .name, .newline, .dedent, .eof])
    }

    @Test func noContinuationAfterOtherTokens() {
        #expect(kinds("roles: a\n  b\n") == [.name, .colon, .name, .newline, .indent, .name, .newline, .dedent, .eof])
    }

    @Test func bracketsJoinLinesThatAreDeeperOrStartWithTheClosingBracket() {
        #expect(kinds("when a in [b,\n  c\n]: d\n") == [.name, .name, .name, .lbracket, .name, .comma, .name, .rbracket, .colon, .name, .newline, .eof])
    }

    @Test func blankAndCommentLinesDoNotCount() {
        #expect(kinds("a:\n\n   \n# c\n        # deeper\n  b\n") == [.name, .colon, .newline, .indent, .name, .newline, .dedent, .eof])
    }

    @Test func crlfLinesAreLikeLfLines() {
        let lf = "when a = 1:\n  notify b\nroles: c\n"
        let crlf = lf.replacing("\n", with: "\r\n")
        #expect(kinds(crlf) == kinds(lf))
        let source = SourceText(path: "t.policy", text: crlf)
        let tokens = Lexer.tokenize(source).tokens
        let notify = tokens.first { source.text($0.span) == "notify" }
        #expect(notify.map { source.location(of: $0.span.start).description } == "2:3")
        let roles = tokens.first { source.text($0.span) == "roles" }
        #expect(roles.map { source.location(of: $0.span.start).description } == "3:1")
        #expect(source.lineText(1) == "when a = 1:")
    }

    @Test func loneCarriageReturnEndsALine() {
        let source = SourceText(path: "t.policy", text: "roles: a\rremedies: b\r")
        let lexer = Lexer.tokenize(source)
        #expect(lexer.diagnostics.isEmpty)
        #expect(lexer.tokens.map(\.kind) == [.name, .colon, .name, .newline, .name, .colon, .name, .newline, .eof])
        let remedies = lexer.tokens[4]
        #expect(source.text(remedies.span) == "remedies")
        #expect(source.location(of: remedies.span.start).description == "2:1")
        #expect(source.lineCount == 3)
    }

    @Test func byteOrderMarkIsSkippedAndColumnsStartAtOne() {
        let source = SourceText(path: "t.policy", bytes: [0xEF, 0xBB, 0xBF] + Array("roles: a $\n".utf8))
        let lexer = Lexer.tokenize(source)
        #expect(lexer.tokens.first?.kind == .name)
        #expect(lexer.tokens.first?.span == Span(start: 3, end: 8))
        #expect(lexer.tokens.first.map { source.location(of: $0.span.start).description } == "1:1")
        #expect(lexer.diagnostics.map(\.code) == [.invalidCharacter])
        #expect(lexer.diagnostics.first?.location.description == "1:10")
        #expect(source.lineText(1) == "roles: a $")
    }

    @Test func commentsAreKeptWithTheirPlace() {
        let text = "# own line\nroles: a # trailing\n   # indented own line\nwhen x: notify y\n  # in a block\n  offer z   # after an action\n"
        let source = SourceText(path: "t.policy", text: text)
        let lexer = Lexer.tokenize(source)
        #expect(lexer.diagnostics.isEmpty)
        #expect(lexer.comments.map { source.text($0.span) } == [
            "# own line", "# trailing", "# indented own line", "# in a block", "# after an action",
        ])
        #expect(lexer.comments.map(\.ownLine) == [true, false, true, true, false])
    }

    @Test func aCommentAfterAContinuationCommaDoesNotBreakTheLine() {
        #expect(kinds("roles: a, # more below\n  b\n") == [.name, .colon, .name, .comma, .name, .newline, .eof])
    }

    @Test func literalTokens() {
        let source = SourceText(path: "t.policy", text: "x 1.5 \"s\" 2026-03-02T09:00:00Z 09:30 <= >= != ? / - + { } ; ,\n")
        let tokens = Lexer.tokenize(source).tokens.map(\.kind)
        #expect(tokens == [.name, .number, .string, .timestamp, .clock, .lessEqual, .greaterEqual, .notEqual,
                           .question, .slash, .minus, .plus, .lbrace, .rbrace, .semicolon, .comma, .newline, .eof])
    }

    // MARK: - Renderer

    func diagnostic(_ text: String) -> Diagnostic? {
        Parser.parse(path: "r.policy", text: text).diagnostics.first
    }

    /// The caret's position in the shown line, and the text from there.
    func caretTarget(_ rendered: String) -> (column: Int, text: String)? {
        let lines = rendered.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count >= 4, let bar = lines[2].firstIndex(of: "|") else { return nil }
        let gutter = lines[2].distance(from: lines[2].startIndex, to: bar) + 2
        let source = Array(lines[2].dropFirst(gutter))
        let marks = Array(lines[3].dropFirst(gutter))
        guard let caret = marks.firstIndex(of: "^") else { return nil }
        return (caret + 1, String(source.dropFirst(caret)))
    }

    @Test func colourOffHasNoEscapeCodes() throws {
        let d = try #require(diagnostic("when severity >= high: follow up in 3 dayz\n"))
        let plain = DiagnosticRenderer(color: false).render(d)
        #expect(!plain.contains("\u{1B}"))
        #expect(plain == """
            r.policy:1:39: error[E023]: unknown duration unit `dayz`
              |
            1 | when severity >= high: follow up in 3 dayz
              |                                       ^~~~
              = help: did you mean `days`?

            """)
        let coloured = DiagnosticRenderer(color: true).render(d)
        #expect(coloured.contains("\u{1B}["))
    }

    @Test func aTabBeforeTheSpanMovesTheCaret() throws {
        let d = try #require(diagnostic("when x = 1:\n\tnotify a $\n"))
        #expect(d.location.description == "2:11")
        let target = try #require(caretTarget(DiagnosticRenderer(color: false).render(d)))
        #expect(target.text == "$")
        #expect(target.column == 14) // the tab is shown as four spaces
    }

    @Test func aSpanAtTheEndOfTheLine() throws {
        let d = try #require(diagnostic("when severity >= high\n  notify a\n"))
        #expect(d.location.description == "1:22")
        let rendered = DiagnosticRenderer(color: false).render(d)
        let target = try #require(caretTarget(rendered))
        #expect(target.column == 22)
        #expect(target.text == "")
    }

    @Test func aMultiByteCharacterBeforeTheSpanCountsOneColumn() throws {
        let d = try #require(diagnostic("define d: café = crème $\n"))
        #expect(d.location.description == "1:24")
        let target = try #require(caretTarget(DiagnosticRenderer(color: false).render(d)))
        #expect(target.column == 24)
        #expect(target.text == "$")
    }

    @Test func anEmojiBeforeTheSpanCountsOneColumn() throws {
        let d = try #require(diagnostic("when x = 1: task \"😀\" $\n"))
        #expect(d.location.description == "1:22")
        let target = try #require(caretTarget(DiagnosticRenderer(color: false).render(d)))
        #expect(target.text == "$")
    }

    /// A control character in the shown line (here ESC, which would start a
    /// terminal escape, and a C1 control) is shown as a picture, one column
    /// wide, so nothing reaches the terminal raw and the caret lines up.
    @Test func controlCharactersAreShownAsPictures() throws {
        let d = try #require(diagnostic("when x = 1: task \"a\u{1B}[2J\u{85}b\" $\n"))
        let rendered = DiagnosticRenderer(color: false).render(d)
        #expect(!rendered.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" || (0x7F..<0xA0).contains($0.value) },
                "\(rendered.unicodeScalars.map { String($0.value, radix: 16) })")
        #expect(rendered.contains("task \"a\u{241B}[2J\u{FFFD}b\" $"))
        let target = try #require(caretTarget(rendered))
        #expect(target.column == d.location.column && target.text == "$")
    }

    @Test func aLongLineIsShownAroundTheSpan() throws {
        let d = try #require(diagnostic("define d: " + String(repeating: "a = 1 and ", count: 500) + "$\n"))
        let rendered = DiagnosticRenderer(color: false).render(d)
        #expect(rendered.count < 1_000)
        let target = try #require(caretTarget(rendered))
        #expect(target.text == "$")
    }

    /// Bytes that are not UTF-8 are shown as U+FFFD, never as the character
    /// an overlong form would spell (`C0 AF` is an overlong `/`).
    @Test func invalidBytesAreShownAsReplacementCharacters() throws {
        let source = SourceText(path: "r.policy", bytes: Array("when x = 1: notify a ".utf8) + [0xC0, 0xAF, 0xE0, 0x80, 0xAF] + [0x0A])
        let file = Parser.parse(source)
        let d = try #require(file.diagnostics.first)
        #expect(d.code == .invalidUTF8)
        let shown = DiagnosticRenderer(color: false).render(d).split(separator: "\n")[2]
        #expect(!shown.contains("/"), "rendered line: \(shown)")
        #expect(shown.contains("\u{FFFD}"))
    }

    @Test func notesAreRenderedWithTheirPlace() throws {
        let d = try #require(diagnostic("when (x = 1]: notify a\n"))
        #expect(d.code == .unbalancedBracket)
        let rendered = DiagnosticRenderer(color: false).render(d)
        #expect(rendered.contains("= note: the group opens here (r.policy:1:6)"))
    }
}

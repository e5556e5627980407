// The front end must never crash or hang, whatever bytes it is given: each
// hostile input below ends in a clear diagnostic (by code) or a clean parse.
import Testing
@testable import Amends
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@Suite("Robustness")
struct RobustnessTests {
    func parse(_ bytes: [UInt8]) -> PolicyFile {
        Parser.parse(SourceText(path: "robust.policy", bytes: bytes))
    }

    func parse(_ text: String) -> PolicyFile {
        parse(Array(text.utf8))
    }

    func codes(_ file: PolicyFile) -> [DiagnosticCode] {
        file.diagnostics.map(\.code)
    }

    // MARK: - Nothing to parse

    @Test func emptyFile() {
        let file = parse("")
        #expect(file.diagnostics.isEmpty)
        #expect(file.items.isEmpty)
    }

    @Test func onlyWhitespace() {
        let file = parse("   \n\t\n\r\n \u{0C}\n\r\r\n        ")
        #expect(file.diagnostics.isEmpty)
        #expect(file.items.isEmpty)
    }

    @Test func onlyComments() {
        let file = parse("# one\n  # two, indented\n\t# three\n#\n# four with no line end")
        #expect(file.diagnostics.isEmpty)
        #expect(file.items.isEmpty)
        #expect(file.comments.count == 5)
    }

    @Test func onlyAByteOrderMark() {
        let file = parse([0xEF, 0xBB, 0xBF])
        #expect(file.diagnostics.isEmpty)
        #expect(file.items.isEmpty)
    }

    // MARK: - Truncated and unbalanced text

    @Test func aLoneWhen() {
        let file = parse("when")
        #expect(codes(file) == [.expectedCondition])
        #expect(file.diagnostics.first?.location.description == "1:5")
    }

    @Test(arguments: ["rule", "otherwise", "scale", "record", "define", "example", "calendar", "policy", "use",
                      "roles", "deadlines", "when x", "when x =", "when x = 1", "when x = 1:", "rule \"r\"",
                      "example \"e\":\n  given {", "when x = 1: notify", "when x = 1: follow up in 3",
                      "scale s: a <", "record r:\n  f:", "calendar:\n  open mon-"])
    func aTruncatedStatementIsOneError(_ text: String) {
        let file = parse(text)
        #expect(file.diagnostics.count == 1, "\(DiagnosticRenderer(color: false).render(file.diagnostics))")
        #expect(file.diagnostics.allSatisfy { $0.level == .error })
    }

    @Test func tenThousandOpeningParentheses() {
        let file = parse(String(repeating: "(", count: 10_000))
        #expect(codes(file) == [.unbalancedBracket])
    }

    @Test func tenThousandOpeningParenthesesInACondition() {
        let file = parse("when x = " + String(repeating: "(", count: 10_000) + "\nroles: a\n")
        #expect(codes(file).contains(.unbalancedBracket))
        #expect(file.diagnostics.count <= 2)
    }

    @Test func deeplyNestedUnclosedLists() {
        let file = parse("when x in " + String(repeating: "[", count: 10_000) + "\n")
        #expect(codes(file).first == .unbalancedBracket)
        #expect(file.diagnostics.count <= 2)
    }

    @Test func deeplyNestedClosedLists() {
        let file = parse("when x in " + String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000) + ": notify a\n")
        #expect(codes(file) == [.nestingTooDeep])
    }

    @Test func deeplyNestedRecords() {
        let file = parse("example \"e\":\n  given " + String(repeating: "{a: ", count: 5_000) + "1" + String(repeating: "}", count: 5_000) + "\n")
        #expect(codes(file) == [.nestingTooDeep])
    }

    @Test func tenThousandNestedNots() {
        let file = parse("when " + String(repeating: "not ", count: 10_000) + "x = 1: notify a\n")
        #expect(codes(file) == [.nestingTooDeep])
        #expect(file.diagnostics.first?.location.description == "1:262") // the 65th `not`
    }

    @Test func tenThousandClosingBrackets() {
        let file = parse(String(repeating: ")]}", count: 3_334))
        #expect(file.diagnostics.allSatisfy { $0.code == .unbalancedBracket || $0.code == .tooManyErrors })
        #expect(file.diagnostics.count <= 201)
    }

    // MARK: - Huge lines

    @Test func tenMegabytesOfOneWord() {
        let file = parse([UInt8](repeating: UInt8(ascii: "a"), count: 10_000_000))
        #expect(codes(file) == [.unknownStatement])
    }

    /// A message quotes at most a short piece of the user's text, however
    /// long the word: a 1 MB name must not make a 1 MB message. Each place a
    /// message or help quotes a word (1 MB each).
    @Test(arguments: [
        ("", "", DiagnosticCode.unknownStatement),                      // a statement keyword
        ("when x = 1: ", "", .unknownAction),                           // an action
        ("when x = 1: follow up in 3 ", "", .unknownDurationUnit),      // a duration unit
        ("when x = 1: notify a within 3", "", .invalidNumber),          // a number running into a word
        ("calendar:\n  open mon-", " 09:00-17:00", .expectedToken),     // a day name
        ("calendar:\n  ", " mon-fri 09:00-17:00", .unknownStatement),   // a calendar line
        ("example \"e\":\n  ", " {a: 1}", .unknownStatement),           // an example line
        ("when x = 1: waive ", "", .expectedToken),                     // a kind to waive
    ])
    func aLongWordIsNotCopiedIntoTheMessage(_ prefix: String, _ suffix: String, _ code: DiagnosticCode) throws {
        let word = String(repeating: "b", count: 1_000_000)
        let file = parse(prefix + word + suffix + "\n")
        let d = try #require(file.diagnostics.first)
        #expect(d.code == code)
        #expect(d.message.count < 1_000, "the message is \(d.message.count) characters long")
        #expect((d.help ?? "").count < 1_000, "the help is \(d.help?.count ?? 0) characters long")
    }

    @Test func aLongTimestampIsNotCopiedIntoTheMessage() throws {
        let file = parse("when reported > 2026-" + String(repeating: "1", count: 1_000_000) + ": notify a\n")
        let d = try #require(file.diagnostics.first)
        #expect(d.code == .invalidTimestamp)
        #expect(d.message.count < 1_000, "the message is \(d.message.count) characters long")
    }

    @Test func tenMegabytesOfRulesOnOneLine() {
        let unit = "when x = 1: notify a; "
        let text = String(repeating: unit, count: 10_000_000 / unit.utf8.count)
        let file = parse(text)
        // The first rule is read; its second action is the word `when`.
        #expect(codes(file) == [.unknownAction])
        #expect(file.diagnostics.first?.location.description == "1:23")
        #expect(file.items.count == 1)
    }

    @Test func tenThousandStatementsOnOneLine() {
        let file = parse(String(repeating: "roles: a ", count: 10_000))
        #expect(codes(file) == [.unexpectedToken])
    }

    // MARK: - Bytes that are not text

    @Test(arguments: [
        [0xFF] as [UInt8],                // never valid
        [0xFE, 0xFF],                     // a UTF-16 byte-order mark
        [0xC3],                           // truncated two-byte sequence
        [0xE2, 0x82],                     // truncated three-byte sequence
        [0xF0, 0x9F, 0x98],               // truncated four-byte sequence
        [0xC0, 0xAF],                     // overlong `/`
        [0xE0, 0x80, 0xAF],               // overlong `/`, three bytes
        [0xED, 0xA0, 0x80],               // a UTF-16 surrogate
        [0xF4, 0x90, 0x80, 0x80],         // past U+10FFFF
        [0x80],                           // a lone continuation byte
    ])
    func invalidUTF8(_ bad: [UInt8]) {
        for (prefix, suffix) in [("", ""), ("when x = 1: notify a ", "\n"), ("when x = 1: task \"", "\"\n"), ("# comment ", "\n")] {
            let file = parse(Array(prefix.utf8) + bad + Array(suffix.utf8))
            #expect(codes(file) == [.invalidUTF8], "\(prefix)…\(suffix)")
            _ = DiagnosticRenderer(color: false).render(file.diagnostics)
        }
    }

    @Test func aUTF16File() {
        let utf16: [UInt8] = [0xFF, 0xFE] + Array("roles: a\n".utf8).flatMap { [$0, 0] }
        let file = parse(utf16)
        #expect(!file.diagnostics.isEmpty)
        #expect(file.diagnostics.allSatisfy { [.invalidUTF8, .nulByte, .tooManyErrors].contains($0.code) })
    }

    @Test func nulBytes() {
        #expect(codes(parse([0])) == [.nulByte])
        #expect(codes(parse(Array("when x = 1: notify a".utf8) + [0] + [0x0A])) == [.nulByte])
        #expect(codes(parse(Array("when x = 1: task \"a".utf8) + [0] + Array("b\"\n".utf8))) == [.nulByte])
        #expect(codes(parse(Array("# a".utf8) + [0] + [0x0A])) == [.nulByte])
    }

    @Test func aFileOfNulBytes() {
        let file = parse([UInt8](repeating: 0, count: 100_000))
        #expect(file.diagnostics.allSatisfy { $0.code == .nulByte || $0.code == .tooManyErrors })
        #expect(file.diagnostics.count == 201)
        #expect(file.diagnostics.last?.code == .tooManyErrors)
    }

    @Test func randomBytesNeverCrash() {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<200 {
            var bytes: [UInt8] = []
            for _ in 0..<500 {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                bytes.append(UInt8(truncatingIfNeeded: state >> 56))
            }
            let file = parse(bytes)
            _ = SExpr.dump(file)
            _ = DiagnosticRenderer(color: false).render(file.diagnostics)
            #expect(file.diagnostics.count <= 402)
        }
    }

    @Test func randomPolicyTokensNeverCrash() {
        let words = ["when", "rule", "otherwise", "notify", "a", ":", ";", ",", "\n", "\n  ", "\n    ", "\t", "(", ")",
                     "[", "]", "{", "}", "\"s\"", "\"", "1", "1.5", "3 days", "and", "or", "not", "in", "is", "missing",
                     "=", "<", ">=", "==", "require", "apology", "with", "follow", "up", "example", "given", "expect",
                     "record", "scale", "calendar", "open", "mon-fri", "09:00-17:00", "2026-02-30", "#", "waive", "business"]
        var state: UInt64 = 42
        for _ in 0..<500 {
            var text = ""
            for _ in 0..<60 {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                text += words[Int(state >> 33) % words.count] + " "
            }
            let file = parse(text)
            _ = SExpr.dump(file)
            _ = DiagnosticRenderer(color: false).render(file.diagnostics)
        }
    }

    // MARK: - Line ends and byte-order marks

    @Test func crlfThroughoutAFullPolicy() {
        let lf = parse(BriefExamples.policy)
        let crlf = parse(BriefExamples.policy.replacing("\n", with: "\r\n"))
        #expect(lf.diagnostics.isEmpty)
        #expect(crlf.diagnostics.isEmpty)
        #expect(SExpr.dump(crlf) == SExpr.dump(lf))
        #expect(SExpr.dump(crlf).split(separator: "\n").count == 15)
    }

    @Test func loneCarriageReturnsThroughoutAFullPolicy() {
        let cr = parse(BriefExamples.policy.replacing("\n", with: "\r"))
        #expect(cr.diagnostics.isEmpty)
        #expect(SExpr.dump(cr) == SExpr.dump(parse(BriefExamples.policy)))
    }

    @Test func aByteOrderMarkBeforeAFullPolicy() {
        let file = parse([0xEF, 0xBB, 0xBF] + Array(BriefExamples.policy.utf8))
        #expect(file.diagnostics.isEmpty)
        #expect(SExpr.dump(file) == SExpr.dump(parse(BriefExamples.policy)))
    }

    @Test func aSecondByteOrderMarkIsAnError() {
        let file = parse([0xEF, 0xBB, 0xBF] + Array("roles: a\n".utf8) + [0xEF, 0xBB, 0xBF] + Array("remedies: b\n".utf8))
        #expect(codes(file) == [.invalidCharacter])
    }

    @Test func noLineEndAtTheEndOfTheFile() {
        let file = parse("when x = 1:\n  notify a")
        #expect(file.diagnostics.isEmpty)
        #expect(SExpr.dump(file) == "(rule (when (= x 1)) (notify a))\n")
    }

    // MARK: - Limits

    @Test func aFileOver16MiBIsRefused() {
        var bytes = [UInt8](repeating: UInt8(ascii: "#"), count: Lexer.maxFileSize + 1)
        bytes[Lexer.maxFileSize / 2] = 0x0A
        let file = parse(bytes)
        #expect(codes(file) == [.fileTooLarge])
        #expect(file.items.isEmpty)
        #expect(file.diagnostics.first?.help?.contains("use") == true)
    }

    @Test func aFileOfExactly16MiBIsRead() {
        let line = Array("roles: a\n".utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Lexer.maxFileSize)
        while bytes.count + line.count <= Lexer.maxFileSize { bytes += line }
        bytes += [UInt8](repeating: UInt8(ascii: "#"), count: Lexer.maxFileSize - bytes.count)
        #expect(bytes.count == Lexer.maxFileSize)
        let file = parse(bytes)
        #expect(file.diagnostics.isEmpty)
    }

    @Test func aThousandLexicalErrorsStopAt200() {
        let file = parse(String(repeating: "when x = 1: notify a $\n", count: 1_000))
        #expect(file.diagnostics.count == 201)
        #expect(file.diagnostics.filter { $0.code == .invalidCharacter }.count == 200)
        #expect(file.diagnostics.last?.code == .tooManyErrors)
        #expect(file.diagnostics.last?.location.line == 201)
    }

    @Test func aThousandParseErrorsStopAt200() {
        let file = parse(String(repeating: "wen x = 1: notify a\n", count: 1_000))
        #expect(file.diagnostics.count == 201)
        #expect(file.diagnostics.filter { $0.code == .unknownStatement }.count == 200)
        #expect(file.diagnostics.last?.code == .tooManyErrors)
    }

    /// The limit is per file, not per stage: a file with 1,000 lexical and
    /// 1,000 parse errors shows 200 of them and one E030.
    @Test func aThousandErrorsOfBothKindsStopAt200() {
        let file = parse(String(repeating: "wen x = 1: notify a\n", count: 1_000) + String(repeating: "when x = 1: notify a $\n", count: 1_000))
        #expect(file.diagnostics.count <= 201, "\(file.diagnostics.count) diagnostics")
        #expect(file.diagnostics.filter { $0.code == .tooManyErrors }.count == 1)
    }

    // MARK: - A large realistic policy

    /// A generated policy of `lines` lines in the shape of a real one:
    /// declarations, a calendar, records, defines, one-line and block rules,
    /// examples, comments and blank lines. Returns its text and how many
    /// items and rules it has.
    static func generatedPolicy(lines target: Int) -> (text: String, items: Int, rules: Int) {
        var lines = [
            "# A generated policy.",
            "policy \"generated\"",
            "scale severity: low < medium < high < critical",
            "scale tier: basic < premium < enterprise",
            "roles: supervisor, account_manager, owner, billing_lead",
            "remedies: refund, credit, redo, discount",
            "deadlines from reported",
            "calendar:",
            "  open mon-fri 09:00-17:30",
            "  time zone Europe/London",
            "  closed 2026-12-25, 2026-12-26",
        ]
        var items = 7
        var rules = 0
        var k = 0
        while lines.count < target {
            k += 1
            switch k % 6 {
            case 0:
                lines += [
                    "record incident\(k):",
                    "  id: text",
                    "  severity: severity from \"priority\"",
                    "  tier: tier = basic                # the default",
                    "  category: one of billing, delivery, outage\(k)",
                    "  amount: number?",
                    "  reported: time format \"d/M/yyyy HH:mm\"",
                ]
            case 1:
                lines.append("define d\(k): severity >= high and (tier = premium or amount > \(k))")
            case 2:
                lines.append("when d\(k - 1) and customer.name contains \"x\(k)\": notify supervisor; "
                             + "require apology with responsibility, prevention; follow up in \(k % 30 + 1) days")
                rules += 1
            case 3:
                lines += [
                    "rule \"rule \(k)\" when amount > \(k) and not (tier in [basic, premium]) or",
                    "    category = outage\(k):",
                    "  respond within \(k % 12 + 1) hours by phone",
                    "  escalate to owner within 4 business hours",
                    "  offer refund, credit",
                    "  task \"check case \(k)\" within 2 days",
                ]
                rules += 1
            case 4:
                lines += [
                    "example \"case \(k)\":",
                    "  given {severity: high, tier: premium, amount: \(k),",
                    "         reported: 2026-03-02T09:00:00Z}",
                    "  expect notify supervisor",
                    "  expect at least follow up in 3 days",
                ]
            default:
                lines += ["", "# section \(k)", "otherwise: follow up in 7 days", ""]
                rules += 1
            }
            items += 1
        }
        return (lines.joined(separator: "\n") + "\n", items, rules)
    }

    /// Only correctness is asserted; the time is printed for the log (speed
    /// is measured by the benchmark target).
    @Test func aHundredThousandLinePolicy() {
        let (text, items, rules) = Self.generatedPolicy(lines: 100_000)
        let clock = ContinuousClock()
        let start = clock.now
        let file = Parser.parse(SourceText(path: "generated.policy", text: text))
        let elapsed = clock.now - start
        let lineCount = text.utf8.filter { $0 == 0x0A }.count
        print("[robustness] parsed a \(lineCount)-line, \(text.utf8.count)-byte policy into \(file.items.count) items in \(elapsed)")
        #expect(lineCount >= 100_000)
        #expect(file.diagnostics.isEmpty, "\(DiagnosticRenderer(color: false).render(Array(file.diagnostics.prefix(3))))")
        #expect(file.items.count == items)
        #expect(file.items.filter { if case .rule = $0.kind { return true } else { return false } }.count == rules)
        #expect(file.comments.count == 1 + (items - 7) / 6 * 2)
    }

    /// Found by the differential fuzz target (`use "/1.policy"`, then a
    /// did-you-mean over `/`): folder entries were copied as whole `dirent`s,
    /// reading past a short last entry (caught by AddressSanitizer). Names
    /// of every length are read whole.
    /// Found by the differential fuzz target: a `use` of a missing file
    /// looked for a did-you-mean under every folder below the file's (from
    /// `/`, the whole machine). Only that folder's own `.policy` files are
    /// candidates: one in a subfolder is not suggested (its path would be
    /// another).
    @Test func aMissingUseIsSuggestedOnlyFromItsOwnFolder() throws {
        let dir = "/tmp/amends-use-suggest-\(getpid())"
        mkdir(dir, 0o755)
        mkdir(dir + "/sub", 0o755)
        defer {
            unlink(dir + "/sub/common.policy")
            unlink(dir + "/shared.policy")
            rmdir(dir + "/sub")
            rmdir(dir)
        }
        _ = FileSystem.writeAtomically(dir + "/sub/common.policy", Array("roles: a\n".utf8))
        _ = FileSystem.writeAtomically(dir + "/shared.policy", Array("roles: b\n".utf8))
        for (use, help) in [("commn.policy", "the path is relative to"), ("shred.policy", "did you mean `shared.policy`?")] {
            let loaded = Loader.load(source: SourceText(path: dir + "/main.policy", text: "use \"\(use)\"\n"), directory: dir)
            let d = try #require(loaded.diagnostics.first)
            #expect(d.code == .useNotFound)
            #expect(d.help?.hasPrefix(help) == true, "\(use): \(d.help ?? "")")
        }
    }

    @Test func folderEntriesOfEveryLength() throws {
        var template = Array("/tmp/amends-entries-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { buffer in buffer.baseAddress.flatMap { mkdtemp($0) } }
        let dir = try #require(made.map { String(cString: $0) })
        let names = (1...60).map { String(repeating: "n", count: $0) + ".policy" }
        for name in names {
            let fd = open(dir + "/" + name, O_WRONLY | O_CREAT, 0o644)
            #expect(fd >= 0)
            close(fd)
        }
        defer {
            for name in names { unlink(dir + "/" + name) }
            rmdir(dir)
        }
        #expect(FileSystem.files(under: dir, suffixes: [".policy"]) == names.map { dir + "/" + $0 }.sorted())
    }
}

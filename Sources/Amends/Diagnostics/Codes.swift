/// A DiagnosticCode is the stable identity of one kind of finding.
///
/// Codes never change meaning once released. The numbering says where a
/// finding comes from: `E0xx` the text (lexer and parser), `E1xx` names and
/// types (checker), `E2xx` files and `use`, `W3xx` analyses of what a policy
/// does, `W4xx` lints from the service-recovery literature.
/// `amends help check` prints this table; Grammar.md documents each code with
/// a bad and a good example.
public enum DiagnosticCode: String, Sendable, CaseIterable, Comparable {
    // MARK: Text (lexer)
    case invalidCharacter = "E001"
    case invalidUTF8 = "E002"
    case nulByte = "E003"
    case unterminatedString = "E004"
    case invalidEscape = "E005"
    case mixedIndentation = "E006"
    case unexpectedIndent = "E007"
    case inconsistentDedent = "E008"
    case unbalancedBracket = "E009"
    case invalidNumber = "E010"
    case invalidTimestamp = "E011"
    case fileTooLarge = "E012"

    // MARK: Structure (parser)
    case expectedToken = "E020"
    case unknownStatement = "E021"
    case unknownAction = "E022"
    case unknownDurationUnit = "E023"
    case expectedCondition = "E024"
    case nestingTooDeep = "E025"
    case wrongOperator = "E026"
    case emptyBlock = "E027"
    case unexpectedToken = "E028"
    case fractionalDuration = "E029"
    case tooManyErrors = "E030"

    // MARK: Names and types (checker)
    case unknownName = "E101"
    case unknownLevel = "E102"
    case unknownType = "E103"
    case unknownRole = "E104"
    case unknownRemedy = "E105"
    case unknownChannel = "E106"
    case unknownComponent = "E107"
    case typeMismatch = "E108"
    case wrongScale = "E109"
    case unorderedComparison = "E110"
    case duplicateDeclaration = "E111"
    case defineCycle = "E112"
    case notACondition = "E113"
    case invalidDefault = "E114"
    case invalidClock = "E115"
    case businessTimeWithoutCalendar = "E116"
    case invalidCalendar = "E117"
    case invalidFormat = "E118"
    case repeatedDeclaration = "E119"
    case reservedName = "E120"
    case ageWithoutClock = "E121"
    case invalidList = "E122"
    case invalidExample = "E123"
    case constantComparison = "E124"
    case emptyTask = "E125"
    case emptyName = "E126"
    case invalidEvidence = "E130"
    case evidenceNeverRequired = "E131"

    // MARK: Files
    case useNotFound = "E201"
    case useCycle = "E202"
    case useTooDeep = "E203"
    case useNotPolicy = "E204"

    // MARK: Analyses (what a policy does)
    case neverHolds = "W301"
    case redundantRule = "W302"
    case unusedDefine = "W303"
    case unusedRole = "W304"
    case unusedRemedy = "W305"
    case unusedChannel = "W306"
    case uselessWaive = "W307"
    case coverageGap = "W308"
    case unreachableOtherwise = "W309"
    case notMonotone = "W310"
    case unusedAllow = "W311"
    case invalidAllow = "W312"
    case untrackedAction = "W313"

    // MARK: Service-recovery lints
    case apologyWithoutResponsibility = "W401"
    case apologyWithoutRepair = "W402"
    case forgivenessRequest = "W403"
    case seriousWithoutFollowUp = "W404"
    case apologyForCustomerFault = "W405"
    case offerWithoutApology = "W406"
    case ourFaultWithoutApology = "W407"
    case preventionWithoutReview = "W408"
    case clientBeforeSupervisor = "W409"

    public static func < (a: DiagnosticCode, b: DiagnosticCode) -> Bool { a.rawValue < b.rawValue }

    package var info: CodeInfo { CodeInfo.table[self] ?? CodeInfo(self, "unknown", .error, "") }
}

/// What the documentation, `amends help check` and SARIF say about a code.
package struct CodeInfo: Sendable {
    package let code: DiagnosticCode
    /// A kebab-case name, used as the SARIF rule name.
    package let name: String
    package let level: Diagnostic.Level
    /// One line: what the code finds.
    package let summary: String
    /// A policy fragment that triggers it, and the same fragment fixed.
    package let bad: String
    package let good: String

    init(_ code: DiagnosticCode, _ name: String, _ level: Diagnostic.Level, _ summary: String,
         bad: String = "", good: String = "") {
        self.code = code
        self.name = name
        self.level = level
        self.summary = summary
        self.bad = bad
        self.good = good
    }

    static let table: [DiagnosticCode: CodeInfo] = {
        var t: [DiagnosticCode: CodeInfo] = [:]
        for info in syntaxCodes + checkerCodes + analysisCodes { t[info.code] = info }
        return t
    }()

    static let syntaxCodes: [CodeInfo] = [
        CodeInfo(.invalidCharacter, "invalid-character", .error,
                 "a character that cannot start any token",
                 bad: "when amount > $5000: notify owner",
                 good: "when amount > 5000: notify owner"),
        CodeInfo(.invalidUTF8, "invalid-utf8", .error,
                 "bytes that are not valid UTF-8 (save the file as UTF-8)",
                 bad: "task \"caf\\xE9\"  # saved as Latin-1: é is the single byte E9",
                 good: "task \"café\"  # saved as UTF-8"),
        CodeInfo(.nulByte, "nul-byte", .error,
                 "a NUL byte in the policy text",
                 bad: "when repeat > 1: notify owner\\0  # a NUL byte, shown here as \\0",
                 good: "when repeat > 1: notify owner"),
        CodeInfo(.unterminatedString, "unterminated-string", .error,
                 "a string with no closing quote on its line",
                 bad: "task \"call the client within 2 days",
                 good: "task \"call the client\" within 2 days"),
        CodeInfo(.invalidEscape, "invalid-escape", .error,
                 "an unknown escape in a string",
                 bad: "task \"check C:\\data\"", good: "task \"check C:\\\\data\""),
        CodeInfo(.mixedIndentation, "mixed-indentation", .error,
                 "tabs and spaces mixed in one line's indentation",
                 bad: "when repeat > 1:\n\t  notify owner  # a tab, then two spaces",
                 good: "when repeat > 1:\n  notify owner"),
        CodeInfo(.unexpectedIndent, "unexpected-indent", .error,
                 "an indented line where no block is open",
                 bad: "roles: supervisor\n  remedies: refund", good: "roles: supervisor\nremedies: refund"),
        CodeInfo(.inconsistentDedent, "inconsistent-dedent", .error,
                 "a line that unindents to a level no enclosing line has",
                 bad: "when repeat > 1:\n    notify supervisor\n  offer refund",
                 good: "when repeat > 1:\n    notify supervisor\n    offer refund"),
        CodeInfo(.unbalancedBracket, "unbalanced-bracket", .error,
                 "a bracket that is never closed, or a closing bracket with no opening one",
                 bad: "when category in [billing, delivery: notify supervisor",
                 good: "when category in [billing, delivery]: notify supervisor"),
        CodeInfo(.invalidNumber, "invalid-number", .error,
                 "a malformed number or time of day",
                 bad: "when amount > 1.2.3: notify owner", good: "when amount > 1.23: notify owner"),
        CodeInfo(.invalidTimestamp, "invalid-timestamp", .error,
                 "a malformed or impossible date or timestamp",
                 bad: "closed 2026-02-30", good: "closed 2026-02-28"),
        CodeInfo(.fileTooLarge, "file-too-large", .error,
                 "a policy file larger than the limit (16 MiB)",
                 bad: "# one policy file of 20 MiB", good: "# shared parts in their own files, each `use`d"),
        CodeInfo(.expectedToken, "expected-token", .error,
                 "a required word or symbol is missing",
                 bad: "when severity >= high notify supervisor", good: "when severity >= high: notify supervisor"),
        CodeInfo(.unknownStatement, "unknown-statement", .error,
                 "a line that starts with no declaration, rule or example keyword",
                 bad: "wen severity >= high: notify supervisor", good: "when severity >= high: notify supervisor"),
        CodeInfo(.unknownAction, "unknown-action", .error,
                 "an action that is not one of the language's actions",
                 bad: "when severity >= high: folow up in 3 days", good: "when severity >= high: follow up in 3 days"),
        CodeInfo(.unknownDurationUnit, "unknown-duration-unit", .error,
                 "a duration with a unit other than minutes, hours, days, weeks, business hours or business days",
                 bad: "follow up in 3 dayz", good: "follow up in 3 days"),
        CodeInfo(.expectedCondition, "expected-condition", .error,
                 "a condition or value is missing",
                 bad: "when : notify supervisor", good: "when severity >= high: notify supervisor"),
        CodeInfo(.nestingTooDeep, "nesting-too-deep", .error,
                 "brackets or `not` nested deeper than the limit (64)",
                 bad: "when not not not … (65 times) repeat > 1: notify owner",
                 good: "when not (repeat > 1): notify owner"),
        CodeInfo(.wrongOperator, "wrong-operator", .error,
                 "an operator from another language (`==`, `&&`, `||`, `!`, `<>`)",
                 bad: "when severity == high: notify supervisor", good: "when severity = high: notify supervisor"),
        CodeInfo(.emptyBlock, "empty-block", .error,
                 "a rule, record, calendar or example with nothing in it",
                 bad: "when severity >= high:\n\nroles: supervisor", good: "when severity >= high:\n  notify supervisor"),
        CodeInfo(.unexpectedToken, "unexpected-token", .error,
                 "something left over after a complete statement or action",
                 bad: "notify supervisor supervisor", good: "notify supervisor"),
        CodeInfo(.fractionalDuration, "fractional-duration", .error,
                 "a duration that is not a whole number of its unit",
                 bad: "respond within 1.5 hours", good: "respond within 90 minutes"),
        CodeInfo(.tooManyErrors, "too-many-errors", .error,
                 "more than 200 syntax errors in one file; the rest are not shown",
                 bad: "# a file that is not a policy at all, e.g. a CSV export named x.policy",
                 good: "# a policy: fix the first errors shown and check again"),
    ]
}

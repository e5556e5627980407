// The bad and good example of every diagnostic code (docs/check.md, SARIF
// help, `amends help check`) do what they say: the bad one makes
// `amends check` report its code, the good one does not.
//
// The examples are fragments (a rule, an action, a field line), so each is
// placed in a small policy that declares the names the examples use; a
// fragment that declares something itself replaces that part of it.
import Testing
@testable import Amends

@Suite("Code docs")
struct CodeDocsTests {
    /// Codes whose examples describe their input instead of being it: a
    /// file too large to write down, bytes a text cannot hold, 65 nested
    /// `not`s, 200 errors, several files.
    static let described: Set<DiagnosticCode> = [
        .invalidUTF8, .nulByte, .fileTooLarge, .nestingTooDeep, .tooManyErrors,
        .useNotFound, .useCycle, .useTooDeep,
    ]

    static let documented = DiagnosticCode.allCases.filter { !described.contains($0) }

    @Test("bad example triggers its code", arguments: documented)
    func badExampleTriggers(_ code: DiagnosticCode) {
        let text = Self.policy(around: code.info.bad, code: code)
        let codes = Self.codes(text)
        #expect(codes.contains(code), "the bad example of \(code.rawValue) gives \(codes.map(\.rawValue)):\n\(text)")
    }

    /// The good example is free of its code and of every error: a fix
    /// that trades one mistake for another is no fix. (`use` examples name
    /// files that are not there, so E201 is let through.)
    @Test("good example does not", arguments: documented)
    func goodExampleDoesNot(_ code: DiagnosticCode) {
        let text = Self.policy(around: code.info.good, code: code)
        let codes = Self.codes(text)
        #expect(!codes.contains(code), "the good example of \(code.rawValue) still gives it:\n\(text)")
        let errors = codes.filter { $0.info.level == .error && $0 != .useNotFound }
        #expect(errors.isEmpty, "the good example of \(code.rawValue) gives errors \(errors.map(\.rawValue)):\n\(text)")
    }

    /// Every code is either documented by runnable examples or described.
    @Test func everyCodeHasExamples() {
        for code in DiagnosticCode.allCases {
            #expect(!code.info.bad.isEmpty && !code.info.good.isEmpty, "\(code.rawValue) lacks a bad or a good example")
        }
    }

    /// The harness itself: a fragment placed wrongly would pass by accident.
    @Test func theSurroundingPolicyIsClean() {
        let text = Self.policy(around: "when severity >= high: notify supervisor; follow up in 3 days", code: .unknownName)
        let findings = Self.codes(text).filter { $0.info.level == .error }
        #expect(findings.isEmpty, "\(findings)")
    }

    // MARK: - Placing a fragment in a policy

    static let fields = [
        "id: text", "severity: severity", "tier: tier = basic",
        "category: one of billing, delivery, quality, other",
        "caused_by: one of us, vendor, customer = us", "repeat: number = 0", "amount: number?",
        "reported: time", "opened: time?",
    ]

    enum Place { case top, field, action, example, calendarLine }

    static let actionWords: Set<Substring> = ["follow", "respond", "require", "notify", "escalate", "offer", "task"]

    static func firstWord(_ line: String) -> Substring {
        line.drop { $0 == " " }.prefix { $0 != " " && $0 != ":" }
    }

    static func place(of fragment: String) -> Place {
        let first = fragment.split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init) ?? ""
        let word = firstWord(first)
        if actionWords.contains(word) { return .action }
        if word == "given" { return .example }
        if word == "closed" { return .calendarLine }
        // A field line: one name, then `:` (indented or not), and no declaration keyword.
        let name = first.drop { $0 == " " }.prefix { $0 != ":" }
        let isField = first.contains(":") && !name.isEmpty && !name.contains(" ") && !name.contains("#")
            && !["when", "otherwise", "roles", "remedies", "channels", "calendar", "record", "done"].contains(name)
        return isField ? .field : .top
    }

    /// A policy holding `fragment` where it belongs.
    static func policy(around fragment: String, code: DiagnosticCode) -> String {
        let lines = fragment.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        func declares(_ word: String) -> Bool { lines.contains { $0.hasPrefix(word + " ") || $0.hasPrefix(word + ":") } }
        let place = place(of: fragment)
        var out: [String] = []
        if !declares("scale") {
            out += ["scale severity: low < medium < high < critical", "scale tier: basic < premium < enterprise"]
        }
        if !declares("record") {
            let named = place == .field ? Set(lines.map { $0.trimmingSpaces.prefix { $0 != ":" } }.map(String.init)) : []
            out.append("record incident:")
            out += fields.filter { !named.contains(String($0.prefix { $0 != ":" })) }.map { "  " + $0 }
            if place == .field { out += lines.map { "  " + $0.trimmingSpaces } }
        }
        // The examples of E121 and E116 are about what is left out.
        if !declares("deadlines") && code != .ageWithoutClock { out.append("deadlines from reported") }
        if !declares("roles") { out.append("roles: supervisor, owner") }
        if !declares("remedies") { out.append("remedies: refund, credit") }
        if !declares("calendar") && code != .businessTimeWithoutCalendar {
            out += ["calendar:", "  open mon-fri 09:00-17:30"]
            if place == .calendarLine { out += lines.map { "  " + $0 } }
        }
        switch place {
        case .action: out += lines.map { "when severity >= high: " + $0 }
        case .example: out += ["when severity >= high: notify supervisor", "example \"the example\":"] + lines.map { "  " + $0 }
            + ["  expect notify supervisor"]
        case .field, .calendarLine: break
        case .top:
            // `...` stands for lines left out; an action on its own line is a rule's.
            for line in lines where line != "..." {
                let unindented = !line.hasPrefix(" ") && !line.hasPrefix("\t")
                out.append(unindented && actionWords.contains(firstWord(line)) ? "when severity >= high: " + line : line)
            }
        }
        return out.joined(separator: "\n") + "\n"
    }

    /// The codes `amends check` reports for one policy text.
    static func codes(_ text: String) -> [DiagnosticCode] {
        let compiled = Driver.compile(source: SourceText(path: "example.policy", text: text), directory: "/nonexistent")
        return PolicyCheck.run(compiled).diagnostics.map(\.code)
    }
}

private extension String {
    var trimmingSpaces: String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}


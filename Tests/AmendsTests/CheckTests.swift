// `amends check` as CI uses it: many files, `use`d files once, exit codes,
// the four output formats (golden files), allowed codes, the documentation
// of every code, and the SARIF output against the official schema.
import Testing
@testable import Amends
@testable import AmendsCLI
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@Suite("Check")
struct CheckTests {
    static let testsDirectory = FileSystem.directory(of: #filePath)
    static let packageRoot = FileSystem.directory(of: FileSystem.directory(of: testsDirectory))
    /// A folder with errors, warnings, an allowed finding and a shared file.
    static let fixtures = testsDirectory + "/fixtures/check"

    static func report(_ operands: [String], allowed: Set<DiagnosticCode> = [], deny: Bool = false) -> CheckReport {
        CheckRun(options: PolicyCheck.Options(allowed: allowed), denyWarnings: deny).run(operands: operands)
    }

    /// Output with this machine's path to the package taken out.
    static func portable(_ text: String) -> String {
        text.replacing("file://" + CheckReport.percentEncode(packageRoot + "/"), with: "file:///PACKAGE/")
            .replacing(packageRoot + "/", with: "")
    }

    // MARK: - Formats

    @Test func humanFormat() {
        let report = Self.report([Self.fixtures])
        Golden.check(Self.portable(report.human(color: false)), against: "check/fixtures.txt")
    }

    @Test func jsonFormat() {
        Golden.check(Self.portable(Self.report([Self.fixtures]).json()), against: "check/fixtures.json")
    }

    @Test func sarifFormat() {
        Golden.check(Self.portable(Self.report([Self.fixtures]).sarif(root: Self.packageRoot)), against: "check/fixtures.sarif")
    }

    @Test func githubFormat() {
        Golden.check(Self.portable(Self.report([Self.fixtures]).github()), against: "check/fixtures.github.txt")
    }

    @Test func githubEscapesMessagesAndProperties() {
        #expect(CheckReport.escapeData("50% done\r\nnext: a, b") == "50%25 done%0D%0Anext: a, b")
        #expect(CheckReport.escapeProperty("a:b,c%d\ne") == "a%3Ab%2Cc%25d%0Ae")
    }

    @Test func sarifPathsAreRelativeAndEncoded() {
        let report = CheckReport(files: [], diagnostics: [])
        let rootDoc = report.artifact("/work/x/policies/a b.policy", root: "/work/x")
        guard case .object(let fields) = rootDoc else { Issue.record("not an object"); return }
        #expect(fields.first?.0 == "uri")
        if case .string(let uri)? = fields.first?.1 { #expect(uri == "policies/a%20b.policy") }
        guard case .object(let outside) = report.artifact("/etc/x.policy", root: "/work/x") else { return }
        if case .string(let uri)? = outside.first?.1 { #expect(uri == "file:///etc/x.policy") }
        #expect(outside.count == 1, "a path outside the root has no uriBaseId")
    }

    // MARK: - Runs and exit codes

    @Test func errorsFailTheRun() {
        let report = Self.report([Self.fixtures])
        #expect(report.files.count == 4)
        #expect(report.errorCount == 3)
        #expect(report.warningCount == 6)
        #expect(report.silenced == 1)
        #expect(report.exitCode == 2, "a policy with errors is 2, as `run` and `test` give it (docs/ci.md)")
        #expect(report.summaryLine == "3 errors, 6 warnings in 4 files (1 allowed)")
    }

    @Test func warningsPassUnlessDenied() {
        let files = [Self.fixtures + "/main.policy", Self.fixtures + "/second.policy"]
        let report = Self.report(files)
        #expect(report.errorCount == 0 && report.warningCount > 0)
        #expect(report.exitCode == 0)
        let denied = Self.report(files, deny: true)
        #expect(denied.exitCode == 1)
        #expect(denied.summaryLine.hasSuffix("; warnings fail the run (--deny-warnings)"))
    }

    @Test func allowedCodesAreSilencedForTheRun() {
        let report = Self.report([Self.fixtures], allowed: [.uselessWaive, .neverHolds])
        #expect(!report.diagnostics.contains { $0.code == .uselessWaive || $0.code == .neverHolds })
        #expect(report.silenced == 4)
        #expect(report.warningCount == 3)
    }

    @Test func anUnreadablePathIsExitTwoAfterCheckingTheRest() {
        let report = Self.report([Self.fixtures + "/no-such.policy", Self.fixtures + "/second.policy"])
        #expect(report.unreadable.map(\.path) == [Self.fixtures + "/no-such.policy"])
        #expect(report.files == [Self.fixtures + "/second.policy"])
        #expect(report.warningCount > 0, "the readable file was still checked")
        #expect(report.exitCode == 2)
    }

    @Test func aFolderWithoutPoliciesIsExitTwo() throws {
        let dir = try TempFolder()
        let report = Self.report([dir.path])
        #expect(report.unreadable.first?.message.contains("no `*.policy` or `*.examples` files under") == true)
        #expect(report.exitCode == 2)
    }

    /// A folder's `.examples` files are checked too, as `test` and `fmt`
    /// find them: a mistake in an example's record is reported there.
    @Test func aFolderIsSearchedForExamplesFilesToo() throws {
        let dir = try TempFolder()
        try dir.write("a.policy", "scale severity: low < high\nrecord incident:\n  severity: severity\nroles: owner\n"
                      + "when severity = high: notify owner\n")
        try dir.write("a.examples", "use \"a.policy\"\n\nexample \"typo\":\n  given {severity: hgh}\n  expect notify owner\n")
        let report = Self.report([dir.path])
        #expect(report.files.sorted() == [dir.path + "/a.examples", dir.path + "/a.policy"])
        #expect(report.diagnostics.map(\.file) == [dir.path + "/a.examples"])
        #expect(report.exitCode == 2)
    }

    /// `amends check -` reads the policy from standard input, names it
    /// `<stdin>`, and resolves its `use`s from the working folder.
    @Test func aPolicyOnStandardInput() throws {
        let broken = Tool.run(["check", "-"], input: "record incident:\n  seen: tme\n")
        #expect(broken.status == 2)
        #expect(broken.stdout.contains("<stdin>:2:9: error[E103]"), "\(broken.stdout)")
        #expect(broken.stdout.hasSuffix("1 error, 0 warnings in 1 file\n"))

        let dir = try TempFolder()
        try dir.write("shared.policy", "record incident:\n  repeat: number\nroles: owner\n")
        let used = Tool.shell("cd '\(dir.path)' && \"$AMENDS\" check --deny-warnings -",
                              input: "use \"shared.policy\"\nwhen repeat > 1: notify owner\n")
        #expect(used.status == 0, "\(used.stdout)\(used.stderr)")
        #expect(used.stdout == "0 errors, 0 warnings in 1 file\n")

        let outside = Tool.shell("cd '\(dir.path)' && \"$AMENDS\" check -", input: "use \"../x.policy\"\n")
        #expect(outside.status == 2)
        #expect(outside.stdout.contains("<stdin>:1:"), "\(outside.stdout)")
        #expect(outside.stdout.contains("E204"), "\(outside.stdout)")
    }

    @Test func aFileGivenTwiceIsCheckedOnce() {
        let file = Self.fixtures + "/broken.policy"
        #expect(Self.report([file, file, Self.fixtures + "/./broken.policy"]).files == [file])
    }

    /// A shared file with a mistake, used by two checked files: the mistake
    /// is reported once, under the shared file's own path.
    @Test func aUsedFileIsReportedOnce() throws {
        let dir = try TempFolder()
        try dir.write("shared.policy", "record incident:\n  repeat: number\n  seen: tme\nroles: owner\n")
        try dir.write("a.policy", "use \"shared.policy\"\nwhen repeat > 1: notify owner\n")
        try dir.write("b.policy", "use \"shared.policy\"\nwhen repeat > 2: notify owner\n")
        let report = Self.report([dir.path])
        #expect(report.files.count == 3)
        let found = report.diagnostics.map { "\($0.file):\($0.location.line) \($0.code.rawValue)" }
        #expect(found == [dir.path + "/shared.policy:3 E103"])
        // Checking only a user reports the used file's mistake under the path `use` reached it by.
        let alone = Self.report([dir.path + "/a.policy"])
        #expect(alone.diagnostics.map(\.file) == [dir.path + "/shared.policy"])
    }

    /// A used file is not analysed on its own: its unused roles are not findings.
    @Test func aUsedFileGetsNoAnalysesOfItsOwn() throws {
        let dir = try TempFolder()
        try dir.write("roles.policy", "roles: owner, supervisor\nrecord incident:\n  repeat: number\nwhen repeat > 5: notify owner\n")
        try dir.write("a.policy", "use \"roles.policy\"\nwhen repeat > 1: notify supervisor\n")
        #expect(Self.report([dir.path]).diagnostics.isEmpty)
        let alone = Self.report([dir.path + "/roles.policy"])
        #expect(alone.diagnostics.map(\.code) == [.unusedRole])
    }

    // MARK: - The command line

    @Test func badAllowAndFormatAreUsageErrors() {
        let file = Self.fixtures + "/second.policy"
        #expect(CheckCommand.main(["--allow", "E101", file]) == 2)
        #expect(CheckCommand.main(["--allow", "W999", file]) == 2)
        #expect(CheckCommand.main(["--format", "xml", file]) == 2)
        #expect(CheckCommand.main(["--deny-warning", file]) == 2)
        #expect(CheckCommand.main([]) == 2)
    }

    @Test func allowTakesNamesAndCommaLists() {
        let file = Self.fixtures + "/second.policy"
        #expect(CheckCommand.main(["--deny-warnings", "--format", "json", file]) == 1)
        #expect(CheckCommand.main(["--deny-warnings", "--format", "json", "--allow", "not-monotone, W307,offer-without-apology", file]) == 0)
        #expect(CheckCommand.main(["--deny-warnings", "--format=json", "--allow", "W310", "--allow=useless-waive", "--allow=W406", file]) == 0)
    }

    @Test func helpListsEveryCode() {
        let help = CheckCommand.help
        for code in DiagnosticCode.allCases {
            #expect(help.contains("\(code.rawValue)  \(code.info.name)"), "`amends help check` lacks \(code.rawValue)")
            #expect(help.contains(code.info.summary))
        }
    }

    // MARK: - Documentation of the codes

    @Test func everyCodeHasANameSummaryAndExamples() {
        var names = Set<String>()
        for code in DiagnosticCode.allCases {
            let info = code.info
            #expect(info.code == code, "\(code.rawValue) is not in the registry")
            #expect(names.insert(info.name).inserted, "two codes are named \(info.name)")
            #expect(!info.summary.isEmpty && !info.bad.isEmpty && !info.good.isEmpty, "\(code.rawValue) lacks a summary or an example")
            #expect(info.level == (code.rawValue.hasPrefix("W") ? .warning : .error))
        }
    }

    @Test func docsListEveryCodeAsTheRegistryDoes() {
        let path = Self.packageRoot + "/docs/check.md"
        guard case .success(let bytes) = FileSystem.read(path) else {
            Issue.record("docs/check.md is missing")
            return
        }
        let text = String(decoding: bytes, as: UTF8.self)
        let begin = "<!-- codes:begin -->\n"
        let end = "<!-- codes:end -->"
        guard let b = text.firstRange(of: begin), let e = text.firstRange(of: end), b.upperBound <= e.lowerBound else {
            Issue.record("docs/check.md lacks the codes markers")
            return
        }
        let generated = CodeDocs.markdown()
        if Golden.updating {
            let updated = String(text[..<b.upperBound]) + generated + String(text[e.lowerBound...])
            if let failure = FileSystem.writeAtomically(path, Array(updated.utf8)) { Issue.record("\(failure)") }
            return
        }
        #expect(String(text[b.upperBound..<e.lowerBound]) == generated,
                "docs/check.md's codes section is out of date; run the tests with AMENDS_UPDATE_GOLDEN=1")
    }

    /// Every code has a conformance case that expects it, except E012,
    /// which needs a file over 16 MiB (RobustnessTests covers it).
    @Test func everyCodeHasAConformanceCase() {
        var text = ""
        for name in Conformance.files {
            if case .success(let bytes) = FileSystem.read(Conformance.directory + "/" + name) { text += String(decoding: bytes, as: UTF8.self) }
        }
        for code in DiagnosticCode.allCases where code != .fileTooLarge {
            #expect(text.contains("[\(code.rawValue)]"), "no conformance case expects \(code.rawValue)")
        }
    }

    /// Grammar.md §12: the limit of 200 (then E030) is on syntax errors; a
    /// file's name and type errors are all shown, however many.
    @Test func theDiagnosticLimitIsOnSyntaxErrors() {
        let names = (1...250).map { "when x\($0) = 1: notify owner" }.joined(separator: "\n")
        let checked = PolicyCheck.run(Driver.compile(source: SourceText(path: "many.policy", text: "roles: owner\n" + names + "\n")))
        #expect(checked.diagnostics.filter { $0.code == .unknownName }.count == 250)
        #expect(!checked.diagnostics.contains { $0.code == .tooManyErrors })
        let broken = (1...250).map { "wen x\($0): notify owner" }.joined(separator: "\n")
        let parsed = Parser.parse(path: "broken.policy", text: broken + "\n").diagnostics
        #expect(parsed.count == 201 && parsed.last?.code == .tooManyErrors)
    }

    // MARK: - SARIF against the official schema

    @Test(.enabled(if: SchemaCheck.available, "needs python3 with jsonschema"))
    func sarifValidatesAgainstTheSchema() throws {
        let dir = try TempFolder()
        let report = Self.report([Self.fixtures])
        #expect(report.errorCount > 0 && report.warningCount > 0 && report.diagnostics.contains { !$0.notes.isEmpty })
        try dir.write("out.sarif", report.sarif(root: Self.packageRoot))
        let problems = SchemaCheck.validate(dir.path + "/out.sarif", output: dir.path + "/problems.txt")
        #expect(problems == "", "SARIF output does not validate:\n\(problems)")
        // The check itself can fail: a broken log does not validate.
        try dir.write("bad.sarif", "{\"version\": \"2.0.0\", \"runs\": []}")
        #expect(SchemaCheck.validate(dir.path + "/bad.sarif", output: dir.path + "/bad.txt") != "")
    }
}

/// Validates a JSON file against the SARIF 2.1.0 schema with python3's
/// jsonschema (the schema is vendored in fixtures/).
enum SchemaCheck {
    static let schema = CheckTests.testsDirectory + "/fixtures/sarif-schema-2.1.0.json"

    static var available: Bool {
        FileSystem.exists(schema) && system("python3 -c 'import jsonschema' >/dev/null 2>&1") == 0
    }

    /// The validation errors, one per line; empty when the file is valid.
    static func validate(_ file: String, output: String) -> String {
        let script = "import json,sys; from jsonschema.validators import validator_for; "
            + "s=json.load(open(sys.argv[1])); v=validator_for(s)(s); "
            + "[print(list(e.absolute_path), e.message) for e in v.iter_errors(json.load(open(sys.argv[2])))]"
        let status = system("python3 -c \"\(script)\" '\(schema)' '\(file)' > '\(output)' 2>&1")
        let text = (try? FileSystem.read(output).get()).map { String(decoding: $0, as: UTF8.self) } ?? "cannot read \(output)"
        return status == 0 ? text : "python3 failed (\(status)): \(text)"
    }
}

/// A fresh folder under /tmp, removed with its files when the value goes away.
final class TempFolder {
    let path: String
    private var files: [String] = []
    private var folders: [String] = []

    struct Failure: Error, CustomStringConvertible { var description: String }

    init() throws {
        var template = Array("/tmp/amends-check-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw Failure(description: "mkdtemp failed") }
        path = String(cString: made)
    }

    /// Writes a file, making the folders of its path first (removed with the folder).
    func write(_ name: String, _ text: String) throws {
        var folder = path
        for part in name.split(separator: "/").dropLast() {
            folder += "/" + part
            if mkdir(folder, 0o755) == 0 { folders.append(folder) }
        }
        if let failure = FileSystem.writeAtomically(path + "/" + name, Array(text.utf8)) { throw Failure(description: "\(failure)") }
        files.append(path + "/" + name)
    }

    deinit {
        for file in files { unlink(file) }
        for extra in ["problems.txt", "bad.txt"] { unlink(path + "/" + extra) }
        for folder in folders.reversed() { rmdir(folder) }
        rmdir(path)
    }

    /// A file of rules shared between offices is checked on its own against
    /// the calendars it names (Grammar.md §4, `using calendar`).
    @Test func aSharedFileOfRulesChecksOnItsOwn() throws {
        let path = CheckTests.packageRoot + "/Tests/AmendsTests/cases/semantics/shared/new-york-rules.policy"
        guard case .success(let compiled) = Driver.compile(path: path) else {
            Issue.record("\(path) could not be loaded")
            return
        }
        #expect(compiled.diagnostics.isEmpty, "\(DiagnosticRenderer(color: false).render(compiled.diagnostics))")
        let newYork = compiled.model.calendars.firstIndex { $0.name == "new_york" }
        #expect(newYork != nil && compiled.model.rules.count == 2)
        #expect(compiled.model.rules.allSatisfy { $0.calendar == newYork })
    }
}

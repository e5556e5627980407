// Fuzz target `policy`: bytes as policy text through everything `amends
// check` and `amends test` do: lexer, parser, `use` (lines of `---` cut the
// input into `main.policy`, `1.policy`, `2.policy` … in a folder that is
// not on disk), checker, compiler, the analyses and lints, allow comments,
// every report format, and the policy's examples with coverage.
//
// Checks: a policy compiles exactly when it has no errors; every
// diagnostic's span lies within its file; nothing traps or hangs.

@testable import Amends

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let folder = VirtualFolder(fuzzBytes(data, size))
    let compiled = Driver.compile(folder.load())
    expect((compiled.program != nil) == !compiled.hasErrors,
           "a program with errors, or none without: \(compiled.diagnostics.map(\.description))")

    let checked = PolicyCheck.run(compiled)
    for d in checked.diagnostics {
        expect(d.span.start >= 0 && d.span.end <= d.source.bytes.count,
               "\(d.description): span \(d.span) outside the \(d.source.bytes.count) bytes of `\(d.file)`")
        for note in d.notes {
            if let span = note.span, let source = note.source {
                expect(span.start >= 0 && span.end <= source.bytes.count,
                       "\(d.description): a note's span \(span) outside `\(source.path)`")
            }
        }
    }
    _ = DiagnosticRenderer(color: true).render(checked.diagnostics)
    let report = CheckReport(files: [folder.mainPath], diagnostics: checked.diagnostics, silenced: checked.silenced)
    _ = report.human(color: false)
    _ = report.json()
    _ = report.github()
    _ = report.sarif(root: VirtualFolder.directory)

    var tests = TestReport()
    TestRunner.add(compiled, path: folder.mainPath, to: &tests)
    _ = tests.humanText(TestReport.TextOptions(verbose: true, color: false, coverage: true))
    _ = tests.json(coverage: true)
    _ = tests.junitXML(coverage: true)
    return 0
}

import Amends

/// What tells two findings apart: where, which code, what it says. `check`
/// uses it to report a finding of a file used by several policies once, and
/// the REPL to show only what an entry adds.
struct FindingKey: Hashable {
    var file: String
    var start: Int
    var end: Int
    var code: DiagnosticCode
    var message: String

    init(_ d: Diagnostic, file: String? = nil) {
        self.file = file ?? d.file
        start = d.span.start
        end = d.span.end
        code = d.code
        message = d.message
    }
}

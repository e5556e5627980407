/// A CheckReport is the result of one `amends check` run over many files:
/// every finding (each printed once, attributed to the file it is in), the
/// files that could not be read, and how many findings were allowed. It
/// writes itself in each output format: `human`, `json`, `sarif`, `github`.
package struct CheckReport: Sendable {
    /// A path that could not be read, and why.
    package struct Unreadable: Sendable {
        package var path: String
        package var message: String

        package init(path: String, message: String) {
            self.path = path
            self.message = message
        }
    }

    /// The policy files checked, as the user named them (or as found in folders).
    package var files: [String]
    /// In file, then position order.
    package var diagnostics: [Diagnostic]
    package var unreadable: [Unreadable]
    /// Findings silenced by allow comments or `--allow`.
    package var silenced: Int
    /// `--deny-warnings`: warnings fail the run.
    package var denyWarnings: Bool

    package init(files: [String], diagnostics: [Diagnostic], unreadable: [Unreadable] = [], silenced: Int = 0,
                denyWarnings: Bool = false) {
        self.files = files
        self.diagnostics = diagnostics
        self.unreadable = unreadable
        self.silenced = silenced
        self.denyWarnings = denyWarnings
    }

    package var errorCount: Int { diagnostics.errorCount }
    package var warningCount: Int { diagnostics.warningCount }

    /// Whether the findings fail the run (errors, or warnings under `--deny-warnings`).
    package var failed: Bool { errorCount > 0 || (denyWarnings && warningCount > 0) }

    /// As every `amends` command's (docs/ci.md): 0 clean, 1 warnings that
    /// fail the run (`--deny-warnings`), 2 a policy with errors (as `run`
    /// and `test` would refuse it) or a path that cannot be read.
    package var exitCode: Int32 { !unreadable.isEmpty || errorCount > 0 ? 2 : failed ? 1 : 0 }

    /// `2 errors, 3 warnings in 7 files (1 allowed)`.
    package var summaryLine: String {
        func plural(_ n: Int, _ word: String) -> String { "\(n) \(word)\(n == 1 ? "" : "s")" }
        var line = "\(plural(errorCount, "error")), \(plural(warningCount, "warning")) in \(plural(files.count, "file"))"
        if silenced > 0 { line += " (\(silenced) allowed)" }
        if !unreadable.isEmpty { line += "; \(plural(unreadable.count, "path")) could not be read" }
        if denyWarnings && errorCount == 0 && warningCount > 0 { line += "; warnings fail the run (--deny-warnings)" }
        return line
    }

    // MARK: - human

    /// The compiler-style rendering of every finding, then the summary line.
    package func human(color: Bool) -> String {
        DiagnosticRenderer(color: color).render(diagnostics) + summaryLine + "\n"
    }

    // MARK: - json

    /// The stable JSON report (schema version 1, documented in docs/check.md).
    package func json() -> String {
        let items: [JSONDocument] = diagnostics.map { d in
            let start = d.location
            let end = d.endLocation
            let notes: [JSONDocument] = d.notes.map { note in
                var fields: [(String, JSONDocument)] = [("message", .string(note.message))]
                if let source = note.source, let span = note.span {
                    let l = source.location(of: span.start)
                    fields += [("file", .string(source.path)), ("line", .int(l.line)), ("column", .int(l.column))]
                }
                return .object(fields)
            }
            return .object([
                ("file", .string(d.file)), ("line", .int(start.line)), ("column", .int(start.column)),
                ("endLine", .int(end.line)), ("endColumn", .int(end.column)),
                ("level", .string(d.level.rawValue)), ("code", .string(d.code.rawValue)), ("name", .string(d.code.info.name)),
                ("message", .string(d.message)), ("help", .text(d.help)), ("notes", .array(notes)),
            ])
        }
        let document = JSONDocument.object([
            ("version", .int(1)),
            ("tool", .object([("name", .string("amends")), ("version", .string(Amends.version))])),
            ("files", .int(files.count)),
            ("diagnostics", .array(items)),
            ("unreadable", .array(unreadable.map { .object([("file", .string($0.path)), ("message", .string($0.message))]) })),
            ("summary", .object([
                ("files", .int(files.count)), ("errors", .int(errorCount)), ("warnings", .int(warningCount)),
                ("allowed", .int(silenced)), ("unreadable", .int(unreadable.count)), ("failed", .bool(failed)),
                ("exitCode", .int(Int(exitCode))),
            ])),
        ])
        return document.render()
    }

    // MARK: - github

    /// GitHub Actions workflow commands, one line per finding:
    /// `::error file=…,line=…,col=…,endLine=…,endColumn=…,title=CODE::message`.
    package func github() -> String {
        var out = ""
        for d in diagnostics {
            let command: String
            switch d.level {
            case .error: command = "error"
            case .warning: command = "warning"
            case .note: command = "notice"
            }
            let start = d.location
            let end = d.endLocation
            var message = d.message
            for note in d.notes {
                if let source = note.source, let span = note.span {
                    message += "\nnote: \(note.message) (\(source.path):\(source.location(of: span.start)))"
                } else {
                    message += "\nnote: \(note.message)"
                }
            }
            if let help = d.help { message += "\nhelp: \(help)" }
            let properties = [("file", d.file), ("line", "\(start.line)"), ("col", "\(start.column)"),
                              ("endLine", "\(end.line)"), ("endColumn", "\(end.column)"),
                              ("title", "\(d.code.rawValue) \(d.code.info.name)")]
            out += "::\(command) " + properties.map { "\($0.0)=\(CheckReport.escapeProperty($0.1))" }.joined(separator: ",")
                + "::" + CheckReport.escapeData(message) + "\n"
        }
        for u in unreadable {
            out += "::error file=\(CheckReport.escapeProperty(u.path)),title=unreadable::\(CheckReport.escapeData(u.message))\n"
        }
        return out
    }

    /// A workflow command's message: `%`, CR and LF escaped.
    package static func escapeData(_ s: String) -> String {
        var out = ""
        for c in s.unicodeScalars {
            switch c {
            case "%": out += "%25"
            case "\r": out += "%0D"
            case "\n": out += "%0A"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    /// A workflow command's property value: as a message, and `:` and `,` too.
    package static func escapeProperty(_ s: String) -> String {
        var out = ""
        for c in escapeData(s).unicodeScalars {
            switch c {
            case ":": out += "%3A"
            case ",": out += "%2C"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }
}

/// The Driver puts the stages together: load (parse every file, follow
/// `use`), check, and compile. The command line, the REPL, the test runner
/// and the library API all go through it, so they agree on what a policy is.
package enum Driver {
    /// A policy after every stage that succeeded.
    package struct Compiled: Sendable {
        package let loaded: Loader.Loaded
        package let model: PolicyModel
        /// Nil when there are errors.
        package let program: Program?
        package let diagnostics: [Diagnostic]
        /// Whether each `define`, role, remedy and channel is used (for the analyses).
        package let usage: Usage

        package var hasErrors: Bool { diagnostics.hasErrors }
    }

    /// What the policy's rules use, for "declared but never used" findings.
    package typealias Usage = PolicyUsage

    /// Loads, checks and compiles a policy file.
    package static func compile(path: String) -> Result<Compiled, FileSystem.Failure> {
        Loader.load(path: path).map(compile)
    }

    /// Checks and compiles policy text; `use` paths are relative to `directory`.
    package static func compile(source: SourceText, directory: String = ".") -> Compiled {
        compile(Loader.load(source: source, directory: directory))
    }

    package static func compile(_ loaded: Loader.Loaded) -> Compiled {
        let checked = Checker.checked(loaded)
        var diagnostics = loaded.diagnostics + checked.diagnostics
        let model = checked.model
        let usage = checked.usage
        var program: Program?
        if !diagnostics.hasErrors {
            var calendar: BusinessCalendar?
            let zone = checked.zone
            if let decl = model.calendar, let ref = model.calendarRef {
                switch BusinessCalendar.from(decl, zone: zone.zone ?? ZoneInfo.utc) {
                case .success(let c): calendar = c
                case .failure(let failure):
                    diagnostics.append(Diagnostic(.invalidCalendar, "\(failure)", source: ref.source, span: ref.span,
                                                  help: "check the opening hours and closed days"))
                }
            }
            if !diagnostics.hasErrors {
                program = Program(model: model, zone: zone, calendar: calendar)
            }
        }
        return Compiled(loaded: loaded, model: model, program: program, diagnostics: diagnostics.sortedForDisplay(),
                        usage: usage)
    }
}

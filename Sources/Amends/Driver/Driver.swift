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
        /// The calendar's time zone, as the checker found it (for the program).
        let zone: ZoneLookup

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
        compile(loaded, program: true)
    }

    /// Loads and checks, and compiles the program only when `program`
    /// (the language server checks on each edit, and leaves the program to
    /// `withProgram`, on another thread).
    package static func compile(_ loaded: Loader.Loaded, program buildProgram: Bool) -> Compiled {
        let checked = Checker.checked(loaded)
        let diagnostics = loaded.diagnostics + checked.diagnostics
        let compiled = Compiled(loaded: loaded, model: checked.model, program: nil, diagnostics: diagnostics.sortedForDisplay(),
                                usage: checked.usage, zone: checked.zone)
        return buildProgram ? withProgram(compiled) : compiled
    }

    /// The policy with its program compiled, when it has none and no errors
    /// (a calendar that cannot be built is an error found here).
    package static func withProgram(_ compiled: Compiled) -> Compiled {
        guard compiled.program == nil, !compiled.hasErrors else { return compiled }
        let model = compiled.model
        var diagnostics = compiled.diagnostics
        var calendars: [BusinessCalendar?] = []
        for c in model.calendars {
            switch BusinessCalendar.from(c.decl, zone: c.zone ?? ZoneInfo.utc) {
            case .success(let made): calendars.append(made)
            case .failure(let failure):
                calendars.append(nil)
                diagnostics.append(Diagnostic(.invalidCalendar, "\(failure)", source: c.ref.source, span: c.ref.span,
                                              help: "check the opening hours and closed days"))
            }
        }
        guard !diagnostics.hasErrors else {
            return Compiled(loaded: compiled.loaded, model: model, program: nil, diagnostics: diagnostics.sortedForDisplay(),
                            usage: compiled.usage, zone: compiled.zone)
        }
        let calendar = model.defaultCalendar.flatMap { calendars.indices.contains($0) ? calendars[$0] : nil }
        return Compiled(loaded: compiled.loaded, model: model,
                        program: Program(model: model, zone: compiled.zone, calendar: calendar, calendars: calendars),
                        diagnostics: compiled.diagnostics, usage: compiled.usage, zone: compiled.zone)
    }
}

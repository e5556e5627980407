/// The Driver puts the stages together: load (parse every file, follow
/// `use`), check, and compile. The command line, the REPL, the test runner
/// and the library API all go through it, so they agree on what a policy is.
public enum Driver {
    /// A policy after every stage that succeeded.
    public struct Compiled: Sendable {
        public let loaded: Loader.Loaded
        public let model: PolicyModel
        /// Nil when there are errors.
        public let program: Program?
        public let diagnostics: [Diagnostic]
        /// Whether each `define`, role, remedy and channel is used (for the analyses).
        public let usage: Usage

        public var hasErrors: Bool { diagnostics.hasErrors }
    }

    /// What the policy's rules use, for "declared but never used" findings.
    public typealias Usage = PolicyUsage

    /// Loads, checks and compiles a policy file.
    public static func compile(path: String) -> Result<Compiled, FileSystem.Failure> {
        Loader.load(path: path).map(compile)
    }

    /// Checks and compiles policy text; `use` paths are relative to `directory`.
    public static func compile(source: SourceText, directory: String = ".") -> Compiled {
        compile(Loader.load(source: source, directory: directory))
    }

    public static func compile(_ loaded: Loader.Loaded) -> Compiled {
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

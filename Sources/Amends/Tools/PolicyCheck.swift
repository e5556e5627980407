/// PolicyCheck is what `amends check` does to one compiled policy: the
/// syntax and checker diagnostics, the analyses and lints when the policy
/// has no errors, then the allow comments and the run's allowed codes.
package enum PolicyCheck {
    /// How one policy is checked.
    package struct Options: Sendable {
        /// Warning codes silenced everywhere (`--allow`).
        package var allowed: Set<DiagnosticCode>
        /// Whether to run the analyses and lints (off for a file that other
        /// files in the same run `use`: their checks cover its rules).
        package var analyses: Bool

        package init(allowed: Set<DiagnosticCode> = [], analyses: Bool = true) {
            self.allowed = allowed
            self.analyses = analyses
        }
    }

    /// The findings for one policy, and how many were silenced.
    package struct Result: Sendable {
        package var diagnostics: [Diagnostic]
        package var silenced: Int
        /// Whether the analyses ran (the policy had no errors).
        package var analyzed: Bool
    }

    package static func run(_ compiled: Driver.Compiled, options: Options = Options()) -> Result {
        var diagnostics = compiled.diagnostics
        let analyzed = options.analyses && !compiled.hasErrors
        if analyzed { diagnostics += Analyzer.analyze(compiled) }
        var entries: [Suppression.Entry] = []
        for file in compiled.loaded.files {
            let (found, problems) = Suppression.entries(in: file)
            entries += found
            diagnostics += problems
        }
        let loaded = compiled.loaded
        let main = loaded.files.indices.contains(loaded.main) ? loaded.files[loaded.main].source : nil
        let (kept, silenced) = Suppression.apply(diagnostics, entries: entries, allowed: options.allowed,
                                                 unusedIn: analyzed ? main : nil)
        return Result(diagnostics: kept, silenced: silenced, analyzed: analyzed)
    }
}

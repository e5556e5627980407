import Amends

/// `amends doc POLICY`: the policy as a runbook for the staff who follow it.
enum DocCommand: Command {
    static let name = "doc"
    static let summary = "the policy as a runbook for staff: decision table, situations, calendar, glossary (Markdown or HTML)"
    static let usage = "amends doc [--format markdown|html] [--output FILE [--check]] [--audience ROLE] POLICY"
    static let help = """
    Writes a runbook made from the policy alone, for the people who carry it
    out (docs/doc.md): how to use it; a decision table of the cases of the
    incident's details that lead to different actions, each with every
    action it requires (at most 200 rows; past that the table is left out
    and says so); every rule in words (when it applies, what must happen, by
    when, by which channel, who is told, the apology's parts in the
    research-ranked order, the remedies, what is waived and why); the
    policy's examples as worked cases; the calendar; and a glossary of
    roles, remedies, channels and fields. `##` comments in the policy are
    its prose (Grammar.md §2). Every statement links to the line of the
    policy it comes from.

    options:
      --format markdown|html   Markdown that GitHub renders (default), or one
                               self-contained, printable HTML file
      --output FILE            write to FILE (links are made relative to it)
                               instead of standard output
      --check                  with --output: change nothing; exit 1 and name
                               FILE when it is not what would be written
      --audience ROLE          only what ROLE must do (told, escalated to,
                               owner), with deadlines

    exit status: 0 written (with --check: up to date), 1 with --check: FILE
    is stale, 2 bad command line, unknown role, unreadable policy, a policy
    with errors, or an unwritable FILE

    """

    static func main(_ args: [String]) -> Int32 {
        run(args, out: { Console.out.write($0) }, err: { Console.err.write($0) })
    }

    /// The command with its streams passed in (the tests capture them).
    static func run(_ args: [String], out: (String) -> Void, err: (String) -> Void) -> Int32 {
        let parsed: Arguments
        let format: String
        do {
            parsed = try Arguments(args, valued: ["--format", "--output", "--audience"], switches: ["--check"])
            format = try parsed.choice("--format", ["markdown", "html"], default: "markdown")
        } catch let problem as Arguments.Problem {
            return CLI.usage(problem, command: name)
        } catch {
            return 2
        }
        guard parsed.operands.count == 1 else {
            return CLI.usage(parsed.operands.isEmpty ? "no policy given" : "doc takes one policy", command: name,
                             help: "try `amends doc policies/standard.policy`")
        }
        let output = parsed.value("--output")
        if parsed.has("--check") && output == nil {
            return CLI.usage("`--check` needs `--output FILE`, the file to compare with", command: name)
        }
        let path = parsed.operands[0]
        let compiled: Driver.Compiled
        switch Driver.compile(path: path) {
        case .failure(let failure):
            err("error: \(failure)\n")
            return 2
        case .success(let c): compiled = c
        }
        if compiled.hasErrors {
            err(DiagnosticRenderer(color: false).render(compiled.diagnostics.filter { $0.level == .error }))
            err("error: `\(path)` has errors; fix them before writing its runbook\n")
            return 2
        }
        let audience = parsed.value("--audience")
        if let audience, !compiled.model.roles.contains(audience) {
            var message = "error: the policy has no role `\(audience)`\n"
            if let s = Suggest.closest(to: audience, in: compiled.model.roles) {
                message += "  = help: did you mean `\(s)`?\n"
            } else if !compiled.model.roles.isEmpty {
                message += "  = help: its roles are " + compiled.model.roles.map { "`\($0)`" }.joined(separator: ", ") + "\n"
            }
            err(message)
            return 2
        }
        let options = Runbook.Options(audience: audience, linkPrefix: output.map(linkPrefix(to:)) ?? "")
        guard let document = Runbook.make(compiled, options: options) else {
            err("error: `\(path)` has errors; fix them before writing its runbook\n")
            return 2
        }
        let text = format == "html" ? document.html : document.markdown
        guard let output else {
            out(text)
            return 0
        }
        if parsed.has("--check") {
            if case .success(let bytes) = FileSystem.read(output, limit: Lexer.maxFileSize), bytes == Array(text.utf8) { return 0 }
            out(output + "\n")
            return 1
        }
        if let failure = FileSystem.writeAtomically(output, Array(text.utf8)) {
            err("error: cannot write `\(output)`: \(failure.reason)\n")
            return 2
        }
        return 0
    }

    /// From the folder of `file` back to the working folder: `../../` for
    /// `docs/runbooks/x.md`. Empty for an absolute path or one with `..`
    /// (the links are then relative to the working folder).
    static func linkPrefix(to file: String) -> String {
        guard !file.hasPrefix("/") else { return "" }
        let parts = file.split(separator: "/").dropLast().filter { $0 != "." }
        if parts.contains("..") { return "" }
        return String(repeating: "../", count: parts.count)
    }
}

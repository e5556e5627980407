#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Amends

/// `amends repl [POLICY…]`: try a policy on an incident and see why.
enum REPLCommand: Command {
    static let name = "repl"
    static let summary = "try policies interactively: rules, incidents, conditions, and why"
    static let usage = "amends repl [--format text|json] [--now TIME] [POLICY…]"
    static let help = """
    Starts an interactive session with the policies given loaded. Type:
      a declaration or rule   added to the session, checked at once
                              when severity >= high: notify supervisor
      an incident             the actions it requires, their deadlines and rules
                              {severity: critical, tier: enterprise}
      a condition             true or false for the last incident, and why
                              tier >= premium
      a command               .help .load .reload .save .rules .incident .explain
                              .drop .undo .clear .format .now .exit
                              (also help or ?, exit or quit, and Ctrl-D to leave)
    A declaration or rule is checked as `amends check` checks a policy: its
    errors, and the warnings and lints it adds. A rule typed again under its
    name (`rule "x" when …`) replaces the typed one; `.drop` forgets one typed
    rule, `.undo` the last change, `.clear` every typed rule and declaration.
    A line ending in `:` (or with a bracket open) goes on on a `...` line; a
    blank line ends a block. On a terminal: line editing, history (Up, Ctrl-R),
    Tab completion, `clear` or Ctrl-L clears the screen, long output is
    wrapped to the window; `.help keys` lists the keys.

    options:
      --format text|json   how actions are shown (default text; `.format` changes it)
      --now TIME           the time deadlines count from when an incident has no
                           clock field, and `age` is measured at (default: the clock)

    Not on a terminal (stdin or stdout redirected, or TERM=dumb) it reads plain
    lines with no prompt decorations or escape codes, so a script can be piped in:
      printf '%s\\n' '.load policies/standard.policy' '{severity: critical}' | amends repl

    environment:
      AMENDS_HISTORY   the history file (default ~/.amends_history); empty: no history
      NO_COLOR         no colour (colour is only used on a terminal)

    exit status: 0, or 1 when an entry of a script failed; 2 bad command line

    """

    static func main(_ args: [String]) -> Int32 {
        guard let parsed = parse(args, valued: ["--format", "--now"]) else { return 2 }
        let format: Session.Format
        do {
            let name = try parsed.choice("--format", Session.Format.allCases.map(\.rawValue), default: "text")
            format = Session.Format(rawValue: name) ?? .text
        } catch let problem as Arguments.Problem {
            return CLI.usage(problem, command: Self.name)
        } catch {
            return 2
        }
        let terminal = Terminal.isUsable()
        var session = Session(color: terminal && wantsColor(fd: 1), format: format, clock: { Int64(time(nil)) })
        if let now = parsed.value("--now") {
            let reply = session.run(".now " + now)
            if reply.failed {
                Console.err.write(reply.text)
                return CLI.usage("`--now` needs a time such as 2026-03-02T09:00:00Z", command: Self.name)
            }
        }
        let opening = start(&session, loading: parsed.operands, banner: terminal)
        if terminal {
            InteractiveREPL.show(opening.chunks, width: Terminal.columns())
        } else {
            for chunk in opening.chunks {
                if chunk.isError { Console.err.write(chunk.text) } else { Console.out.write(chunk.text) }
            }
        }
        Console.flush()
        let failed = opening.failed
        let status: Int32
        if terminal {
            var repl = InteractiveREPL(session: session)
            status = repl.run()
        } else {
            var script = ScriptReader(session: session, prompt: isatty(0) == 1)
            status = script.run()
        }
        return failed ? max(status, 1) : status
    }

    /// What the REPL says before the first prompt: the banner (on a
    /// terminal), then what loading the policies named on the command line
    /// says, in that order.
    static func start(_ session: inout Session, loading paths: [String], banner: Bool) -> Session.Reply {
        var reply = Session.Reply()
        if banner { reply.say(InteractiveREPL.banner(session.style)) }
        if !paths.isEmpty {
            let loaded = session.load(paths)
            reply.chunks += loaded.chunks
            reply.failed = loaded.failed
        }
        return reply
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Amends

/// The `amends` command line: one entry point the executable calls and the
/// tests drive. Exit codes everywhere: 0 all good, 1 some records, checks or
/// tests failed, 2 the command line or the policy itself is wrong.
public enum CLI {
    public static func main(_ argv: [String]) -> Int32 {
        // A closed pipe and a file over the size limit (`ulimit -f`) make
        // write(2) fail, which the writers report, instead of killing the
        // process.
        signal(SIGPIPE, SIG_IGN)
        signal(SIGXFSZ, SIG_IGN)
        let code = dispatch(Array(argv.dropFirst()))
        Console.flush()
        return finish(code)
    }

    /// The exit status once output is flushed: a write to standard output
    /// that failed (a full disk, `> /dev/full`) is an error, reported here
    /// unless the command reported it itself; a reader that went away
    /// (`| head -1`) is not.
    static func finish(_ code: Int32) -> Int32 {
        guard let failure = Console.out.takeFailure(), failure != EPIPE else { return code }
        Console.err.write("error: could not write to standard output: \(FileSystem.describe(errno: failure))\n")
        Console.err.flush()
        return max(code, 2)
    }

    /// Every command, in the order `amends help` lists them.
    static let commands: [CommandEntry] = [
        RunCommand.entry,
        CheckCommand.entry,
        TestCommand.entry,
        FmtCommand.entry,
        ExplainCommand.entry,
        DocCommand.entry,
        DiffCommand.entry,
        ReportCommand.entry,
        REPLCommand.entry,
        LSPCommand.entry,
        ParseCommand.entry,
        HelpCommand.entry,
    ]

    static func dispatch(_ args: [String]) -> Int32 {
        guard let first = args.first else {
            Console.err.write(HelpCommand.overview)
            return 2
        }
        if first == "-h" || first == "--help" { return HelpCommand.main([]) }
        if first == "--version" || first == "version" {
            Console.out.write("amends \(Amends.version)\n")
            return 0
        }
        for command in commands where command.name == first {
            let rest = Array(args.dropFirst())
            if rest.contains("--help") || rest.contains("-h") { return HelpCommand.main([first]) }
            return command.main(rest)
        }
        var message = "error: unknown command `\(first)`\n"
        if let suggestion = Suggest.closest(to: first, in: commands.map(\.name)) {
            message += "  = help: did you mean `amends \(suggestion)`?\n"
        } else if first.hasSuffix(".policy") {
            message += "  = help: to run a policy, write `amends run \(first) RECORDS…`\n"
        }
        message += "run `amends help` for the list of commands\n"
        Console.err.write(message)
        return 2
    }

    /// Prints a usage problem in the diagnostic style and returns 2.
    static func usage(_ problem: Arguments.Problem, command: String) -> Int32 {
        var text = "error: \(problem.message)\n"
        if let help = problem.help { text += "  = help: \(help)\n" }
        text += "usage: \(commands.first { $0.name == command }?.usage ?? "amends \(command) …")\n"
        Console.err.write(text)
        return 2
    }

    static func usage(_ message: String, command: String, help: String? = nil) -> Int32 {
        usage(Arguments.Problem(message: message, help: help), command: command)
    }
}

extension CLI {
    /// `now` when a command is given no `--now` (Grammar.md §8): the
    /// environment's `SOURCE_DATE_EPOCH` (whole seconds since 1970, the
    /// reproducible-builds convention) when it is set and valid, so that a
    /// CI job pins it once for every command; else the current time.
    static func defaultNow() -> Int64 {
        if let raw = getenv("SOURCE_DATE_EPOCH"), let seconds = Int64(String(cString: raw)),
           seconds >= 0, seconds < 253_402_300_800 {
            return seconds
        }
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec)
    }
}

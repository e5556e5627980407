/// A Command is one `amends` subcommand: its name, the line `amends help`
/// lists, its usage and full help text, and its entry point. Each command
/// lives in its own file; `CLI.commands` lists them.
protocol Command: SendableMetatype {
    static var name: String { get }
    /// One line for the command list.
    static var summary: String { get }
    /// `amends check [OPTIONS] PATHS…`
    static var usage: String { get }
    /// Everything `amends help NAME` prints after the usage line.
    static var help: String { get }
    static func main(_ args: [String]) -> Int32
}

extension Command {
    /// Parses arguments, printing a usage error (exit 2) when they are wrong.
    static func parse(_ args: [String], valued: [String] = [], switches: [String] = []) -> Arguments? {
        do {
            return try Arguments(args, valued: valued, switches: switches)
        } catch let problem as Arguments.Problem {
            _ = CLI.usage(problem, command: name)
            return nil
        } catch {
            return nil
        }
    }
}

/// A command's entry in the command table (plain values: iterating an array
/// of protocol metatypes crashes the Swift 6.3 compiler).
struct CommandEntry: Sendable {
    let name: String
    let summary: String
    let usage: String
    /// Made when asked for (`amends help NAME`): some help texts are built
    /// from tables, and the table of commands is made on every start.
    let help: @Sendable () -> String
    let main: @Sendable ([String]) -> Int32
}

extension Command {
    static var entry: CommandEntry {
        CommandEntry(name: name, summary: summary, usage: usage, help: { help }, main: { main($0) })
    }
}

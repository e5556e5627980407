import Amends

/// `amends help [COMMAND]`.
enum HelpCommand: Command {
    static let name = "help"
    static let summary = "this text, or one command's options"
    static let usage = "amends help [COMMAND]"
    static let help = "Prints the list of commands, or everything about one command.\n"

    static func main(_ args: [String]) -> Int32 {
        guard let topic = args.first else {
            Console.out.write(overview)
            return 0
        }
        if let command = CLI.commands.first(where: { $0.name == topic }) {
            Console.out.write("usage: \(command.usage)\n\n\(command.help())")
            return 0
        }
        var message = "error: no help on `\(topic)`\n"
        if let s = Suggest.closest(to: topic, in: CLI.commands.map(\.name)) { message += "  = help: did you mean `\(s)`?\n" }
        Console.err.write(message)
        return 2
    }

    static var overview: String {
        let width = (CLI.commands.map { $0.name.count }.max() ?? 8) + 2
        var text = """
        amends: write down, check and run a service business's standard response to a mistake

        usage: amends COMMAND [OPTIONS] [ARGS…]

        commands:

        """
        for command in CLI.commands {
            text += "  " + command.name + String(repeating: " ", count: width - command.name.count) + command.summary + "\n"
        }
        text += """

        `amends help COMMAND` shows a command's options.
        exit status: 0 all good; 1 records that cannot be read, failed examples, warnings with
                     --deny-warnings, files fmt --check would change; 2 a policy with errors
                     (in every command), a bad command line, unreadable input or unwritable
                     output (docs/ci.md)
        environment: NO_COLOR turns colour off (colour is only used on a terminal)

        """
        return text
    }
}

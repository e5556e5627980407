import Amends

/// `amends help [COMMAND]`.
enum HelpCommand {
    static func main(_ args: [String]) -> Int32 {
        guard let topic = args.first else {
            Console.out.write(HelpText.overview)
            return 0
        }
        if let text = HelpText.commands[topic] {
            Console.out.write(text)
            return 0
        }
        var message = "error: no help on `\(topic)`\n"
        if let s = Suggest.closest(to: topic, in: HelpText.commands.keys.sorted()) { message += "  = help: did you mean `\(s)`?\n" }
        Console.err.write(message)
        return 2
    }
}

enum HelpText {
    static let overview = """
    amends: write down, check and run a service business's standard response to a mistake

    usage: amends COMMAND [OPTIONS] [ARGS…]

    commands:
      check PATHS…              validate policies (files, or folders searched for *.policy)
      parse FILES…              print the syntax tree (for debugging the language)
      help [COMMAND]            this text, or a command's options

    exit status: 0 all good, 1 findings or failed records, 2 bad command line or unreadable input
    environment: NO_COLOR turns colour off; colour is only used on a terminal

    """

    static let commands: [String: String] = [
        "check": """
        usage: \(usage("check"))

        Checks every policy file given, and every *.policy file under each folder
        given, and prints each problem as file:line:col with the source line, a
        caret under the mistake and a suggested fix.

        exit status: 0 clean, 1 errors found, 2 bad command line or unreadable file

        """,
        "parse": """
        usage: \(usage("parse"))

        Prints each file's syntax tree as S-expressions (one line per statement)
        and its syntax errors.

        """,
        "help": "usage: amends help [COMMAND]\n",
    ]

    static func usage(_ command: String) -> String {
        switch command {
        case "check": return "amends check PATHS…"
        case "parse": return "amends parse FILES…"
        case "run": return "amends run POLICY [RECORDS…]"
        default: return "amends \(command) …"
        }
    }
}

import Amends

/// `.help` and its topics.
extension Session {
    /// Topics besides the commands, with their text.
    static let topics: [(name: String, text: String)] = [
        ("entries", """
        What you can type at the prompt:
          a declaration or a rule   added to the session policy, checked at once
                                    when severity >= high: notify supervisor
                                    scale severity: low < medium < high
          an incident               read as a record; shows the actions it requires
                                    {severity: high, tier: premium}
                                    {"severity": "high", "reported": "2026-03-02T09:00:00Z"}
          a condition               true or false for the last incident, and why
                                    tier >= premium and severity is present
          a command                 `.help` lists them (so do `help` and `?`)
        A declaration or rule is checked as `amends check` checks a policy; the
        warnings it adds are shown. Typing a rule or define again under its name
        replaces the typed one (`.drop` forgets one, `.undo` the last change).
        A line ending in `:`, `,`, `and` or `or`, or with a bracket open, goes on
        on a `...` line; a blank line ends a block.

        """),
        ("keys", """
        Editing keys (on a terminal):
          Left Right Ctrl-B Ctrl-F     move by character     Alt-B Alt-F Ctrl-Left Ctrl-Right  by word
          Home End Ctrl-A Ctrl-E       start and end of line
          Backspace Delete Ctrl-D      delete a character    Ctrl-W Alt-Backspace  the word before
          Ctrl-K Ctrl-U                delete to the end, to the start of the line   Ctrl-Y  put it back
          Ctrl-T                       swap two characters   Ctrl-L  clear the screen
          Up Down Ctrl-P Ctrl-N        history (a block comes back whole)
          Ctrl-R                       search the history backwards (Esc or Ctrl-G cancels)
          Tab                          complete; twice shows every choice
          Ctrl-C                       cancel the entry      Ctrl-D on an empty line  leave
        `clear` (or Ctrl-L) clears the screen; `.clear` forgets the typed rules instead.

        """),
    ]

    func help(_ topic: String?) -> Reply {
        var reply = Reply()
        guard let topic else {
            var text = "Type a declaration, a rule, an incident `{…}` or a condition. Commands:\n"
            let width = Session.commands.map { $0.name.count + $0.arguments.count + 1 }.max() ?? 10
            for c in Session.commands {
                let head = c.name + (c.arguments.isEmpty ? "" : " " + c.arguments)
                text += "  " + head + String(repeating: " ", count: max(1, width - head.count + 2)) + c.summary + "\n"
            }
            text += "Topics: " + Session.topics.map { "`.help \($0.name)`" }.joined(separator: ", ") + "\n"
            reply.say(text)
            return reply
        }
        let name = topic.hasPrefix(".") ? topic : "." + topic
        if let c = Session.commands.first(where: { $0.name == name }) {
            reply.say("\(c.name)\(c.arguments.isEmpty ? "" : " " + c.arguments): \(c.summary)\n" + (Session.commandDetails[c.name] ?? ""))
            return reply
        }
        if let t = Session.topics.first(where: { $0.name == topic }) {
            reply.say(t.text)
            if t.name == "keys" { reply.say(historyLine + "\n") }
            return reply
        }
        let names = Session.commands.map { String($0.name.dropFirst()) } + Session.topics.map(\.name)
        return problem("no help on `\(topic)`", help: Suggest.didYouMean(topic, in: names) ?? "`.help` lists the commands and topics")
    }

    /// Where the history is kept (the file actually in use), or why not.
    var historyLine: String {
        switch history {
        case .file(let path):
            return "History is kept in \(path) (AMENDS_HISTORY=path moves it, AMENDS_HISTORY= turns it off)."
        case .off(let why):
            return "History is not kept: \(why)."
        }
    }

    /// More about some commands, for `.help COMMAND`.
    static let commandDetails: [String: String] = [
        ".load": "  Paths are relative to the folder the REPL started in; a file's own `use`s are relative to it.\n"
            + "  A file that would give the session an error is not loaded.\n",
        ".save": "  Loaded files become `use` lines, typed entries follow in the order they were typed.\n"
            + "  A loaded file (or one it uses) is never written over.\n",
        ".clear": "  Forgets every rule and declaration typed in the session, and the incident; the loaded files stay.\n"
            + "  `.clear all` forgets the loaded files too. To forget one rule: `.drop`; the last entry: `.undo`.\n"
            + "  To clear the screen: `clear` or Ctrl-L.\n",
        ".drop": "  `.drop 4` forgets rule 4 of `.rules`, `.drop \"valued client\"` the typed rule of that name,\n"
            + "  `.drop valued` a typed define, `.drop <input-3>` a whole typed entry. Rules from loaded files stay.\n"
            + "  Typing a rule (`rule \"x\" when …`) or define under a typed one's name replaces it instead.\n",
        ".undo": "  Takes back the last change to the typed entries: an entry added, a rule replaced, a `.drop`.\n"
            + "  Again for the one before.\n",
        ".format": "  `text` (the default) for people, `json` for the line `amends run` prints per record.\n",
        ".now": "  Without a clock field in the incident, deadlines count from now; `age` is measured at now.\n"
            + "  `.now 2026-03-02T09:00:00Z` fixes it (a time without offset is UTC); `.now clock` follows the clock again.\n",
        ".explain": "  For each rule: fired or not, and the values of the fields its condition looks at.\n",
    ]
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Amends

/// The REPL on a terminal: reads entries with the line editor (raw mode
/// only while editing), runs them in the session, prints what they say.
struct InteractiveREPL: Sendable {
    var session: Session
    var history = History(path: History.defaultPath())
    var editor = LineEditor()
    var view = EditorView()
    var decoder = KeyDecoder()
    /// Keys read but not yet used (typed ahead of a submitted entry).
    var pendingKeys: [Key] = []

    init(session: Session) {
        self.session = session
        self.session.history = History.keeping()
        editor.needsMore = { InputShape.needsMore($0) }
        if session.style.color {
            view.primary = EditorView.Prompt("\u{1B}[1;34m>>>\u{1B}[0m ", width: 4)
            view.continuation = EditorView.Prompt("\u{1B}[2m...\u{1B}[0m ", width: 4)
        }
    }

    /// The first line on a terminal (before what loading the policies says).
    static func banner(_ style: Style) -> String {
        style.dim("amends \(Amends.version) repl: type .help for help, .exit or Ctrl-D to leave") + "\n"
    }

    /// Runs the session until Ctrl-D or `.exit` (the banner is already out).
    mutating func run() -> Int32 {
        Terminal.prepare()
        while let entry = readEntry() {
            // REPL commands, and `help`, `exit`, `clear`, stay out of the history.
            if [.declaration, .incident, .condition].contains(InputShape.kind(of: entry)) {
                history.add(InputShape.normalized(entry))
            }
            let reply = session.run(entry)
            if reply.clearScreen {
                Terminal.write("\u{1B}[H\u{1B}[2J")
                view.forget()
            }
            InteractiveREPL.show(reply.chunks, width: Terminal.columns())
            if reply.exit { break }
        }
        Terminal.restore()
        return 0
    }

    /// Prints what an entry said, long lines wrapped to the window.
    static func show(_ chunks: [Session.Reply.Chunk], width: Int) {
        for chunk in chunks {
            let text = chunk.wraps ? OutputWrap.wrap(chunk.text, width: width) : chunk.text
            if chunk.isError {
                Console.out.flush()
                Console.err.write(text)
                Console.err.flush()
            } else {
                Console.out.write(text)
            }
        }
        Console.out.flush()
    }

    /// Edits one entry; nil at Ctrl-D on an empty line or the end of input.
    mutating func readEntry() -> String? {
        editor.reset()
        editor.history = history.entries
        let model = session.policy.model
        let directory = session.policy.directory
        editor.complete = { Completer(model: model, directory: directory).complete($0) }
        view.columns = Terminal.columns()
        view.forget()
        Terminal.enableRaw()
        defer { Terminal.restore() }
        Terminal.write(view.draw(editor))
        while true {
            if pendingKeys.isEmpty {
                switch Terminal.read() {
                case .end:
                    Terminal.write(view.leave())
                    return nil
                case .interrupted:
                    if Terminal.takeContinued() {
                        Terminal.enableRaw()
                        view.forget()
                    }
                    if Terminal.takeResized() { view.columns = Terminal.columns() }
                    Terminal.write(view.draw(editor))
                    continue
                case .bytes(let bytes):
                    pendingKeys += decoder.feed(bytes)
                    if decoder.pendingEscape && !Terminal.waitForInput(milliseconds: 50), let esc = decoder.flushEscape() {
                        pendingKeys.append(esc)
                    }
                }
            }
            while !pendingKeys.isEmpty {
                let key = pendingKeys.removeFirst()
                let before = editor
                switch editor.handle(key) {
                case .edited:
                    break
                case .submit(let text):
                    Terminal.write(view.draw(editor) + view.leave())
                    return text
                case .cancel:
                    var shown = before
                    shown.set(before.text)
                    Terminal.write(view.draw(shown) + "^C" + view.leave())
                case .eof:
                    Terminal.write(view.leave())
                    return nil
                case .clearScreen:
                    Terminal.write("\u{1B}[H\u{1B}[2J")
                    view.forget()
                case .list(let candidates):
                    Terminal.write(view.leave() + InteractiveREPL.columns(candidates, width: view.columns))
                case .bell:
                    Terminal.write("\u{07}")
                case .suspend:
                    Terminal.write(view.leave())
                    Terminal.suspend()
                }
            }
            Terminal.write(view.draw(editor))
        }
    }

    /// Choices laid out in columns, as a shell lists them (raw mode: `\r\n`).
    static func columns(_ items: [String], width: Int) -> String {
        let cell = (items.map { EditorView.Prompt($0).width }.max() ?? 0) + 2
        let perRow = max(1, width / max(1, cell))
        var out = ""
        for (i, item) in items.enumerated() {
            out += item + String(repeating: " ", count: max(0, cell - EditorView.Prompt(item).width))
            if (i + 1) % perRow == 0 || i == items.count - 1 { out += "\r\n" }
        }
        return out
    }
}

import Amends

/// The REPL's own commands. They start with `.`, which no statement of the
/// language does, so they cannot clash with it.
extension Session {
    /// A REPL command: its name, arguments and one line for `.help`.
    struct CommandInfo: Sendable {
        var name: String
        var arguments: String
        var summary: String
    }

    static let commands: [CommandInfo] = [
        CommandInfo(name: ".help", arguments: "[TOPIC]", summary: "this list, or help on a command or a topic"),
        CommandInfo(name: ".load", arguments: "FILE…", summary: "add policy files to the session (as `use` would)"),
        CommandInfo(name: ".reload", arguments: "", summary: "read the loaded files again"),
        CommandInfo(name: ".save", arguments: "FILE", summary: "write the session's files and entries as one policy"),
        CommandInfo(name: ".rules", arguments: "", summary: "list the session's rules"),
        CommandInfo(name: ".incident", arguments: "", summary: "show the last incident, field by field"),
        CommandInfo(name: ".explain", arguments: "", summary: "why each rule did or did not fire for the last incident"),
        CommandInfo(name: ".drop", arguments: "NUMBER|NAME", summary: "forget one typed rule (its number in `.rules`, or its name)"),
        CommandInfo(name: ".undo", arguments: "", summary: "take back the last typed declaration or rule, replacement or `.drop`"),
        CommandInfo(name: ".clear", arguments: "[all]",
                    summary: "forget all typed rules and declarations, and the incident (`all`: loaded files too)"),
        CommandInfo(name: ".format", arguments: "[text|json]", summary: "how actions are shown"),
        CommandInfo(name: ".now", arguments: "[TIME|clock]", summary: "the time deadlines and `age` count from"),
        CommandInfo(name: ".exit", arguments: "", summary: "leave (so do `exit`, `quit` and Ctrl-D)"),
    ]

    /// Runs a `.command` line.
    mutating func command(_ line: String) -> Reply {
        let words = Session.words(line)
        let name = words.first ?? line
        let args = Array(words.dropFirst())
        switch name {
        case ".help": return help(args.first)
        case ".load": return load(args)
        case ".reload": return noArguments(name, args) ?? reload()
        case ".save": return save(args)
        case ".rules": return noArguments(name, args) ?? rules()
        case ".incident": return noArguments(name, args) ?? showIncident()
        case ".explain": return noArguments(name, args) ?? explain()
        case ".drop": return drop(args)
        case ".undo": return noArguments(name, args) ?? undo()
        case ".clear": return clear(args)
        case ".format": return setFormat(args)
        case ".now": return setNow(args)
        case ".exit", ".quit":
            var reply = Reply()
            reply.exit = true
            return reply
        case _ where name.hasPrefix(":"):
            // Other REPLs' `:load`: say how this one writes it.
            let dotted = "." + name.dropFirst()
            let known = Session.commands.contains { $0.name == dotted }
            return problem("REPL commands start with `.`, not `:`",
                           help: known ? "write `\(([dotted] + args).joined(separator: " "))`"
                               : Suggest.didYouMean(dotted, in: Session.commands.map(\.name)) ?? "`.help` lists the commands")
        default:
            let names = Session.commands.map(\.name)
            return problem("unknown command `\(name)`",
                           help: Suggest.didYouMean(name, in: names) ?? "`.help` lists the commands")
        }
    }

    /// Splits a command line at spaces; `"…"` keeps spaces in one word.
    static func words(_ line: String) -> [String] {
        var words: [String] = []
        var word = ""
        var quoted = false
        var started = false
        for c in line {
            if c == "\"" { quoted.toggle(); started = true; continue }
            if !quoted && (c == " " || c == "\t") {
                if started { words.append(word) }
                word = ""
                started = false
                continue
            }
            word.append(c)
            started = true
        }
        if started { words.append(word) }
        return words
    }

    func noArguments(_ name: String, _ args: [String]) -> Reply? {
        guard let extra = args.first else { return nil }
        return problem("`\(name)` takes no arguments, but was given `\(extra)`", help: "write `\(name)` alone")
    }

    // MARK: - Files

    mutating func load(_ paths: [String]) -> Reply {
        guard !paths.isEmpty else {
            return problem("`.load` needs a policy file", help: "e.g. `.load policies/standard.policy`")
        }
        var reply = Reply()
        var pieces: [SessionPolicy.Piece] = []
        for path in paths {
            if policy.files.contains(path) {
                reply.say(style.dim("`\(path)` is already loaded; `.reload` reads it again") + "\n")
                continue
            }
            switch policy.loadFile(path) {
            case .failure(let failure):
                let dir = FileSystem.join(policy.directory, FileSystem.directory(of: path))
                let names = FileSystem.files(under: dir, suffixes: [".policy"]).map { String($0.split(separator: "/").last ?? "") }
                let base = String(path.split(separator: "/").last ?? "")
                let help = Suggest.didYouMean(base, in: names) ?? "the path is relative to the folder the REPL started in"
                return problem("cannot load `\(path)`: \(failure.reason)", help: help)
            case .success(let piece):
                pieces.append(piece)
            }
        }
        guard !pieces.isEmpty else { return reply }
        let compiled = policy.trying(pieces)
        if compiled.hasErrors {
            reply.error(render(compiled.diagnostics.filter { $0.level == .error }))
            reply.error(style.dim("nothing was loaded: the session is as it was") + "\n")
            reply.failed = true
            return reply
        }
        // What `amends check FILE` says of each file, then what is new in
        // the session with them (a typed rule they make redundant, …).
        var warnings = pieces.flatMap { PolicyCheck.run(Driver.compile($0.loaded)).diagnostics }
        var seen = Set(warnings.map { FindingKey($0) })
        warnings += policy.accept(pieces, compiled: compiled).filter { seen.insert(FindingKey($0)).inserted }
        for piece in pieces { reply.say(style.dim("loaded " + describe(piece)) + "\n") }
        if !warnings.isEmpty { reply.error(render(warnings)) }
        return reply
    }

    /// `standard.policy: "Standard client recovery", 5 rules`
    func describe(_ piece: SessionPolicy.Piece) -> String {
        var name = ""
        var rules = 0
        for (file, item) in piece.loaded.items {
            if case .rule = item.kind { rules += 1 }
            if case .policyName(let n) = item.kind, file == piece.loaded.main { name = SExpr.quote(n.value) + ", " }
        }
        let path: String
        if case .file(let p) = piece.origin { path = p } else { path = piece.loaded.files.first?.source.path ?? "?" }
        let used = piece.loaded.files.count - 1
        return "\(path): \(name)\(Summary.plural(rules, "rule"))" + (used > 0 ? " (with \(Summary.plural(used, "used file")))" : "")
    }

    mutating func reload() -> Reply {
        var fresh: [SessionPolicy.Piece] = []
        for piece in policy.pieces {
            switch piece.origin {
            case .file(let path):
                switch policy.loadFile(path) {
                case .failure(let failure):
                    return problem("cannot reload `\(path)`: \(failure.reason)", help: "the session is as it was")
                case .success(let p): fresh.append(p)
                }
            case .entry(let number, let text):
                fresh.append(policy.parseEntry(text, number: number))
            }
        }
        let compiled = policy.compiling(fresh)
        if compiled.hasErrors {
            var reply = Reply()
            reply.error(render(compiled.diagnostics.filter { $0.level == .error }))
            reply.error(style.dim("not reloaded: the session is as it was") + "\n")
            reply.failed = true
            return reply
        }
        let findings = policy.replace(fresh, compiled: compiled)
        var reply = Reply()
        reply.say(style.dim("reloaded \(Summary.plural(policy.files.count, "file")), \(Summary.plural(compiled.model.rules.count, "rule")) in the session") + "\n")
        if !findings.isEmpty { reply.error(render(findings.sortedForDisplay())) }
        return reply
    }

    func save(_ args: [String]) -> Reply {
        guard args.count == 1, let path = args.first else {
            return problem("`.save` needs one file name", help: "e.g. `.save session.policy`")
        }
        let target = FileSystem.join(policy.directory, path)
        if FileSystem.isDirectory(target) {
            return problem("cannot save to `\(path)`: it is a directory", help: "name a file, e.g. `\(path)/session.policy`")
        }
        // The saved session `use`s the loaded files: writing over one of them
        // would replace a policy by a file that uses itself.
        if isLoaded(target) {
            return problem("cannot save to `\(path)`: the session has loaded it, and the saved session `use`s it",
                           help: "save to another file, e.g. `.save session.policy`")
        }
        let typed: String
        switch savedText(to: target) {
        case .failure(let unreachable):
            let here = FileSystem.directory(of: path)
            return problem("cannot save to `\(path)`: a policy in `\(here)` cannot `use` `\(unreachable.path)`, "
                           + "which is outside that folder",
                           help: "a policy can `use` only files in its own folder and below; save where it can reach them, "
                               + "e.g. `.save session.policy`")
        case .success(let text): typed = text
        }
        // The canonical layout of `amends fmt` (the session compiles, so it parses).
        let text = Formatter.format(text: typed, path: path) ?? typed
        // Never leave a file that would not load from where it is.
        let saved = Driver.compile(Loader.load(source: SourceText(path: path, text: text), directory: FileSystem.directory(of: target)))
        if saved.hasErrors {
            var reply = Reply()
            reply.error(render(saved.diagnostics.filter { $0.level == .error }))
            reply.error(style.dim("not saved: the policy would not load from `\(path)`") + "\n")
            reply.failed = true
            return reply
        }
        if let failure = FileSystem.writeAtomically(target, Array(text.utf8)) {
            return problem("cannot save to `\(path)`: \(failure.reason)")
        }
        var reply = Reply()
        let what = Summary.plural(policy.files.count, "loaded file") + " and "
            + Summary.plural(policy.entries.count, "entry", "entries")
        reply.say(style.dim("saved \(what) to \(path)") + "\n")
        return reply
    }

    /// Whether `target` is a loaded file, or a file a loaded file uses.
    func isLoaded(_ target: String) -> Bool {
        let wanted = FileSystem.canonical(target)
        for piece in policy.pieces {
            guard case .file = piece.origin else { continue }
            for file in piece.loaded.files {
                let path = file.source.path
                let full = path.hasPrefix("/") ? path : FileSystem.join(policy.directory, path)
                if FileSystem.canonical(full) == wanted { return true }
            }
        }
        return false
    }

    /// A file the saved policy would have to `use` but cannot: it is not
    /// inside the saved policy's folder (`E204`).
    struct Unreachable: Error {
        var path: String
    }

    /// The session as one policy: a `use` per loaded file, then every typed
    /// entry, in the order they came (so rules keep their order); `use`
    /// paths (of loaded files, and in typed `use`s) written from the folder
    /// of `target`. `save` lays it out as `amends fmt` would.
    func savedText(to target: String) -> Result<String, Unreachable> {
        var out = "# Saved from `amends repl`.\n"
        let folder = FileSystem.directory(of: target)
        var previousWasUse = false
        for piece in policy.pieces {
            switch piece.origin {
            case .file(let path):
                guard let usePath = usePath(path, from: folder) else { return .failure(Unreachable(path: path)) }
                out += (previousWasUse ? "" : "\n") + "use \(SExpr.quote(usePath))\n"
                previousWasUse = true
            case .entry(_, let text):
                // A typed `use` is relative to where the REPL started: write it from the folder too.
                var bytes = Array(text.utf8)
                let uses = Session.mainItems(piece).compactMap { item -> StringLiteral? in
                    if case .use(let path) = item.kind { return path } else { return nil }
                }
                for literal in uses.sorted(by: { $0.span.start > $1.span.start }) {
                    guard let usePath = usePath(literal.value, from: folder) else {
                        return .failure(Unreachable(path: literal.value))
                    }
                    guard literal.span.start >= 0, literal.span.start <= literal.span.end, literal.span.end <= bytes.count else { continue }
                    bytes.replaceSubrange(literal.span.start..<literal.span.end, with: Array(SExpr.quote(usePath).utf8))
                }
                out += "\n" + String(decoding: bytes, as: UTF8.self) + "\n"
                previousWasUse = false
            }
        }
        return .success(out)
    }

    /// How a policy in `folder` names the file at `path` (both relative to
    /// where the REPL started, or absolute) in a `use`: the path from the
    /// folder down to it, links resolved as the loader resolves them; nil
    /// when it is not inside the folder, so no `use` there can reach it.
    func usePath(_ path: String, from folder: String) -> String? {
        let file = FileSystem.canonical(FileSystem.join(policy.directory, path))
        var base = FileSystem.canonical(folder)
        guard file.hasPrefix("/"), base.hasPrefix("/") else { return nil }
        if !base.hasSuffix("/") { base += "/" }
        guard file.hasPrefix(base), file.count > base.count else { return nil }
        return String(file.dropFirst(base.count))
    }

    // MARK: - State

    func rules() -> Reply {
        var reply = Reply()
        let model = policy.model
        if model.rules.isEmpty {
            reply.say(style.dim("the session has no rules yet; type one, e.g. `when severity >= high: notify supervisor`") + "\n")
            return reply
        }
        for rule in model.rules {
            let ref = "\(rule.file):\(rule.line)"
            let header = Session.header(rule.headerRef.source, rule.headerRef.span)
            reply.say("  \(rule.index + 1). \(header)  " + style.dim("\(Summary.plural(rule.actions.count, "action")), \(ref)") + "\n")
        }
        return reply
    }

    mutating func clear(_ args: [String]) -> Reply {
        let all: Bool
        switch args.first {
        case nil: all = false
        case "all"?: all = true
        case let other?: return problem("`.clear` takes `all` or nothing, not `\(other)`")
        }
        let kept = all ? [] : policy.pieces.filter { $0.origin.entryNumber == nil }
        let forgotten = policy.pieces.count - kept.count
        policy.replace(kept, compiled: policy.compiling(kept))
        incident = nil
        edits = []
        var reply = Reply()
        reply.say(style.dim(all ? "cleared: the session is empty"
                            : "forgot \(Summary.plural(forgotten, "typed entry", "typed entries")) and the incident; loaded files stay") + "\n")
        return reply
    }

    mutating func setFormat(_ args: [String]) -> Reply {
        var reply = Reply()
        guard let name = args.first else {
            reply.say("format: \(format.rawValue)\n")
            return reply
        }
        guard let chosen = Format(rawValue: name), args.count == 1 else {
            return problem("`.format` takes `text` or `json`, not `\(args.joined(separator: " "))`",
                           help: Suggest.didYouMean(name, in: Format.allCases.map(\.rawValue)))
        }
        format = chosen
        reply.say(style.dim("format: \(format.rawValue)") + "\n")
        return reply
    }

    mutating func setNow(_ args: [String]) -> Reply {
        var reply = Reply()
        guard let arg = args.first else {
            reply.say("now: \(ISOTime.string(utc: now))" + (fixedNow == nil ? " (the clock)" : "") + "\n")
            return reply
        }
        if arg == "clock" && args.count == 1 {
            fixedNow = nil
            reply.say(style.dim("now follows the clock") + "\n")
            return reply
        }
        switch TimestampLiteral.parse(Array(args.joined(separator: "T").utf8)) {
        case .failure(let e):
            return problem(e.message,
                           help: "write e.g. `.now 2026-03-02T09:00:00Z`, or `.now clock`")
        case .success(let t):
            fixedNow = t.epochSeconds()
            reply.say(style.dim("now: \(ISOTime.string(utc: now))") + "\n")
            return reply
        }
    }
}

extension Summary {
    static func plural(_ n: Int, _ word: String, _ words: String) -> String { "\(n) \(n == 1 ? word : words)" }
}

import Amends

/// Changing what was typed without starting again: a rule or a define typed
/// again under its name replaces the typed one of that name, in its place;
/// `.drop` removes one typed rule (or define, or a whole entry); `.undo`
/// takes back the last of these changes, or the last entry added.
extension Session {
    /// An Edit is one change to the session's pieces, kept so `.undo` can
    /// take it back: at `index`, the pieces `removed` gave way to `inserted`.
    struct Edit: Sendable {
        var index: Int
        var removed: [SessionPolicy.Piece.Origin]
        var inserted: [SessionPolicy.Piece.Origin]
    }

    /// A name a typed statement declares, by which a later entry replaces
    /// it and `.drop` finds it.
    enum StatementName: Hashable, Sendable {
        case rule(String)
        case define(String)

        init?(_ item: Item) {
            switch item.kind {
            case .rule(let r):
                guard let name = r.name else { return nil }
                self = .rule(name.value)
            case .define(let d): self = .define(d.name.name)
            default: return nil
            }
        }

        var shown: String {
            switch self {
            case .rule(let name): return "rule \(SExpr.quote(name))"
            case .define(let name): return "define `\(name)`"
            }
        }
    }

    /// The pieces with `piece` added: in the place of the typed statements
    /// it names again (what else their entries held stays), else at the end.
    /// Also says which statements it replaces.
    func placing(_ piece: SessionPolicy.Piece) -> (pieces: [SessionPolicy.Piece], edit: Edit, replaced: [String]) {
        let main = piece.loaded.main
        let names = Set(piece.loaded.items.compactMap { $0.file == main ? StatementName($0.item) : nil })
        var result: [SessionPolicy.Piece] = []
        var replaced: [String] = []
        var firstIndex: Int?
        for (index, old) in policy.pieces.enumerated() {
            guard !names.isEmpty, case .entry(let number, _) = old.origin else {
                result.append(old)
                continue
            }
            let items = Session.mainItems(old).filter { StatementName($0).map(names.contains) ?? false }
            if items.isEmpty {
                result.append(old)
                continue
            }
            replaced += items.compactMap { StatementName($0).map { "\($0.shown) of <input-\(number)>" } }
            // What else the entry held stays where it was; the new entry
            // goes in the place of the first statement it replaces.
            if let rest = Session.text(of: old, without: items) { result.append(policy.parseEntry(rest, number: number)) }
            if firstIndex == nil {
                firstIndex = index
                result.append(piece)
            }
        }
        guard let index = firstIndex else {
            return (result + [piece], Edit(index: result.count, removed: [], inserted: [piece.origin]), [])
        }
        let edit = Edit(index: index, removed: policy.pieces[index...].map(\.origin), inserted: result[index...].map(\.origin))
        return (result, edit, replaced)
    }

    /// A line per statement of a piece, as a `+ …` line says what was added.
    func describe(entry piece: SessionPolicy.Piece, mark: String) -> String {
        guard let source = piece.source else { return "" }
        return Session.mainItems(piece).map { style.dim(mark + summary($0, in: source)) + "\n" }.joined()
    }

    /// The statements of a piece's own file as written, `use`s included
    /// (not the statements of the files it uses).
    static func mainItems(_ piece: SessionPolicy.Piece) -> [Item] {
        piece.loaded.files.indices.contains(piece.loaded.main) ? piece.loaded.files[piece.loaded.main].items : []
    }

    /// A typed entry's text without the lines of `items`; nil when nothing
    /// but blank lines and comments is left.
    static func text(of piece: SessionPolicy.Piece, without items: [Item]) -> String? {
        guard case .entry(_, let text) = piece.origin else { return nil }
        var bytes = Array((text + "\n").utf8)
        for item in items.sorted(by: { $0.span.start > $1.span.start }) {
            let start = min(max(0, item.span.start), bytes.count)
            let last = min(max(start, item.span.end - 1), bytes.count)
            let lineStart = bytes[..<start].lastIndex(of: 0x0A).map { $0 + 1 } ?? 0
            let lineEnd = bytes[last...].firstIndex(of: 0x0A).map { $0 + 1 } ?? bytes.count
            bytes.removeSubrange(lineStart..<lineEnd)
        }
        let rest = InputShape.normalized(String(decoding: bytes, as: UTF8.self))
        let code = rest.split(separator: "\n").contains { !$0.trimmingWhitespace.isEmpty && !$0.trimmingWhitespace.hasPrefix("#") }
        return code ? rest : nil
    }
}

extension Session {
    // MARK: - .drop and .undo

    /// `.drop NUMBER|NAME|<input-N>`: removes one typed rule (by its number
    /// in `.rules` or its name), a typed define (by name), or a whole typed
    /// entry; the rest of the session stays.
    mutating func drop(_ args: [String]) -> Reply {
        guard args.count == 1, let arg = args.first, !arg.isEmpty else {
            return problem("`.drop` needs one typed rule: its number in `.rules`, its name, or `<input-N>`",
                           help: "e.g. `.drop 4`, `.drop \"valued client\"` or `.drop <input-3>`")
        }
        let found: (index: Int, items: [Item]?)
        switch findTyped(arg) {
        case .refused(let reply): return reply
        case .found(let index, let items): found = (index, items)
        }
        let old = policy.pieces[found.index]
        var pieces = policy.pieces
        let rest = found.items.flatMap { Session.text(of: old, without: $0) }
        guard case .entry(let number, _) = old.origin else { return problem("only typed entries can be dropped") }
        if let rest {
            pieces[found.index] = policy.parseEntry(rest, number: number)
        } else {
            pieces.remove(at: found.index)
        }
        let compiled = policy.compiling(pieces)
        if compiled.hasErrors {
            var reply = Reply()
            reply.error(render(compiled.diagnostics.filter { $0.level == .error }))
            reply.error(style.dim("not dropped: the rest of the session needs it") + "\n")
            reply.failed = true
            return reply
        }
        let inserted = rest == nil ? [] : [pieces[found.index].origin]
        let fresh = policy.replace(pieces, compiled: compiled)
        edits.append(Edit(index: found.index, removed: [old.origin], inserted: inserted))
        var reply = Reply()
        if let source = old.source {
            for item in found.items ?? Session.mainItems(old) { reply.say(style.dim("- " + summary(item, in: source)) + "\n") }
        }
        if !fresh.isEmpty { reply.error(render(fresh.sortedForDisplay())) }
        return reply
    }

    /// What `.drop` found: a typed piece and, unless the whole entry was
    /// named, the statements in it; or why nothing.
    enum Lookup {
        case found(index: Int, items: [Item]?)
        case refused(Reply)
    }

    /// The typed piece `arg` names and, unless it names the whole entry,
    /// the statements in it.
    func findTyped(_ arg: String) -> Lookup {
        let model = policy.model
        // `<input-4>` or `input-4`: a whole entry.
        var word = Substring(arg)
        if word.hasPrefix("<") && word.hasSuffix(">") { word = word.dropFirst().dropLast() }
        if word.hasPrefix("input-"), let n = Int(word.dropFirst("input-".count)) {
            guard let index = policy.pieces.firstIndex(where: { $0.origin.entryNumber == n }) else {
                return .refused(problem("`<input-\(n)>` is not in the session",
                                        help: "only declarations and rules that were accepted are; `.rules` lists the rules"))
            }
            return .found(index: index, items: nil)
        }
        // A number: the rule `.rules` lists under it.
        if let n = Int(arg) {
            guard n >= 1, n <= model.rules.count else {
                return .refused(problem("there is no rule \(n)", help: model.rules.isEmpty
                                        ? "the session has no rules" : "`.rules` numbers them from 1 to \(model.rules.count)"))
            }
            let rule = model.rules[n - 1]
            for (index, piece) in policy.pieces.enumerated() where piece.origin.entryNumber != nil {
                guard piece.source === rule.ref.source else { continue }
                let items = Session.mainItems(piece).filter { item in
                    guard case .rule = item.kind else { return false }
                    return item.span.start <= rule.ref.span.start && rule.ref.span.start < max(item.span.end, item.span.start + 1)
                }
                if !items.isEmpty { return .found(index: index, items: items) }
            }
            return .refused(problem("rule \(n) comes from `\(rule.file)`, not from what was typed",
                                    help: "only typed rules can be dropped; change the file and `.reload`"))
        }
        // A name: a typed rule, else a typed define.
        for wanted in [StatementName.rule(arg), .define(arg)] {
            for (index, piece) in policy.pieces.enumerated() where piece.origin.entryNumber != nil {
                let items = Session.mainItems(piece).filter { StatementName($0) == wanted }
                if !items.isEmpty { return .found(index: index, items: items) }
            }
        }
        if let rule = model.rules.first(where: { $0.name == arg }) {
            return .refused(problem("rule \(SExpr.quote(arg)) comes from `\(rule.file)`, not from what was typed",
                                    help: "only typed rules can be dropped; change the file and `.reload`"))
        }
        if let define = model.defines.first(where: { $0.name == arg }) {
            return .refused(problem("define `\(arg)` comes from `\(define.ref.file)`, not from what was typed",
                                    help: "only typed statements can be dropped; change the file and `.reload`"))
        }
        let typedNames = policy.pieces.filter { $0.origin.entryNumber != nil }.flatMap(Session.mainItems).compactMap { item -> String? in
            switch StatementName(item) {
            case .rule(let name)?, .define(let name)?: return name
            case nil: return nil
            }
        }
        return .refused(problem("no typed rule or define is named `\(arg)`",
                                help: Suggest.didYouMean(arg, in: typedNames) ?? "`.rules` lists the rules with their numbers"))
    }

    /// `.undo`: takes back the last typed declaration or rule, `.drop`, or
    /// replacement (again for the one before).
    mutating func undo() -> Reply {
        guard let edit = edits.last else {
            return problem("there is nothing to undo",
                           help: "`.undo` takes back a typed declaration or rule, a replaced rule, or a `.drop`")
        }
        let end = edit.index + edit.inserted.count
        guard end <= policy.pieces.count, policy.pieces[edit.index..<end].map(\.origin) == edit.inserted else {
            edits.removeAll()
            return problem("the session has changed since; there is nothing to undo")
        }
        var restored: [SessionPolicy.Piece] = []
        for origin in edit.removed {
            switch origin {
            case .file(let path):
                guard case .success(let piece) = policy.loadFile(path) else {
                    return problem("cannot undo: `\(path)` cannot be read again")
                }
                restored.append(piece)
            case .entry(let number, let text):
                restored.append(policy.parseEntry(text, number: number))
            }
        }
        let going = policy.pieces[edit.index..<end].filter { !edit.removed.contains($0.origin) }
        var pieces = policy.pieces
        pieces.replaceSubrange(edit.index..<end, with: restored)
        let compiled = policy.compiling(pieces)
        if compiled.hasErrors {
            var reply = Reply()
            reply.error(render(compiled.diagnostics.filter { $0.level == .error }))
            reply.error(style.dim("not undone: the rest of the session needs it") + "\n")
            reply.failed = true
            return reply
        }
        let fresh = policy.replace(pieces, compiled: compiled)
        edits.removeLast()
        var reply = Reply()
        for piece in going { reply.say(describe(entry: piece, mark: "- ")) }
        for piece in restored where !edit.inserted.contains(piece.origin) { reply.say(describe(entry: piece, mark: "+ ")) }
        if !fresh.isEmpty { reply.error(render(fresh.sortedForDisplay())) }
        return reply
    }
}

extension SessionPolicy.Piece {
    /// The piece's own file (a typed entry's text, or the loaded file).
    var source: SourceText? {
        loaded.files.indices.contains(loaded.main) ? loaded.files[loaded.main].source : nil
    }
}

extension SessionPolicy.Piece.Origin {
    /// A typed entry's number; nil for a file.
    var entryNumber: Int? {
        if case .entry(let n, _) = self { return n }
        return nil
    }
}

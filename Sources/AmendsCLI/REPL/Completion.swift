#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Amends

/// A Completer says what could come at the cursor, from the text before it
/// and the session's policy: commands after `.`, statement keywords at the
/// start of an entry, roles after `notify`, remedies after `offer`, a
/// field's levels after `severity >= `, field names in an incident, file
/// names after `.load`, and so on. Each candidate carries what follows it
/// (a space, `: ` after a field in an incident, `/` after a folder).
struct Completer: Sendable {
    let model: PolicyModel
    /// Folder file names are completed in.
    let directory: String

    static let actionWords = ["notify", "escalate to", "assign", "respond within", "require apology with", "offer",
                              "follow up in", "review cause within", "task", "waive"]
    static let operators = ["is missing", "is present", "in", "not in", "contains", "starts with", "ends with"]

    func complete(_ before: String) -> LineEditor.Completions {
        let all = Array(before)
        let lineStart = (all.lastIndex(of: "\n").map { $0 + 1 }) ?? 0
        let line = String(all[lineStart...])
        let entry = String(before.trimmingWhitespace)
        if entry.hasPrefix(".") && lineStart == 0 { return command(line, offset: 0) }
        let word = String(line.reversed().prefix { LineEditor.isWord($0) || $0 == "." }.reversed())
        let start = all.count - word.count
        let tokens = Completer.tokens(String(line.dropLast(word.count)))
        let firstLine = lineStart == 0
        let candidates = words(after: tokens, firstLine: firstLine, entry: entry, lineIndented: line.first == " ")
        return LineEditor.Completions(start: start, candidates: candidates.filter { $0.hasPrefix(word) })
    }

    // MARK: - Commands and files

    private func command(_ line: String, offset: Int) -> LineEditor.Completions {
        let chars = Array(line)
        let lead = chars.prefix { $0 == " " }.count
        guard let space = chars[lead...].firstIndex(of: " ") else {
            return LineEditor.Completions(start: lead, candidates: Session.commands.map { $0.name + " " })
        }
        let name = String(chars[lead..<space])
        let argStart = (chars.lastIndex(of: " ") ?? space) + 1
        let partial = String(chars[argStart...])
        var options: [String] = []
        switch name {
        case ".load": options = Completer.files(partial, in: directory, suffix: ".policy")
        case ".save": options = Completer.files(partial, in: directory, suffix: nil)
        case ".help": options = Session.commands.map { String($0.name.dropFirst()) } + Session.topics.map(\.name)
        case ".format": options = Session.Format.allCases.map(\.rawValue)
        case ".clear": options = ["all"]
        case ".drop":
            // The typed rules, by number and by name.
            let typed = model.rules.filter { $0.file.hasPrefix("<input-") }
            options = typed.map { String($0.index + 1) } + typed.compactMap { $0.name.map(SExpr.quote) }
        case ".now": options = ["clock"]
        default: break
        }
        return LineEditor.Completions(start: argStart, candidates: options.filter { $0.hasPrefix(partial) })
    }

    /// Entries of the folder part of `partial` whose names start with its
    /// last part: folders (with `/`) and files (with `suffix`, when given).
    static func files(_ partial: String, in directory: String, suffix: String?) -> [String] {
        let slash = partial.lastIndex(of: "/")
        let folder = slash.map { String(partial[...$0]) } ?? ""
        let prefix = slash.map { String(partial[partial.index(after: $0)...]) } ?? partial
        // Where `.load` and `.save` look: relative to `directory` (a `~` is
        // a name like any other there, as it is to them).
        let dir = folder.isEmpty ? directory : FileSystem.join(directory, folder)
        var found: [String] = []
        for name in FileSystem.entries(of: dir, limit: 10_000) where name.hasPrefix(prefix) {
            if name.hasPrefix(".") && !prefix.hasPrefix(".") { continue }
            let path = dir.hasSuffix("/") ? dir + name : dir + "/" + name
            if FileSystem.isDirectory(path) {
                found.append(folder + name + "/")
            } else if suffix.map({ name.hasSuffix($0) }) ?? true {
                found.append(folder + name)
            }
        }
        return found.sorted()
    }

    // MARK: - The language

    /// What may come after `tokens` (the line before the word being typed).
    private func words(after tokens: [String], firstLine: Bool, entry: String, lineIndented: Bool) -> [String] {
        let last = tokens.last
        let fields = model.fields.map(\.name)
        let conditionStart = fields + model.defines.map(\.name) + ["not", "age"]
        // In a record literal: a field name, or a value after `field:`.
        if let brace = tokens.lastIndex(of: "{"), !tokens[brace...].contains("}") {
            if last == ":", tokens.count >= 2 { return values(of: tokens[tokens.count - 2]) }
            if last == "{" || last == "," { return fields.map { $0 + ": " } }
            return []
        }
        guard let last else {
            let marks = InputShape.markKeywords.map { $0 + ": " }
            if firstLine { return (InputShape.statementKeywords.sorted() + conditionStart + ["exit", "quit", "help"]).map { $0 + " " } + marks }
            if lineIndented { return blockWords(entry) }
            return (InputShape.statementKeywords.sorted() + conditionStart).map { $0 + " " } + marks
        }
        switch last {
        case "notify", "assign": return model.roles.map { $0 + " " }
        case "to" where tokens.dropLast().last == "escalate": return model.roles.map { $0 + " " }
        case "offer": return model.remedies.map { $0 + " " }
        // `in person` as `amends fmt` writes it (the model spells it `in_person`).
        case "by": return model.channels.map { ($0 == "in_person" ? "in person" : $0) + " " }
        case "with": return ApologyComponent.allCases.map { $0.rawValue + " " }
        case "waive": return ActionKindName.allCases.map { $0.rawValue + " " }
        case ":", ";": return entryIsRule(entry) ? Completer.actionWords.map { $0 + " " } : conditionStart.map { $0 + " " }
        case "when", "and", "or", "not", "(": return conditionStart.map { $0 + " " }
        case "=", "!=", "<", "<=", ">", ">=":
            return tokens.count >= 2 ? values(of: tokens[tokens.count - 2]).map { $0 + " " } : []
        case ",", "[":
            if let head = Completer.listHead(tokens) {
                switch head {
                case "notify": return model.roles.map { $0 + " " }
                case "offer": return model.remedies.map { $0 + " " }
                case "with": return ApologyComponent.allCases.map { $0.rawValue + " " }
                default: return values(of: head).map { $0 + " " }
                }
            }
            return []
        default:
            if model.fieldIndex(last) != nil { return Completer.operators.map { $0 + " " } }
            return []
        }
    }

    /// Words that begin a line inside a block: actions in a rule, types in a record.
    private func blockWords(_ entry: String) -> [String] {
        if entryIsRule(entry) { return Completer.actionWords.map { $0 + " " } }
        if InputShape.firstWord(entry) == "example" { return ["given {", "expect ", "expect at least ", "now "] }
        return []
    }

    private func entryIsRule(_ entry: String) -> Bool {
        ["when", "rule", "otherwise"].contains(InputShape.firstWord(entry))
    }

    /// The values a field (or the field of a list such as `x in [`) can take.
    private func values(of name: String) -> [String] {
        guard let f = model.fieldIndex(name) else { return [] }
        return values(of: model.fields[f].type)
    }

    private func values(of type: ValueType) -> [String] {
        switch type {
        case .scale(let s): return model.scales.indices.contains(s) ? model.scales[s].levels : []
        case .enumeration(let e): return model.enumerations.indices.contains(e) ? model.enumerations[e].values : []
        case .bool: return ["yes", "no"]
        case .list(let element): return values(of: element)
        default: return []
        }
    }

    /// In `notify a, b, ` or `severity in [low, `: the word that heads the
    /// list (`notify`, or the field before `in [`).
    static func listHead(_ tokens: [String]) -> String? {
        var i = tokens.count - 1
        while i >= 1 && tokens[i] == "," { i -= 2 }
        guard i >= 0 else { return nil }
        if tokens[i] == "[" {
            var j = i - 1
            if j >= 0 && tokens[j] == "in" { j -= 1 }
            if j >= 0 && tokens[j] == "not" { j -= 1 }
            return j >= 0 ? tokens[j] : nil
        }
        return tokens[i]
    }

    /// The words, strings and operators of a line (strings as `"`).
    static func tokens(_ line: String) -> [String] {
        var tokens: [String] = []
        let chars = Array(line)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c == " " || c == "\t" {
                i += 1
            } else if c == "#" {
                break
            } else if c == "\"" {
                i += 1
                while i < chars.count && chars[i] != "\"" { i += chars[i] == "\\" ? 2 : 1 }
                i += 1
                tokens.append("\"")
            } else if LineEditor.isWord(c) || c == "." {
                var j = i
                while j < chars.count && (LineEditor.isWord(chars[j]) || chars[j] == ".") { j += 1 }
                tokens.append(String(chars[i..<j]))
                i = j
            } else if i + 1 < chars.count && ["!=", "<=", ">="].contains(String(chars[i...(i + 1)])) {
                tokens.append(String(chars[i...(i + 1)]))
                i += 2
            } else {
                tokens.append(String(c))
                i += 1
            }
        }
        return tokens
    }
}

/// InputShape tells what a REPL entry is and whether it is finished: the same
/// rules for the line editor (does Enter submit or open a `...` line?) and
/// for plain line reading from a script.
///
/// - A line starting with `.` is a REPL command (one starting with `:`, as
///   other REPLs write them, is answered as one); `exit` and `quit` alone
///   leave, `help` and `?` ask for help, `clear` clears the screen.
/// - A line starting with a statement keyword (`when`, `rule`, `scale`, …)
///   or a mark (`serious:`, `our fault:`, `client fault:`) is a declaration
///   or a rule, added to the session policy.
/// - A line starting with `{` is an incident, read as a record.
/// - Anything else is a condition, evaluated against the last incident.
///
/// An entry goes on while a bracket is open, after a line ending in `,`,
/// `and`, `or` or `<` (as the language continues a logical line), and, once
/// a line ends with `:` (a block header), until a blank line.
enum InputShape {
    enum Kind: Equatable, Sendable {
        case empty, command, exit, help, clearScreen, declaration, incident, condition
    }

    /// What people type to leave a REPL, to ask for help, and to clear the
    /// screen (Python's, node's, ghci's, a shell's), answered as what they mean.
    static let exitWords: Set<String> = ["exit", "quit", "exit()", "quit()", ":q", ":quit", ":exit"]
    static let helpWords: Set<String> = ["help", ":help", ":h", "?", ":?", "help()"]
    static let clearWords: Set<String> = ["clear", "cls", ":clear"]

    /// Words that start a statement of the language.
    static let statementKeywords: Set<String> = [
        "when", "rule", "otherwise", "scale", "record", "define", "roles", "remedies", "channels", "use",
        "calendar", "policy", "deadlines", "example",
    ]

    /// The marks (`serious:`, `our fault:`, `client fault:`), as typed at
    /// the start of an entry: their first words alone are not keywords, so
    /// that a condition on a field named `client.tier` stays a condition.
    static let markKeywords = ["serious", "our fault", "client fault"]

    /// Whether a text starts with a mark: its words, then `:`.
    static func startsWithMark<S: StringProtocol>(_ text: S) -> Bool {
        markKeywords.contains { keyword in
            guard text.hasPrefix(keyword) else { return false }
            return text.dropFirst(keyword.count).drop { $0 == " " || $0 == "\t" }.first == ":"
        }
    }

    static func kind(of text: String) -> Kind {
        let trimmed = text.trimmingWhitespace
        if trimmed.isEmpty { return .empty }
        if trimmed.hasPrefix("#") && !trimmed.contains("\n") { return .empty }
        if exitWords.contains(String(trimmed)) { return .exit }
        if clearWords.contains(String(trimmed)) { return .clearScreen }
        // `help`, or `help TOPIC` (one more word).
        let words = trimmed.split(separator: " ", omittingEmptySubsequences: true)
        if let first = words.first, helpWords.contains(String(first)), words.count <= 2, !trimmed.contains("\n"),
           words.count == 1 || words[1].allSatisfy({ $0.isLetter || $0 == "." }) {
            return .help
        }
        if trimmed.hasPrefix(".") || trimmed.hasPrefix(":") { return .command }
        if trimmed.hasPrefix("{") { return .incident }
        if statementKeywords.contains(firstWord(trimmed)) || startsWithMark(trimmed) { return .declaration }
        return .condition
    }

    /// The leading run of letters, digits and `_` of a text.
    static func firstWord<S: StringProtocol>(_ text: S) -> String {
        String(text.prefix { $0.isLetter || $0.isNumber || $0 == "_" })
    }

    /// Whether `text` needs another line before it can be run.
    static func needsMore(_ text: String) -> Bool {
        let kind = kind(of: text)
        if [.empty, .command, .exit, .help, .clearScreen].contains(kind) { return false }
        let scan = Scan(text)
        if scan.depth > 0 { return true }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let lastBlank = lines.last.map { $0.trimmingWhitespace.isEmpty } ?? true
        if lastBlank { return false }
        if scan.opensBlock { return true }
        let last = scan.lastLineEnd
        return last.hasSuffix(",") || last.hasSuffix("<") || last.hasSuffix(" and") || last.hasSuffix(" or")
            || last == "and" || last == "or"
    }

    /// Brackets, block headers and line ends of a text, outside strings and
    /// comments.
    struct Scan {
        /// Open brackets at the end.
        var depth = 0
        /// Some line, outside brackets, ends with `:`.
        var opensBlock = false
        /// The code of the last non-blank line, comments and trailing spaces removed.
        var lastLineEnd = ""

        init(_ text: String) {
            var line = ""
            var inString = false
            var escaped = false
            var inComment = false
            func endLine(_ scan: inout Scan) {
                let code = line.trimmingWhitespace
                if !code.isEmpty {
                    scan.lastLineEnd = String(code)
                    if scan.depth == 0 && code.hasSuffix(":") { scan.opensBlock = true }
                }
                line = ""
            }
            for c in text {
                if c == "\n" || c == "\r\n" || c == "\r" {
                    endLine(&self)
                    inString = false
                    inComment = false
                    continue
                }
                if inComment { continue }
                if inString {
                    line.append(c)
                    if escaped { escaped = false } else if c == "\\" { escaped = true } else if c == "\"" { inString = false }
                    continue
                }
                switch c {
                case "#": inComment = true; continue
                case "\"": inString = true
                case "(", "[", "{": depth += 1
                case ")", "]", "}": depth = max(0, depth - 1)
                default: break
                }
                line.append(c)
            }
            endLine(&self)
        }
    }

    /// The first `:` outside strings, brackets and comments that is not part
    /// of a time of day (`09:00`): conditions have none, rules and records do.
    static func topLevelColon(_ text: String) -> String.Index? {
        var depth = 0
        var inString = false
        var escaped = false
        var inComment = false
        var previous: Character = " "
        var i = text.startIndex
        while i < text.endIndex {
            let c = text[i]
            defer { previous = c; i = text.index(after: i) }
            if c == "\n" { inComment = false; inString = false; continue }
            if inComment { continue }
            if inString {
                if escaped { escaped = false } else if c == "\\" { escaped = true } else if c == "\"" { inString = false }
                continue
            }
            switch c {
            case "#": inComment = true
            case "\"": inString = true
            case "(", "[", "{": depth += 1
            case ")", "]", "}": depth = max(0, depth - 1)
            case ":" where depth == 0 && !previous.isNumber: return i
            default: break
            }
        }
        return nil
    }

    /// The entry as it is run: trailing blank lines and spaces removed.
    static func normalized(_ text: String) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> Substring in
            var l = line
            while let c = l.last, c == " " || c == "\t" || c == "\r" { l = l.dropLast() }
            return l
        }
        while let last = lines.last, last.isEmpty { lines.removeLast() }
        while let first = lines.first, first.trimmingWhitespace.isEmpty { lines.removeFirst() }
        return lines.joined(separator: "\n")
    }

    /// The text on one line with the same UTF-8 length: line ends and
    /// comments become spaces, so offsets into it are offsets into `text`.
    static func oneLine(_ text: String) -> String {
        var bytes = Array(text.utf8)
        var inString = false
        var escaped = false
        var inComment = false
        for i in bytes.indices {
            let b = bytes[i]
            if b == 0x0A || b == 0x0D {
                bytes[i] = 0x20
                inString = false
                inComment = false
                continue
            }
            if inComment { bytes[i] = 0x20; continue }
            if inString {
                if escaped { escaped = false } else if b == UInt8(ascii: "\\") { escaped = true } else if b == UInt8(ascii: "\"") { inString = false }
                continue
            }
            if b == UInt8(ascii: "\"") { inString = true }
            if b == UInt8(ascii: "#") { inComment = true; bytes[i] = 0x20 }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces, tabs and line ends.
    var trimmingWhitespace: SubSequence {
        var s = self[...]
        while let c = s.first, c == " " || c == "\t" || c == "\n" || c == "\r" || c == "\r\n" { s = s.dropFirst() }
        while let c = s.last, c == " " || c == "\t" || c == "\n" || c == "\r" || c == "\r\n" { s = s.dropLast() }
        return s
    }
}

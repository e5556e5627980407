// A seeded generator of random but valid policy texts, for property tests:
// every declaration, rule and example form, in untidy layouts (odd spacing,
// one-line and block rules, continuation lines, brackets across lines,
// comments everywhere a comment may stand, blank lines, CRLF, a BOM, tabs).
// The same seed always gives the same text.

struct PolicyGenerator {
    var random: SeededRandom
    var out = ""
    /// The indentation of the current block ("" at the top level).
    var blockIndent = ""
    /// One block level, as this file indents it.
    let unit: String
    let newline: String
    var comments = 0

    init(seed: UInt64) {
        random = SeededRandom(seed: seed)
        var r = random
        let tabs = Int.random(in: 0..<10, using: &r) == 0
        unit = tabs ? "\t" : String(repeating: " ", count: Int.random(in: 1...4, using: &r))
        newline = Int.random(in: 0..<6, using: &r) == 0 ? "\r\n" : "\n"
        random = r
    }

    /// A whole policy text.
    static func policy(seed: UInt64) -> String {
        var g = PolicyGenerator(seed: seed)
        return g.policy()
    }

    mutating func policy() -> String {
        if chance(1, 10) { out += "\u{FEFF}" }
        if chance(1, 2) { ownLineComments() }
        if chance(1, 2) { statementStart(); out += "policy " + string(); endLine() }
        for _ in 0..<int(1...9) {
            statementStart()
            switch int(0...12) {
            case 0: scale()
            case 1: record()
            case 2: deadlines()
            case 3, 4: names()
            case 5: define()
            case 6: use()
            case 7: calendar()
            case 8, 9, 10: rule()
            default: example()
            }
        }
        if chance(1, 3) { ownLineComments() }
        return out
    }

    // MARK: - Random choices

    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &random) }
    mutating func chance(_ n: Int, _ d: Int) -> Bool { int(1...d) <= n }
    mutating func pick<T>(_ options: [T]) -> T { options[int(0...(options.count - 1))] }

    // MARK: - Layout

    /// Blank lines and own-line comments between statements.
    mutating func statementStart() {
        for _ in 0..<pick([0, 0, 1, 1, 2]) { out += (chance(1, 4) ? " " : "") + newline }
        if chance(1, 4) { ownLineComments() }
    }

    mutating func ownLineComments() {
        for _ in 0..<int(1...2) {
            out += String(repeating: " ", count: pick([0, 0, 1, 2, 4])) + comment() + newline
            if chance(1, 4) { out += newline }
        }
    }

    mutating func comment() -> String {
        comments += 1
        return pick(["#", "# ", "#  "]) + pick(["note", "why: clients expect it", "TODO check", "x < y, z", "# double", "ünïcode ✓", ""])
            + "\(comments)" + (chance(1, 8) ? "  " : "")
    }

    /// A space, sometimes two.
    mutating func sp() { out += chance(1, 6) ? "  " : " " }
    /// An optional space (around punctuation).
    mutating func osp() { if chance(1, 3) { out += " " } }

    /// Ends a logical line, perhaps with a trailing comment.
    mutating func endLine() {
        if chance(1, 5) { out += pick([" ", "  ", "    "]) + comment() }
        out += newline
    }

    /// After a token that joins lines (`,` `<` `and` `or`, or inside
    /// brackets): sometimes go on on a deeper line, with comments between.
    mutating func maybeBreak() {
        guard chance(1, 5) else {
            sp()
            return
        }
        if chance(1, 3) { out += "  " + comment() }
        out += newline
        if chance(1, 5) { out += newline }
        if chance(1, 4) { out += blockIndent + unit + comment() + newline }
        out += blockIndent + unit + String(repeating: chance(1, 2) ? unit : " ", count: int(0...2)) + (unit == "\t" ? "" : " ")
    }

    /// Just inside a bracket (after the opener, before the closer): any line
    /// break is allowed there; a closer may even start a shallower line.
    mutating func maybeBracketBreak(closing: Bool) {
        guard chance(1, 8) else {
            osp()
            return
        }
        if chance(1, 3) { out += " " + comment() }
        out += newline
        if chance(1, 4) { out += blockIndent + unit + comment() + newline }
        out += closing && chance(1, 2) ? blockIndent : blockIndent + unit + unit
    }

    /// Items separated by commas, each written by `body`.
    mutating func commaList(_ count: Int, _ body: (inout PolicyGenerator, Int) -> Void) {
        for k in 0..<count {
            if k > 0 {
                osp()
                out += ","
                maybeBreak()
            }
            body(&self, k)
        }
    }

    mutating func enterBlock() -> String {
        let saved = blockIndent
        blockIndent += unit
        return saved
    }

    mutating func blockLine() {
        for _ in 0..<pick([0, 0, 0, 1]) { out += newline }
        if chance(1, 6) { out += blockIndent + comment() + newline }
        out += blockIndent
    }

    // MARK: - Words

    mutating func name() -> String {
        pick(["severity", "tier", "amount", "category", "caused_by", "repeat", "customer.name", "reported", "a", "b_2", "ünï"])
    }

    mutating func string() -> String {
        "\"" + pick(["x", "Standard client recovery", "1 - Critical", "with \\\"quotes\\\"", "tab\\tnew\\nline", "back\\\\slash", "é ✓", "", "\\u{1F600}"]) + "\""
    }

    mutating func duration() -> String {
        let n = pick(["1", "2", "3", "10", "03", "1000000"])
        let unit = pick(["minute", "minutes", "hour", "hours", "day", "days", "week", "weeks", "business hour", "business days"])
        return n + (chance(1, 5) ? "  " : " ") + unit
    }

    mutating func number() -> String {
        pick(["0", "1", "5000", "1.50", "0.5", "12.0", "007"])
    }

    mutating func timestamp() -> String {
        pick(["2026-03-02T09:00:00Z", "2026-12-25", "2026-03-02T09:00:00+01:00", "2026-03-02T09:00:00.5Z", "2026-03-02T09:00"])
    }

    // MARK: - Values and conditions

    mutating func value(depth: Int = 0) {
        switch int(0...(depth < 2 ? 11 : 9)) {
        case 0, 1: out += name()
        case 2: out += number()
        case 3: out += "-" + (chance(1, 3) ? " " : "") + number()
        case 4: out += string()
        case 5: out += pick(["yes", "no", "true", "false", "null"])
        case 6: out += duration()
        case 7: out += timestamp()
        case 8, 9: out += pick(["high", "us", "premium"])
        default: list(depth: depth + 1)
        }
    }

    mutating func list(depth: Int) {
        out += "["
        maybeBracketBreak(closing: false)
        let n = int(0...4)
        commaList(n) { g, _ in g.value(depth: depth) }
        if n > 0 && chance(1, 6) { out += "," }
        maybeBracketBreak(closing: true)
        out += "]"
    }

    mutating func condition(depth: Int = 0) {
        let choice = depth >= 3 ? int(0...5) : int(0...9)
        switch choice {
        case 0, 1:
            out += pick(["age", name()])
            sp(); out += pick(["=", "!=", "<", "<=", ">", ">="]); sp()
            value()
        case 2:
            out += name(); sp(); out += pick(["in", "not in", "not  in"]); sp()
            list(depth: 1)
        case 3:
            out += name(); sp(); out += pick(["contains", "starts with", "ends with"]); sp(); out += string()
        case 4 where chance(1, 3):
            out += name(); sp()
            out += pick(["on sat, sun", "on mon-fri", "on Monday", "at 18:00-08:00", "at 09:00-12:30,  13:30-17:30",
                         "is inside opening hours", "is outside  opening hours"])
        case 4:
            out += name(); sp(); out += pick(["is missing", "is present", "is not missing", "is not present"])
        case 5:
            out += pick(["valued", "our_fault", "big"])
        case 6:
            out += "not"; sp()
            condition(depth: depth + 1)
        case 7:
            out += "("
            maybeBracketBreak(closing: false)
            condition(depth: depth + 1)
            maybeBracketBreak(closing: true)
            out += ")"
        default:
            condition(depth: depth + 1)
            sp(); out += pick(["and", "or"])
            maybeBreak()
            condition(depth: depth + 1)
        }
    }
}

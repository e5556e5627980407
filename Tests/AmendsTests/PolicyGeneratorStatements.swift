// The statements the policy generator writes: declarations, rules and
// examples, each in a random but valid layout (see PolicyGenerator.swift).
extension PolicyGenerator {
    // MARK: - Statements

    mutating func scale() {
        out += "scale "
        out += name()
        osp(); out += ":"; sp()
        for k in 0..<int(1...5) {
            if k > 0 {
                osp(); out += "<"
                maybeBreak()
            }
            out += pick(["low", "medium", "high", "critical", "p1"])
            if chance(1, 4) {
                sp(); out += "("
                commaList(int(1...3)) { g, _ in g.out += g.string() }
                out += ")"
            }
        }
        endLine()
    }

    mutating func type(depth: Int = 0) {
        switch int(0...(depth < 1 ? 8 : 6)) {
        case 0: out += "text"
        case 1: out += "number"
        case 2: out += "yes/no"
        case 3: out += "time"
        case 4: out += "duration"
        case 5: out += pick(["severity", "tier"])
        case 6:
            out += "one of "
            commaList(int(1...4)) { g, _ in
                g.out += g.pick(["us", "vendor", "customer", "p1"])
                if g.chance(1, 5) { g.out += " (" + g.string() + ")" }
            }
        default:
            out += "list of "
            type(depth: depth + 1)
        }
    }

    mutating func record() {
        out += "record incident"
        osp(); out += ":"
        endLine()
        let saved = enterBlock()
        for _ in 0..<int(1...6) {
            blockLine()
            if chance(1, 6) {
                out += "missing "
                commaList(int(1...3)) { g, _ in g.out += g.string() }
            } else {
                out += name()
                osp(); out += ":"; sp()
                type()
                var attributes = ["?", "from " + string(), "format " + string()].filter { _ in chance(1, 3) }
                attributes.shuffle(using: &random)
                for attribute in attributes { out += attribute == "?" ? "?" : " " + attribute }
                if chance(1, 3) {
                    sp(); out += "="; sp()
                    value()
                }
            }
            endLine()
        }
        blockIndent = saved
    }

    mutating func deadlines() {
        out += "deadlines from " + name()
        endLine()
    }

    mutating func names() {
        let kind = pick(["roles", "remedies", "channels"])
        let words = kind == "channels" ? ["phone", "email", "in person", "in_person", "sms"]
            : kind == "roles" ? ["supervisor", "account_manager", "owner"] : ["refund", "credit", "redo"]
        out += kind
        osp(); out += ":"
        if chance(1, 3) {
            endLine()
            let saved = enterBlock()
            for _ in 0..<int(1...3) {
                blockLine()
                commaList(int(1...3)) { g, _ in g.out += g.pick(words) }
                endLine()
            }
            blockIndent = saved
            return
        }
        sp()
        commaList(int(1...6)) { g, _ in g.out += g.pick(words) }
        endLine()
    }

    mutating func define() {
        out += "define " + pick(["valued", "our_fault", "big"])
        osp(); out += ":"; sp()
        condition()
        endLine()
    }

    mutating func use() {
        out += "use " + pick(["\"common.policy\"", "\"shared/x.policy\""])
        endLine()
    }

    mutating func calendar() {
        out += "calendar:"
        endLine()
        let saved = enterBlock()
        for _ in 0..<int(1...4) {
            blockLine()
            switch int(0...2) {
            case 0:
                out += "open "
                commaList(int(1...2)) { g, _ in
                    g.out += g.pick(["mon", "Mon", "tuesday"])
                    if g.chance(1, 2) { g.out += "-" + g.pick(["fri", "FRI", "sat"]) }
                }
                sp()
                commaList(int(1...2)) { g, _ in g.out += g.pick(["9:00", "09:00", "13:30"]) + "-" + g.pick(["17:30", "24:00"]) }
            case 1:
                out += "time zone " + pick(["Europe/London", "\"America/New_York\"", "UTC", "\"Etc/GMT+5\"", "America/Port-au-Prince"])
            default:
                out += "closed "
                commaList(int(1...3)) { g, _ in
                    g.out += g.pick(["2026-12-25", "2027-01-01"])
                    if g.chance(1, 3) { g.out += " to 2027-01-02" }
                }
            }
            endLine()
        }
        blockIndent = saved
    }

    mutating func action(inExpectation: Bool = false) {
        switch int(0...(inExpectation ? 8 : 9)) {
        case 0:
            out += "notify "
            commaList(int(1...3)) { g, _ in g.out += g.pick(["supervisor", "owner", "account_manager"]) }
            if chance(1, 3) { out += " within " + duration() }
        case 1:
            out += "escalate to owner"
            if chance(1, 2) { out += " within " + duration() }
        case 2: out += "assign " + pick(["owner", "supervisor"])
        case 3:
            var parts = ["within " + duration()]
            if chance(1, 2) { parts.append("by " + pick(["phone", "email", "in person", "in_person"])) }
            parts.shuffle(using: &random)
            out += "respond " + parts.joined(separator: " ")
        case 4:
            out += inExpectation && chance(1, 2) ? "apology" : "require apology"
            if chance(2, 3) {
                out += " with "
                commaList(int(1...4)) { g, _ in g.out += g.pick(["repair", "responsibility", "prevention", "regret"]) }
            }
            var parts: [String] = []
            if chance(1, 2) { parts.append("within " + duration()) }
            if chance(1, 2) { parts.append("by " + pick(["phone", "in person"])) }
            parts.shuffle(using: &random)
            if !parts.isEmpty { out += " " + parts.joined(separator: " ") }
        case 5:
            out += "offer "
            commaList(int(1...3)) { g, _ in g.out += g.pick(["refund", "credit", "redo"]) }
        case 6:
            out += "follow up in " + duration()
            if chance(1, 3) { out += " by email" }
        case 7: out += "review cause within " + duration()
        case 8:
            out += "task " + string()
            if chance(1, 2) { out += " within " + duration() }
        default: out += "waive " + pick(["apology", "follow up", "notify", "task"])
        }
    }

    mutating func rule() {
        if chance(1, 3) { out += "rule " + string() + " " }
        if chance(1, 5) {
            out += "otherwise"
        } else {
            out += "when "
            condition()
        }
        osp(); out += ":"
        let count = int(1...5)
        if chance(1, 2) {
            sp()
            for k in 0..<count {
                if k > 0 { osp(); out += ";"; sp() }
                action()
            }
            if chance(1, 6) { out += ";" }
            endLine()
            return
        }
        endLine()
        let saved = enterBlock()
        var k = 0
        while k < count {
            blockLine()
            let onLine = min(count - k, chance(1, 4) ? 2 : 1)
            for j in 0..<onLine {
                if j > 0 { out += "; " }
                action()
            }
            k += onLine
            endLine()
        }
        blockIndent = saved
    }

    mutating func example() {
        out += "example " + string()
        osp(); out += ":"
        endLine()
        let saved = enterBlock()
        var lines = ["given", "expect"]
        if chance(1, 2) { lines.append("now") }
        for _ in 0..<int(0...3) { lines.append("expect") }
        lines.shuffle(using: &random)
        for line in lines {
            blockLine()
            switch line {
            case "given":
                out += "given {"
                maybeBracketBreak(closing: false)
                let n = int(0...5)
                commaList(n) { g, _ in
                    g.out += g.pick(["severity", "tier", "\"odd key\"", "customer.name", "\"and\""])
                    g.osp(); g.out += ":"; g.sp()
                    g.value()
                }
                if n > 0 && chance(1, 5) { out += "," }
                maybeBracketBreak(closing: true)
                out += "}"
            case "now":
                out += "now " + pick(["2026-03-05T09:00:00Z", "2026-03-05"])
            default:
                out += "expect "
                if chance(1, 4) { out += "at least " }
                if chance(1, 8) { out += "nothing" } else { action(inExpectation: true) }
            }
            endLine()
        }
        blockIndent = saved
    }
}

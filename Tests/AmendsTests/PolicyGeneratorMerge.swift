// A seeded generator of policies that check without errors and of JSON
// Lines records for them, for the differential tests of what a policy
// requires (ReferenceResultTests): every action kind, waives, several rules
// per result with and without deadlines and channels, durations that tie
// (`1 day`, `24 hours`), business time with a calendar, defines, named
// rules, `otherwise` and `use`. The same seed always gives the same policy
// and records.
@testable import Amends

struct MergePolicyGenerator {
    var random: SeededRandom
    var out = ""
    /// What the policy declares, for the records and the rules.
    var roles: [String] = []
    var remedies: [String] = []
    var channels: [String] = []
    var hasClock = false
    var hasCalendar = false
    var hasNamedCalendar = false
    var defines: [String] = []
    var ruleNames = 0

    init(seed: UInt64) {
        random = SeededRandom(seed: seed)
    }

    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &random) }
    mutating func chance(_ n: Int, _ d: Int) -> Bool { int(1...d) <= n }
    mutating func pick<T>(_ options: [T]) -> T { options[int(0...(options.count - 1))] }

    /// Some of `items`, at least one, in a random order.
    mutating func some(_ items: [String]) -> [String] {
        var chosen = items.filter { _ in chance(1, 2) }
        if chosen.isEmpty { chosen = [pick(items)] }
        chosen.shuffle(using: &random)
        return chosen
    }

    // MARK: - The policy

    /// A policy that checks without errors.
    mutating func policy() -> String {
        if chance(1, 2) { out += "policy \"generated\"\n" }
        out += "scale severity: low < medium < high < critical\n"
        out += """
        record incident:
          id: text?
          severity: severity?
          amount: number?
          category: one of billing, delivery, outage = billing
          vip: yes/no?
          note: text?
          tags: list of text?
          reported: time?

        """
        hasClock = chance(3, 4)
        if hasClock { out += "deadlines from reported\n" }
        // Declaration order decides the order of notify, escalate and offer.
        roles = some(["supervisor", "owner", "account_manager", "billing_lead"])
        out += "roles: " + roles.joined(separator: ", ") + "\n"
        remedies = some(["refund", "credit", "redo", "discount"])
        out += "remedies: " + remedies.joined(separator: ", ") + "\n"
        if chance(1, 2) {
            channels = some(["phone", "email", "sms", "in person"])
            out += "channels: " + channels.joined(separator: ", ") + "\n"
        } else {
            channels = ["phone", "email", "chat", pick(["in person", "in_person"])]
        }
        hasCalendar = chance(2, 3)
        if hasCalendar { calendar() }
        // Sometimes a second, named calendar (another zone, a season) that
        // some rules count in.
        hasNamedCalendar = hasCalendar && chance(1, 2)
        if hasNamedCalendar {
            out += "calendar other:\n  open " + pick(["mon-fri 08:00-16:00", "tue-sat 10:00-18:00", "mon-fri 09:00-12:30, 13:30-17:30"]) + "\n"
            if chance(1, 2) { out += "  open " + pick(["sat 10:00-14:00", "sun 09:00-11:00", "mon-fri 07:00-09:00"]) + " from 2026-03-05 to 2026-03-12\n" }
            out += "  time zone " + pick(["America/New_York", "Europe/London", "+05:30", "UTC"]) + "\n"
            if chance(1, 2) { out += "  closed 2026-03-10\n" }
        }
        for name in ["big", "urgent"] where chance(1, 2) {
            out += "define \(name): " + condition(depth: 1) + "\n"
            defines.append(name)
        }
        // Sometimes some rules are in a file the policy `use`s: they come at
        // the place of the `use`, cited with their own file.
        let count = int(1...7)
        let useAt = chance(1, 4) ? int(0...count) : -1
        for k in 0...count {
            if k == useAt {
                out += "use \"common.policy\"\n"
                let main = out
                out = ""
                for _ in 0..<int(1...3) { rule(otherwise: chance(1, 8)) }
                used = out
                out = main
            }
            if k < count { rule(otherwise: chance(1, 6)) }
        }
        if chance(1, 3) { rule(otherwise: true) }
        return out
    }

    /// The file the policy `use`s (`common.policy`), if it does.
    var used: String?

    /// The policy and the file it uses, checked as `amends` would: in a
    /// folder that is not on disk, where only `common.policy` can be read.
    mutating func compile() -> Driver.Compiled {
        let text = policy()
        let common = used
        let folder = "/amends-generated-nowhere"
        let source = SourceText(path: folder + "/main.policy", text: text)
        return Driver.compile(Loader.load(source: source, directory: folder) { path in
            guard let common, path == folder + "/common.policy" else {
                return .failure(FileSystem.Failure(path: path, reason: "no such file or directory"))
            }
            return .success(Array(common.utf8))
        })
    }

    mutating func calendar() {
        out += "calendar:\n"
        if chance(1, 6) {
            out += "  open mon-sun 00:00-24:00\n"
        } else {
            out += "  open " + pick(["mon-fri 09:00-17:30", "mon-fri 09:00-12:30, 13:30-17:30", "mon-fri 08:00-20:00",
                                     "tue-thu 10:00-16:00"]) + "\n"
            if chance(1, 3) { out += "  open " + pick(["sat 10:00-14:00", "sun 12:00-13:00", "sat-sun 23:00-24:00"]) + "\n" }
        }
        if chance(2, 3) { out += "  time zone " + pick(["UTC", "+01:00", "-05:30", "+09:00", "America/New_York"]) + "\n" }
        if chance(1, 2) { out += "  closed " + pick(["2026-03-04", "2026-03-09 to 2026-03-11", "2026-03-03, 2026-03-06"]) + "\n" }
    }

    // MARK: - Conditions

    mutating func condition(depth: Int = 0) -> String {
        switch int(0...(depth < 2 ? 16 : 13)) {
        case 0: return "severity >= " + pick(["medium", "high", "critical"])
        case 1: return "severity in [" + some(["low", "medium", "high", "critical"]).joined(separator: ", ") + "]"
        case 2: return "amount " + pick([">", ">=", "<", "=", "!="]) + " " + pick(["0", "7", "7.2", "100", "5000"])
        case 3: return "amount " + pick(["in", "not in"]) + " [" + some(["0", "7", "7.2", "100", "-1"]).joined(separator: ", ") + "]"
        case 4: return "category " + pick(["=", "!="]) + " " + pick(["billing", "delivery", "outage"])
        case 5: return pick(["vip", "not vip", "vip = no"])
        case 6: return "note " + pick(["contains", "starts with", "ends with"]) + " " + pick(["\"refund\"", "\"a\"", "\"caf\u{e9}\""])
        case 7: return "tags contains " + pick(["\"vip\"", "\"late\""])
        case 8: return pick(["amount", "severity", "reported", "note"]) + " is " + pick(["missing", "present"])
        case 9 where hasClock: return "age " + pick([">", "<="]) + " " + pick(["2 days", "30 hours", "1 week"])
        case 9, 10: return defines.isEmpty || depth > 0 ? "category = outage" : pick(defines)
        case 11: return "id " + pick(["=", "!="]) + " \"R1\""
        case 12: return "reported " + pick(["on sat, sun", "on mon-fri", "on fri-mon", "on wed", "at 17:30-09:00",
                                            "at 09:00-12:30, 13:30-17:30", "at 00:00-08:00", "at 23:00-24:00"])
        case 13 where hasCalendar: return "reported is " + pick(["inside", "outside"]) + " opening hours"
        case 13, 14: return "not (" + condition(depth: depth + 1) + ")"
        default: return condition(depth: depth + 1) + pick([" and ", " or "]) + condition(depth: depth + 1)
        }
    }

    // MARK: - Rules and actions

    mutating func rule(otherwise: Bool) {
        if chance(1, 3) {
            ruleNames += 1
            out += "rule \"" + pick(["rule", "r\u{e8}gle", "with \\\"quotes\\\""]) + " \(ruleNames)\" "
        }
        out += otherwise ? "otherwise" : "when " + condition()
        if hasNamedCalendar && chance(1, 3) { out += " using calendar other" }
        out += ":"
        var actions: [String] = []
        for _ in 0..<int(1...5) { actions.append(action()) }
        if chance(1, 2) {
            out += " " + actions.joined(separator: "; ") + "\n"
        } else {
            out += "\n" + actions.map { "  " + $0 + "\n" }.joined()
        }
    }

    /// The durations this policy's rules use: a few, so that deadlines
    /// often tie.
    var durations: [String] = []

    /// A duration: calendar ones that tie (`1 day`, `24 hours`, `1440
    /// minutes`), and business time when the policy has a calendar.
    mutating func duration() -> String {
        if durations.isEmpty {
            var options = ["30 minutes", "1 hour", "60 minutes", "2 hours", "1 day", "24 hours", "1440 minutes", "3 days",
                           "1 week", "7 days"]
            if hasCalendar { options += ["1 business hour", "4 business hours", "8 business hours", "1 business day", "2 business days"] }
            durations = Array(some(options).prefix(chance(1, 2) ? 3 : 6))
        }
        return pick(durations)
    }

    mutating func within() -> String { "within " + duration() }

    mutating func channel() -> String { "by " + pick(channels) }

    mutating func action() -> String {
        switch int(0...12) {
        case 0, 1:
            var s = "notify " + some(roles).prefix(int(1...3)).joined(separator: ", ")
            if chance(1, 2) { s += " " + within() }
            return s
        case 2:
            return "escalate to " + pick(roles) + (chance(1, 2) ? " " + within() : "")
        case 3:
            return "assign " + pick(roles)
        case 4:
            var parts = [within()]
            if chance(1, 2) { parts.append(channel()) }
            parts.shuffle(using: &random)
            return "respond " + parts.joined(separator: " ")
        case 5, 6:
            var s = "require apology"
            if chance(3, 4) {
                s += " with " + some(["repair", "responsibility", "prevention", "explanation", "regret", "forgiveness"])
                    .prefix(int(1...3)).joined(separator: ", ")
            }
            var parts: [String] = []
            if chance(1, 2) { parts.append(within()) }
            if chance(1, 2) { parts.append(channel()) }
            parts.shuffle(using: &random)
            return parts.isEmpty ? s : s + " " + parts.joined(separator: " ")
        case 7:
            return "offer " + some(remedies).joined(separator: ", ")
        case 8:
            return "follow up in " + duration() + (chance(1, 2) ? " " + channel() : "")
        case 9:
            return "review cause " + within()
        case 10, 11:
            // Task texts that differ only in their Unicode scalars (é
            // precomposed and decomposed) are two tasks.
            let text = pick(["call back", "Call back", "caf\u{e9}", "cafe\u{301}", "\u{1F600} check"])
            return "task \"" + text + "\"" + (chance(1, 2) ? " " + within() : "")
        default:
            return "waive " + pick(["notify", "escalate", "assign", "respond", "apology", "offer", "follow up", "review", "task"])
        }
    }

    // MARK: - Records

    /// `count` JSON Lines records for the generated policy: each field
    /// missing (left out or `null`) now and then, else a value from a small
    /// set around the constants the conditions use.
    mutating func records(_ count: Int) -> String {
        var text = ""
        for i in 0..<count {
            var members: [String] = []
            func field(_ name: String, _ value: String) { members.append("\"\(name)\": \(value)") }
            if chance(4, 5) { field("id", "\"R\(i % 3)\"") }
            if chance(4, 5) { field("severity", "\"" + pick(["low", "medium", "high", "critical"]) + "\"") }
            if chance(3, 4) { field("amount", pick(["0", "7", "7.2", "100", "5000", "5001", "-1", "\"7\""])) }
            if chance(3, 4) { field("category", "\"" + pick(["billing", "delivery", "outage"]) + "\"") }
            if chance(3, 4) { field("vip", pick(["true", "false", "\"yes\""])) }
            if chance(2, 3) { field("note", "\"" + pick(["refund please", "a", "caf\u{e9}", "cafe\u{301}", "", "banana"]) + "\"") }
            if chance(2, 3) { field("tags", "[" + ["\"vip\"", "\"late\"", "\"x\""].filter { _ in chance(1, 2) }.joined(separator: ", ") + "]") }
            if chance(4, 5) {
                // Days of the week around a weekend and the closed dates,
                // times around opening and closing hours.
                let day = int(1...14)
                let hour = pick([0, 7, 8, 9, 12, 13, 16, 17, 19, 23])
                let minute = pick([0, 29, 30, 59])
                field("reported", "\"2026-03-\(day < 10 ? "0" : "")\(day)T\(hour < 10 ? "0" : "")\(hour):\(minute < 10 ? "0" : "")\(minute):00Z\"")
            } else if chance(1, 3) {
                // Deadlines past the year 9999 are written as its last second.
                field("reported", pick(["\"9999-12-30T12:00:00Z\"", "\"0001-01-01T00:00:00Z\""]))
            } else if chance(1, 2) {
                field("reported", "null")
            }
            members.shuffle(using: &random)
            text += "{" + members.joined(separator: ", ") + "}\n"
        }
        return text
    }
}

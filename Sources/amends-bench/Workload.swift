#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// The benchmark's inputs, made here so that the benchmark needs nothing but
// the package: incident records shaped like ../shared/bench/gen_incidents.py
// makes them, the 12-rule reference policy, the same rules repeated with other
// thresholds (120, 1,200 rules), and a 100,000-line policy for the front end.

/// A SplitMix64 generator: small, fast and the same on every machine.
struct SplitMix64 {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform number in [0, 1).
    mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// One of `items`, drawn with the given weights.
    mutating func pick<T>(_ items: [T], _ weights: [Int]) -> T {
        let total = weights.reduce(0, +)
        var x = Int(unit() * Double(total))
        for (item, w) in zip(items, weights) {
            if x < w { return item }
            x -= w
        }
        return items[items.count - 1]
    }

    /// A standard normal number (Box-Muller).
    mutating func gauss() -> Double {
        let u = max(unit(), 1e-300)
        let v = unit()
        return (-2 * log(u)).squareRoot() * cos(2 * Double.pi * v)
    }
}

enum Workload {
    /// `n` incident records as JSON Lines, as gen_incidents.py writes them:
    /// the same fields, value sets, weights and spacing (about 230 bytes a
    /// record), a small share exactly on the policy's thresholds.
    ///
    /// With `evidence`, each record also says when four actions were done
    /// (`supervisor_told`, `apologised_at`, `followed_up_at`,
    /// `on_call_told`: each present in about 60% of records, 0 to 4 days
    /// after the report), from a generator of its own, so that the rest of
    /// every record is the same as without.
    static func incidents(_ n: Int, seed: UInt64 = 20_251_123, evidence: Bool = false, write: ([UInt8]) -> Void) {
        var rng = SplitMix64(state: seed)
        var evidenceRng = SplitMix64(state: seed ^ 0x5EED)
        let epoch2025 = 1_735_689_600
        let year = 365 * 86_400
        var line: [UInt8] = []
        line.reserveCapacity(512)
        var chunk: [UInt8] = []
        chunk.reserveCapacity(1 << 20)
        for i in 0..<n {
            var amount = (exp(5.8 + 1.3 * rng.gauss()) * 100).rounded() / 100
            if rng.unit() < 0.005 { amount = 1000 }
            var years = (rng.unit() * 2000).rounded() / 100
            if rng.unit() < 0.005 { years = 5 }
            let id = String(i + 1)
            var text = "{\"id\": \"INC-2025-" + String(repeating: "0", count: max(0, 7 - id.count)) + id + "\""
            text += ", \"severity\": \"" + rng.pick(["low", "medium", "high", "critical"], [40, 30, 20, 10]) + "\""
            text += ", \"tier\": \"" + rng.pick(["basic", "premium", "enterprise"], [50, 35, 15]) + "\""
            text += ", \"category\": \"" + rng.pick(["billing", "delivery", "quality", "communication", "outage"], [25, 25, 20, 20, 10]) + "\""
            text += ", \"channel\": \"" + rng.pick(["email", "phone", "chat", "in_person"], [40, 25, 25, 10]) + "\""
            text += ", \"repeat\": " + String(rng.pick([0, 1, 2, 3, 4, 5], [50, 25, 12, 7, 4, 2]))
            text += ", \"caused_by\": \"" + rng.pick(["us", "vendor", "customer"], [45, 25, 30]) + "\""
            let reported = epoch2025 + Int(rng.unit() * Double(year))
            text += ", \"reported\": \"" + isoTime(reported) + "\""
            text += ", \"customer_since_years\": " + String(years)
            text += ", \"amount\": " + String(amount)
            if evidence {
                for field in evidenceFields where evidenceRng.unit() < 0.6 {
                    text += ", \"\(field)\": \"" + isoTime(reported + Int(evidenceRng.unit() * 4 * 86_400)) + "\""
                }
            }
            text += "}\n"
            chunk.append(contentsOf: text.utf8)
            if chunk.count >= 1 << 20 {
                write(chunk)
                chunk.removeAll(keepingCapacity: true)
            }
        }
        if !chunk.isEmpty { write(chunk) }
    }

    /// `2025-03-02T10:00:00Z`.
    static func isoTime(_ t: Int) -> String {
        let days = t / 86_400, secs = t % 86_400
        let z = days + 719_468
        let era = z / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(y)-\(two(m))-\(two(d))T\(two(secs / 3_600)):\(two(secs / 60 % 60)):\(two(secs % 60))Z"
    }

    /// The fields that show four of the reference policy's actions done.
    static let evidenceFields = ["supervisor_told", "apologised_at", "followed_up_at", "on_call_told"]

    /// The reference policy over records with evidence: the same rules and
    /// the evidence fields declared, with a `done:` block for four actions
    /// (tracked) or without one (the same run, untracked).
    static func evidencePolicy(tracked: Bool) -> String {
        var out = ""
        for line in header.split(separator: "\n", omittingEmptySubsequences: false) {
            out += line + "\n"
            if line == "  amount: number" { out += evidenceFields.map { "  \($0): time?\n" }.joined() }
        }
        if tracked {
            out += """
            done:
              notify supervisor: supervisor_told
              apology: apologised_at
              follow up: followed_up_at
              notify on_call: on_call_told

            """
        }
        return out + rules(copy: 0).joined(separator: "\n") + "\n"
    }

    // MARK: - Policies

    static let header = """
    policy "Benchmark reference: 12 rules"

    scale severity: low < medium < high < critical

    record incident:
      id: text
      severity: severity
      tier: one of basic, premium, enterprise
      category: one of billing, delivery, quality, communication, outage
      channel: one of email, phone, chat, in_person
      repeat: number
      caused_by: one of us, vendor, customer
      reported: time
      customer_since_years: number
      amount: number

    deadlines from reported
    roles: supervisor, executive, on_call, account_manager, billing_team, vendor_manager, legal
    remedies: refund, credit, replacement, discount

    """

    /// The 12 rules of ../shared/bench/reference.policy; copy `k` moves the
    /// numeric thresholds so that no two copies are the same rule.
    static func rules(copy k: Int) -> [String] {
        let amount = 1000 + 50 * k
        let repeats = 1 + k % 3
        let years = 5 + k % 7
        return [
            "when severity >= high: notify supervisor; require apology with responsibility, prevention; follow up in 3 days",
            "when severity = critical: notify executive, on_call; follow up in \(4 + k % 5) hours",
            "when tier = enterprise and severity >= medium: notify account_manager; follow up in 1 day",
            "when category = billing and amount > \(amount): notify billing_team; require apology with explanation; offer refund",
            "when repeat > \(repeats): notify supervisor; require apology with regret, prevention; follow up in 2 days",
            "when caused_by = us and severity >= medium: require apology with responsibility; offer credit",
            "when caused_by = vendor: notify vendor_manager; require apology with explanation",
            "when category in [delivery, quality] and tier in [premium, enterprise]: offer replacement; follow up in 2 days",
            "when category = outage and (severity >= high or tier = enterprise): notify on_call; require apology with explanation, prevention; follow up in 4 hours",
            "when amount > \(amount) and severity >= high and not (caused_by = customer): notify legal",
            "when customer_since_years >= \(years) and tier != basic: require apology with regret; offer discount; follow up in 7 days",
            "when channel = in_person or (channel = phone and severity >= high): require apology with regret, responsibility; follow up in 1 day",
        ]
    }

    /// The reference policy with its rules repeated to `count` rules.
    static func policy(rules count: Int) -> String {
        var out = header
        var k = 0
        var n = 0
        while n < count {
            for rule in rules(copy: k) where n < count {
                out += rule + "\n"
                n += 1
            }
            k += 1
        }
        return out
    }

    /// A policy of at least `lines` lines: the reference declarations and a
    /// calendar, then named block rules with every kind of condition and
    /// action, each after a comment and a blank line.
    static func largePolicy(lines: Int) -> String {
        var out = header + """
        channels: phone, email, chat, in_person
        define valued: tier = enterprise or amount > 5000
        calendar:
          open mon-fri 09:00-17:30
          time zone Europe/London
          closed 2026-12-25, 2026-12-26

        """
        var count = out.utf8.reduce(0) { $1 == 0x0A ? $0 + 1 : $0 }
        var k = 0
        while count < lines {
            let group = """

            # rule group \(k)
            rule "group \(k)" when (severity >= medium and amount > \(k % 5000)) or (valued and repeat >= \(k % 4)):
              notify supervisor within \(1 + k % 8) business hours
              require apology with repair, responsibility within \(1 + k % 3) days by phone
              offer refund, credit
              follow up in \(1 + k % 9) days
              task "check group \(k)" within 2 business days

            """
            out += group
            count += group.utf8.reduce(0) { $1 == 0x0A ? $0 + 1 : $0 }
            k += 1
        }
        return out
    }
}

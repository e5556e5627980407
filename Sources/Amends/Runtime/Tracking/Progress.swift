/// Progress: where a required action stands at `now`, from the record's
/// evidence (the `done:` block, Grammar.md §4) and its deadline (§8,
/// "Progress"). Tracking is its own stage: it reads the merged result (each
/// action's deadline), the record and `now`, and changes nothing a policy
/// requires.

/// A ProgressStatus is where one required action stands at `now`.
public enum ProgressStatus: String, Sendable, CaseIterable, Comparable {
    /// Not done, and its deadline has passed: `now` is after it.
    case overdue
    /// Not done, and its deadline (if any) has not passed.
    case open
    /// Done at or before its deadline.
    case onTime = "on_time"
    /// Done after its deadline.
    case late
    /// Done, with no deadline to compare it with: the action has none, or
    /// the evidence is a `yes/no` field, which says whether and not when.
    case done
    /// The policy has no `done:` line for this action.
    case notTracked = "not_tracked"

    /// The word in JSON, `on_time`; in `--status`, the same.
    public var jsonName: String { rawValue }

    /// Whether the action still needs doing.
    public var isPending: Bool { self == .overdue || self == .open }

    /// Position in a worklist: overdue first, then open, then the rest.
    public var rank: Int { Self.allCases.firstIndex(of: self) ?? 0 }

    public static func < (a: ProgressStatus, b: ProgressStatus) -> Bool { a.rank < b.rank }
}

/// A Progress is where one required action stands at `now`, and why.
public struct Progress: Sendable, Hashable {
    public var status: ProgressStatus
    /// When it was done (a `time` field's value), seconds since the epoch.
    public var doneAt: Int64?
    /// How far it is from its deadline, in seconds, never negative: to spare
    /// (on time), past it (late), left (open), past it at `now` (overdue).
    /// Nil with no deadline, or when done with no time.
    public var margin: Int64?
    /// The margin counts the calendar's open time (the deadline is in
    /// business time), not elapsed time.
    public var marginIsBusiness: Bool
    /// The record field the evidence is read from; nil when not tracked.
    public var field: String?
    /// What is odd about the evidence: done before the clock field, or
    /// after `now` (then not counted).
    public var notes: [String]

    public init(status: ProgressStatus, doneAt: Int64? = nil, margin: Int64? = nil, marginIsBusiness: Bool = false,
                field: String? = nil, notes: [String] = []) {
        self.status = status
        self.doneAt = doneAt
        self.margin = margin
        self.marginIsBusiness = marginIsBusiness
        self.field = field
        self.notes = notes
    }

    /// The margin in words: `2 business hours`, `3 days`, `45 minutes`.
    public var marginText: String? {
        margin.map { ProgressWords.duration($0, business: marginIsBusiness) }
    }

    /// The status with its margin, as a worklist says it: `overdue by 2
    /// business hours`, `due in 3 days`, `done 1 hour late`, `done on time
    /// (30 minutes to spare)`, `not tracked`.
    public var summary: String {
        let m = marginText
        switch status {
        case .overdue: return m.map { "overdue by \($0)" } ?? "overdue"
        case .open: return m.map { "due in \($0)" } ?? "open (no deadline)"
        case .onTime: return m.map { $0 == "0 minutes" ? "done on time (at the deadline)" : "done on time (\($0) to spare)" } ?? "done on time"
        case .late: return m.map { "done \($0) late" } ?? "done late"
        case .done: return "done"
        case .notTracked: return "not tracked"
        }
    }
}

/// DoneWithoutRequirement is evidence that an action was done which the
/// policy did not require of the record: reported, not ignored.
public struct DoneWithoutRequirement: Sendable, Hashable {
    /// The action as the `done:` line writes it (`review cause`).
    public var action: String
    public var kind: ActionKindName
    public var role: String?
    public var text: String?
    /// The field, and when (nil for a `yes/no` field).
    public var field: String
    public var doneAt: Int64?
}

/// Words for margins.
package enum ProgressWords {
    /// `2 business hours 30 minutes`, `3 days 2 hours`, `0 minutes`. A
    /// business margin is open time, in hours and minutes (a business day
    /// has no fixed length); a calendar one in days, hours and minutes.
    /// Seconds are shown only when the margin is under a minute.
    package static func duration(_ seconds: Int64, business: Bool) -> String {
        let s = max(0, seconds)
        if s < 60 { return s == 0 ? "0 minutes" : "\(s) second\(s == 1 ? "" : "s")" }
        var parts: [String] = []
        if business {
            let h = s / 3_600, m = s % 3_600 / 60
            if h > 0 { parts.append("\(h) business hour\(h == 1 ? "" : "s")") }
            if m > 0 { parts.append(h > 0 ? "\(m) minute\(m == 1 ? "" : "s")" : "\(m) business minute\(m == 1 ? "" : "s")") }
        } else {
            let d = s / 86_400, h = s % 86_400 / 3_600, m = s % 3_600 / 60
            if d > 0 { parts.append("\(d) day\(d == 1 ? "" : "s")") }
            if h > 0 { parts.append("\(h) hour\(h == 1 ? "" : "s")") }
            if m > 0 && d == 0 { parts.append("\(m) minute\(m == 1 ? "" : "s")") }
        }
        return parts.joined(separator: " ")
    }

    /// A business margin in ISO 8601 hours (`PT30H`): open time, never days.
    package static func isoHours(_ seconds: Int64) -> String {
        let s = max(0, seconds)
        let h = s / 3_600, m = s % 3_600 / 60, r = s % 60
        var text = "PT"
        if h > 0 { text += "\(h)H" }
        if m > 0 { text += "\(m)M" }
        if r > 0 || (h == 0 && m == 0) { text += "\(r)S" }
        return text
    }
}

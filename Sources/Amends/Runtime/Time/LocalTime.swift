/// LocalTime writes an instant for people, in the time zone a policy's
/// calendar names (Grammar.md §11, `--format text`):
///
///     Thu 2026-03-05 09:00 Europe/London (2026-03-05T09:00:00Z)
///
/// the weekday, date and clock in that zone (seconds only when not 0), the
/// zone's name, then the exact UTC instant as the JSON output writes it. A
/// policy with no calendar zone (or `time zone UTC`) reads in UTC, and gets
/// the UTC instant alone: `2026-03-05T09:00:00Z`.
package enum LocalTime {
    package static func text(_ instant: Int64, in lookup: ZoneLookup) -> String {
        let utc = ISOTime.string(utc: instant)
        guard let zone = lookup.zone, zone.identifier != "UTC" else { return utc }
        // The same instant the UTC text shows (clamped to years 0-9999).
        let t = min(max(instant, ISOTime.earliest), ISOTime.latest)
        let local = t + Int64(zone.offset(atUTC: t))
        let day = BusinessCalendar.floorDiv(local, 86_400)
        let seconds = Int(local - day * 86_400)
        let rest = seconds % 60
        let clock = BusinessCalendar.ClockRange.clock(seconds / 60) + (rest == 0 ? "" : (rest < 10 ? ":0" : ":") + "\(rest)")
        return "\(BusinessCalendar.dateText(Int(day))) \(clock) \(zone.identifier) (\(utc))"
    }
}

/// LocalClock reads the wall clock of an instant in a zone, for clock
/// conditions (Grammar.md §5): the local weekday and minute of the day
/// that a clock in that zone shows at that instant.
package enum LocalClock {
    /// The weekday (0 Monday … 6 Sunday) and the minute of the day
    /// (0..<1440) of a time field's value, whole seconds since 1970 UTC.
    @inline(__always)
    package static func read(_ seconds: Double, zone: ZoneInfo?) -> (weekday: Int, minute: Int) {
        let t = BusinessCalendar.clamp(ReferenceInterpreter.whole(seconds))
        let local = t + Int64(zone?.offset(atUTC: t) ?? 0)
        let day = BusinessCalendar.floorDiv(local, 86_400)
        return (BusinessCalendar.weekdayIndex(Int(day)), Int((local - day * 86_400) / 60))
    }
}

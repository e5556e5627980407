/// The time zone a policy reads times without an offset in: the calendar's
/// zone when it declares one, else UTC.
package struct ZoneLookup: Sendable {
    package let zone: ZoneInfo?

    package static let utc = ZoneLookup(zone: nil)

    package var identifier: String { zone?.identifier ?? "UTC" }

    /// The zone for an identifier such as `Europe/London`, or a message.
    package static func load(_ identifier: String) -> Result<ZoneLookup, TextError> {
        switch ZoneInfo.load(identifier) {
        case .success(let zone): return .success(ZoneLookup(zone: zone))
        case .failure(let error): return .failure(TextError("\(error)"))
        }
    }

    /// Help for a zone that did not load.
    package static func suggestion(for identifier: String) -> String {
        let common = ["UTC", "Europe/London", "Europe/Dublin", "Europe/Paris", "Europe/Berlin", "Europe/Madrid",
                      "Europe/Amsterdam", "America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles",
                      "America/Toronto", "America/Sao_Paulo", "Asia/Tokyo", "Asia/Singapore", "Asia/Kolkata",
                      "Australia/Sydney", "Pacific/Auckland", "Africa/Johannesburg"]
        return Suggest.didYouMean(identifier, in: common) ?? "use an IANA name such as `Europe/London` or `America/New_York`"
    }

    /// UTC seconds of naive local seconds (wall clock in this zone).
    @inlinable
    package func utc(fromLocal local: Int64) -> Int64 {
        zone?.utc(fromLocal: local) ?? local
    }

    /// Seconds east of UTC at an instant.
    @inlinable
    package func offset(atUTC t: Int64) -> Int {
        zone?.offset(atUTC: t) ?? 0
    }

    /// A policy timestamp as UTC seconds: its own offset if written, else
    /// read in this zone.
    package func epochSeconds(_ t: TimestampLiteral) -> Int64 {
        if t.offsetSeconds != nil { return t.epochSeconds() }
        return utc(fromLocal: t.epochSeconds(defaultOffset: 0))
    }
}

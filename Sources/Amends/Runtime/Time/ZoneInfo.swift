#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// A ZoneInfo is a time zone read from the system's TZif database (or one of
/// the built-in zones: `UTC`, `Etc/UTC`, `GMT`, `Z`, and fixed offsets written
/// `+01:00`, `-05:30` or `+0100`). It is immutable and shared.
///
/// Conversions:
/// - `offset(atUTC:)` is the offset (seconds east of UTC) at an instant: a
///   binary search over the file's transitions, then the file's POSIX rule for
///   instants after the last one. It does not allocate.
/// - `utc(fromLocal:)` maps a wall-clock time to an instant. A wall time that
///   does not exist (in a spring-forward gap) maps to the instant as many
///   seconds after the gap started (01:30 in a 01:00 to 02:00 gap becomes 02:30
///   after the change); an ambiguous one (clocks going back) maps to the
///   EARLIER instant.
///
/// Instants are clamped to about ±2 million years, so no input can trap.
package final class ZoneInfo: Sendable, CustomStringConvertible {
    /// The name the zone was loaded by, e.g. `Europe/London` or `+01:00`.
    package let identifier: String
    let times: [Int64]
    let offsets: [Int32]
    let initial: Int32
    let footer: PosixTZ?

    init(identifier: String, table: TZif.Table) {
        self.identifier = identifier
        self.times = table.times
        self.offsets = table.offsets
        self.initial = table.initial
        var footer = table.footer
        // Business time past the table (a calendar seldom open, a count of
        // thousands of hours) asks the rule for every year it crosses:
        // each year's two changes are worked out once, here.
        let lastYear = table.times.last.map { PosixTZ.year(ofLocal: $0) } ?? 1970
        footer?.rememberChanges(years: (lastYear - 1)...PosixTZ.rememberedUntil)
        self.footer = footer
    }

    /// A zone with one offset for all time.
    init(identifier: String, fixedOffset: Int) {
        self.identifier = identifier
        self.times = []
        self.offsets = []
        self.initial = Int32(clamping: fixedOffset)
        self.footer = nil
    }

    package var description: String { identifier }

    /// Coordinated Universal Time.
    package static let utc = ZoneInfo(identifier: "UTC", fixedOffset: 0)

    /// Instants (and local times) are kept within this many seconds of 1970.
    static let limit: Int64 = 1 << 46

    // MARK: - Offsets

    /// Seconds east of UTC in effect at a UTC instant.
    package func offset(atUTC seconds: Int64) -> Int {
        let t = min(max(seconds, -Self.limit), Self.limit)
        guard let last = times.last else {
            return footer?.offset(atUTC: t) ?? Int(initial)
        }
        if t < times[0] { return Int(initial) }
        if t >= last, let footer { return footer.offset(atUTC: t) }
        // The last index whose transition is at or before t.
        var low = 0
        var high = times.count - 1
        while low < high {
            let mid = (low + high + 1) / 2
            if times[mid] <= t { low = mid } else { high = mid - 1 }
        }
        return Int(offsets[low])
    }

    /// The UTC instant of a local wall-clock time (seconds since 1970-01-01T00:00
    /// local). Gaps move forward by the gap's length; ambiguous times take the
    /// earlier instant.
    package func utc(fromLocal local: Int64) -> Int64 {
        let l = min(max(local, -Self.limit), Self.limit)
        if times.isEmpty && footer == nil { return l - Int64(initial) }
        // The offsets a day before and a day after cover any one change.
        let before = Int64(offset(atUTC: l - 86_400))
        let after = Int64(offset(atUTC: l + 86_400))
        let early = l - before
        let late = l - after
        let earlyValid = Int64(offset(atUTC: early)) == before
        let lateValid = Int64(offset(atUTC: late)) == after
        switch (earlyValid, lateValid) {
        case (true, true): return min(early, late)  // ambiguous, or no change at all
        case (true, false): return early
        case (false, true): return late
        case (false, false): return early  // a gap: read with the offset before it
        }
    }

    /// The first change of offset strictly after `t`, with the offsets on
    /// either side; nil when the offset never changes again.
    func transition(after t: Int64) -> (at: Int64, before: Int, after: Int)? {
        let t = min(max(t, -Self.limit), Self.limit)
        if let last = times.last, t < last {
            // The first index whose transition is after t.
            var low = 0
            var high = times.count - 1
            while low < high {
                let mid = (low + high) / 2
                if times[mid] > t { high = mid } else { low = mid + 1 }
            }
            let before = low == 0 ? initial : offsets[low - 1]
            return (times[low], Int(before), Int(offsets[low]))
        }
        let from = max(t, times.last ?? Int64.min)
        guard from <= Self.limit, let footer, let at = footer.nextChange(after: from), at <= Self.limit else { return nil }
        return (at, footer.offset(atUTC: at - 1), footer.offset(atUTC: at))
    }

    // MARK: - Loading

    /// The zone named `identifier`, from `$TZDIR` (when set) or
    /// `/usr/share/zoneinfo`. Loaded zones are cached for the process.
    package static func load(_ identifier: String) -> Result<ZoneInfo, ZoneError> {
        load(identifier, from: databaseDirectory())
    }

    /// The zone named `identifier` from a database folder.
    static func load(_ identifier: String, from directory: String) -> Result<ZoneInfo, ZoneError> {
        switch identifier {
        case "UTC", "Etc/UTC", "GMT", "Etc/GMT", "Z":
            return .success(identifier == "UTC" ? utc : ZoneInfo(identifier: identifier, fixedOffset: 0))
        default:
            break
        }
        if let fixed = fixedOffset(identifier) {
            return .success(ZoneInfo(identifier: identifier, fixedOffset: fixed))
        }
        guard isSafeName(identifier) else {
            return .failure(ZoneError(.invalidName, identifier,
                                      "`\(identifier)` is not a time zone name; write a name such as Europe/London, or an offset such as +01:00"))
        }
        let path = directory + "/" + identifier
        if let cached = cache.withLock({ $0[path] }) { return .success(cached) }
        let bytes: [UInt8]
        switch FileSystem.read(path, limit: 1 << 20) {
        case .success(let b):
            bytes = b
        case .failure:
            if !FileSystem.isDirectory(directory) {
                return .failure(ZoneError(.databaseMissing, identifier,
                                          "time zone database not found at \(directory); set TZDIR"))
            }
            return .failure(ZoneError(.unknown, identifier, "unknown time zone `\(identifier)`"))
        }
        switch TZif.parse(bytes) {
        case .success(let table):
            let zone = ZoneInfo(identifier: identifier, table: table)
            return .success(cache.withLock { entries in
                if let existing = entries[path] { return existing }
                entries[path] = zone
                return zone
            })
        case .failure(.notTZif):
            return .failure(ZoneError(.unknown, identifier, "unknown time zone `\(identifier)`"))
        case .failure(.leapSeconds):
            return .failure(ZoneError(.unsupported, identifier,
                                      "time zone `\(identifier)` counts leap seconds, which Amends does not support; use the zone without `right/`"))
        case .failure(.damaged(let reason)):
            return .failure(ZoneError(.damaged, identifier, "the time zone file \(path) is damaged: \(reason)"))
        }
    }

    /// Zones loaded so far, by file path.
    private static let cache = Mutex<[String: ZoneInfo]>([:])

    /// `$TZDIR` when set and not empty, else `/usr/share/zoneinfo`.
    static func databaseDirectory() -> String {
        if let value = getenv("TZDIR") {
            let text = String(cString: value)
            if !text.isEmpty { return text.hasSuffix("/") && text.count > 1 ? String(text.dropLast()) : text }
        }
        return "/usr/share/zoneinfo"
    }

    /// Names a policy may use: letters, digits, `_`, `+`, `-` and `/`, not
    /// starting with `/` and without `..`, so no policy reads a file outside
    /// the database.
    static func isSafeName(_ name: String) -> Bool {
        let bytes = name.utf8
        guard !bytes.isEmpty, bytes.count <= 255, bytes.first != UInt8(ascii: "/") else { return false }
        for c in bytes {
            let letter = (c | 0x20) >= 97 && (c | 0x20) <= 122
            let digit = c >= 48 && c <= 57
            guard letter || digit || c == UInt8(ascii: "_") || c == UInt8(ascii: "+")
                    || c == UInt8(ascii: "-") || c == UInt8(ascii: "/") else { return false }
        }
        return !name.contains("..")  // already excluded by the character set; kept as a second guard
    }

    /// `+HH:MM`, `-HH:MM`, `+HHMM` or `+HH` as seconds east of UTC (up to 18 hours).
    static func fixedOffset(_ text: String) -> Int? {
        let b = Array(text.utf8)
        guard b.count == 3 || b.count == 5 || b.count == 6,
              b[0] == UInt8(ascii: "+") || b[0] == UInt8(ascii: "-") else { return nil }
        func digit(_ i: Int) -> Int? { b[i] >= 48 && b[i] <= 57 ? Int(b[i] - 48) : nil }
        guard let h1 = digit(1), let h2 = digit(2) else { return nil }
        var minutes = 0
        if b.count == 5 {
            guard let m1 = digit(3), let m2 = digit(4) else { return nil }
            minutes = m1 * 10 + m2
        } else if b.count == 6 {
            guard b[3] == UInt8(ascii: ":"), let m1 = digit(4), let m2 = digit(5) else { return nil }
            minutes = m1 * 10 + m2
        }
        let hours = h1 * 10 + h2
        guard hours <= 18, minutes <= 59 else { return nil }
        return (b[0] == UInt8(ascii: "-") ? -1 : 1) * (hours * 3_600 + minutes * 60)
    }
}

// MARK: - Errors

/// A ZoneError says why a time zone could not be loaded, in words.
package struct ZoneError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A Kind sorts the reasons for callers that react differently.
    package enum Kind: Sendable, Equatable {
        case unknown, invalidName, databaseMissing, damaged, unsupported
    }

    package var kind: Kind
    package var identifier: String
    package var message: String

    package init(_ kind: Kind, _ identifier: String, _ message: String) {
        self.kind = kind
        self.identifier = identifier
        self.message = message
    }

    package var description: String { message }
}

import Testing
@testable import Amends

/// Tests of time: zones read from the TZif database, business calendars,
/// record time formats, ISO 8601 timestamps and durations. Every expected
/// value is computed by hand (or checked against another implementation) and
/// nothing reads the wall clock or the network.
struct TimeTests {
    // MARK: - Helpers

    /// Seconds since 1970 of a civil date and time (UTC, or naive local).
    static func at(_ y: Int, _ mo: Int, _ d: Int, _ h: Int = 0, _ mi: Int = 0, _ s: Int = 0) -> Int64 {
        Int64(Civil.days(year: y, month: mo, day: d)) * 86_400 + Int64(h * 3_600 + mi * 60 + s)
    }

    static let hasDatabase = FileSystem.isDirectory(ZoneInfo.databaseDirectory())

    static func zone(_ identifier: String) throws -> ZoneInfo {
        try ZoneInfo.load(identifier).get()
    }

    static func hours(_ ranges: [(Int, Int)]) -> [BusinessCalendar.ClockRange] {
        ranges.map { BusinessCalendar.ClockRange(from: $0.0, to: $0.1) }
    }

    static func weekdays(_ ranges: [(Int, Int)], _ days: [Weekday] = [.mon, .tue, .wed, .thu, .fri]) -> [Weekday: [BusinessCalendar.ClockRange]] {
        var open: [Weekday: [BusinessCalendar.ClockRange]] = [:]
        for d in days { open[d] = hours(ranges) }
        return open
    }

    /// Monday to Friday 09:00-17:30 in a zone.
    static func office(_ zone: ZoneInfo, closed: Set<Int> = []) -> BusinessCalendar {
        BusinessCalendar(open: weekdays([(540, 1050)]), zone: zone, closedDates: closed)
    }

    // MARK: - Built-in zones

    @Test func utcAndAliases() throws {
        for name in ["UTC", "Etc/UTC", "GMT", "Z"] {
            let z = try Self.zone(name)
            #expect(z.identifier == name)
            #expect(z.offset(atUTC: 1_772_442_000) == 0)
            #expect(z.utc(fromLocal: 1_772_442_000) == 1_772_442_000)
        }
    }

    @Test func fixedOffsets() throws {
        let plus = try Self.zone("+01:00")
        #expect(plus.offset(atUTC: 0) == 3_600)
        #expect(plus.utc(fromLocal: Self.at(2026, 3, 2, 10)) == Self.at(2026, 3, 2, 9))
        let minus = try Self.zone("-05:30")
        #expect(minus.offset(atUTC: Self.at(2040, 1, 1)) == -19_800)
        #expect(minus.utc(fromLocal: Self.at(2026, 3, 2, 4, 30)) == Self.at(2026, 3, 2, 10))
        #expect(try Self.zone("+0530").offset(atUTC: 0) == 19_800)
        #expect(ZoneInfo.load("+19:00").failureKind == .invalidName)
        #expect(ZoneInfo.load("+01:60").failureKind == .invalidName)
    }

    @Test func hostileNamesAreRefused() {
        for name in ["../etc/passwd", "/etc/passwd", "Europe/../../etc/passwd", "Europe/London;ls", "Europe/Lon don",
                     "", "Europe/London\0", "..", "Europe/./London"] {
            #expect(ZoneInfo.load(name).failureKind == .invalidName, "\(name)")
        }
    }

    @Test func missingDatabaseIsNamed() {
        let result = ZoneInfo.load("Europe/London", from: "/nonexistent/zoneinfo")
        #expect(result.failureMessage == "time zone database not found at /nonexistent/zoneinfo; set TZDIR")
    }

    // MARK: - TZif and POSIX rules (no database needed)

    @Test func readsVersion1File() throws {
        // Two transitions: +1h at t=1000, back to 0 at t=5000.
        var b = Self.tzifHeader(version: 0, timecnt: 2, typecnt: 2, charcnt: 4)
        b += Self.be32(1_000) + Self.be32(5_000) + [1, 0]
        b += Self.be32(0) + [0, 0] + Self.be32(3_600) + [1, 0]
        b += Array("GMT\0".utf8)
        let table = try TZif.parse(b).get()
        let z = ZoneInfo(identifier: "test", table: table)
        #expect(z.offset(atUTC: 999) == 0)
        #expect(z.offset(atUTC: 1_000) == 3_600)
        #expect(z.offset(atUTC: 4_999) == 3_600)
        #expect(z.offset(atUTC: 5_000) == 0)
        #expect(z.offset(atUTC: Int64.max) == 0)
        #expect(z.offset(atUTC: Int64.min) == 0)
    }

    @Test func readsVersion2FileWithFooter() throws {
        // No transitions at all: the footer rule decides every instant.
        var b = Self.tzifHeader(version: UInt8(ascii: "2"), timecnt: 0, typecnt: 1, charcnt: 4)
        b += Self.be32(0) + [0, 0] + Array("GMT\0".utf8)
        b += Self.tzifHeader(version: UInt8(ascii: "2"), timecnt: 0, typecnt: 1, charcnt: 4)
        b += Self.be32(0) + [0, 0] + Array("GMT\0".utf8)
        b += Array("\nGMT0BST,M3.5.0/1,M10.5.0\n".utf8)
        let z = ZoneInfo(identifier: "test", table: try TZif.parse(b).get())
        #expect(z.offset(atUTC: 1_774_746_000 - 1) == 0)
        #expect(z.offset(atUTC: 1_774_746_000) == 3_600)  // 2026-03-29T01:00:00Z
        #expect(z.offset(atUTC: 1_792_890_000 - 1) == 3_600)
        #expect(z.offset(atUTC: 1_792_890_000) == 0)  // 2026-10-25T01:00:00Z
    }

    @Test func refusesDamagedFiles() {
        #expect(TZif.parse(Array("not a zone file at all, just text".utf8)).failureValue == .notTZif)
        var b = Self.tzifHeader(version: 0, timecnt: 3, typecnt: 1, charcnt: 4)
        b += Self.be32(1)  // cut short
        if case .damaged = TZif.parse(b).failureValue {} else { Issue.record("expected damaged") }
        var leap = Self.tzifHeader(version: 0, timecnt: 0, typecnt: 1, charcnt: 4, leapcnt: 1)
        leap += Self.be32(0) + [0, 0] + Array("UTC\0".utf8) + Self.be32(0) + Self.be32(1)
        #expect(TZif.parse(leap).failureValue == .leapSeconds)
        var unordered = Self.tzifHeader(version: 0, timecnt: 2, typecnt: 1, charcnt: 4)
        unordered += Self.be32(50) + Self.be32(10) + [0, 0] + Self.be32(0) + [0, 0] + Array("UTC\0".utf8)
        if case .damaged = TZif.parse(unordered).failureValue {} else { Issue.record("expected damaged") }
    }

    @Test func posixRules() throws {
        let london = try #require(PosixTZ.parse(Array("GMT0BST,M3.5.0/1,M10.5.0".utf8)))
        #expect(london.changes(inYear: 2026) == (start: 1_774_746_000, end: 1_792_890_000))
        let fixed = try #require(PosixTZ.parse(Array("<+03>-3".utf8)))
        #expect(fixed == PosixTZ(standard: 10_800, daylight: nil))
        let cet = try #require(PosixTZ.parse(Array("CET-1CEST,M3.5.0,M10.5.0/3".utf8)))
        #expect(cet.offset(atUTC: Self.at(2026, 3, 29, 0, 59, 59)) == 3_600)
        #expect(cet.offset(atUTC: Self.at(2026, 3, 29, 1)) == 7_200)
        #expect(cet.offset(atUTC: Self.at(2026, 10, 25, 1)) == 3_600)
        let us = try #require(PosixTZ.parse(Array("EST5EDT,M3.2.0,M11.1.0".utf8)))
        #expect(us.changes(inYear: 2026) == (start: 1_772_953_200, end: 1_793_512_800))
        // Changes remembered for a range of years are those worked out each time.
        for rule in ["GMT0BST,M3.5.0/1,M10.5.0", "<-02>2<-01>,M3.5.0/-1,M10.5.0/0", "AAA3BBB,J60/2,59/26", "EST5EDT,0/0,J365/25"] {
            let plain = try #require(PosixTZ.parse(Array(rule.utf8)))
            var remembering = plain
            remembering.rememberChanges(years: 2000...2400)
            for year in stride(from: 1990, through: 2410, by: 7) {
                #expect(remembering.changes(inYear: year) == plain.computeChanges(inYear: year), "\(rule) \(year)")
            }
            for t in stride(from: Self.at(2030, 1, 1), to: Self.at(2400, 1, 1), by: 86_400 * 97 + 3_607) {
                #expect(remembering.offset(atUTC: t) == plain.offset(atUTC: t), "\(rule) \(t)")
                #expect(remembering.nextChange(after: t) == plain.nextChange(after: t), "\(rule) \(t)")
            }
        }
        // Nuuk since 2023: a negative change time (-1:00, i.e. 23:00 the day before).
        let nuuk = try #require(PosixTZ.parse(Array("<-02>2<-01>,M3.5.0/-1,M10.5.0/0".utf8)))
        #expect(nuuk.changes(inYear: 2040) == (start: Self.at(2040, 3, 25, 1), end: Self.at(2040, 10, 28, 1)))
        // Julian days: J60 is March 1 in every year; 59 (zero-based) is Feb 29 in a leap year.
        let julian = try #require(PosixTZ.parse(Array("AAA3BBB,J60/2,59/26".utf8)))
        #expect(julian.changes(inYear: 2028).start == Self.at(2028, 3, 1, 5))
        #expect(julian.changes(inYear: 2028).end == Self.at(2028, 2, 29, 26 + 2))  // 26:00 local daylight (-2h)
        // Hours beyond 24, as version 3 allows.
        let late = try #require(PosixTZ.parse(Array("XXX-2YYY,M3.5.4/26,M10.5.5/25".utf8)))
        #expect(late.start == .month(3, week: 5, weekday: 4) && late.startTime == 26 * 3_600 && late.endTime == 25 * 3_600)
        // Daylight all year: a start and an end at the same instant.
        let always = try #require(PosixTZ.parse(Array("EST5EDT,0/0,J365/25".utf8)))
        #expect(always.offset(atUTC: Self.at(2026, 1, 1, 12)) == -14_400)
        #expect(always.offset(atUTC: Self.at(2026, 7, 1)) == -14_400)
        #expect(always.nextChange(after: 0) == nil)
        for bad in ["", "5", "GMT0BST,M13.1.0,M10.5.0", "GMT0BST,M3.6.0,M10.5.0", "GMT0BST,J366,M10.5.0",
                    "GMT0BST,M3.5.0/200,M10.5.0", "<+03-3", "GMT0BST,M3.5.0"] {
            #expect(PosixTZ.parse(Array(bad.utf8)) == nil, "\(bad)")
        }
    }

    // MARK: - The system database

    @Suite(.enabled(if: TimeTests.hasDatabase)) struct Database {
        @Test func londonSpringForward() throws {
            let z = try TimeTests.zone("Europe/London")
            let change: Int64 = 1_774_746_000  // 2026-03-29T01:00:00Z
            #expect(z.offset(atUTC: change - 1) == 0)
            #expect(z.offset(atUTC: change) == 3_600)
            #expect(z.utc(fromLocal: TimeTests.at(2026, 3, 29, 0, 30)) == TimeTests.at(2026, 3, 29, 0, 30))
            // 01:30 does not exist: it reads as 02:30 BST, 01:30Z.
            #expect(z.utc(fromLocal: TimeTests.at(2026, 3, 29, 1, 30)) == TimeTests.at(2026, 3, 29, 1, 30))
            #expect(z.utc(fromLocal: TimeTests.at(2026, 3, 29, 1, 0)) == change)
            #expect(z.utc(fromLocal: TimeTests.at(2026, 3, 29, 2, 30)) == TimeTests.at(2026, 3, 29, 1, 30))
            #expect(z.utc(fromLocal: TimeTests.at(2026, 3, 29, 3, 0)) == TimeTests.at(2026, 3, 29, 2, 0))
        }

        @Test func londonFallBack() throws {
            let z = try TimeTests.zone("Europe/London")
            let change: Int64 = 1_792_890_000  // 2026-10-25T01:00:00Z
            #expect(z.offset(atUTC: change - 1) == 3_600)
            #expect(z.offset(atUTC: change) == 0)
            // 01:30 happens twice: the earlier, 00:30Z (BST), is taken.
            #expect(z.utc(fromLocal: TimeTests.at(2026, 10, 25, 1, 30)) == TimeTests.at(2026, 10, 25, 0, 30))
            #expect(z.utc(fromLocal: TimeTests.at(2026, 10, 25, 0, 59)) == TimeTests.at(2026, 10, 24, 23, 59))
            #expect(z.utc(fromLocal: TimeTests.at(2026, 10, 25, 2, 0)) == TimeTests.at(2026, 10, 25, 2, 0))
        }

        @Test func newYork() throws {
            let z = try TimeTests.zone("America/New_York")
            #expect(z.offset(atUTC: 1_772_953_200 - 1) == -18_000)  // 2026-03-08T07:00:00Z
            #expect(z.offset(atUTC: 1_772_953_200) == -14_400)
            #expect(z.offset(atUTC: 1_793_512_800 - 1) == -14_400)  // 2026-11-01T06:00:00Z
            #expect(z.offset(atUTC: 1_793_512_800) == -18_000)
            #expect(z.utc(fromLocal: TimeTests.at(2026, 3, 8, 2, 30)) == TimeTests.at(2026, 3, 8, 7, 30))  // gap
            #expect(z.utc(fromLocal: TimeTests.at(2026, 11, 1, 1, 30)) == TimeTests.at(2026, 11, 1, 5, 30))  // EDT
            #expect(z.utc(fromLocal: TimeTests.at(2026, 7, 4, 12)) == TimeTests.at(2026, 7, 4, 16))
            #expect(z.offset(atUTC: TimeTests.at(1950, 1, 1)) == -18_000)
        }

        @Test func afterTheLastTransition() throws {
            // The files end in 2037 at the latest; the footer rule takes over.
            let london = try TimeTests.zone("Europe/London")
            #expect(london.offset(atUTC: TimeTests.at(2040, 3, 25, 0, 59, 59)) == 0)
            #expect(london.offset(atUTC: TimeTests.at(2040, 3, 25, 1)) == 3_600)
            #expect(london.offset(atUTC: TimeTests.at(2040, 10, 28, 0, 59, 59)) == 3_600)
            #expect(london.offset(atUTC: TimeTests.at(2040, 10, 28, 1)) == 0)
            #expect(london.utc(fromLocal: TimeTests.at(2040, 7, 1, 12)) == TimeTests.at(2040, 7, 1, 11))
            let ny = try TimeTests.zone("America/New_York")
            #expect(ny.offset(atUTC: TimeTests.at(2050, 3, 13, 7)) == -14_400)
            #expect(ny.offset(atUTC: TimeTests.at(2050, 3, 13, 6, 59)) == -18_000)
            #expect(ny.offset(atUTC: TimeTests.at(2050, 11, 6, 6)) == -18_000)
            let nuuk = try TimeTests.zone("America/Nuuk")
            #expect(nuuk.offset(atUTC: TimeTests.at(2040, 3, 25, 1)) == -3_600)
            #expect(nuuk.offset(atUTC: TimeTests.at(2040, 3, 25, 0, 59)) == -7_200)
            let dublin = try TimeTests.zone("Europe/Dublin")  // negative daylight time in winter
            #expect(dublin.offset(atUTC: TimeTests.at(2045, 1, 10)) == 0)
            #expect(dublin.offset(atUTC: TimeTests.at(2045, 7, 10)) == 3_600)
        }

        @Test func unknownZones() {
            #expect(ZoneInfo.load("Europe/Lodnon").failureMessage == "unknown time zone `Europe/Lodnon`")
            #expect(ZoneInfo.load("Europe").failureKind == .unknown)  // a folder
            #expect(ZoneInfo.load("leapseconds").failureKind == .unknown)  // a text file, not TZif
        }

        // MARK: Business time in Europe/London, Monday to Friday 09:00-17:30

        static func london() throws -> BusinessCalendar { TimeTests.office(try TimeTests.zone("Europe/London")) }

        @Test func businessHoursAcrossANight() throws {
            let cal = try Self.london()
            #expect(cal.addBusinessHours(4, to: TimeTests.at(2026, 3, 3, 16)) == TimeTests.at(2026, 3, 4, 11, 30))
        }

        @Test func businessHoursAcrossAWeekend() throws {
            let cal = try Self.london()
            // Friday 16:00 + 4 business hours = Monday 11:30.
            #expect(cal.addBusinessHours(4, to: TimeTests.at(2026, 3, 6, 16)) == TimeTests.at(2026, 3, 9, 11, 30))
            #expect(cal.addBusinessHours(8, to: TimeTests.at(2026, 3, 3, 9, 30)) == TimeTests.at(2026, 3, 3, 17, 30))  // at a close
            #expect(cal.addBusinessHours(1, to: TimeTests.at(2026, 3, 3, 17, 30)) == TimeTests.at(2026, 3, 4, 10))
            #expect(cal.addBusinessHours(0, to: TimeTests.at(2026, 3, 7, 12)) == TimeTests.at(2026, 3, 9, 9))
            #expect(cal.addBusinessHours(0, to: TimeTests.at(2026, 3, 3, 10)) == TimeTests.at(2026, 3, 3, 10))
            #expect(cal.isOpen(at: TimeTests.at(2026, 3, 3, 9)))
            #expect(!cal.isOpen(at: TimeTests.at(2026, 3, 3, 8, 59, 59)))
            #expect(!cal.isOpen(at: TimeTests.at(2026, 3, 3, 17, 30)))
            #expect(!cal.isOpen(at: TimeTests.at(2026, 3, 7, 12)))
        }

        @Test func businessHoursAcrossClosedDates() throws {
            let z = try TimeTests.zone("Europe/London")
            let closed: Set = [Civil.days(year: 2026, month: 12, day: 25), Civil.days(year: 2026, month: 12, day: 28)]
            let cal = TimeTests.office(z, closed: closed)
            // Thursday 24th 16:00: 1h30m, Friday 25th closed, weekend, Monday 28th closed, Tuesday 2h30m.
            #expect(cal.addBusinessHours(4, to: TimeTests.at(2026, 12, 24, 16)) == TimeTests.at(2026, 12, 29, 11, 30))
        }

        @Test func businessHoursAcrossTheClockChange() throws {
            let cal = try Self.london()
            // Friday 16:00 GMT + 4 = Monday 11:30 BST, which is 10:30Z.
            #expect(cal.addBusinessHours(4, to: TimeTests.at(2026, 3, 27, 16)) == TimeTests.at(2026, 3, 30, 10, 30))
            // Friday 16:00 BST (15:00Z) + 4 = Monday 11:30 GMT.
            #expect(cal.addBusinessHours(4, to: TimeTests.at(2026, 10, 23, 15)) == TimeTests.at(2026, 10, 26, 11, 30))
            // Open every day: the interval on the day of the change keeps its local length.
            let daily = BusinessCalendar(open: TimeTests.weekdays([(540, 1050)], Weekday.allCases), zone: cal.zone, closedDates: [])
            #expect(daily.addBusinessHours(1, to: TimeTests.at(2026, 3, 28, 17)) == TimeTests.at(2026, 3, 29, 8, 30))
            #expect(daily.addBusinessHours(8, to: TimeTests.at(2026, 3, 29, 8)) == TimeTests.at(2026, 3, 29, 16))
            // Open all day: business hours are real hours, the short and the long day included.
            let always = BusinessCalendar(open: TimeTests.weekdays([(0, 1440)], Weekday.allCases), zone: cal.zone, closedDates: [])
            #expect(always.addBusinessHours(24, to: TimeTests.at(2026, 3, 28, 12)) == TimeTests.at(2026, 3, 29, 12))
            #expect(always.addBusinessHours(24, to: TimeTests.at(2026, 10, 24, 12)) == TimeTests.at(2026, 10, 25, 12))
            let start = TimeTests.at(2026, 3, 2, 9)
            #expect(always.addBusinessHours(1_000_000, to: start) == start + 3_600_000_000)
            #expect(always.addBusinessHours(10_000_000, to: start) == start + 36_000_000_000)
        }

        @Test func businessDays() throws {
            let cal = try Self.london()
            #expect(cal.addBusinessDays(2, to: TimeTests.at(2026, 3, 6, 15)) == TimeTests.at(2026, 3, 10, 15))  // Fri 15:00 + 2 = Tue 15:00
            #expect(cal.addBusinessDays(1, to: TimeTests.at(2026, 3, 6, 15)) == TimeTests.at(2026, 3, 9, 15))
            #expect(cal.addBusinessDays(1, to: TimeTests.at(2026, 3, 7, 10)) == TimeTests.at(2026, 3, 9, 17, 30))  // Saturday
            #expect(cal.addBusinessDays(1, to: TimeTests.at(2026, 3, 6, 18)) == TimeTests.at(2026, 3, 9, 17, 30))  // Friday evening
            #expect(cal.addBusinessDays(1, to: TimeTests.at(2026, 3, 9, 8)) == TimeTests.at(2026, 3, 9, 17, 30))  // before opening
            #expect(cal.addBusinessDays(3, to: TimeTests.at(2026, 3, 7, 10)) == TimeTests.at(2026, 3, 11, 17, 30))
            #expect(cal.addBusinessDays(0, to: TimeTests.at(2026, 3, 7, 10)) == TimeTests.at(2026, 3, 9, 9))
            // Across the clock change: the same local time, 15:00 BST = 14:00Z.
            #expect(cal.addBusinessDays(1, to: TimeTests.at(2026, 3, 27, 15)) == TimeTests.at(2026, 3, 30, 14))
            let closed = TimeTests.office(cal.zone, closed: [Civil.days(year: 2026, month: 3, day: 9)])
            #expect(closed.addBusinessDays(1, to: TimeTests.at(2026, 3, 6, 15)) == TimeTests.at(2026, 3, 10, 15))
            #expect(closed.addBusinessDays(1, to: TimeTests.at(2026, 3, 7, 10)) == TimeTests.at(2026, 3, 10, 17, 30))
        }

        @Test func hugeAmountsInLondon() throws {
            let cal = try Self.london()
            // 1,000,000 h at 42.5 h a week: 23,529 weeks and 17.5 h, so Wednesday 09:30 of
            // 2477-02-10 (GMT), checked against another tz implementation.
            #expect(cal.addBusinessHours(1_000_000, to: TimeTests.at(2026, 3, 2, 9)) == 16_002_955_800)
            // 1,000,000 days from Monday 10:00: Monday 5859-03-28 10:00 BST.
            #expect(cal.addBusinessDays(1_000_000, to: TimeTests.at(2026, 3, 2, 10)) == 122_732_442_000)
            let clock = ContinuousClock()
            let elapsed = clock.measure {
                for k in 0..<1_000 {
                    _ = cal.addBusinessHours(1_000_000, to: TimeTests.at(2026, 3, 2, 9) + Int64(k) * 3_607)
                    _ = cal.addBusinessDays(1_000_000, to: TimeTests.at(2026, 3, 2, 9) + Int64(k) * 3_607)
                }
            }
            #expect(elapsed < .seconds(5), "2,000 huge calls took \(elapsed)")
        }

        @Test func explainLines() throws {
            let cal = try Self.london()
            #expect(cal.explainBusinessHours(4, from: TimeTests.at(2026, 3, 6, 16)) == [
                "start Fri 2026-03-06 16:00 (Europe/London)",
                "Fri 16:00-17:30: 1h30m",
                "Sat 2026-03-07 to Sun 2026-03-08: closed (weekend)",
                "Mon 2026-03-09 09:00-11:30: 2h30m, deadline",
                "deadline Mon 2026-03-09 11:30 (Europe/London) = 2026-03-09T11:30:00Z",
            ])
            #expect(cal.explainBusinessDays(2, from: TimeTests.at(2026, 3, 6, 15)) == [
                "start Fri 2026-03-06 15:00 (Europe/London)",
                "during opening hours: the deadline is the same time of day on the 2nd open day after",
                "Sat 2026-03-07 to Sun 2026-03-08: closed (weekend)",
                "day 1: Mon 2026-03-09",
                "day 2: Tue 2026-03-10",
                "deadline Tue 2026-03-10 15:00 (Europe/London) = 2026-03-10T15:00:00Z",
            ])
            let long = cal.explainBusinessHours(1_000_000, from: TimeTests.at(2026, 3, 2, 9))
            #expect(long.count <= 30)
            #expect(long.last == "deadline Wed 2477-02-10 09:30 (Europe/London) = 2477-02-10T09:30:00Z")
        }

        @Test func explanationsAgreeWithDeadlines() throws {
            let z = try TimeTests.zone("Europe/London")
            let calendars = [
                TimeTests.office(z, closed: [Civil.days(year: 2026, month: 12, day: 25)]),
                BusinessCalendar(open: TimeTests.weekdays([(0, 1440)], Weekday.allCases), zone: z, closedDates: []),
                BusinessCalendar(open: TimeTests.weekdays([(0, 90), (540, 720), (780, 1440)], [.sat, .sun, .mon]), zone: z, closedDates: []),
            ]
            for cal in calendars {
                for amount: Int64 in [0, 1, 7, 40, 5_000] {
                    var start = TimeTests.at(2026, 3, 20, 0, 17)
                    while start < TimeTests.at(2026, 4, 2) {
                        for (add, explain) in [(cal.addBusinessHours, cal.explainBusinessHours), (cal.addBusinessDays, cal.explainBusinessDays)] {
                            let deadline = add(amount, start)
                            let last = explain(amount, start).last ?? ""
                            #expect(last.hasSuffix(deadline.map { ISOTime.string(utc: $0) } ?? "years"), "\(amount) from \(start): \(last)")
                        }
                        start += 11 * 3_600 + 1_234
                    }
                }
            }
        }

        @Test func loadsAreCached() throws {
            let a = try TimeTests.zone("Asia/Tokyo")
            let b = try TimeTests.zone("Asia/Tokyo")
            #expect(a === b)
            #expect(a.offset(atUTC: TimeTests.at(2026, 6, 1)) == 32_400)
        }
    }

    // MARK: - Business calendars (UTC; no database needed)

    static let mon = at(2026, 3, 2)  // a Monday

    @Test func lunchBreak() {
        let cal = BusinessCalendar(open: Self.weekdays([(540, 720), (780, 1020)]), zone: .utc, closedDates: [])
        #expect(cal.addBusinessHours(2, to: Self.mon + 11 * 3_600) == Self.mon + 14 * 3_600)
        #expect(cal.addBusinessHours(1, to: Self.mon + 12 * 3_600 + 1_800) == Self.mon + 14 * 3_600)
        #expect(cal.addBusinessHours(2, to: Self.mon + 16 * 3_600) == Self.mon + 86_400 + 10 * 3_600)
        #expect(cal.addBusinessHours(3, to: Self.mon + 9 * 3_600) == Self.mon + 12 * 3_600)  // ends at a close
        #expect(!cal.isOpen(at: Self.mon + 12 * 3_600 + 1_800))
        #expect(cal.isOpen(at: Self.mon + 13 * 3_600))
        #expect(cal.nextOpening(after: Self.mon + 12 * 3_600 + 1_800) == Self.mon + 13 * 3_600)
        // Business days from the lunch break: the next day's break clamps to the earlier close.
        #expect(cal.addBusinessDays(1, to: Self.mon + 12 * 3_600 + 1_800) == Self.mon + 86_400 + 12 * 3_600)
        #expect(cal.addBusinessDays(1, to: Self.mon + 14 * 3_600) == Self.mon + 86_400 + 14 * 3_600)
    }

    @Test func clampingIntoTheTargetDay() {
        var open = Self.weekdays([(540, 1050)], [.mon, .tue, .wed, .thu])
        open[.fri] = Self.hours([(600, 780)])  // Friday 10:00-13:00
        let cal = BusinessCalendar(open: open, zone: .utc, closedDates: [])
        let thu = Self.mon + 3 * 86_400, fri = Self.mon + 4 * 86_400
        #expect(cal.addBusinessDays(1, to: thu + 15 * 3_600) == fri + 13 * 3_600)  // after Friday's close
        #expect(cal.addBusinessDays(1, to: thu + 9 * 3_600 + 1_800) == fri + 10 * 3_600)  // before Friday's opening
        #expect(cal.addBusinessDays(1, to: thu + 11 * 3_600) == fri + 11 * 3_600)
    }

    @Test func calendarWithoutOpenHours() {
        let cal = BusinessCalendar(open: [:], zone: .utc, closedDates: [])
        #expect(cal.addBusinessHours(1, to: Self.mon) == nil)
        #expect(cal.addBusinessHours(0, to: Self.mon) == nil)
        #expect(cal.addBusinessDays(1, to: Self.mon) == nil)
        #expect(cal.nextOpening(after: Self.mon) == nil)
        #expect(!cal.isOpen(at: Self.mon))
        #expect(cal.explainBusinessHours(4, from: Self.mon).last == "no deadline: the calendar has no opening hours")
        // Hours given but every one of them empty or out of the day: still nothing.
        let empty = BusinessCalendar(open: [.mon: Self.hours([(600, 600), (-50, 0), (1440, 2000)])], zone: .utc, closedDates: [])
        #expect(empty.addBusinessDays(3, to: Self.mon) == nil)
    }

    @Test func hugeAmountsTerminate() {
        let cal = BusinessCalendar(open: Self.weekdays([(540, 1050)]), zone: .utc, closedDates: [])
        #expect(cal.addBusinessHours(Int64.max, to: Self.mon) == nil)
        #expect(cal.addBusinessHours(Int64.max / 3_600, to: Self.mon) == nil)
        #expect(cal.addBusinessDays(Int64.max, to: Self.mon) == nil)
        #expect(cal.addBusinessHours(-1, to: Self.mon) == nil)
        #expect(cal.addBusinessHours(1, to: Int64.max) == nil)
        #expect(cal.addBusinessHours(1, to: Int64.min) == nil)
        #expect(cal.addBusinessDays(1, to: Int64.min) == nil)
        // 1,000,000 business days from a Monday at 10:00 is 200,000 weeks later, same time.
        #expect(cal.addBusinessDays(1_000_000, to: Self.mon + 10 * 3_600) == Self.mon + 1_400_000 * 86_400 + 10 * 3_600)
        // Closed to the end of 9999: the next open time is Monday 10000-01-03, found in one step.
        let first = Civil.days(year: 2026, month: 1, day: 1), last = Civil.days(year: 9999, month: 12, day: 31)
        let shut = BusinessCalendar(open: Self.weekdays([(540, 1050)]), zone: .utc, closedRuns: [first...last])
        #expect(Civil.weekday(days: last + 3) == 1)
        #expect(shut.addBusinessHours(1, to: Self.mon) == Self.at(10_000, 1, 3, 10))
        #expect(shut.addBusinessDays(1, to: Self.mon) == Self.at(10_000, 1, 3, 17, 30))
        // Closed for longer than the search reaches (10 million days): nil, quickly.
        let forever = BusinessCalendar(open: Self.weekdays([(540, 1050)]), zone: .utc,
                                       closedRuns: [first...Civil.days(year: 60_000, month: 1, day: 1)])
        #expect(forever.addBusinessHours(1, to: Self.mon) == nil)
        #expect(forever.addBusinessDays(1, to: Self.mon) == nil)
        // Every other day closed for 30 years: many events, still a correct walk.
        var closed = Set<Int>()
        for d in stride(from: Civil.days(year: 2026, month: 3, day: 3), to: Civil.days(year: 2056, month: 1, day: 1), by: 2) {
            closed.insert(d)
        }
        let sparse = BusinessCalendar(open: Self.weekdays([(540, 1050)], Weekday.allCases), zone: .utc, closedDates: closed)
        #expect(sparse.addBusinessDays(3, to: Self.mon + 10 * 3_600) == Self.mon + 6 * 86_400 + 10 * 3_600)
        #expect(sparse.addBusinessHours(17, to: Self.mon + 9 * 3_600) == Self.mon + 2 * 86_400 + 17 * 3_600 + 1_800)
    }

    @Test func validation() {
        func problem(_ open: [Weekday: [BusinessCalendar.ClockRange]]) -> String? {
            if case .failure(let e) = BusinessCalendar.make(open: open, zone: .utc, closedDates: []) { return e.message }
            return nil
        }
        #expect(problem([.mon: Self.hours([(540, 720), (660, 1020)])]) == "opening hours 09:00-12:00 and 11:00-17:00 on Mon overlap")
        #expect(problem([.tue: Self.hours([(540, 540)])]) == "opening hours 09:00-09:00 on Tue are empty: they close when they open")
        #expect(problem([.wed: Self.hours([(1320, 360)])]) == "opening hours 22:00-06:00 on Wed end before they start; hours cannot pass midnight, so write 22:00-24:00 and 00:00-06:00 on the next day")
        #expect(problem([.thu: Self.hours([(540, 1500)])]) == "opening hours 09:00-25:00 on Thu are not within a day; use times from 00:00 to 24:00")
        #expect(problem([.fri: Self.hours([(780, 1020), (540, 720)]), .sat: Self.hours([(0, 1440)])]) == nil)
        // Touching ranges are fine and act as one.
        if case .success(let cal) = BusinessCalendar.make(open: [.mon: Self.hours([(540, 720), (720, 1020)])], zone: .utc, closedDates: []) {
            #expect(cal.open[.mon] == Self.hours([(540, 1020)]))
        } else {
            Issue.record("touching ranges were refused")
        }
    }

    @Test func fromDeclaration() throws {
        func date(_ y: Int, _ m: Int, _ d: Int) -> TimestampLiteral { TimestampLiteral(year: y, month: m, day: d, text: "\(y)-\(m)-\(d)") }
        func hours(_ a: Int, _ b: Int) -> HoursRange { HoursRange(from: ClockTime(minutes: a), to: ClockTime(minutes: b), span: .none) }
        let decl = CalendarDecl(entries: [
            .open(days: [DayRange(first: .mon, last: .fri, span: .none)], hours: [hours(540, 1050)], span: .none),
            .open(days: [DayRange(first: .sat, last: .sat, span: .none)], hours: [hours(600, 840)], span: .none),
            .timeZone(StringLiteral("UTC", .none)),
            .closed([DateRange(first: date(2026, 12, 24), last: date(2026, 12, 28), span: .none),
                     DateRange(first: date(2027, 1, 1), last: nil, span: .none)], span: .none),
        ])
        let cal = try BusinessCalendar.from(decl, zone: .utc).get()
        #expect(cal.open[.mon] == Self.hours([(540, 1050)]))
        #expect(cal.open[.sat] == Self.hours([(600, 840)]))
        #expect(cal.open[.sun] == nil)
        let dec24 = Civil.days(year: 2026, month: 12, day: 24), jan1 = Civil.days(year: 2027, month: 1, day: 1)
        #expect(cal.closedPeriods == [dec24...(dec24 + 4), jan1...jan1])
        // Wrapping day ranges: fri-mon is Friday, Saturday, Sunday, Monday.
        let wrap = CalendarDecl(entries: [.open(days: [DayRange(first: .fri, last: .mon, span: .none)], hours: [hours(600, 660)], span: .none)])
        let wrapped = try BusinessCalendar.from(wrap, zone: .utc).get()
        #expect(Set(wrapped.open.keys) == [.fri, .sat, .sun, .mon])
        let backwards = CalendarDecl(entries: [
            .open(days: [DayRange(first: .mon, last: .fri, span: .none)], hours: [hours(540, 1050)], span: .none),
            .closed([DateRange(first: date(2026, 12, 28), last: date(2026, 12, 24), span: .none)], span: .none),
        ])
        #expect(throws: TextError.self) { try BusinessCalendar.from(backwards, zone: .utc).get() }
    }

    @Test func explainSummarisesLongWalks() {
        // Every Wednesday closed for four years: a line per closure, summarised.
        var closed = Set<Int>()
        for d in stride(from: Civil.days(year: 2026, month: 3, day: 4), to: Civil.days(year: 2030, month: 1, day: 1), by: 7) {
            closed.insert(d)
        }
        let cal = BusinessCalendar(open: Self.weekdays([(540, 1050)]), zone: .utc, closedDates: closed)
        let lines = cal.explainBusinessHours(2_000, from: Self.mon + 9 * 3_600)
        #expect(lines.count <= 30)
        #expect(lines.contains { $0.hasPrefix("… ") })
        #expect(lines.first == "start Mon 2026-03-02 09:00 (UTC)")
        #expect(lines.last?.hasPrefix("deadline ") == true)
        let days = cal.explainBusinessDays(300, from: Self.mon + 10 * 3_600)
        #expect(days.count <= 30)
        #expect(days.last?.hasPrefix("deadline ") == true)
    }

    // MARK: - Record time formats

    static func format(_ pattern: String) throws -> TimeFormat { try TimeFormat.compile(pattern).get() }

    static func problem(_ pattern: String) -> String? {
        if case .failure(let e) = TimeFormat.compile(pattern) { return e.message }
        return nil
    }

    @Test func serviceNowFormat() throws {
        let f = try Self.format("d/M/yyyy HH:mm")
        #expect(f.parse(Array("29/2/2016 01:16".utf8)) == Self.at(2016, 2, 29, 1, 16))
        #expect(f.parse(Array("5/3/2016 12:00".utf8)) == Self.at(2016, 3, 5, 12))
        #expect(f.parse("05/03/2016 12:00".utf8) == Self.at(2016, 3, 5, 12))
        #expect(f.parse(Array(" 5/3/2016 12:00 ".utf8)[...]) == Self.at(2016, 3, 5, 12))
        for bad in ["31/2/2016 10:00", "1/13/2016 10:00", "29/2/2016 01:16x", "29/2/2015 01:16", "29/2/2016 24:00",
                    "29/2/2016 1:60", "0/2/2016 10:00", "29/2/2016", "29/2/16 10:00", "", "123/2/2016 10:00", "5/3/2016  12:00"] {
            #expect(f.parse(Array(bad.utf8)) == nil, "\(bad)")
        }
    }

    @Test func otherFormats() throws {
        #expect(try Self.format("dd-MM-yyyy").parse(Array("09-03-2026".utf8)) == Self.at(2026, 3, 9))
        #expect(try Self.format("dd-MM-yyyy").parse(Array("9-03-2026".utf8)) == nil)
        #expect(try Self.format("MM/dd/yyyy").parse(Array("03/09/2026".utf8)) == Self.at(2026, 3, 9))
        #expect(try Self.format("yyyy-MM-dd HH:mm:ss").parse(Array("2026-03-09 23:59:59".utf8)) == Self.at(2026, 3, 9, 23, 59, 59))
        let twelve = try Self.format("d MMM yyyy h:mm a")
        #expect(twelve.parse(Array("5 mar 2016 1:05 PM".utf8)) == Self.at(2016, 3, 5, 13, 5))
        #expect(twelve.parse(Array("5 MAR 2016 12:00 am".utf8)) == Self.at(2016, 3, 5, 0))
        #expect(twelve.parse(Array("5 Mar 2016 12:30 PM".utf8)) == Self.at(2016, 3, 5, 12, 30))
        #expect(twelve.parse(Array("5 Mar 2016 13:00 PM".utf8)) == nil)
        #expect(twelve.parse(Array("5 Mrz 2016 1:00 PM".utf8)) == nil)
        #expect(try Self.format("yyyy-MM-dd'T'HH:mm").parse(Array("2026-03-09T08:15".utf8)) == Self.at(2026, 3, 9, 8, 15))
        #expect(try Self.format("dd/MM/yy").parse(Array("01/02/69".utf8)) == Self.at(1969, 2, 1))
        #expect(try Self.format("dd/MM/yy").parse(Array("01/02/68".utf8)) == Self.at(2068, 2, 1))
        #expect(try Self.format("yyyyMMdd").parse(Array("20260309".utf8)) == Self.at(2026, 3, 9))
        #expect(try Self.format("'on' d.M.yyyy 'at' H''mm").parse(Array("on 9.3.2026 at 8'05".utf8)) == Self.at(2026, 3, 9, 8, 5))
        // `''` inside quoted text is a quote too (Grammar.md §10).
        #expect(try Self.format("d.M.yyyy 'at' H 'o''clock'").parse(Array("9.3.2026 at 8 o'clock".utf8)) == Self.at(2026, 3, 9, 8))
        #expect(try Self.format("d.M.yyyy 'at' H 'o''clock'").parse(Array("9.3.2026 at 8 oclock".utf8)) == nil)
        #expect(try Self.format("d.M.yyyy ''H").parse(Array("9.3.2026 '8".utf8)) == Self.at(2026, 3, 9, 8))
        #expect(Self.problem("d.M.yyyy H 'o''clock") == "the time format `d.M.yyyy H 'o''clock` has a quote (') that is not closed")
    }

    @Test func badPatterns() {
        #expect(Self.problem("dd/MM/yyy") == "`yyy` in the time format `dd/MM/yyy` is not a field; use yyyy (or yy) for the year")
        #expect(Self.problem("HH:mm") == "the time format `HH:mm` has no year; add yyyy")
        #expect(Self.problem("yyyy-dd") == "the time format `yyyy-dd` has no month; add M, MM or MMM")
        #expect(Self.problem("yyyy-MM") == "the time format `yyyy-MM` has no day; add d or dd")
        #expect(Self.problem("yyyy-MM-ddTHH:mm")?.hasPrefix("`T` in the time format") == true)
        #expect(Self.problem("h:mm dd/MM/yyyy")?.contains("no AM/PM") == true)
        #expect(Self.problem("dMyyyy")?.contains("without a separator") == true)
        #expect(Self.problem("dd/MM/yyyy dd") == "the time format `dd/MM/yyyy dd` gives the day twice")
        #expect(Self.problem("dd/MM/yyyy 'at") == "the time format `dd/MM/yyyy 'at` has a quote (') that is not closed")
        #expect(Self.problem("") == "the time format is empty")
        #expect(Self.problem("d/M/yyyy HH:mm") == nil)
    }

    // MARK: - ISO 8601 timestamps

    @Test func isoParse() {
        func parse(_ s: String) -> (Int64, Bool)? { ISOTime.parseLocalOrUTC(Array(s.utf8)).map { ($0.seconds, $0.hasOffset) } }
        let nine: Int64 = 1_772_442_000  // 2026-03-02T09:00:00Z
        #expect(parse("2026-03-02T09:00:00Z")! == (nine, true))
        #expect(parse("2026-03-02T10:00:00+01:00")! == (nine, true))
        #expect(parse("2026-03-02T10:00:00+0100")! == (nine, true))
        #expect(parse("2026-03-02T04:00-05")! == (nine, true))
        #expect(parse("2026-03-02 09:00:00.123456Z")! == (nine, true))
        #expect(parse("2026-03-02t09:00:00,5z")! == (nine, true))
        #expect(parse("2026-03-02T09:00:00")! == (nine, false))
        #expect(parse("2026-03-02T09:00")! == (nine, false))
        #expect(parse("2026-03-02")! == (nine - 9 * 3_600, false))
        #expect(parse("2016-12-31T23:59:60Z")! == (Self.at(2016, 12, 31, 23, 59, 59), true))
        for bad in ["2026-02-30", "2026-03-02T24:00", "2026-03-02T09:00:00Zjunk", "2026-3-2", "2026-03-02T", "2026-03-02T09",
                    "2026-03-02T09:00:00.", "2026-03-02T09:00+1", "2026-03-02T09:00+19:00", "2026-03-02Z", "", "x"] {
            #expect(parse(bad) == nil, "\(bad)")
        }
    }

    @Test func isoFormatAndRoundTrip() {
        #expect(ISOTime.string(utc: 1_772_442_000) == "2026-03-02T09:00:00Z")
        #expect(ISOTime.string(utc: 0) == "1970-01-01T00:00:00Z")
        #expect(ISOTime.string(utc: -1) == "1969-12-31T23:59:59Z")
        #expect(ISOTime.string(utc: Int64.max) == "9999-12-31T23:59:59Z")
        #expect(ISOTime.string(utc: Int64.min) == "0000-01-01T00:00:00Z")
        var buffer = Array("at ".utf8)
        ISOTime.format(utc: Self.at(2024, 2, 29, 23, 5, 7), into: &buffer)
        #expect(String(decoding: buffer, as: UTF8.self) == "at 2024-02-29T23:05:07Z")
        var t = Self.at(1900, 1, 1)
        while t < Self.at(2100, 1, 1) {
            let text = ISOTime.string(utc: t)
            let back = ISOTime.parseLocalOrUTC(Array(text.utf8))
            #expect(back?.seconds == t && back?.hasOffset == true, "\(text)")
            t += 7_777_777
        }
    }

    // MARK: - ISO 8601 durations

    @Test func durationFormat() {
        #expect(ISODuration.format(seconds: 3 * 86_400) == "P3D")
        #expect(ISODuration.format(seconds: 7_200) == "PT2H")
        #expect(ISODuration.format(seconds: 5_400) == "PT1H30M")
        #expect(ISODuration.format(seconds: 86_400 + 7_200) == "P1DT2H")
        #expect(ISODuration.format(seconds: 0) == "PT0S")
        #expect(ISODuration.format(seconds: 2_700) == "PT45M")
        #expect(ISODuration.format(seconds: 14 * 86_400) == "P14D")
        #expect(ISODuration.format(seconds: 90) == "PT1M30S")
        #expect(ISODuration.format(seconds: -300) == "-PT5M")
        #expect(ISODuration.format(seconds: Int64.min).hasPrefix("-P"))
        #expect(ISODuration.describe(seconds: 3 * 86_400) == "3 days")
        #expect(ISODuration.describe(seconds: 9_000) == "2 hours 30 minutes")
        #expect(ISODuration.describe(seconds: 86_400) == "1 day")
        #expect(ISODuration.describe(seconds: 0) == "0 seconds")
        #expect(ISODuration.describe(seconds: 86_400 + 61) == "1 day 1 minute 1 second")
    }

    @Test func durationParse() {
        func parse(_ s: String) -> Int64? { ISODuration.parse(Array(s.utf8)) }
        #expect(parse("P3D") == 259_200)
        #expect(parse("PT2H30M") == 9_000)
        #expect(parse("P1W") == 604_800)
        #expect(parse("PT90S") == 90)
        #expect(parse("P1DT12H") == 129_600)
        #expect(parse("PT0S") == 0)
        #expect(parse("-PT5M") == -300)
        for bad in ["P1Y", "P1M", "P1Y2D", "PT", "P", "", "PT1.5H", "P1DT", "PT2M3H", "P3DT4D", "T1H", "P1H",
                    "P99999999999999999999D", "P9999999999999999D", "PT2H30", "P 3D"] {
            #expect(parse(bad) == nil, "\(bad)")
        }
        for seconds: Int64 in [0, 1, 59, 60, 3_599, 3_600, 86_399, 86_400, 90_061, 1_209_600, 987_654_321] {
            #expect(parse(ISODuration.format(seconds: seconds)) == seconds)
        }
    }

    // MARK: - TZif byte helpers

    static func be32(_ v: Int32) -> [UInt8] {
        let u = UInt32(bitPattern: v)
        return [UInt8(u >> 24), UInt8(u >> 16 & 0xFF), UInt8(u >> 8 & 0xFF), UInt8(u & 0xFF)]
    }

    static func tzifHeader(version: UInt8, timecnt: Int32, typecnt: Int32, charcnt: Int32, leapcnt: Int32 = 0) -> [UInt8] {
        Array("TZif".utf8) + [version] + [UInt8](repeating: 0, count: 15)
            + be32(0) + be32(0) + be32(leapcnt) + be32(timecnt) + be32(typecnt) + be32(charcnt)
    }
}

fileprivate extension Result where Failure == ZoneError {
    var failureKind: ZoneError.Kind? {
        if case .failure(let e) = self { return e.kind }
        return nil
    }

    var failureMessage: String? {
        if case .failure(let e) = self { return e.message }
        return nil
    }
}

fileprivate extension Result {
    var failureValue: Failure? {
        if case .failure(let e) = self { return e }
        return nil
    }
}

/// ISODuration reads and writes ISO 8601 durations in days, hours, minutes
/// and seconds (`P3D`, `PT2H30M`, `P1DT2H`, `PT0S`), and says them in words
/// (`2 hours 30 minutes`).
///
/// Years and months are refused: their length depends on the calendar, and a
/// policy's durations must mean the same number of seconds everywhere. Weeks
/// are read (`P1W`) but written as days (`P14D`). A day is 86,400 seconds. A
/// leading `-` marks a negative duration both ways.
package enum ISODuration {
    // MARK: - Writing

    /// `P3D`, `PT2H`, `PT1H30M`, `P1DT2H`, `PT45M`, `PT0S`, `-PT5M`.
    package static func format(seconds: Int64) -> String {
        let magnitude = seconds.magnitude
        let days = magnitude / 86_400
        let hours = magnitude % 86_400 / 3_600
        let minutes = magnitude % 3_600 / 60
        let secs = magnitude % 60
        var text = seconds < 0 ? "-P" : "P"
        if days > 0 { text += "\(days)D" }
        if hours > 0 || minutes > 0 || secs > 0 || days == 0 {
            text += "T"
            if hours > 0 { text += "\(hours)H" }
            if minutes > 0 { text += "\(minutes)M" }
            if secs > 0 || (hours == 0 && minutes == 0) { text += "\(secs)S" }
        }
        return text
    }

    /// `3 days`, `2 hours 30 minutes`, `1 day`, `0 seconds`, `minus 5 minutes`.
    package static func describe(seconds: Int64) -> String {
        let magnitude = seconds.magnitude
        let parts: [(UInt64, String)] = [
            (magnitude / 86_400, "day"), (magnitude % 86_400 / 3_600, "hour"),
            (magnitude % 3_600 / 60, "minute"), (magnitude % 60, "second"),
        ]
        let words = parts.filter { $0.0 > 0 }.map { "\($0.0) \($0.1)\($0.0 == 1 ? "" : "s")" }
        if words.isEmpty { return "0 seconds" }
        return (seconds < 0 ? "minus " : "") + words.joined(separator: " ")
    }

    // MARK: - Parsing

    /// Seconds of `P3D`, `PT2H30M`, `P1W`, `PT90S`, `P1DT12H`; nil for years,
    /// months, fractions, an empty duration (`P`, `PT`) or an overflow.
    package static func parse<C: Collection>(_ bytes: C) -> Int64? where C.Element == UInt8 {
        if let result = bytes.withContiguousStorageIfAvailable({ parse(buffer: $0) }) { return result }
        guard bytes.count <= 64 else { return nil }
        return Array(bytes).withUnsafeBufferPointer { parse(buffer: $0) }
    }

    static func parse(buffer b: UnsafeBufferPointer<UInt8>) -> Int64? {
        var i = 0
        var negative = false
        if i < b.count && b[i] == UInt8(ascii: "-") {
            negative = true
            i += 1
        }
        guard i < b.count, b[i] == UInt8(ascii: "P") else { return nil }
        i += 1
        var total: Int64 = 0
        var components = 0
        var inTime = false
        // The designators allowed next, in order: each at most once.
        var rank = 0
        while i < b.count {
            if b[i] == UInt8(ascii: "T") {
                guard !inTime else { return nil }
                inTime = true
                rank = max(rank, 2)
                i += 1
                guard i < b.count else { return nil }  // `PT` or `P1DT` with nothing after
                continue
            }
            var value: Int64 = 0
            let first = i
            while i < b.count, b[i] >= 48, b[i] <= 57 {
                let (times10, o1) = value.multipliedReportingOverflow(by: 10)
                let (sum, o2) = times10.addingReportingOverflow(Int64(b[i] - 48))
                guard !o1, !o2 else { return nil }
                value = sum
                i += 1
            }
            guard i > first, i < b.count else { return nil }
            let unit: Int64
            let unitRank: Int
            switch (b[i], inTime) {
            case (UInt8(ascii: "W"), false): unit = 604_800; unitRank = 0
            case (UInt8(ascii: "D"), false): unit = 86_400; unitRank = 1
            case (UInt8(ascii: "H"), true): unit = 3_600; unitRank = 2
            case (UInt8(ascii: "M"), true): unit = 60; unitRank = 3
            case (UInt8(ascii: "S"), true): unit = 1; unitRank = 4
            default: return nil  // Y, M before T, fractions, anything else
            }
            guard unitRank >= rank else { return nil }
            rank = unitRank + 1
            i += 1
            let (part, o1) = value.multipliedReportingOverflow(by: unit)
            let (sum, o2) = total.addingReportingOverflow(part)
            guard !o1, !o2 else { return nil }
            total = sum
            components += 1
        }
        guard components > 0 else { return nil }
        return negative ? -total : total
    }
}

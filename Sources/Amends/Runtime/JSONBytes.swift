/// JSONBytes builds JSON text straight into a byte array: no Foundation, no
/// intermediate strings for the fixed parts. Output escapes per RFC 8259
/// (`"` `\` and control characters; everything else as UTF-8).
public struct JSONBytes: Sendable {
    public var bytes: [UInt8]

    public init(capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    public mutating func raw(_ s: StaticString) {
        s.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    public mutating func raw(_ b: [UInt8]) {
        bytes.append(contentsOf: b)
    }

    public mutating func byte(_ c: UInt8) {
        bytes.append(c)
    }

    public mutating func string(_ s: String) {
        var s = s
        s.withUTF8 { string(utf8: $0) }
    }

    /// A JSON string of UTF-8 bytes; a byte that is not part of
    /// well-formed UTF-8 is written as U+FFFD, so the text stays JSON.
    public mutating func string<C: Collection>(utf8 s: C) where C.Element == UInt8 {
        bytes.append(UInt8(ascii: "\""))
        var i = s.startIndex
        while i != s.endIndex {
            let c = s[i]
            if c >= 0x80 {
                let n = JSONBytes.sequenceLength(s, i)
                if n == 0 {
                    bytes += [0xEF, 0xBF, 0xBD]
                    i = s.index(after: i)
                }
                for _ in 0..<n {
                    bytes.append(s[i])
                    i = s.index(after: i)
                }
                continue
            }
            i = s.index(after: i)
            if c >= 0x20 && c != UInt8(ascii: "\"") && c != UInt8(ascii: "\\") {
                bytes.append(c)
                continue
            }
            switch c {
            case UInt8(ascii: "\""): bytes.append(UInt8(ascii: "\\")); bytes.append(c)
            case UInt8(ascii: "\\"): bytes.append(UInt8(ascii: "\\")); bytes.append(c)
            case 0x0A: raw("\\n")
            case 0x0D: raw("\\r")
            case 0x09: raw("\\t")
            case 0x08: raw("\\b")
            case 0x0C: raw("\\f")
            default:
                raw("\\u00")
                bytes.append(JSONBytes.hex[Int(c >> 4)])
                bytes.append(JSONBytes.hex[Int(c & 15)])
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// The length of the well-formed UTF-8 sequence (RFC 3629) that starts
    /// at `i` with a byte of 0x80 or more: 2 to 4, or 0 when there is none.
    static func sequenceLength<C: Collection>(_ s: C, _ i: C.Index) -> Int where C.Element == UInt8 {
        var low: UInt8 = 0x80
        var high: UInt8 = 0xBF
        let n: Int
        switch s[i] {
        case 0xC2...0xDF: n = 2
        case 0xE0: n = 3; low = 0xA0
        case 0xED: n = 3; high = 0x9F         // no surrogates
        case 0xE1...0xEF: n = 3
        case 0xF0: n = 4; low = 0x90
        case 0xF4: n = 4; high = 0x8F         // nothing past U+10FFFF
        case 0xF1...0xF3: n = 4
        default: return 0
        }
        var j = s.index(after: i)
        for k in 1..<n {
            guard j != s.endIndex else { return 0 }
            let c = s[j]
            guard k == 1 ? (c >= low && c <= high) : (c >= 0x80 && c <= 0xBF) else { return 0 }
            j = s.index(after: j)
        }
        return n
    }

    @usableFromInline static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    public mutating func int(_ v: Int) {
        if v < 0 {
            bytes.append(UInt8(ascii: "-"))
            if v == Int.min {
                raw("9223372036854775808")
                return
            }
            int(-v)
            return
        }
        if v < 10 {
            bytes.append(UInt8(48 + v))
            return
        }
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var n = 0
        var x = v
        withUnsafeMutableBytes(of: &digits) { d in
            while x > 0 {
                d[n] = UInt8(48 + x % 10)
                x /= 10
                n += 1
            }
            var k = n - 1
            while k >= 0 {
                bytes.append(d[k])
                k -= 1
            }
        }
    }

    /// A number as JSON: whole numbers without a fraction.
    public mutating func number(_ v: Double) {
        if v == v.rounded() && abs(v) < 1e15 {
            int(Int(v))
        } else if v.isFinite {
            raw(Array("\(v)".utf8))
        } else {
            raw("null")
        }
    }
}

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

    /// A JSON string of UTF-8 bytes.
    public mutating func string<C: Collection>(utf8 s: C) where C.Element == UInt8 {
        bytes.append(UInt8(ascii: "\""))
        for c in s {
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

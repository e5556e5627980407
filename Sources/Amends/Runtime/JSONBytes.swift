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

    /// A JSON string of UTF-8 bytes, escaped as `OutputBuffer` escapes
    /// them (a byte that is not part of well-formed UTF-8 as U+FFFD).
    public mutating func string<C: Collection>(utf8 s: C) where C.Element == UInt8 {
        let out = OutputBuffer(capacity: s.count &* 6 &+ 2)
        out.string(utf8: s)
        bytes.append(contentsOf: out.bytes)
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

    /// A whole number as JSON.
    public mutating func int(_ v: Int) {
        let out = OutputBuffer(capacity: 24)
        out.int(v)
        bytes.append(contentsOf: out.bytes)
    }

    /// A number as JSON, as `OutputBuffer.number` writes it: whole numbers
    /// without a fraction.
    public mutating func number(_ v: Double) {
        let out = OutputBuffer(capacity: 32)
        out.number(v)
        bytes.append(contentsOf: out.bytes)
    }
}

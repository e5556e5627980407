#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An OutputBuffer is a growable run of bytes that results are written
/// into: one per worker, reused from batch to batch.
///
/// It is a class over one allocation rather than an `Array`, so that the
/// many small writes of a result line (a brace, a key, a deadline) cost a
/// compare and a copy each, with no uniqueness check or reference counting.
/// Every write makes room for itself first.
package final class OutputBuffer {
    @exclusivity(unchecked) var base: UnsafeMutablePointer<UInt8>
    @exclusivity(unchecked) package private(set) var count = 0
    @exclusivity(unchecked) var capacity: Int

    package init(capacity: Int = 1 << 16) {
        self.capacity = max(64, capacity)
        base = UnsafeMutablePointer<UInt8>.allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    /// The bytes written so far (valid until the next write or `removeAll`).
    package var bytes: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: base, count: count) }

    /// A copy of the bytes written so far.
    package var array: [UInt8] { Array(bytes) }

    package func removeAll() { count = 0 }

    /// Where a time was written, and which: kept while `marksTimes`, so
    /// that bytes written once can be written again with other times.
    struct TimeMark {
        var offset: Int
        var seconds: Int64
    }

    @exclusivity(unchecked) var marksTimes = false
    @exclusivity(unchecked) var timeMarks: [TimeMark] = []

    /// Makes room for `n` more bytes.
    @inline(__always)
    func reserve(_ n: Int) {
        if n > capacity &- count { grow(n) }
    }

    func grow(_ n: Int) {
        let needed = count + n
        var size = capacity
        while size < needed { size = size <= Int.max / 2 ? size * 2 : needed }
        let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: size)
        bigger.update(from: base, count: count)
        base.deallocate()
        base = bigger
        capacity = size
    }

    // MARK: - Writing

    @inline(__always)
    package func byte(_ c: UInt8) {
        reserve(1)
        base[count] = c
        count &+= 1
    }

    @inline(__always)
    package func raw(_ s: StaticString) {
        raw(UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
    }

    @inline(__always)
    package func raw(_ b: UnsafeBufferPointer<UInt8>) {
        guard let from = b.baseAddress else { return }
        let n = b.count
        reserve(n)
        let to = base + count
        if n >= 8 && n <= 64 {
            // The pieces of a result line are short: copy them a word at a
            // time (the last word overlapping), not through memcpy.
            let src = UnsafeRawPointer(from), dst = UnsafeMutableRawPointer(to)
            var k = 0
            while k + 8 <= n {
                dst.storeBytes(of: src.loadUnaligned(fromByteOffset: k, as: UInt64.self), toByteOffset: k, as: UInt64.self)
                k &+= 8
            }
            if k < n {
                dst.storeBytes(of: src.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self), toByteOffset: n - 8, as: UInt64.self)
            }
        } else if n < 8 {
            for k in 0..<n { to[k] = from[k] }
        } else {
            to.update(from: from, count: n)
        }
        count &+= n
    }

    package func raw(_ b: [UInt8]) {
        b.withUnsafeBufferPointer { raw($0) }
    }

    /// A JSON string of UTF-8 bytes, escaped per RFC 8259 (`"`, `\` and
    /// control characters; well-formed UTF-8 as it is). A byte that is not
    /// part of well-formed UTF-8 (a CSV cell may hold any) is written as
    /// U+FFFD, so that the line stays JSON.
    package func string<C: Collection>(utf8 s: C) where C.Element == UInt8 {
        reserve(s.count &* 6 &+ 2)
        var p = base + count
        p.pointee = UInt8(ascii: "\"")
        p += 1
        var i = s.startIndex
        while i != s.endIndex {
            let c = s[i]
            if c >= 0x80 {
                let n = UTF8Scalar.sequenceLength(s, at: i)
                if n == 0 {
                    p[0] = 0xEF
                    p[1] = 0xBF
                    p[2] = 0xBD
                    p += 3
                    i = s.index(after: i)
                }
                for _ in 0..<n {
                    p.pointee = s[i]
                    p += 1
                    i = s.index(after: i)
                }
                continue
            }
            i = s.index(after: i)
            if c >= 0x20 && c != UInt8(ascii: "\"") && c != UInt8(ascii: "\\") {
                p.pointee = c
                p += 1
                continue
            }
            p.pointee = UInt8(ascii: "\\")
            switch c {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): p[1] = c
            case 0x0A: p[1] = UInt8(ascii: "n")
            case 0x0D: p[1] = UInt8(ascii: "r")
            case 0x09: p[1] = UInt8(ascii: "t")
            case 0x08: p[1] = UInt8(ascii: "b")
            case 0x0C: p[1] = UInt8(ascii: "f")
            default:
                p[1] = UInt8(ascii: "u")
                p[2] = UInt8(ascii: "0")
                p[3] = UInt8(ascii: "0")
                p[4] = OutputBuffer.hex(c >> 4)
                p[5] = OutputBuffer.hex(c & 15)
                p += 4
            }
            p += 2
        }
        p.pointee = UInt8(ascii: "\"")
        p += 1
        count = p - base
    }

    package func string(_ s: String) {
        var s = s
        s.withUTF8 { string(utf8: $0) }
    }

    @inline(__always)
    static func hex(_ v: UInt8) -> UInt8 { v < 10 ? 48 + v : 87 + v }

    /// A whole number in decimal.
    package func int(_ v: Int) {
        reserve(20)
        var magnitude = v.magnitude
        if v < 0 {
            base[count] = UInt8(ascii: "-")
            count &+= 1
        }
        var digits = 1
        var probe = magnitude
        while probe >= 10 {
            probe /= 10
            digits += 1
        }
        var p = base + count + digits
        repeat {
            p -= 1
            p.pointee = UInt8(48 + magnitude % 10)
            magnitude /= 10
        } while magnitude > 0
        count &+= digits
    }

    /// A number as JSON: whole numbers without a fraction.
    package func number(_ v: Double) {
        if v == v.rounded() && abs(v) < 1e15 {
            int(Int(v))
        } else if v.isFinite {
            raw(Array("\(v)".utf8))
        } else {
            raw("null")
        }
    }

    /// `2026-03-02T10:00:00Z` for a UTC instant (clamped as `ISOTime` does).
    package func time(utc seconds: Int64) {
        if marksTimes { timeMarks.append(TimeMark(offset: count, seconds: seconds)) }
        reserve(ISOTime.length)
        ISOTime.format(utc: seconds, to: base + count)
        count &+= ISOTime.length
    }
}

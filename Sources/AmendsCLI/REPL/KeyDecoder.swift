/// A Key is one thing the user did at the keyboard, decoded from the bytes
/// a terminal sends.
enum Key: Equatable, Sendable {
    /// A printable character (one Unicode scalar).
    case text(Unicode.Scalar)
    /// Text pasted between `ESC[200~` and `ESC[201~` (bracketed paste), as sent.
    case paste(String)
    case enter, tab, backTab, backspace, delete, escape
    case left, right, up, down, home, end, pageUp, pageDown, insert
    case wordLeft, wordRight
    /// Ctrl and a letter (`ctrl("a")`), except those above (Tab, Enter, Backspace).
    case ctrl(Character)
    /// Alt (Meta) and a character: `ESC b`.
    case alt(Character)
    /// Alt-Backspace: delete the word before the cursor.
    case altBackspace
    /// A sequence the editor does not use.
    case unknown
}

/// A KeyDecoder turns terminal input bytes into keys: UTF-8 across reads,
/// CSI (`ESC [` parameters final-byte) and SS3 (`ESC O` x) sequences, Alt as
/// an `ESC` prefix, and bracketed paste.
///
/// A lone Esc cannot be told from the start of a sequence by its byte: the
/// terminal layer calls `flushEscape()` when no byte follows it within a
/// short time.
struct KeyDecoder: Sendable {
    private enum State: Sendable {
        case ground
        /// Inside a UTF-8 sequence: the bytes so far and how many it needs.
        case utf8([UInt8], Int)
        case escape
        case csi([UInt8])
        case ss3
        /// Inside a bracketed paste: the bytes so far.
        case paste([UInt8])
    }

    private var state: State = .ground
    /// Bracketed paste is at most this long (bytes); the rest is dropped.
    static let pasteLimit = 1 << 20

    /// Whether a lone `ESC` is waiting to be told apart from a sequence.
    var pendingEscape: Bool {
        if case .escape = state { return true }
        return false
    }

    /// Decodes bytes; keys that are complete come out, the rest waits.
    mutating func feed<C: Collection>(_ bytes: C) -> [Key] where C.Element == UInt8 {
        var keys: [Key] = []
        for b in bytes { step(b, into: &keys) }
        return keys
    }

    /// A lone Esc (no sequence followed in time).
    mutating func flushEscape() -> Key? {
        guard pendingEscape else { return nil }
        state = .ground
        return .escape
    }

    /// Decodes one byte.
    mutating func feed(_ b: UInt8) -> [Key] {
        var keys: [Key] = []
        step(b, into: &keys)
        return keys
    }

    private mutating func step(_ b: UInt8, into keys: inout [Key]) {
        if let key = decode(b, into: &keys) { keys.append(key) }
    }

    private mutating func decode(_ b: UInt8, into keys: inout [Key]) -> Key? {
        switch state {
        case .ground:
            return ground(b)
        case .utf8(var bytes, let need):
            guard b & 0xC0 == 0x80 else {
                // A broken sequence: a replacement character, then this byte afresh.
                state = .ground
                keys.append(.text("\u{FFFD}"))
                return ground(b)
            }
            bytes.append(b)
            if bytes.count < need {
                state = .utf8(bytes, need)
                return nil
            }
            state = .ground
            let decoded = UTF8Scalar(bytes)
            return .text(decoded ?? "\u{FFFD}")
        case .escape:
            switch b {
            case UInt8(ascii: "["):
                state = .csi([])
                return nil
            case UInt8(ascii: "O"):
                state = .ss3
                return nil
            case 0x7F, 0x08:
                state = .ground
                return .altBackspace
            case 0x1B:
                // Esc Esc: the first was a lone Esc.
                state = .escape
                return .escape
            case 0x20...0x7E:
                state = .ground
                let c = Character(Unicode.Scalar(b))
                switch c {
                case "b", "B": return .wordLeft
                case "f", "F": return .wordRight
                default: return .alt(c)
                }
            default:
                state = .ground
                return .unknown
            }
        case .csi(var params):
            if b >= 0x40 && b <= 0x7E {
                state = .ground
                return csi(params, final: b)
            }
            guard params.count < 32 else {
                state = .ground
                return .unknown
            }
            params.append(b)
            state = .csi(params)
            return nil
        case .ss3:
            state = .ground
            switch b {
            case UInt8(ascii: "A"): return .up
            case UInt8(ascii: "B"): return .down
            case UInt8(ascii: "C"): return .right
            case UInt8(ascii: "D"): return .left
            case UInt8(ascii: "H"): return .home
            case UInt8(ascii: "F"): return .end
            default: return .unknown
            }
        case .paste(var bytes):
            bytes.append(b)
            let end: [UInt8] = [0x1B, 0x5B, 0x32, 0x30, 0x31, 0x7E] // ESC[201~
            if bytes.count >= end.count && bytes.suffix(end.count).elementsEqual(end) {
                state = .ground
                bytes.removeLast(end.count)
                return .paste(String(decoding: bytes, as: UTF8.self))
            }
            if bytes.count > KeyDecoder.pasteLimit + end.count { bytes.removeLast() }
            state = .paste(bytes)
            return nil
        }
    }

    private mutating func ground(_ b: UInt8) -> Key? {
        switch b {
        case 0x0D, 0x0A: return .enter
        case 0x09: return .tab
        case 0x7F, 0x08: return .backspace
        case 0x1B:
            state = .escape
            return nil
        case 0x00: return .ctrl("@")
        case 0x01...0x1A: return .ctrl(Character(Unicode.Scalar(b + 0x60)))
        case 0x1C...0x1F: return .unknown
        case 0x20...0x7E: return .text(Unicode.Scalar(b))
        case 0xC2...0xDF:
            state = .utf8([b], 2)
            return nil
        case 0xE0...0xEF:
            state = .utf8([b], 3)
            return nil
        case 0xF0...0xF4:
            state = .utf8([b], 4)
            return nil
        default:
            return .text("\u{FFFD}")
        }
    }

    /// `ESC [ params final`.
    private mutating func csi(_ params: [UInt8], final: UInt8) -> Key? {
        let text = String(decoding: params, as: UTF8.self)
        let fields = text.split(separator: ";", omittingEmptySubsequences: false)
        let first = fields.first.flatMap { Int($0) }
        let modifier = fields.count > 1 ? Int(fields[1]) ?? 1 : 1
        // Modifier 3 is Alt, 5 Ctrl (and 7, 9 combinations): word moves.
        let word = modifier == 3 || modifier == 5 || modifier == 7 || modifier == 9
        switch final {
        case UInt8(ascii: "A"): return .up
        case UInt8(ascii: "B"): return .down
        case UInt8(ascii: "C"): return word ? .wordRight : .right
        case UInt8(ascii: "D"): return word ? .wordLeft : .left
        case UInt8(ascii: "H"): return .home
        case UInt8(ascii: "F"): return .end
        case UInt8(ascii: "Z"): return .backTab
        case UInt8(ascii: "~"):
            switch first {
            case 1, 7: return .home
            case 4, 8: return .end
            case 3: return .delete
            case 2: return .insert
            case 5: return .pageUp
            case 6: return .pageDown
            case 200:
                state = .paste([])
                return nil
            default: return .unknown
            }
        default: return .unknown
        }
    }
}

/// Decodes a complete UTF-8 sequence strictly (nil when invalid).
private func UTF8Scalar(_ bytes: [UInt8]) -> Unicode.Scalar? {
    var iterator = bytes.makeIterator()
    var decoder = UTF8()
    switch decoder.decode(&iterator) {
    case .scalarValue(let s): return s
    default: return nil
    }
}

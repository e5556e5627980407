/// ControlPictures shows text from policies and records safely on a
/// terminal: a control character (C0, DEL, C1) is replaced by its picture
/// (`␀` … `␟`, `␡`) or, for C1, by `�`, so that no input can move the
/// cursor, start an escape sequence or change the terminal's settings.
package enum ControlPictures {
    /// The picture shown for `scalar`, or nil when it is shown as it is.
    package static func picture(_ scalar: Unicode.Scalar) -> Unicode.Scalar? {
        switch scalar.value {
        case 0x00..<0x20: return Unicode.Scalar(0x2400 + scalar.value)
        case 0x7F: return "\u{2421}"
        case 0x80..<0xA0: return "\u{FFFD}"
        default: return nil
        }
    }

    /// `text` with every control character shown as its picture.
    package static func safe(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { picture($0) != nil }) else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars { out.append(picture(scalar) ?? scalar) }
        return String(out)
    }
}

/// The kinds of token the lexer produces. Words (keywords, names, levels)
/// are all `.name`: the language's keywords are contextual, recognised by the
/// parser where they can appear (Grammar.md, "Keywords").
package enum TokenKind: UInt8, Sendable {
    case name          // severity, customer.name, when, follow
    case number        // 3, 1.5
    case string        // "text"
    case timestamp     // 2026-03-02T09:00:00Z, 2026-12-25
    case clock         // 09:00
    case colon, semicolon, comma
    case lparen, rparen, lbracket, rbracket, lbrace, rbrace
    case equal, notEqual, less, lessEqual, greater, greaterEqual
    case question, slash, minus, plus
    case newline, indent, dedent, eof
    /// Text the lexer already reported; the parser skips its statement quietly.
    case invalid

    /// How the token reads in a message: `:`, a name, end of line.
    package var display: String {
        switch self {
        case .name: return "a name"
        case .number: return "a number"
        case .string: return "a string"
        case .timestamp: return "a timestamp"
        case .clock: return "a time of day"
        case .colon: return "`:`"
        case .semicolon: return "`;`"
        case .comma: return "`,`"
        case .lparen: return "`(`"
        case .rparen: return "`)`"
        case .lbracket: return "`[`"
        case .rbracket: return "`]`"
        case .lbrace: return "`{`"
        case .rbrace: return "`}`"
        case .equal: return "`=`"
        case .notEqual: return "`!=`"
        case .less: return "`<`"
        case .lessEqual: return "`<=`"
        case .greater: return "`>`"
        case .greaterEqual: return "`>=`"
        case .question: return "`?`"
        case .slash: return "`/`"
        case .minus: return "`-`"
        case .plus: return "`+`"
        case .newline: return "end of line"
        case .indent: return "an indented block"
        case .dedent: return "end of block"
        case .eof: return "end of file"
        case .invalid: return "invalid text"
        }
    }
}

/// A Token is a kind and the span of its text.
package struct Token: Sendable, Equatable {
    package var kind: TokenKind
    package var span: Span

    @inlinable
    package init(_ kind: TokenKind, _ span: Span) {
        self.kind = kind
        self.span = span
    }
}

/// A Comment is kept beside the tokens so the formatter can put it back.
package struct Comment: Sendable, Equatable {
    package var span: Span
    /// True when nothing but whitespace precedes it on its line.
    package var ownLine: Bool
}

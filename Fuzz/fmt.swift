// Fuzz target `fmt`: the promises of `amends fmt` on any text that parses
// without errors. Formatting it
// - gives text that parses without errors,
// - to the same tree (S-expression dumps and items compared: spans ignored),
// - with the same comments,
// - and formatting that again changes nothing (fmt(fmt(x)) == fmt(x)).

@testable import Amends

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let file = Parser.parse(SourceText(path: "fuzz.policy", bytes: fuzzBytes(data, size)))
    guard !file.diagnostics.hasErrors else {
        // A text with errors is refused, never half formatted.
        expect(Formatter.format(file) == nil, "the formatter formatted a text with syntax errors")
        return 0
    }
    guard let once = Formatter.format(file) else {
        expect(false, "the formatter refused a text without syntax errors")
        return 0
    }
    let reparsed = Parser.parse(path: "fuzz.policy", text: once)
    expect(!reparsed.diagnostics.hasErrors,
           "the formatted text has errors: \(reparsed.diagnostics.map(\.description))\n--- formatted ---\n\(once)")
    expect(SExpr.dump(reparsed) == SExpr.dump(file) && reparsed.items == file.items,
           "formatting changed the tree\n--- before ---\n\(SExpr.dump(file))--- after ---\n\(SExpr.dump(reparsed))"
           + "--- formatted ---\n\(once)")
    expect(comments(file) == comments(reparsed),
           "formatting changed the comments: \(comments(file)) became \(comments(reparsed))\n--- formatted ---\n\(once)")
    let twice = Formatter.format(reparsed)
    expect(twice == once, "formatting is not idempotent\n--- once ---\n\(once)--- twice ---\n\(twice ?? "(refused)")")
    return 0
}

/// The comments of a file, in order, without trailing whitespace.
func comments(_ file: PolicyFile) -> [String] {
    file.comments.map { comment in
        var text = file.source.text(comment.span)
        while text.last == " " || text.last == "\t" || text.last == "\r" { text.removeLast() }
        return text
    }
}

/// SARIF 2.1.0 output for code-scanning services: one run of the `amends`
/// tool, with a rule per diagnostic code (name, summary, help with a bad
/// and a good example, default level) and a result per finding (rule, level,
/// message, file and region; notes with a place become related locations).
/// Columns count Unicode code points (`columnKind`), as everywhere in Amends;
/// paths are relative to the working folder (`%SRCROOT%`) where they can be.
extension CheckReport {
    /// Where a person reads about the rules. The project has no package home
    /// yet, so this is a placeholder on a reserved domain.
    package static let informationURI = "https://amends.invalid/docs/check.md"

    package static let sarifSchema = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"

    /// The SARIF log; `root` is the absolute working folder relative paths start from.
    package func sarif(root: String) -> String {
        let codes = DiagnosticCode.allCases
        var ruleIndex: [DiagnosticCode: Int] = [:]
        for (k, code) in codes.enumerated() { ruleIndex[code] = k }
        let rules: [JSONDocument] = codes.map(CheckReport.sarifRule)
        let results: [JSONDocument] = diagnostics.map { d in
            var message = d.message
            var related: [JSONDocument] = []
            for note in d.notes {
                if let source = note.source, let span = note.span {
                    related.append(.object([
                        ("id", .int(related.count + 1)),
                        ("physicalLocation", location(source, span, root: root)),
                        ("message", .object([("text", .string(note.message))])),
                    ]))
                } else {
                    message += "\nnote: \(note.message)"
                }
            }
            if let help = d.help { message += "\nhelp: \(help)" }
            var fields: [(String, JSONDocument)] = [
                ("ruleId", .string(d.code.rawValue)),
                ("ruleIndex", .int(ruleIndex[d.code] ?? 0)),
                ("level", .string(CheckReport.sarifLevel(d.level))),
                ("message", .object([("text", .string(message))])),
                ("locations", .array([.object([("physicalLocation", location(d.source, d.span, root: root))])])),
            ]
            if !related.isEmpty { fields.append(("relatedLocations", .array(related))) }
            return .object(fields)
        }
        let notifications: [JSONDocument] = unreadable.map { u in
            .object([
                ("level", .string("error")),
                ("message", .object([("text", .string(u.message))])),
                ("locations", .array([.object([("physicalLocation", .object([("artifactLocation", artifact(u.path, root: root))]))])])),
            ])
        }
        let rootURI = "file://" + CheckReport.percentEncode(root.hasSuffix("/") ? root : root + "/")
        let run = JSONDocument.object([
            ("tool", .object([("driver", .object([
                ("name", .string("amends")),
                ("version", .string(Amends.version)),
                ("semanticVersion", .string(Amends.version)),
                ("informationUri", .string(CheckReport.informationURI)),
                ("rules", .array(rules)),
            ]))])),
            ("invocations", .array([.object([
                ("executionSuccessful", .bool(unreadable.isEmpty)),
                ("toolExecutionNotifications", .array(notifications)),
            ])])),
            ("originalUriBaseIds", .object([("%SRCROOT%", .object([("uri", .string(rootURI))]))])),
            ("results", .array(results)),
            ("columnKind", .string("unicodeCodePoints")),
        ])
        return JSONDocument.object([
            ("$schema", .string(CheckReport.sarifSchema)),
            ("version", .string("2.1.0")),
            ("runs", .array([run])),
        ]).render()
    }

    static func sarifLevel(_ level: Diagnostic.Level) -> String {
        switch level {
        case .error: return "error"
        case .warning: return "warning"
        case .note: return "note"
        }
    }

    /// A rule's description: its name, summary, bad and good example.
    static func sarifRule(_ code: DiagnosticCode) -> JSONDocument {
        let info = code.info
        var text = "\(CodeDocs.capitalized(info.summary))."
        var markdown = text
        if !info.bad.isEmpty {
            text += "\n\nBad:\n" + indented(info.bad)
            markdown += "\n\nBad:\n\n```\n\(info.bad)\n```"
        }
        if !info.good.isEmpty {
            text += "\n\nGood:\n" + indented(info.good)
            markdown += "\n\nGood:\n\n```\n\(info.good)\n```"
        }
        return .object([
            ("id", .string(code.rawValue)),
            ("name", .string(info.name)),
            ("shortDescription", .object([("text", .string(info.summary))])),
            ("fullDescription", .object([("text", .string("\(code.rawValue) \(info.name): \(info.summary)."))])),
            ("help", .object([("text", .string(text)), ("markdown", .string(markdown))])),
            ("defaultConfiguration", .object([("level", .string(sarifLevel(info.level)))])),
        ])
    }

    static func indented(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { "    " + $0 }.joined(separator: "\n")
    }

    func location(_ source: SourceText, _ span: Span, root: String) -> JSONDocument {
        let start = source.location(of: span.start)
        let end = source.location(of: max(span.start, span.end))
        return .object([
            ("artifactLocation", artifact(source.path, root: root)),
            ("region", .object([
                ("startLine", .int(start.line)), ("startColumn", .int(start.column)),
                ("endLine", .int(end.line)), ("endColumn", .int(end.column)),
            ])),
        ])
    }

    /// A relative path under `%SRCROOT%`, or an absolute `file:` URI.
    func artifact(_ path: String, root: String) -> JSONDocument {
        var relative = path
        let base = root.hasSuffix("/") ? root : root + "/"
        if relative.hasPrefix(base) { relative = String(relative.dropFirst(base.count)) }
        while relative.hasPrefix("./") { relative = String(relative.dropFirst(2)) }
        if relative.hasPrefix("/") {
            return .object([("uri", .string("file://" + CheckReport.percentEncode(relative)))])
        }
        return .object([("uri", .string(CheckReport.percentEncode(relative))), ("uriBaseId", .string("%SRCROOT%"))])
    }

    /// Percent-encodes what a URI path may not hold (RFC 3986); `/` stays.
    static func percentEncode(_ path: String) -> String {
        var out = ""
        for byte in path.utf8 {
            let c = Character(Unicode.Scalar(byte))
            let plain = (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x30 && byte <= 0x39)
                || "-._~/!$&'()*+,;=:@".contains(c)
            if plain {
                out.append(c)
            } else {
                let hex = Array("0123456789ABCDEF")
                out += "%" + String(hex[Int(byte >> 4)]) + String(hex[Int(byte & 15)])
            }
        }
        return out
    }
}

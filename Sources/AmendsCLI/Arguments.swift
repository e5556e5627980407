import Amends

/// A command line split into flags and operands, checked against what the
/// command accepts. `--flag value` and `--flag=value` both work; `--` ends
/// the flags; `-` alone is an operand (standard input).
public struct Arguments {
    public var operands: [String] = []
    public var values: [String: [String]] = [:]
    public var switches: Set<String> = []

    /// A usage error: printed with the command's usage line, exit 2.
    public struct Problem: Error {
        public var message: String
        public var help: String?
    }

    /// - Parameters:
    ///   - valued: flags that take a value (`--format`).
    ///   - switches: flags that take none (`--check`).
    public init(_ args: [String], valued: [String], switches allowed: [String]) throws {
        var i = 0
        var flagsDone = false
        while i < args.count {
            let arg = args[i]
            i += 1
            if flagsDone || !arg.hasPrefix("-") || arg == "-" {
                operands.append(arg)
                continue
            }
            if arg == "--" { flagsDone = true; continue }
            var name = arg
            var inline: String?
            if let eq = arg.firstIndex(of: "=") {
                name = String(arg[..<eq])
                inline = String(arg[arg.index(after: eq)...])
            }
            if valued.contains(name) {
                if let inline {
                    values[name, default: []].append(inline)
                } else if i < args.count {
                    values[name, default: []].append(args[i])
                    i += 1
                } else {
                    throw Problem(message: "`\(name)` needs a value", help: nil)
                }
            } else if allowed.contains(name) {
                if inline != nil { throw Problem(message: "`\(name)` takes no value", help: nil) }
                switches.insert(name)
            } else {
                let help = Suggest.didYouMean(name, in: valued + allowed)
                throw Problem(message: "unknown option `\(name)`", help: help)
            }
        }
    }

    public func value(_ name: String) -> String? { values[name]?.last }
    public func all(_ name: String) -> [String] { values[name] ?? [] }
    public func has(_ name: String) -> Bool { switches.contains(name) }

    /// The value of a flag that must be one of `choices`.
    public func choice(_ name: String, _ choices: [String], default fallback: String) throws -> String {
        guard let v = value(name) else { return fallback }
        guard choices.contains(v) else {
            throw Problem(message: "`\(name)` must be one of \(choices.map { "`\($0)`" }.joined(separator: ", ")), not `\(v)`",
                          help: Suggest.didYouMean(v, in: choices))
        }
        return v
    }
}

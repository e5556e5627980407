/// ConditionCode is every condition of a program compiled to one flat array
/// of small instructions, run by a loop with one Boolean register.
///
/// The common leaves (a field against a constant, a bit-set membership, a
/// presence test, a yes/no field) are instructions of their own, so a rule
/// like `severity >= high and tier = enterprise` runs as four instructions
/// with no calls, no reference counting and no look-ups. Rarer leaves (text
/// tests, lists, `age`, field against field) are closures, called by one
/// instruction. `and` and `or` short-circuit by jumping; `not` flips the
/// register; a `define` is inlined where it is small and called otherwise.
///
///     severity >= high and not (caused_by = customer)
///
///     0  greaterEqual  severity 2
///     1  jumpIfFalse   4
///     2  equal         caused_by 2
///     3  not
struct ConditionCode: Sendable {
    var instructions: [Instruction] = []
    /// The closures that `test` instructions call.
    var tests: [Program.Test] = []
    /// Where each define's code is, for `call` (empty when always inlined).
    var defines: [CodeRange] = []

    /// Whether the code in `range` holds for `record`.
    func holds(_ range: CodeRange, _ record: RecordBuffer) -> Bool {
        record.present.withUnsafeBufferPointer { present in
            record.scalars.withUnsafeBufferPointer { scalars in
                instructions.withUnsafeBufferPointer { code in
                    run(code, range, present, scalars, record)
                }
            }
        }
    }

    /// Runs one range of instructions. The pointers are the record's
    /// `present` and `scalars` slots and the program's instructions.
    @inline(__always)
    func run(_ code: UnsafeBufferPointer<Instruction>, _ range: CodeRange,
             _ present: UnsafeBufferPointer<Bool>, _ scalars: UnsafeBufferPointer<Double>,
             _ record: RecordBuffer) -> Bool {
        var acc = false
        var pc = Int(range.start)
        let end = Int(range.end)
        while pc < end {
            // INVARIANT: the compiler emits fields below the schema's field
            // count, jump targets within the range and valid test and define
            // indexes; records always have a slot per field.
            let i = code[pc]
            let f = Int(i.field)
            switch i.op {
            case .constant: acc = i.flag
            case .present: acc = present[f] != i.flag
            case .yes: acc = present[f] && scalars[f] != 0
            case .equal: acc = present[f] && scalars[f] == i.constant
            case .notEqual: acc = present[f] && scalars[f] != i.constant
            case .less: acc = present[f] && scalars[f] < i.constant
            case .lessEqual: acc = present[f] && scalars[f] <= i.constant
            case .greater: acc = present[f] && scalars[f] > i.constant
            case .greaterEqual: acc = present[f] && scalars[f] >= i.constant
            case .inSet:
                if present[f] {
                    let v = scalars[f]
                    let hit = v >= 0 && v < 64 && i.operand & (1 << UInt64(v)) != 0
                    acc = hit != i.flag
                } else {
                    acc = false
                }
            case .test: acc = tests[f](record)
            case .call: acc = call(f, code, present, scalars, record)
            case .not: acc = !acc
            case .jumpIfFalse:
                if !acc {
                    pc = f
                    continue
                }
            case .jumpIfTrue:
                if acc {
                    pc = f
                    continue
                }
            }
            pc += 1
        }
        return acc
    }
}

extension ConditionCode {
    /// Runs a define's code (kept out of line: `run` is inlined into the
    /// evaluator's loop, and a define's code may call another define).
    @inline(never)
    func call(_ d: Int, _ code: UnsafeBufferPointer<Instruction>,
              _ present: UnsafeBufferPointer<Bool>, _ scalars: UnsafeBufferPointer<Double>,
              _ record: RecordBuffer) -> Bool {
        run(code, defines[d], present, scalars, record)
    }
}

/// A CodeRange is where one condition's instructions are.
public struct CodeRange: Sendable, Equatable {
    public var start: Int32
    public var end: Int32
}

/// One instruction of `ConditionCode`: 16 bytes, trivially copyable.
struct Instruction: Sendable, CustomStringConvertible {
    enum Op: UInt8, Sendable {
        /// The register is `flag`.
        case constant
        /// Whether `field` has a value (`flag`: whether it is missing).
        case present
        /// A yes/no field that is present and yes.
        case yes
        /// `field` is present and compares so with the constant.
        case equal, notEqual, less, lessEqual, greater, greaterEqual
        /// `field` is present and its value is in the bit set `operand`
        /// (`flag`: is not in it).
        case inSet
        /// The register is what closure `field` says.
        case test
        /// The register is what define `field`'s code says.
        case call
        case not
        /// Go to instruction `field` when the register is false (true).
        case jumpIfFalse, jumpIfTrue
    }

    var op: Op
    var flag = false
    var field: Int32 = 0
    /// A constant (as the bits of a `Double`) or a bit set.
    var operand: UInt64 = 0

    var constant: Double {
        @inline(__always) get { Double(bitPattern: operand) }
    }

    init(_ op: Op, flag: Bool = false, field: Int = 0, operand: UInt64 = 0) {
        self.op = op
        self.flag = flag
        self.field = Int32(truncatingIfNeeded: field)
        self.operand = operand
    }

    init(_ op: Op, field: Int, constant: Double) {
        self.init(op, field: field, operand: constant.bitPattern)
    }

    var isJump: Bool { op == .jumpIfFalse || op == .jumpIfTrue }

    /// `greaterEqual 1 2.0`: for dumps and tests.
    var description: String {
        switch op {
        case .constant: return "constant \(flag)"
        case .present: return flag ? "missing \(field)" : "present \(field)"
        case .yes: return "yes \(field)"
        case .equal, .notEqual, .less, .lessEqual, .greater, .greaterEqual: return "\(op) \(field) \(constant)"
        case .inSet: return (flag ? "notInSet" : "inSet") + " \(field) 0x" + String(operand, radix: 16)
        case .test, .call, .jumpIfFalse, .jumpIfTrue: return "\(op) \(field)"
        case .not: return "not"
        }
    }
}

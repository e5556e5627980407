// Colour in diagnostics: only on a terminal, never when NO_COLOR is set (to
// anything, even empty), forced by FORCE_COLOR. Run through the built tool,
// with its output on a file and on a pseudo-terminal.
import Testing
@testable import Amends
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@Suite("Colour")
struct ColorTests {
    static let escape = "\u{1B}["

    /// A policy with one syntax error, in a fresh folder.
    static func badPolicy() throws -> (TempFolder, String) {
        let dir = try TempFolder()
        try dir.write("bad.policy", "when severity >= high: follow up in 3 dayz\n")
        return (dir, dir.path + "/bad.policy")
    }

    @Test func noColourWhenOutputIsAFile() throws {
        let (dir, path) = try Self.badPolicy()
        let r = Tool.run(["check", path], unset: ["NO_COLOR"])
        #expect(r.status == 2 && r.stdout.contains("error[E023]"))
        #expect(!r.stdout.contains(Self.escape) && !r.stderr.contains(Self.escape), "\(r.stdout)")
        _ = dir
    }

    @Test func forceColourColours() throws {
        let (dir, path) = try Self.badPolicy()
        let r = Tool.run(["check", path], environment: ["FORCE_COLOR": "1"], unset: ["NO_COLOR"])
        #expect(r.stdout.contains(Self.escape + "1;31merror[E023]"), "\(r.stdout)")
        _ = dir
    }

    @Test("NO_COLOR beats FORCE_COLOR", arguments: ["1", ""])
    func noColourBeatsForce(_ value: String) throws {
        let (dir, path) = try Self.badPolicy()
        let r = Tool.run(["check", path], environment: ["FORCE_COLOR": "1", "NO_COLOR": value], unset: ["NO_COLOR"])
        #expect(r.stdout.contains("error[E023]") && !r.stdout.contains(Self.escape), "\(r.stdout)")
        _ = dir
    }

    @Test func colourOnATerminalUnlessNoColour() throws {
        let (dir, path) = try Self.badPolicy()
        guard let coloured = Self.onTerminal(["check", path], environment: Tool.environmentList(["TERM": "xterm"], unset: ["NO_COLOR"])),
              let plain = Self.onTerminal(["check", path], environment: Tool.environmentList(["TERM": "xterm"])) else {
            Issue.record("could not open a pseudo-terminal")
            return
        }
        #expect(coloured.contains(Self.escape + "1;31merror[E023]"), "\(coloured)")
        #expect(plain.contains("error[E023]") && !plain.contains(Self.escape), "\(plain)")
        _ = dir
    }

    /// A new pseudo-terminal: the master's descriptor and the terminal's path.
    static func openTerminal() -> (Int32, String)? {
        #if os(Linux)
        // Glibc's module does not export posix_openpt, unlockpt and ptsname,
        // so ask the kernel directly (the ioctl numbers of <asm/ioctls.h>).
        let master = open("/dev/ptmx", O_RDWR | O_NOCTTY)
        guard master >= 0 else { return nil }
        let setLock: UInt = 0x4004_5431 // TIOCSPTLCK
        let getNumber: UInt = 0x8004_5430 // TIOCGPTN
        var unlock: CInt = 0
        var number: CUnsignedInt = 0
        guard ioctl(master, setLock, &unlock) == 0, ioctl(master, getNumber, &number) == 0 else {
            close(master)
            return nil
        }
        return (master, "/dev/pts/\(number)")
        #else
        let master = posix_openpt(O_RDWR | O_NOCTTY)
        guard master >= 0 else { return nil }
        guard grantpt(master) == 0, unlockpt(master) == 0, let name = ptsname(master) else {
            close(master)
            return nil
        }
        return (master, String(cString: name))
        #endif
    }

    /// Runs the tool with standard output and error on a pseudo-terminal
    /// and returns what it wrote there; nil when no terminal can be opened.
    static func onTerminal(_ args: [String], environment: [String]) -> String? {
        guard let (master, slavePath) = openTerminal() else { return nil }
        defer { close(master) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, slavePath, O_RDWR | O_NOCTTY, 0)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        posix_spawn_file_actions_addclose(&actions, master)
        let argv = [Tool.path] + args
        var cArgs = argv.map { strdup($0) } + [nil]
        var cEnv = environment.map { strdup($0) } + [nil]
        defer { cArgs.forEach { free($0) }; cEnv.forEach { free($0) } }
        // The parent holds the terminal open too until the child is done, so
        // reading never races the child's opening it; the output (a few
        // hundred bytes) fits in the terminal's buffer meanwhile.
        let held = open(slavePath, O_RDWR | O_NOCTTY | O_CLOEXEC)
        guard held >= 0 else { return nil }
        var pid: pid_t = 0
        guard posix_spawn(&pid, Tool.path, &actions, nil, &cArgs, &cEnv) == 0 else {
            close(held)
            return nil
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        close(held)
        // With every writer gone, reads return what is left, then fail (EIO).
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(master, $0.baseAddress, $0.count) }
            if n > 0 { out += buffer[0..<n]; continue }
            if n < 0 && errno == EINTR { continue }
            break
        }
        return String(decoding: out, as: UTF8.self)
    }
}

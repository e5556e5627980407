#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Amends

/// Runs the built `amends` executable as a user would, for tests of the
/// command line: exit status, standard output and standard error.
enum Tool {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        var lines: [Substring] { stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast(stdout.hasSuffix("\n") ? 1 : 0).map { $0 } }
    }

    /// The `amends` binary beside the test bundle (same build folder).
    static let path: String = {
        var dir = FileSystem.directory(of: CommandLine.arguments.first ?? ".")
        for _ in 0..<4 {
            if FileSystem.exists(dir + "/amends") && !FileSystem.isDirectory(dir + "/amends") { return dir + "/amends" }
            dir = FileSystem.directory(of: dir)
        }
        return packageRoot + "/.build/debug/amends"
    }()

    static let packageRoot: String = FileSystem.directory(of: FileSystem.directory(of: FileSystem.directory(of: #filePath)))

    /// Runs `amends ARGS…` with `input` on standard input. The environment
    /// is a fixed one (with `NO_COLOR=1`) plus `environment`; `unset` names
    /// variables of the fixed one to leave out.
    static func run(_ args: [String], input: String = "", environment: [String: String] = [:],
                    unset: Set<String> = []) -> Result {
        spawn(path, args, input: input, environment: environment, unset: unset)
    }

    /// Runs a `/bin/sh` script with `$AMENDS` naming the tool: for pipes,
    /// limits and signals, as a user's shell sets them up.
    static func shell(_ script: String, input: String = "") -> Result {
        spawn("/bin/sh", ["-c", script], input: input, environment: ["AMENDS": path])
    }

    static func spawn(_ executable: String, _ args: [String], input: String, environment: [String: String],
                      unset: Set<String> = []) -> Result {
        let temp = "/tmp/amends-tool-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let inPath = temp + ".in", outPath = temp + ".out", errPath = temp + ".err"
        _ = FileSystem.writeAtomically(inPath, Array(input.utf8))
        defer { unlink(inPath); unlink(outPath); unlink(errPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, inPath, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let env = environmentList(environment, unset: unset)
        let argv = [executable] + args
        var cArgs = argv.map { strdup($0) } + [nil]
        var cEnv = env.map { strdup($0) } + [nil]
        defer { cArgs.forEach { free($0) }; cEnv.forEach { free($0) } }
        // The child starts with every signal at its default and none
        // blocked, whatever the test process does with them.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var all = sigset_t(), none = sigset_t()
        sigfillset(&all)
        sigemptyset(&none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        var pid: pid_t = 0
        guard posix_spawn(&pid, executable, &actions, &attributes, &cArgs, &cEnv) == 0 else {
            return Result(status: -1, stdout: "", stderr: "could not start \(executable)")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let out = (try? FileSystem.read(outPath).get()) ?? []
        let err = (try? FileSystem.read(errPath).get()) ?? []
        let code = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        return Result(status: code, stdout: String(decoding: out, as: UTF8.self), stderr: String(decoding: err, as: UTF8.self))
    }

    /// The child's environment as `NAME=value` texts.
    static func environmentList(_ environment: [String: String], unset: Set<String> = []) -> [String] {
        var env = ["PATH=/usr/bin:/bin", "NO_COLOR=1", "HOME=/tmp", "AMENDS_HISTORY="].filter {
            !unset.contains(String($0.prefix { $0 != "=" }))
        }
        // The time zone database, and the sanitizers' options when the
        // tests run under one (`ASAN_OPTIONS=detect_leaks=0 swift test
        // --sanitize=address`; LeakSanitizer's suppressions, .ci/run), reach
        // the tool too.
        for name in ["TZDIR", "ASAN_OPTIONS", "LSAN_OPTIONS", "TSAN_OPTIONS"] {
            if let value = getenv(name) { env.append(name + "=" + String(cString: value)) }
        }
        for (k, v) in environment.sorted(by: { $0.key < $1.key }) { env.append("\(k)=\(v)") }
        return env
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Testing
@testable import Amends

/// What a policy can make the tool read (Grammar.md §4, `use`): only
/// regular `.policy` files inside the main policy's folder, whatever the
/// path says and wherever its symbolic links lead. These cases need a real
/// folder with links, a FIFO and a folder named like a policy; the rules by
/// the letter of the path are in cases/checker/use.policy.
@Suite("Containment")
struct ContainmentTests {
    static let shared = "record incident:\n  repeat: number = 0\nroles: owner\n"

    /// A folder `root` with a main policy's neighbours, and `outside` beside it.
    final class Tree {
        let base = "/tmp/amends-contain-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        var root: String { base + "/root" }
        var outside: String { base + "/outside" }
        private var made: [String] = []
        private var folders: [String] = []

        init() {
            folder(base)
            folder(root)
            folder(outside)
            folder(root + "/shared")
            folder(root + "/a")
            folder(root + "/dir.policy")
            write(outside + "/x.policy", ContainmentTests.shared)
            write(root + "/shared/real.policy", ContainmentTests.shared)
            write(root + "/notes.txt", "not a policy\n")
            link("/etc/passwd", root + "/passwd.policy")
            link(root + "/notes.txt", root + "/notes.policy")
            link(outside + "/x.policy", root + "/out.policy")
            link(root + "/shared/real.policy", root + "/good.policy")
            link(outside, root + "/sub")
            mkfifo(root + "/fifo.policy", 0o644)
            made.append(root + "/fifo.policy")
        }

        func folder(_ path: String) {
            mkdir(path, 0o755)
            folders.append(path)
        }

        func write(_ path: String, _ text: String) {
            _ = FileSystem.writeAtomically(path, Array(text.utf8))
            made.append(path)
        }

        func link(_ target: String, _ path: String) {
            symlink(target, path)
            made.append(path)
        }

        /// The diagnostics of `root/main.policy` holding `text`.
        func check(_ text: String, file: String = "main.policy") -> [Diagnostic] {
            write(root + "/" + file, text)
            switch Driver.compile(path: root + "/" + file) {
            case .success(let compiled): return compiled.diagnostics.filter { $0.level == .error }
            case .failure(let failure):
                Issue.record("\(failure)")
                return []
            }
        }

        deinit {
            for path in made.reversed() { unlink(path) }
            for path in folders.reversed() { rmdir(path) }
        }
    }

    static func refusal(_ tree: Tree, _ use: String) -> String? {
        let errors = tree.check("use \"\(use)\"\nwhen repeat > 1: notify owner\n")
        let refused = errors.filter { $0.code == .useNotPolicy }
        #expect(refused.count <= 1)
        return refused.first?.message
    }

    @Test func linksThatLeadOutOfTheFolderAreRefused() {
        let tree = Tree()
        #expect(Self.refusal(tree, "passwd.policy") == "`passwd.policy` leads outside the main policy's folder, to `/etc/passwd`")
        #expect(Self.refusal(tree, "out.policy")?.hasPrefix("`out.policy` leads outside the main policy's folder") == true)
        #expect(Self.refusal(tree, "sub/x.policy")?.hasPrefix("`sub/x.policy` leads outside the main policy's folder") == true)
    }

    @Test func linksMustLeadToPolicyFiles() {
        let tree = Tree()
        let message = Self.refusal(tree, "notes.policy")
        #expect(message?.hasSuffix("notes.txt`, which is not a `.policy` file") == true, "\(message ?? "nil")")
    }

    @Test func aLinkInsideTheFolderIsFollowed() {
        let tree = Tree()
        #expect(tree.check("use \"good.policy\"\nwhen repeat > 1: notify owner\n").isEmpty)
        #expect(tree.check("use \"shared/real.policy\"\nuse \"good.policy\"\nwhen repeat > 1: notify owner\n").isEmpty,
                "one file by two names is loaded once")
    }

    /// A FIFO would block the reader forever; a folder cannot be read.
    @Test func onlyRegularFiles() {
        let tree = Tree()
        #expect(Self.refusal(tree, "fifo.policy") == "`fifo.policy` is not a regular file")
        #expect(Self.refusal(tree, "dir.policy") == "`dir.policy` is not a regular file")
    }

    /// The root is the main policy's folder, also for the files it uses.
    @Test func usedFilesAreHeldToTheMainFolder() {
        let tree = Tree()
        tree.write(tree.root + "/a/b.policy", "use \"../../outside/x.policy\"\n" + Self.shared)
        tree.write(tree.root + "/a/c.policy", "use \"../shared/real.policy\"\n")
        let errors = tree.check("use \"a/b.policy\"\nwhen repeat > 1: notify owner\n")
        #expect(errors.map(\.code) == [.useNotPolicy])
        #expect(errors.first?.message == "`../../outside/x.policy` is outside the main policy's folder")
        #expect(errors.first?.location.line == 1 && errors.first?.source.path.hasSuffix("a/b.policy") == true)
        #expect(tree.check("use \"a/c.policy\"\nwhen repeat > 1: notify owner\n").isEmpty)
        // From inside `a`, as its own main policy, `../shared` is outside.
        #expect(tree.check("use \"../shared/real.policy\"\n", file: "a/d.policy").map(\.code) == [.useNotPolicy])
    }

    /// Through the command line: refused, and nothing of the file shown.
    @Test func theToolNeverShowsARefusedFile() {
        let tree = Tree()
        tree.write(tree.root + "/main.policy", "use \"/etc/passwd\"\nuse \"passwd.policy\"\nwhen repeat > 1: notify owner\n")
        let r = Tool.run(["check", tree.root + "/main.policy"])
        #expect(r.status == 2 || r.status == 1)
        #expect(r.stdout.contains("error[E204]") || r.stderr.contains("error[E204]"))
        #expect(!r.stdout.contains("root:") && !r.stderr.contains("root:"), "no line of /etc/passwd")
    }

    @Test func pathsByTheLetter() {
        #expect(FileSystem.isInside("a/b.policy", "."))
        #expect(FileSystem.isInside("./a/../b.policy", "."))
        #expect(!FileSystem.isInside("../b.policy", "."))
        #expect(!FileSystem.isInside("a/../../b.policy", "."))
        #expect(FileSystem.isInside("p/common/../x.policy", "p"))
        #expect(!FileSystem.isInside("p/../q/x.policy", "p"))
        #expect(FileSystem.isInside("../p/x.policy", "../p"))
        #expect(!FileSystem.isInside("../../x.policy", ".."))
        #expect(FileSystem.isInside("/r/a/x.policy", "/r"))
        #expect(!FileSystem.isInside("/r/../etc/x.policy", "/r"))
        #expect(!FileSystem.isInside("/x.policy", "r"), "absolute against relative")
        #expect(!FileSystem.isInside("/../../etc/x.policy", "/etc/amends"))
    }
}

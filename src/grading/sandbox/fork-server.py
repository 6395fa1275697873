"""The fork server of one runner slot (a zygote), inside that slot's long-lived bwrap sandbox.

It saves each Python answer the interpreter's start: it forks one child per answer from an
interpreter that is already running. It never runs student code itself and never holds an
answer's data: the runner sends it only harness programs (public code) and "fork run N"; each
child connects its own stdin/stdout, stderr and result channel straight to the runner over the
slot's Unix socket (/run/io/socket), so no answer's input or output ever passes through here.

Between two children (two answers, possibly of two students) it leaves nothing behind: every
other process of the sandbox is killed (kill(-1), repeated until none is left), /tmp and
/dev/shm are emptied, System V IPC objects and the uid's keys (session, user, user-session and
persistent keyrings) are removed; POSIX message
queues can't be made (RLIMIT_MSGQUEUE 0). It can't be traced or read through /proc by a child
(not dumpable), ignores every signal it may ignore, and a child that stops or kills it only
loses its own answer: the runner then replaces the whole sandbox.

Control input (stdin), one command per line: "P <key> <bytes>" followed by a program's source
(compiled and kept under key), "F <run> <key> <cpu seconds>" (fork a child that runs it),
"K <run>" (kill the run's processes). Output (stdout), one line each: "ready <pid>", "p <run> <pid>"
(the child's pid here), "x <run> <exit code> <signal>" once the run is over and cleaned up.
"""

import _signal as signal  # not `signal` nor `socket`: they import enum, a fork server's memory counts
import _socket as socket
import builtins
import ctypes
import os
import resource
import select
import sys

SOCKET_PATH = "/run/io/socket"
SCRATCH = ("/tmp", "/dev/shm")
PR_SET_DUMPABLE = 4
KEYCTL_CLEAR = 7
KEYCTL_GET_PERSISTENT = 22
KEY_SPEC_SESSION_KEYRING = -3
KEY_SPEC_USER_KEYRING = -4
KEY_SPEC_USER_SESSION_KEYRING = -5
SYS_KEYCTL = {"x86_64": 250, "aarch64": 219}.get(os.uname().machine)

# No use_errno: its bookkeeping makes each call in a child touch (and copy) pages of ours.
libc = ctypes.CDLL(None)
own_pid = os.getpid()
# What a fresh interpreter has (restored in each child); the zygote itself ignores all it can.
fresh_handlers = {}
for number in signal.valid_signals():
    if number in (signal.SIGKILL, signal.SIGSTOP, signal.SIGCHLD):
        continue
    try:
        fresh_handlers[number] = signal.getsignal(number)
        signal.signal(number, signal.SIG_IGN)
    except (OSError, ValueError, TypeError):
        fresh_handlers.pop(number, None)
libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)

programs = {}


def send(line):
    os.write(1, (line + "\n").encode())


class Commands:
    def __init__(self):
        self.buffer = b""

    def line(self):
        while b"\n" not in self.buffer:
            chunk = os.read(0, 65536)
            if not chunk:
                os._exit(0)  # the runner is gone
            self.buffer += chunk
        line, _, self.buffer = self.buffer.partition(b"\n")
        return line.decode().split(" ")

    def exactly(self, size):
        while len(self.buffer) < size:
            chunk = os.read(0, 65536)
            if not chunk:
                os._exit(0)
            self.buffer += chunk
        data, self.buffer = self.buffer[:size], self.buffer[size:]
        return data

    def ready(self):
        return bool(self.buffer)


def connect(run, stream):
    """A connection of the child to the runner, announced as "<run> <stream>"."""
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    connection.connect(SOCKET_PATH)
    connection.sendall(("%s %s\n" % (run, stream)).encode())
    return connection.detach()


def child(run, code, cpu_seconds):
    """In the forked child: its own session, fresh signal handlers, its own limits and
    descriptors only (0 and 1 the runner's input/stdout connection, 2 stderr, 3 the channel)."""
    try:
        os.setsid()
        libc.prctl(PR_SET_DUMPABLE, 1, 0, 0, 0)  # as any fresh process: its own /proc files
        for number, handler in fresh_handlers.items():
            signal.signal(number, handler)
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds))
        resource.setrlimit(resource.RLIMIT_MSGQUEUE, (0, 0))
        # The kernel's OOM killer picks this process first. Through os, not open(): the io stack's
        # first use in a child costs it a hundred pages copied from ours.
        adjust = os.open("/proc/self/oom_score_adj", os.O_WRONLY)
        os.write(adjust, b"1000")
        os.close(adjust)
        streams = [connect(run, "io"), connect(run, "err"), connect(run, "channel")]
        for target, fd in zip((0, 2, 3), streams):
            os.dup2(fd, target)
        os.dup2(0, 1)
        os.closerange(4, 1 << 16)
        os.chdir("/tmp")
    except BaseException as error:  # noqa: BLE001 - a child that can't be set up must not run the answer
        os.write(2, ("fork server: the child could not be set up: %r\n" % error).encode())
        os._exit(125)
    namespace = {"__name__": "__main__", "__builtins__": builtins}
    try:
        exec(code, namespace)
    except BaseException:  # noqa: BLE001 - as the interpreter would: the traceback, exit code 1
        import traceback

        traceback.print_exc()
        os._exit(1)
    os._exit(0)


def read_start(path):
    """The first 4 KiB of a file, through os rather than open(): every page the zygote writes
    between two forks is copied once more, and the io stack writes many."""
    fd = os.open(path, os.O_RDONLY)
    try:
        return os.read(fd, 4096)
    finally:
        os.close(fd)


def others():
    """The live processes of this sandbox but pid 1 (bubblewrap's init) and this one."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) in (1, own_pid):
            continue
        try:
            state = read_start("/proc/%s/stat" % entry).rpartition(b")")[2].split()[0]
        except (OSError, IndexError):
            continue
        if state != b"Z":
            found.append(int(entry))
    return found


def reap():
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def kill_all():
    """Kills every process but pid 1 and this one, until none is left (a fork loop races)."""
    for _ in range(1000):
        try:
            os.kill(-1, signal.SIGKILL)
        except ProcessLookupError:
            pass
        reap()
        if not others():
            return
        select.select([], [], [], 0.001)
    sys.exit("processes of an answer survived")


def empty(folder):
    """Removes everything in folder, walking down and up by changing directory one level at a
    time: no depth an answer can make (past the open-file limit, the recursion limit or
    PATH_MAX) stops it. The answer's processes are gone by now, so nothing moves meanwhile."""
    os.chdir(folder)
    below = []
    while True:
        subfolder = None
        with os.scandir(".") as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    subfolder = entry.name
                    break
                os.unlink(entry.name)
        if subfolder is not None:
            os.chmod(subfolder, 0o700)
            os.chdir(subfolder)
            below.append(subfolder)
        elif below:
            os.chdir("..")
            os.rmdir(below.pop())
        else:
            break
    os.chdir("/")


def clean():
    """Leaves the sandbox as a fresh one: no files, IPC objects or keys of the last answer."""
    for folder in SCRATCH:
        os.chmod(folder, 0o1777)
        empty(folder)
    for kind in ("shm", "sem", "msg"):
        if read_start("/proc/sysvipc/" + kind).count(b"\n") > 1:  # a line past the header
            os.waitpid(os.posix_spawn("/usr/bin/ipcrm", ["ipcrm", "--all"], {}), 0)
            break
    if SYS_KEYCTL is not None:
        # The uid's persistent keyring outlives processes in this user namespace: linked into the
        # session keyring to be emptied, then unlinked with the session keyring's other keys.
        persistent = libc.syscall(SYS_KEYCTL, KEYCTL_GET_PERSISTENT, -1, KEY_SPEC_SESSION_KEYRING)
        if persistent > 0:
            libc.syscall(SYS_KEYCTL, KEYCTL_CLEAR, persistent)
        for keyring in (KEY_SPEC_SESSION_KEYRING, KEY_SPEC_USER_KEYRING, KEY_SPEC_USER_SESSION_KEYRING):
            libc.syscall(SYS_KEYCTL, KEYCTL_CLEAR, keyring)


def ending(status):
    if os.WIFSIGNALED(status):
        return "- %d" % os.WTERMSIG(status)
    return "%d -" % os.waitstatus_to_exitcode(status)


def serve(run, pid, commands):
    """Waits for the child to end (or a kill), then clears up and reports."""
    pidfd = os.pidfd_open(pid)
    status = None
    while status is None:
        readable = [0] if commands.ready() else select.select([0, pidfd], [], [])[0]
        if 0 in readable:
            command = commands.line()
            if command[0] == "K" and command[1] == run:
                os.kill(pid, signal.SIGKILL)
        if pidfd in readable:
            waited, status_now = os.waitpid(pid, os.WNOHANG)
            if waited == pid:
                status = status_now
    os.close(pidfd)
    kill_all()
    clean()
    send("x %s %s" % (run, ending(status)))


def main():
    commands = Commands()
    clean()
    send("ready %d" % own_pid)
    while True:
        command = commands.line()
        if command[0] == "P":
            key, size = command[1], int(command[2])
            programs[key] = compile(commands.exactly(size).decode(), "<harness>", "exec")
        elif command[0] == "F":
            run, code, cpu_seconds = command[1], programs[command[2]], int(command[3])
            pid = os.fork()
            if pid == 0:
                child(run, code, cpu_seconds)
            send("p %s %d" % (run, pid))
            serve(run, pid, commands)


main()

package io.omix.server.models;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The seccomp program every model sandbox runs under, as the classic BPF that bubblewrap loads
 * ({@code --seccomp FD}):
 * <ul>
 *   <li>a deny list of the system calls a model never needs and an attacker would want (reading or steering other
 *   processes, mounting, kernel keyrings, BPF, loading modules, new namespaces, io_uring, {@code modify_ldt}, ...),
 *   each answered EPERM;</li>
 *   <li>no way for two boxes to signal to each other through the files they all share read-only (the runtime, the
 *   runner, the libraries, a version's code): {@code flock}, {@code fcntl}'s record locks (classic and open file
 *   description), leases, dnotify and an inode's write hint, inotify, the page-cache probes {@code mincore} and
 *   {@code cachestat} and the calls that steer a file's pages ({@code fadvise64}, {@code readahead}) are refused (EPERM),
 *   and {@code preadv2}/{@code pwritev2} (an RWF_NOWAIT read is a probe too) answer ENOSYS; every other {@code fcntl}
 *   command is allowed. Neither runner locks a file
 *   as it starts (the JVM runs with {@code -XX:-UsePerfData}, so no hsperfdata file and its lock; its CDS archive is
 *   mapped, not locked), but a model that locks a file of its own (SQLite's database files, say) is refused too;</li>
 *   <li>sockets of the Unix (1), IPv4 (2) and IPv6 (10) families and netlink's routing protocol only (16, protocol 0:
 *   the C library's {@code if_nameindex} and {@code getaddrinfo} read the box's own interfaces, its loopback, that way;
 *   changing them takes a capability the box does not have): every other family answers EAFNOSUPPORT (vsock, which
 *   ignores network namespaces; the kernel's crypto sockets; packet sockets; ...), IPv4 and IPv6 sockets take the
 *   protocols TCP and UDP only (or 0, the type's own), and netlink the routing protocol only, else EPROTONOSUPPORT;</li>
 *   <li>{@code clone3} answers ENOSYS so that the C library falls back to {@code clone}, whose namespace flags need
 *   capabilities the box does not have; {@code prctl(PR_SET_DUMPABLE, non-zero)} is refused, so a runner that made
 *   itself non-dumpable stays so;</li>
 *   <li>every system call numbered above {@link #LAST_REVIEWED} (the newest one this list was reviewed against:
 *   {@code open_tree_attr}, Linux 6.15) answers ENOSYS, as on a kernel without it: a newer kernel's calls stay
 *   refused until they are reviewed here, and the C library treats ENOSYS as "not there" and falls back;</li>
 *   <li>calls of another ABI (x32) are refused, and any other architecture kills the process.</li>
 * </ul>
 *
 * <p>Only x86_64 is built in: its numbers are checked by the sandbox tests on every run; another
 * architecture makes the sandbox unavailable (never a box without the filter).
 */
final class SeccompFilter {
    private static final int AUDIT_ARCH_X86_64 = 0xC000003E;
    private static final int X32_SYSCALL_BIT = 0x40000000;
    static final int RET_KILL_PROCESS = 0x80000000;
    static final int RET_ALLOW = 0x7fff0000;
    static final int RET_ERRNO = 0x00050000;
    static final int EPERM = 1;
    static final int ENOSYS = 38;
    static final int EPROTONOSUPPORT = 93;
    static final int EAFNOSUPPORT = 97;
    private static final int PR_SET_DUMPABLE = 4;

    /** The socket families a box may open: Unix, IPv4, IPv6 and netlink (its routing protocol only). */
    static final int AF_UNIX = 1;
    static final int AF_INET = 2;
    static final int AF_INET6 = 10;
    static final int AF_NETLINK = 16;
    /** The protocols of IPv4 and IPv6 sockets a box may ask for: the type's own (0), TCP and UDP. */
    static final int[] ALLOWED_INET_PROTOCOLS = {0, 6, 17};
    /** Netlink's routing protocol (NETLINK_ROUTE): reading the box's own interfaces and addresses. */
    static final int NETLINK_ROUTE = 0;

    /**
     * {@code fcntl} commands refused: F_GETLK, F_SETLK, F_SETLKW, F_OFD_GETLK, F_OFD_SETLK, F_OFD_SETLKW (record locks
     * on a file that other boxes open too), F_SETLEASE, F_GETLEASE, F_NOTIFY (dnotify), F_GET_RW_HINT, F_SET_RW_HINT
     * (the write hint is the inode's, shared by every box that opens it).
     */
    static final int[] DENIED_FCNTL_COMMANDS = {5, 6, 7, 36, 37, 38, 1024, 1025, 1026, 1035, 1036};

    private static final short LD_W_ABS = 0x20;
    private static final short JEQ_K = 0x15;
    private static final short JGE_K = 0x35;
    private static final short RET_K = 0x06;

    // seccomp_data: nr at 0, arch at 4, the arguments from 16, eight bytes each (their low halves first: little-endian).
    private static final int NR = 0;
    private static final int ARCH = 4;
    private static final int ARG0 = 16;
    private static final int ARG1 = 24;
    private static final int ARG2 = 32;

    // x86_64 system call numbers (arch/x86/entry/syscalls/syscall_64.tbl).
    private static final int PRCTL = 157;
    private static final int SOCKET = 41;
    private static final int SOCKETPAIR = 53;
    private static final int FCNTL = 72;
    private static final int CLONE3 = 435;
    /**
     * The highest system call number this filter was reviewed against (open_tree_attr, Linux 6.15); those above it answer
     * ENOSYS. Reviewed between 444 and 467, and allowed: landlock (444-446), memfd_secret, process_mrelease,
     * futex_waitv, set_mempolicy_home_node, fchmodat2, map_shadow_stack, futex_wake/wait/requeue, statmount, listmount
     * (the box's own mount namespace), lsm_get/set_self_attr, lsm_list_modules, mseal, setxattrat, getxattrat,
     * listxattrat, removexattrat (as the other *xattr calls); refused: cachestat (451), open_tree_attr (467).
     */
    static final int LAST_REVIEWED = 467;
    static final int[] DENIED_X86_64 = {
            101, // ptrace
            310, 311, // process_vm_readv, process_vm_writev
            438, // pidfd_getfd (take another process's file descriptors)
            440, // process_madvise
            312, // kcmp
            165, 166, 155, 161, // mount, umount2, pivot_root, chroot
            428, 429, 430, 431, 432, 433, 442, 467, // open_tree, move_mount, fsopen, fsconfig, fsmount, fspick, mount_setattr, open_tree_attr
            272, 308, // unshare, setns
            248, 249, 250, // add_key, request_key, keyctl
            321, // bpf
            298, // perf_event_open
            323, // userfaultfd
            425, 426, 427, // io_uring_setup, io_uring_enter, io_uring_register
            246, 320, 175, 313, 176, 134, // kexec_load, kexec_file_load, init_module, finit_module, delete_module, uselib
            167, 168, 169, 163, 179, 443, 103, // swapon, swapoff, reboot, acct, quotactl, quotactl_fd, syslog
            303, 304, // name_to_handle_at, open_by_handle_at
            172, 173, // iopl, ioperm
            154, // modify_ldt (segment descriptors of its own: a long record of kernel bugs, and nothing a model needs)
            212, // lookup_dcookie
            159, 164, 227, 305, // adjtimex, settimeofday, clock_settime, clock_adjtime
            135, // personality (no switching execution domains)
            153, // vhangup
            300, // fanotify_init
            256, 279, // migrate_pages, move_pages
            // Signals between boxes through the files they share read-only: locks, change notifications, the page cache.
            73, // flock
            253, 254, 294, // inotify_init, inotify_add_watch, inotify_init1
            27, 451, // mincore, cachestat
            221, 187, // fadvise64, readahead (a file's pages put into or out of the cache, for another box to probe)
    };

    /**
     * Answered ENOSYS, as on a kernel without them (the C library falls back, or says the call is not there): preadv2 and
     * pwritev2, whose RWF_NOWAIT read tells whether a shared file's page is cached (a probe as mincore is); the kernel's
     * AIO (io_setup to io_cancel, io_pgetevents), whose one io_setup could hold the host's whole aio-max-nr. Neither runner
     * uses them.
     */
    static final int[] ABSENT_X86_64 = {327, 328, 206, 207, 208, 209, 210, 333};

    private SeccompFilter() {}

    /** True where a filter can be built for this machine. */
    static boolean supported() {
        String arch = System.getProperty("os.arch");
        return "amd64".equals(arch) || "x86_64".equals(arch);
    }

    /** The filter as bubblewrap reads it: {@code struct sock_filter} entries in native (little-endian) order. */
    static byte[] program() {
        if (!supported()) throw new IllegalStateException("no seccomp filter for " + System.getProperty("os.arch"));
        Program p = new Program();
        p.load(ARCH);
        p.jump(JEQ_K, AUDIT_ARCH_X86_64, "nr", null);
        p.ret(RET_KILL_PROCESS);
        p.label("nr");
        p.load(NR);
        p.jump(JGE_K, X32_SYSCALL_BIT, "deny", null);
        p.jump(JGE_K, LAST_REVIEWED + 1, "enosys", null);
        p.jump(JEQ_K, CLONE3, "enosys", null);
        p.jump(JEQ_K, PRCTL, "prctl", null);
        p.jump(JEQ_K, SOCKET, "socket", null);
        p.jump(JEQ_K, SOCKETPAIR, "socket", null);
        p.jump(JEQ_K, FCNTL, "fcntl", null);
        for (int nr : DENIED_X86_64) p.jump(JEQ_K, nr, "deny", null);
        for (int nr : ABSENT_X86_64) p.jump(JEQ_K, nr, "enosys", null);
        p.ret(RET_ALLOW);

        // Classic BPF jumps forward only: the checks of arguments come after the list, the answers they share at the end.
        p.label("prctl");
        p.load(ARG0);
        p.jump(JEQ_K, PR_SET_DUMPABLE, null, "allow");
        p.load(ARG1);
        p.jump(JEQ_K, 0, "allow", "deny"); // dumpable 0: allow; anything else: deny

        p.label("fcntl");
        p.load(ARG1); // the command
        for (int cmd : DENIED_FCNTL_COMMANDS) p.jump(JEQ_K, cmd, "deny", null);
        p.ret(RET_ALLOW);

        p.label("socket");
        p.load(ARG0); // the family
        p.jump(JEQ_K, AF_UNIX, "allow", null);
        p.jump(JEQ_K, AF_INET, "inet", null);
        p.jump(JEQ_K, AF_INET6, "inet", null);
        p.jump(JEQ_K, AF_NETLINK, "netlink", null);
        p.ret(RET_ERRNO | EAFNOSUPPORT);
        p.label("inet");
        p.load(ARG2); // the protocol
        for (int protocol : ALLOWED_INET_PROTOCOLS) p.jump(JEQ_K, protocol, "allow", null);
        p.ret(RET_ERRNO | EPROTONOSUPPORT);
        p.label("netlink");
        p.load(ARG2);
        p.jump(JEQ_K, NETLINK_ROUTE, "allow", null);
        p.ret(RET_ERRNO | EPROTONOSUPPORT);

        p.label("allow");
        p.ret(RET_ALLOW);
        p.label("deny");
        p.ret(RET_ERRNO | EPERM);
        p.label("enosys");
        p.ret(RET_ERRNO | ENOSYS);
        return p.assemble();
    }

    /**
     * A program being written: instructions whose jumps name labels, resolved once every label is placed. Classic BPF
     * jumps forward only, by at most 255 instructions: a label placed before its jump, or too far after it, is an error.
     */
    private static final class Program {
        /** One instruction; {@code ifTrue} and {@code ifFalse} are labels, null for the next instruction. */
        private record Insn(short code, String ifTrue, String ifFalse, int k) {}

        private final List<Insn> insns = new ArrayList<>();
        private final Map<String, Integer> labels = new HashMap<>();

        void label(String name) {
            if (labels.putIfAbsent(name, insns.size()) != null) throw new IllegalStateException("seccomp label " + name + " placed twice");
        }

        /** Loads the 32-bit word at {@code offset} of the system call's seccomp_data into the accumulator. */
        void load(int offset) {
            insns.add(new Insn(LD_W_ABS, null, null, offset));
        }

        void ret(int value) {
            insns.add(new Insn(RET_K, null, null, value));
        }

        void jump(short code, int k, String ifTrue, String ifFalse) {
            insns.add(new Insn(code, ifTrue, ifFalse, k));
        }

        byte[] assemble() {
            ByteBuffer out = ByteBuffer.allocate(insns.size() * 8).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < insns.size(); i++) {
                Insn insn = insns.get(i);
                out.putShort(insn.code()).put(offset(i, insn.ifTrue())).put(offset(i, insn.ifFalse())).putInt(insn.k());
            }
            return out.array();
        }

        private byte offset(int at, String label) {
            if (label == null) return 0;
            Integer target = labels.get(label);
            if (target == null) throw new IllegalStateException("seccomp label " + label + " never placed");
            int offset = target - (at + 1);
            if (offset < 0 || offset > 255) throw new IllegalStateException("seccomp jump to " + label + " too far: " + offset);
            return (byte) offset;
        }
    }
}

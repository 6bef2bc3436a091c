package io.omix.server.models;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * The seccomp program every model sandbox runs under, as the classic BPF that bubblewrap loads
 * ({@code --seccomp FD}): a deny list of the system calls a model never needs and an attacker
 * would want (reading or steering other processes, mounting, kernel keyrings, BPF, loading
 * modules, new namespaces, io_uring, ...), each answered EPERM; {@code clone3} answers ENOSYS so
 * that the C library falls back to {@code clone}, whose namespace flags need capabilities the box
 * does not have. {@code prctl(PR_SET_DUMPABLE, non-zero)} is refused, so a runner that made itself
 * non-dumpable stays so. Sockets of the vsock and crypto families are refused (EAFNOSUPPORT). Calls of
 * another ABI (x32) and any other architecture are refused.
 *
 * <p>Only x86_64 is built in: its numbers are checked by the sandbox tests on every run; another
 * architecture makes the sandbox unavailable (never a box without the filter).
 */
final class SeccompFilter {
    private static final int AUDIT_ARCH_X86_64 = 0xC000003E;
    private static final int X32_SYSCALL_BIT = 0x40000000;
    private static final int RET_KILL_PROCESS = 0x80000000;
    private static final int RET_ALLOW = 0x7fff0000;
    private static final int RET_ERRNO = 0x00050000;
    private static final int EPERM = 1;
    private static final int ENOSYS = 38;
    private static final int PR_SET_DUMPABLE = 4;
    private static final int EAFNOSUPPORT = 97;
    /**
     * Socket families a box never opens: vsock (40), which ignores network namespaces and reaches a hypervisor's or the
     * host's services on machines that have it, and the kernel's crypto sockets (38), a long record of kernel bugs.
     */
    static final int[] DENIED_SOCKET_FAMILIES = {40, 38};

    private static final short LD_W_ABS = 0x20;
    private static final short JEQ_K = 0x15;
    private static final short JGE_K = 0x35;
    private static final short RET_K = 0x06;

    // x86_64 system call numbers (arch/x86/entry/syscalls/syscall_64.tbl).
    private static final int PRCTL = 157;
    private static final int SOCKET = 41;
    private static final int SOCKETPAIR = 53;
    private static final int CLONE3 = 435;
    static final int[] DENIED_X86_64 = {
            101, // ptrace
            310, 311, // process_vm_readv, process_vm_writev
            438, // pidfd_getfd (take another process's file descriptors)
            440, // process_madvise
            312, // kcmp
            165, 166, 155, 161, // mount, umount2, pivot_root, chroot
            428, 429, 430, 431, 432, 433, 442, // open_tree, move_mount, fsopen, fsconfig, fsmount, fspick, mount_setattr
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
            212, // lookup_dcookie
            159, 164, 227, 305, // adjtimex, settimeofday, clock_settime, clock_adjtime
            135, // personality (no switching execution domains)
            153, // vhangup
            300, // fanotify_init
            256, 279, // migrate_pages, move_pages
    };

    private SeccompFilter() {}

    /** True where a filter can be built for this machine. */
    static boolean supported() {
        String arch = System.getProperty("os.arch");
        return "amd64".equals(arch) || "x86_64".equals(arch);
    }

    /** The filter as bubblewrap reads it: {@code struct sock_filter} entries in native (little-endian) order. */
    static byte[] program() {
        if (!supported()) throw new IllegalStateException("no seccomp filter for " + System.getProperty("os.arch"));
        List<long[]> p = new ArrayList<>(); // {code, jt, jf, k}; jump targets resolved below
        p.add(new long[] {LD_W_ABS, 0, 0, 4}); // arch
        p.add(new long[] {JEQ_K, 1, 0, AUDIT_ARCH_X86_64});
        p.add(new long[] {RET_K, 0, 0, RET_KILL_PROCESS});
        p.add(new long[] {LD_W_ABS, 0, 0, 0}); // nr
        int checksStart = p.size();
        // Labels, as negative placeholders: -1 deny, -2 enosys, -3 prctl check, -4 socket family check.
        p.add(new long[] {JGE_K, -1, 0, X32_SYSCALL_BIT});
        p.add(new long[] {JEQ_K, -2, 0, CLONE3});
        p.add(new long[] {JEQ_K, -3, 0, PRCTL});
        p.add(new long[] {JEQ_K, -4, 0, SOCKET});
        p.add(new long[] {JEQ_K, -4, 0, SOCKETPAIR});
        for (int nr : DENIED_X86_64) p.add(new long[] {JEQ_K, -1, 0, nr});
        p.add(new long[] {RET_K, 0, 0, RET_ALLOW});
        int deny = p.size();
        p.add(new long[] {RET_K, 0, 0, RET_ERRNO | EPERM});
        int enosys = p.size();
        p.add(new long[] {RET_K, 0, 0, RET_ERRNO | ENOSYS});
        int prctl = p.size();
        p.add(new long[] {LD_W_ABS, 0, 0, 16}); // args[0], low half
        p.add(new long[] {JEQ_K, 0, 2, PR_SET_DUMPABLE}); // not PR_SET_DUMPABLE: allow
        p.add(new long[] {LD_W_ABS, 0, 0, 24}); // args[1], low half
        p.add(new long[] {JEQ_K, 0, 1, 0}); // dumpable 0: allow; anything else: deny
        p.add(new long[] {RET_K, 0, 0, RET_ALLOW});
        p.add(new long[] {RET_K, 0, 0, RET_ERRNO | EPERM});
        int socket = p.size();
        p.add(new long[] {LD_W_ABS, 0, 0, 16}); // args[0], low half: the family
        for (int i = 0; i < DENIED_SOCKET_FAMILIES.length; i++) {
            // Equal: jump over the remaining checks and the allow, to the refusal.
            p.add(new long[] {JEQ_K, DENIED_SOCKET_FAMILIES.length - i, 0, DENIED_SOCKET_FAMILIES[i]});
        }
        p.add(new long[] {RET_K, 0, 0, RET_ALLOW});
        p.add(new long[] {RET_K, 0, 0, RET_ERRNO | EAFNOSUPPORT});
        for (int i = checksStart; i < deny; i++) {
            long[] insn = p.get(i);
            if (insn[1] < 0) {
                int target = insn[1] == -1 ? deny : insn[1] == -2 ? enosys : insn[1] == -3 ? prctl : socket;
                int offset = target - (i + 1);
                if (offset > 255) throw new IllegalStateException("seccomp jump too far");
                insn[1] = offset;
            }
        }
        ByteBuffer out = ByteBuffer.allocate(p.size() * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (long[] insn : p) {
            out.putShort((short) insn[0]).put((byte) insn[1]).put((byte) insn[2]).putInt((int) insn[3]);
        }
        return out.array();
    }
}

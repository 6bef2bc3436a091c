package io.omix.server.models;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the boxes' seccomp program answers, read by a small classic-BPF interpreter here (the kernel's own answers are
 * checked in a box: {@link BoxConfinementTest}): the deny list, the arguments it looks at (fcntl's command, socket
 * families and protocols, prctl's dumpable flag), and ENOSYS for every call newer than the list was reviewed against.
 */
class SeccompFilterTest {
    private static final int X86_64 = 0xC000003E;
    private static final int ALLOW = SeccompFilter.RET_ALLOW;

    private static int errno(int e) {
        return SeccompFilter.RET_ERRNO | e;
    }

    /** Runs the program on one system call as the kernel would hand it over (seccomp_data), returning its answer. */
    static int run(byte[] program, int arch, int nr, long... args) {
        ByteBuffer data = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        data.putInt(0, nr);
        data.putInt(4, arch);
        for (int i = 0; i < args.length; i++) data.putLong(16 + 8 * i, args[i]);
        ByteBuffer p = ByteBuffer.wrap(program).order(ByteOrder.LITTLE_ENDIAN);
        int count = program.length / 8;
        int acc = 0;
        int pc = 0;
        while (true) {
            assertTrue(pc >= 0 && pc < count, "the program runs off its end at " + pc);
            int code = p.getShort(pc * 8) & 0xffff;
            int jt = p.get(pc * 8 + 2) & 0xff;
            int jf = p.get(pc * 8 + 3) & 0xff;
            int k = p.getInt(pc * 8 + 4);
            switch (code) {
                case 0x20 -> { // ld [k]
                    assertTrue(k >= 0 && k < 64 && k % 4 == 0, "a load within seccomp_data: " + k);
                    acc = data.getInt(k);
                    pc++;
                }
                case 0x15 -> pc += 1 + (acc == k ? jt : jf); // jeq #k
                case 0x35 -> pc += 1 + (Integer.compareUnsigned(acc, k) >= 0 ? jt : jf); // jge #k (unsigned)
                case 0x06 -> { // ret #k
                    return k;
                }
                default -> throw new AssertionError("an instruction this interpreter does not know: " + code);
            }
        }
    }

    private static int call(int nr, long... args) {
        return run(SeccompFilter.program(), X86_64, nr, args);
    }

    @Test
    void theFilterAnswersAsReviewed() {
        Assumptions.assumeTrue(SeccompFilter.supported(), "the filter is built for x86_64 only");
        byte[] program = SeccompFilter.program();
        assertTrue(program.length / 8 < 4096, "within the kernel's limit of instructions");
        assertEquals(SeccompFilter.RET_KILL_PROCESS, run(program, 0x40000003, 0), "another architecture (i386) is killed");
        assertEquals(errno(SeccompFilter.EPERM), call(0x40000000), "the x32 ABI is refused");

        assertEquals(ALLOW, call(0), "read");
        assertEquals(ALLOW, call(334), "rseq (the C library registers it at every thread's start)");
        for (int nr : new int[] {444, 449, 452, 453, 454, 457, 458, 462, 464}) assertEquals(ALLOW, call(nr), "reviewed and allowed: " + nr);
        for (int nr : SeccompFilter.DENIED_X86_64) assertEquals(errno(SeccompFilter.EPERM), call(nr), "denied: " + nr);
        for (int nr : new int[] {73, 253, 254, 294, 27, 451, 154, 467}) {
            assertEquals(errno(SeccompFilter.EPERM), call(nr), "flock, inotify, mincore, cachestat, modify_ldt, open_tree_attr: " + nr);
        }
        assertEquals(errno(SeccompFilter.ENOSYS), call(435), "clone3: the C library falls back to clone");
        for (int nr : new int[] {221, 187}) assertEquals(errno(SeccompFilter.EPERM), call(nr), "fadvise64, readahead: " + nr);
        for (int nr : new int[] {327, 328, 206, 207, 208, 209, 210, 333}) {
            assertEquals(errno(SeccompFilter.ENOSYS), call(nr), "preadv2, pwritev2 (RWF_NOWAIT probes), the kernel's AIO: " + nr);
        }
        for (int nr : new int[] {SeccompFilter.LAST_REVIEWED + 1, 469, 470, 511, 1000, 0x3fffffff}) {
            assertEquals(errno(SeccompFilter.ENOSYS), call(nr), "newer than the review: as on a kernel without it, " + nr);
        }

        // fcntl: locks, leases, dnotify and write hints refused; every other command allowed.
        for (int cmd : new int[] {0, 1, 2, 3, 4, 1030, 1031, 1032, 1033, 1034}) assertEquals(ALLOW, call(72, 3, cmd, 0), "fcntl " + cmd);
        for (int cmd : new int[] {5, 6, 7, 36, 37, 38, 1024, 1025, 1026, 1035, 1036}) {
            assertEquals(errno(SeccompFilter.EPERM), call(72, 3, cmd, 0), "fcntl " + cmd);
        }

        // prctl: PR_SET_DUMPABLE back on is refused.
        assertEquals(errno(SeccompFilter.EPERM), call(157, 4, 1));
        assertEquals(ALLOW, call(157, 4, 0));
        assertEquals(ALLOW, call(157, 15, 0), "PR_SET_NAME");

        // Sockets: Unix, IPv4 and IPv6 (TCP, UDP), netlink's routing protocol; nothing else.
        for (int nr : new int[] {41, 53}) {
            assertEquals(ALLOW, call(nr, 1, 1, 0), "AF_UNIX");
            assertEquals(errno(SeccompFilter.EAFNOSUPPORT), call(nr, 40, 1, 0), "vsock");
            assertEquals(errno(SeccompFilter.EAFNOSUPPORT), call(nr, 38, 5, 0), "AF_ALG");
        }
        for (int family : new int[] {2, 10}) {
            assertEquals(ALLOW, call(41, family, 1, 0));
            assertEquals(ALLOW, call(41, family, 1, 6), "TCP");
            assertEquals(ALLOW, call(41, family, 2 | 0x80000, 17), "UDP, with SOCK_CLOEXEC");
            assertEquals(errno(SeccompFilter.EPROTONOSUPPORT), call(41, family, 2, 1), "ICMP");
            assertEquals(errno(SeccompFilter.EPROTONOSUPPORT), call(41, family, 1, 132), "SCTP");
            assertEquals(errno(SeccompFilter.EPROTONOSUPPORT), call(41, family, 1, 262), "MPTCP");
        }
        assertEquals(ALLOW, call(41, 16, 3, 0), "netlink, routing: the box's own interfaces");
        assertEquals(errno(SeccompFilter.EPROTONOSUPPORT), call(41, 16, 3, 4), "netlink, sock_diag");
        assertEquals(errno(SeccompFilter.EPROTONOSUPPORT), call(41, 16, 3, 15), "netlink, kobject uevents");
        for (int family : new int[] {0, 3, 4, 5, 9, 17, 21, 29, 30, 31, 36, 38, 40, 41, 42, 43, 44, 45, 46, 255}) {
            assertEquals(errno(SeccompFilter.EAFNOSUPPORT), call(41, family, 1, 0), "family " + family);
        }
    }
}

package io.omix.bench;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The load side of {@code omix-bench/cluster.sh}: the mixed load through the balancer for the given
 * time (the script kills one server with -9 and starts it again meanwhile), a line of throughput
 * every 10 s, then every acknowledged write read back. Exits 1 when anything acknowledged is missing
 * or doubled, or an error reached the application that a retry could not absorb.
 * Usage: java -cp omix-bench.jar io.omix.bench.ClusterBench ENDPOINT DEMO_CREDENTIALS_JSON SECONDS [workers=6]
 */
public final class ClusterBench {
    private ClusterBench() {}

    public static void main(String[] args) throws Exception {
        String endpoint = args[0];
        MixedLoad load = new MixedLoad(MixedLoad.Credentials.read(Path.of(args[1]), endpoint),
                args.length > 3 ? Integer.parseInt(args[3]) : 6, 64 * 1024, 0);
        int seconds = Integer.parseInt(args[2]);
        load.start();
        long started = System.nanoTime();
        Map<MixedLoad.Op, Long> before = load.doneSoFar();
        for (int t = 10; t <= seconds; t += 10) {
            Thread.sleep(Math.max(0, started / 1_000_000 + t * 1000L - System.nanoTime() / 1_000_000));
            Map<MixedLoad.Op, Long> now = load.doneSoFar();
            long[] latencies = load.drainLatencies();
            StringBuilder line = new StringBuilder(String.format("t=%3ds", t));
            for (MixedLoad.Op op : MixedLoad.Op.values()) line.append(String.format(" %s %.0f/s", op.name().toLowerCase(), (now.get(op) - before.get(op)) / 10.0));
            line.append(String.format("; p50 %.1f ms p99 %.1f ms; errors that reached the application %d", MixedLoad.percentile(latencies, 50),
                    MixedLoad.percentile(latencies, 99), load.surfacedErrors()));
            System.out.println(line);
            before = now;
        }
        load.stop();
        System.out.printf("acknowledged: %,d stream records, %,d uploads, %,d committed batches; calls by kind %s%n",
                load.ackedRecords(), load.uploadsDone(), load.batchesDone(), load.doneSoFar());
        load.errorKinds().forEach((kind, n) -> System.out.printf("  %,d x %s%n", n, kind));
        List<String> problems = load.verify();
        System.out.println(problems.isEmpty() ? "verified: every acknowledged write read back exactly once"
                : "PROBLEMS:\n  " + String.join("\n  ", problems));
        System.exit(problems.isEmpty() && load.surfacedErrors() == 0 ? 0 : 1);
    }
}

package io.omix.bench;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * Runs the benchmarks and prints, beside JMH's table, the ratios that matter, measured in the same run.
 * Any JMH command-line option may be given (e.g. {@code -wi 2 -i 3}).
 */
public final class BenchMain {
    private BenchMain() {}

    public static void main(String[] args) throws RunnerException, CommandLineOptionException {
        CommandLineOptions cli = new CommandLineOptions(args);
        Options options = new OptionsBuilder()
                .parent(cli)
                .include(cli.getIncludes().isEmpty() ? AliveBenchmark.class.getSimpleName() : String.join("|", cli.getIncludes()))
                .forks(cli.getForkCount().orElse(1))
                .warmupIterations(cli.getWarmupIterations().orElse(3))
                .warmupTime(cli.getWarmupTime().orElse(TimeValue.seconds(3)))
                .measurementIterations(cli.getMeasurementIterations().orElse(5))
                .measurementTime(cli.getMeasurementTime().orElse(TimeValue.seconds(3)))
                .jvmArgsAppend("-Xmx512m", "-DOMIX_LOG_LEVEL=WARN")
                .build();
        Collection<RunResult> results = new Runner(options).run();
        Map<String, Double> score = new HashMap<>();
        Map<String, Double> error = new HashMap<>();
        for (RunResult r : results) {
            String name = r.getParams().getBenchmark().replaceAll(".*\\.", "");
            score.put(name, r.getPrimaryResult().getScore());
            error.put(name, r.getPrimaryResult().getScoreError());
        }
        System.out.println();
        if (score.containsKey("sdkAlive") && score.containsKey("bareHttpClient")) {
            double sdk = score.get("sdkAlive");
            double bare = score.get("bareHttpClient");
            System.out.printf("alive(): SDK %.0f ± %.0f calls/s, bare HttpClient %.0f ± %.0f calls/s%n",
                    sdk, error.get("sdkAlive"), bare, error.get("bareHttpClient"));
            System.out.printf("ratio SDK/bare = %.3f  ->  SDK overhead %.1f %% (target < 10 %%)%n", sdk / bare, (1 - sdk / bare) * 100);
        }
        if (score.containsKey("sdkTypedSamplesPage") && score.containsKey("bareSamplesPage")) {
            double sdk = score.get("sdkTypedSamplesPage");
            double bare = score.get("bareSamplesPage");
            System.out.printf("samples page: typed SDK %.0f ± %.0f calls/s, bare HttpClient + Jackson %.0f ± %.0f calls/s%n",
                    sdk, error.get("sdkTypedSamplesPage"), bare, error.get("bareSamplesPage"));
            System.out.printf("ratio SDK/bare = %.3f  ->  SDK overhead %.1f %% (target < 10 %%)%n", sdk / bare, (1 - sdk / bare) * 100);
        }
    }
}

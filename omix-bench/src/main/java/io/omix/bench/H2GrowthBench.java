package io.omix.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;

/**
 * How the embedded database file grows under many small commits (the operations issue): a table kept
 * at about 2,000 live rows of 200 bytes while 30,000 rows are inserted and deleted, one commit each,
 * on H2 with the settings given (default: the server's WRITE_DELAY=0). Prints the file's size after
 * each round and after close. Usage: {@code java -cp omix-bench.jar io.omix.bench.H2GrowthBench [";WRITE_DELAY=100"]}
 */
public final class H2GrowthBench {
    private H2GrowthBench() {}

    public static void main(String[] args) throws Exception {
        String settings = args.length > 0 ? args[0] : ";WRITE_DELAY=0";
        Path dir = BenchServer.scratchDir("omix-h2-growth-");
        Path file = dir.resolve("t.mv.db");
        try (Connection c = DriverManager.getConnection("jdbc:h2:file:" + dir.resolve("t") + ";MODE=PostgreSQL" + settings, "sa", "")) {
            c.createStatement().execute("CREATE TABLE t (id VARCHAR(64) PRIMARY KEY, v VARCHAR(200), e TIMESTAMP)");
            PreparedStatement insert = c.prepareStatement("INSERT INTO t VALUES (?, ?, CURRENT_TIMESTAMP)");
            PreparedStatement delete = c.prepareStatement("DELETE FROM t WHERE id = ?");
            long started = System.nanoTime();
            for (int round = 0; round < 3; round++) {
                for (int i = 0; i < 10_000; i++) {
                    insert.setString(1, round + "-" + i);
                    insert.setString(2, "x".repeat(150));
                    insert.executeUpdate();
                    if (i >= 2000) {
                        delete.setString(1, round + "-" + (i - 2000));
                        delete.executeUpdate();
                    }
                }
                for (int i = 8000; i < 10_000; i++) {
                    delete.setString(1, round + "-" + i);
                    delete.executeUpdate();
                }
                System.out.printf("%s round %d: %.1f MB after %.1f s%n", settings, round, Files.size(file) / 1e6, (System.nanoTime() - started) / 1e9);
            }
        }
        System.out.printf("%s after close: %.1f MB%n", settings, Files.size(file) / 1e6);
    }
}

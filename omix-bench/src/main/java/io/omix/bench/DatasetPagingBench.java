package io.omix.bench;

import io.omix.sdk.DatasetsApi;
import io.omix.server.OmixServer;
import io.omix.server.apps.DatasetKeyStore;
import io.omix.server.datasets.DatasetStore;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;

/**
 * A dataset's rows read page by page (the dataset batches API's data, 100 rows a page, through the SDK) near its start,
 * in its middle and at its end: the time of a page deep in a large dataset against the first page's, measured side by
 * side. Usage: {@code java -cp omix-bench.jar io.omix.bench.DatasetPagingBench [rows=1000000] [jdbcUrl user password]}
 */
public final class DatasetPagingBench {
    private DatasetPagingBench() {}

    public static void main(String[] args) throws Exception {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        try (OmixServer server = BenchServer.start("paging", args, 1)) {
            DatasetKeyStore.Created key = new DatasetKeyStore(server.platform()).create("bench");
            DatasetStore.Workspace ws = new DatasetStore(server.platform()).createWorkspace(key.key().apiKey(), "bench");
            try (DatasetsApi api = DatasetsApi.builder(key.key().apiKey(), key.apiSecret()).serverUrl(server.url().toString())
                    .timeout(Duration.ofMinutes(10)).build()) {
                StringBuilder csv = new StringBuilder("n,word,value\n");
                for (int i = 0; i < rows; i++) csv.append(i).append(",word ").append(i).append(',').append(i % 977).append('\n');
                Path file = Files.createTempFile("omix-paging-", ".csv");
                Files.writeString(file, csv);
                long loading = System.nanoTime();
                long dataset = api.datasets().upload(ws.workspaceId(), ws.projectId(), "paging", file).getModel("dataset").getLong("id");
                Files.delete(file);
                System.out.printf("database=%s rows=%d loaded in %.1f s%n", server.platform().database().vendor().name().toLowerCase(), rows,
                        (System.nanoTime() - loading) / 1e9);
                long total = rows;
                long[] offsets = {0, total / 2, total - 100};
                double first = 0;
                for (long offset : offsets) {
                    double[] ms = new double[25];
                    for (int i = 0; i < 5; i++) api.datasets().data(ws.workspaceId(), ws.projectId(), dataset, null, 100, (int) offset);   // warm
                    for (int i = 0; i < ms.length; i++) {
                        long t = System.nanoTime();
                        int got = api.datasets().data(ws.workspaceId(), ws.projectId(), dataset, null, 100, (int) offset).getList("data").size();
                        ms[i] = (System.nanoTime() - t) / 1e6;
                        if (got != 100) throw new IllegalStateException("page at " + offset + " has " + got + " rows");
                    }
                    Arrays.sort(ms);
                    double median = ms[ms.length / 2];
                    if (offset == 0) first = median;
                    System.out.printf("offset %,d: median %.2f ms (p90 %.2f ms), %.1fx the first page's%n", offset, median, ms[(int) (ms.length * 0.9)],
                            median / first);
                }
            }
        }
    }
}

package db.migration;

import com.fasterxml.jackson.databind.JsonNode;
import io.omix.server.common.http.ServerJson;
import io.omix.server.streams.Observations;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;

/**
 * Observations written through FHIR before their payload kept only the measurement ({@link Observations#storable}):
 * their writer's references (the person's account id, or the writer's pseudonym for them) are taken out
 * ({@link Observations#withoutReferences}: the rest stays, since a client's phenotype may look alike), so that no other
 * reader of the record finds them in its payload. Read a hundred at a time in key order (a payload runs to 256 KiB).
 */
public class V42__observations_without_references extends BaseJavaMigration {
    @Override
    public void migrate(Context context) throws Exception {
        Connection c = context.getConnection();
        long after = Long.MIN_VALUE;
        try (PreparedStatement read = c.prepareStatement("SELECT r.stream_key, r.stream_data FROM stream_records r JOIN stream_series s"
                + " ON s.series_id = r.series_id WHERE s.namespace = 'OPEN_PLATFORM' AND r.stream_key > ? AND r.stream_data LIKE '%\"subject\"%'"
                + " ORDER BY r.stream_key FETCH FIRST 100 ROWS ONLY");
             PreparedStatement write = c.prepareStatement("UPDATE stream_records SET stream_data = ? WHERE stream_key = ?")) {
            for (boolean more = true; more; ) {
                more = false;
                read.setLong(1, after);
                try (ResultSet rs = read.executeQuery()) {
                    while (rs.next()) {
                        more = true;
                        after = rs.getLong(1);
                        JsonNode data;
                        try {
                            data = ServerJson.MAPPER.readTree(rs.getString(2));
                        } catch (java.io.IOException notJson) {
                            continue;
                        }
                        if (!Observations.writtenWithItsSubject(data)) continue;
                        write.setString(1, ServerJson.MAPPER.writeValueAsString(Observations.withoutReferences(data)));
                        write.setLong(2, after);
                        write.addBatch();
                    }
                }
                write.executeBatch();
            }
        }
    }
}

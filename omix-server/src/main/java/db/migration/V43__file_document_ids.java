package db.migration;

import io.omix.server.files.FileStore;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;

/**
 * Each file keeps its FHIR id (DocumentReference), indexed: a read by id was a digest of every file of its owner, up
 * to 100,000 of them a request. Files recorded before get theirs here, a thousand at a time in name order.
 */
public class V43__file_document_ids extends BaseJavaMigration {
    @Override
    public void migrate(Context context) throws Exception {
        Connection c = context.getConnection();
        try (Statement ddl = c.createStatement()) {
            ddl.execute("ALTER TABLE file_objects ADD COLUMN document_id VARCHAR(41)");
        }
        String after = "";
        try (PreparedStatement read = c.prepareStatement("SELECT object_name FROM file_objects WHERE object_name > ? ORDER BY object_name"
                + " FETCH FIRST 1000 ROWS ONLY");
             PreparedStatement write = c.prepareStatement("UPDATE file_objects SET document_id = ? WHERE object_name = ?")) {
            for (boolean more = true; more; ) {
                more = false;
                read.setString(1, after);
                try (ResultSet rs = read.executeQuery()) {
                    while (rs.next()) {
                        more = true;
                        after = rs.getString(1);
                        write.setString(1, FileStore.documentId(after));
                        write.setString(2, after);
                        write.addBatch();
                    }
                }
                write.executeBatch();
            }
        }
        try (Statement ddl = c.createStatement()) {
            ddl.execute("CREATE INDEX file_objects_document ON file_objects (document_id)");
        }
    }
}

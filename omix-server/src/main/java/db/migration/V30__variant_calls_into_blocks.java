package db.migration;

import io.omix.server.variants.CallStore;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

import java.sql.Statement;

/**
 * Moves the calls of imports made before V29 from their rows into blocks (CallStore), one import at a
 * time. On PostgreSQL, blocks are kept in their rows uncompressed when they fit a page: get_variants reads
 * a hundred of them a call, and fetching each from the TOAST table and decompressing it tripled its time.
 */
public class V30__variant_calls_into_blocks extends BaseJavaMigration {
    @Override
    public void migrate(Context context) throws Exception {
        if (context.getConnection().getMetaData().getDatabaseProductName().toLowerCase(java.util.Locale.ROOT).contains("postgres")) {
            try (Statement s = context.getConnection().createStatement()) {
                s.execute("ALTER TABLE variant_blocks SET (toast_tuple_target = 8160)");
                s.execute("ALTER TABLE variant_blocks ALTER COLUMN calls SET STORAGE EXTERNAL");
            }
        }
        CallStore.moveLegacyRows(context.getConnection());
    }
}

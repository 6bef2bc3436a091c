package db.migration;

import io.omix.server.variants.CallStore;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/** Moves the calls of imports made before V29 from their rows into blocks (CallStore), one import at a time. */
public class V30__variant_calls_into_blocks extends BaseJavaMigration {
    @Override
    public void migrate(Context context) throws Exception {
        CallStore.moveLegacyRows(context.getConnection());
    }
}

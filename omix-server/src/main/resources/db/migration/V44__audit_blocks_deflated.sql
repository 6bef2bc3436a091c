-- Audit blocks are stored as deflated bytes: their base64 text took a third more room, and the
-- embedded store's page compression spent time trying to shrink it. Blocks written before keep
-- their text in entries (AuditBlock reads both); new ones leave it empty.
ALTER TABLE audit_blocks ADD COLUMN entries_deflated BYTEA;

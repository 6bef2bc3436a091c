-- An import that is no longer current is removed a few hundred blocks a transaction (one transaction
-- for a whole genome went through the database's undo log and took seconds). The row is marked first,
-- so that it cannot become current while its calls go, and stays until they are gone: a removal cut
-- short by a crash is finished by housekeeping.
ALTER TABLE variant_sources ADD COLUMN removing BOOLEAN DEFAULT FALSE NOT NULL;

-- A version's own copy of its package, in the object store under a key of the platform's: the owner's file of that name
-- may be replaced after the deploy, and a server unpacking the version again (another server, a restart, a rollback)
-- read the file by its name and refused it. NULL for versions deployed before: they still read the file by its name.
-- package_bytes: its size, counted with the owner's other versions' against files.max-bytes-per-owner.
ALTER TABLE model_versions ADD COLUMN package_key VARCHAR(200);
ALTER TABLE model_versions ADD COLUMN package_bytes BIGINT;
CREATE INDEX model_versions_package ON model_versions (package_key);

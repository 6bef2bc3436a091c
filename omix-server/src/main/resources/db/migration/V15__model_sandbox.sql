-- The model sandbox. A model never sees its caller's token: each invocation hands it one of its own
-- (held in the memory of the server running the box, see InvocationTokens), within the scopes the
-- model's version declared: Omix scope ids (reads) and id:write (writes), space separated; null when
-- the version declared nothing (reads within the caller's scopes).
ALTER TABLE model_versions ADD COLUMN scopes VARCHAR(500);

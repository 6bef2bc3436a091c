-- The model sandbox. A model never sees its caller's token:
-- each invocation mints one of kind 'invocation', within the scopes the model's version declared,
-- that lives only while the token it came from lives (parent_hash) and is deleted when the
-- invocation ends.
ALTER TABLE oauth_tokens ADD COLUMN parent_hash CHAR(64);
-- What a version's invocation tokens may do: Omix scope ids (read) and id:write (writes), space
-- separated; null when the version declared nothing (read scopes only).
ALTER TABLE model_versions ADD COLUMN scopes VARCHAR(500);

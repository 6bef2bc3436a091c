-- Where an uploaded file's bytes are kept in the object store when that is not its name: each upload writes a key of
-- its own (ObjectStore.versionKey) and the row switches to it in the transaction that records the upload, so a
-- replacement refused at recording, or a second upload of the same name at once, never leaves a row beside bytes that
-- are not its own. NULL: the bytes are under object_name (files written before, and the platform's own files).
ALTER TABLE file_objects ADD COLUMN stored_as VARCHAR(500);
CREATE INDEX file_objects_stored_as ON file_objects (stored_as);

-- What an owner's unfinished uploads hold counts against files.max-bytes-per-owner: summed per owner at every upload.
CREATE INDEX multipart_uploads_owner ON multipart_uploads (owner);

-- A client's own links (signed with its client-credentials tokens) name its secret's generation; disabling the client
-- moves this number as well, so that enabling it again does not bring back what was handed out before.
ALTER TABLE oauth_clients ADD COLUMN links_generation INTEGER DEFAULT 0 NOT NULL;

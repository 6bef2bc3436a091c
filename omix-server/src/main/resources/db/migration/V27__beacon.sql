-- What the GA4GH Beacon may say about a project's samples to callers who do not see them themselves:
-- none (the default: nothing), boolean (whether a variant or sample exists) or count (how many).
-- Projects are the Beacon's datasets. Set by an operator (omix admin project beacon).
ALTER TABLE projects ADD COLUMN beacon_public VARCHAR(10) DEFAULT 'none' NOT NULL;

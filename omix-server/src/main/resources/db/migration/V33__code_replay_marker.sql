-- A code presented twice is marked, so that an exchange still storing its tokens when the replay is seen
-- refuses to store them (the replay's revocation could otherwise run before they exist).
ALTER TABLE oauth_codes ADD COLUMN replayed_at TIMESTAMP WITH TIME ZONE;

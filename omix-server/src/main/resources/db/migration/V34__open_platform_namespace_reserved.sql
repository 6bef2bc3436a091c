-- The open platform keeps its own stream records under the namespace OPEN_PLATFORM: a private-platform app made with
-- that namespace before it was reserved would read and write them. Such an app is disabled (and refused at sign-in
-- whatever its state); the operator makes it again under another namespace.
UPDATE private_apps SET disabled = TRUE WHERE namespace = 'OPEN_PLATFORM';

-- What the directory says about services and people: how to reach them, when, what they can do,
-- and how to refer. Competencies are space-separated codes (see hearth-domain's Competency).
-- Keep in step with ../../postgres/migrations/0005_directory_details.sql.

ALTER TABLE organisations ADD COLUMN address TEXT;
ALTER TABLE organisations ADD COLUMN email TEXT;
ALTER TABLE organisations ADD COLUMN secure_messaging TEXT;
ALTER TABLE organisations ADD COLUMN opening_hours TEXT;
ALTER TABLE organisations ADD COLUMN competencies TEXT NOT NULL DEFAULT '';
ALTER TABLE organisations ADD COLUMN how_to_refer TEXT;

ALTER TABLE practitioner_roles ADD COLUMN competencies TEXT NOT NULL DEFAULT '';
ALTER TABLE practitioner_roles ADD COLUMN working_pattern TEXT;

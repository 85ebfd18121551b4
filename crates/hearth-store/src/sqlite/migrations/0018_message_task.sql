-- A message may be about one of the patient's tasks (issue 6: "linking a message to a plan
-- section or task"), as it may be about a plan section.
-- Keep in step with ../../postgres/migrations/0018_message_task.sql (a test checks the columns).
ALTER TABLE messages ADD COLUMN task_id TEXT REFERENCES tasks (id);

-- Batches whose commit task failed for good before a failed commit left its batch open again (TaskEngine.onGivenUp):
-- they refused imports and commits for good and counted as open. Open again, as a commit failing from now on leaves them.
UPDATE batches SET commit_task_id = NULL
WHERE committed = FALSE AND commit_task_id IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM tasks t WHERE t.task_id = batches.commit_task_id AND t.status IN ('PENDING', 'STARTED'));

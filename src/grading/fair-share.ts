/**
 * The next job to lease, in fair-share order, for both storages (the Node table and the Durable
 * Object's): students take turns — the student with the fewest jobs running goes first, ties to
 * the one whose running jobs were submitted earliest (none running: first), and each student's
 * oldest job first. So one student's queue of slow answers delays another's by at most one job
 * per runner. Only queued and leased jobs are read (an index on (state, id) covers them).
 */
export const nextFairJobSql = (table: string) => `
  with students as (
    select user_id,
      sum(state = 'leased') as running,
      max(case when state = 'leased' then id end) as latest_running,
      min(case when state = 'queued' then id end) as next_job
    from ${table}
    where state in ('queued', 'leased')
    group by user_id
  )
  select next_job as id from students
  where next_job is not null
  order by running, coalesce(latest_running, 0), next_job
  limit 1`;

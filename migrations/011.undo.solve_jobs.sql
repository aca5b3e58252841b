DROP TABLE solve_jobs;

DROP TABLE unfilled_demand;
DROP TABLE assignments;
DROP TABLE schedules;

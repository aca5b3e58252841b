DROP TABLE command_results;

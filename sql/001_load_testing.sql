-- 001: the table the system before herd wrote, with its exact columns, so
-- existing queries keep working. Times are seconds (numeric); std is the
-- sample standard deviation. "web" = every HTTP request of the load;
-- "container" = the poll waits (first poll to terminal state).
CREATE SCHEMA IF NOT EXISTS analytics;

CREATE TABLE IF NOT EXISTS analytics.load_testing (
    run_id             text PRIMARY KEY,
    num_users          integer NOT NULL,
    avg_container_time numeric NOT NULL,
    max_container_time numeric NOT NULL,
    std_container_time numeric NOT NULL,
    avg_web_time       numeric NOT NULL,
    max_web_time       numeric NOT NULL,
    std_web_time       numeric NOT NULL
);
